/* ailes-logship: the log shipper of mod_ailes.
 *
 * httpd feeds it lines through a piped log (AilesAuditLog, ErrorLog,
 * CustomLog "|ailes-logship ..."), and restarts it if it dies. Every line
 * is numbered and hash-chained (ailes_chain.h), then:
 *   --stdout            written to stdout (ECS awslogs driver, journald)
 *   --file PATH         appended to a file (development)
 *   --cloudwatch        sent to CloudWatch Logs PutLogEvents (libcurl,
 *                       SigV4), batched; a batch that cannot be sent is
 *                       spooled to --spool DIR and retried with backoff,
 *                       in order, also after a restart; SIGTERM flushes.
 * Lines at error level or worse (or matching --alert-pattern) run
 * --alert-exec CMD (line on its stdin), at most once per --alert-interval.
 * --verify FILE checks a chained export and names the first broken link.
 *
 * It never logs the lines it ships (they are the audit trail); its own
 * messages go to stderr, which httpd sends to its error log.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <regex.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include <apr_general.h>
#include <apr_strings.h>
#include <apr_tables.h>
#include <curl/curl.h>
#include <jansson.h>

#include "ailes_chain.h"
#include "ailes_json.h"
#include "ailes_sigv4.h"
#include "ailes_token.h"

/* PutLogEvents limits: 10,000 events, 1,048,576 bytes (message bytes + 26
 * each), all within 24 hours; one event at most 256 KiB. */
#define CW_MAX_EVENTS 10000
#define CW_MAX_BYTES 1048576
#define CW_EVENT_OVERHEAD 26
#define CW_MAX_SPAN_MS (24LL * 3600 * 1000 - 60000)
#define LINE_MAX_BYTES (256 * 1024 - 1024)

typedef struct opts {
    int to_stdout;
    const char *file;
    int cloudwatch;
    const char *region, *group, *stream, *endpoint, *cacert, *spool;
    int batch_seconds;
    const char *alert_pattern, *alert_exec;
    int alert_interval;
    const char *verify;
} opts_t;

static volatile sig_atomic_t stopping;

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;

    fputs("ailes-logship: ", stderr);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static int usage(void)
{
    fputs("usage: ailes-logship (--stdout | --file PATH | --cloudwatch "
          "--region R --group G --stream S [--endpoint URL] [--cacert FILE])\n"
          "                     [--spool DIR] [--batch-seconds N]\n"
          "                     [--alert-pattern REGEX] [--alert-exec CMD] "
          "[--alert-interval SECONDS]\n"
          "       ailes-logship --verify FILE\n", stderr);
    return 2;
}

/* --- verify ---------------------------------------------------------------- */

static int verify(apr_pool_t *p, const char *path)
{
    FILE *f = fopen(path, "r");
    ailes_chain_t c;
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    long no = 0;

    if (!f) {
        say("cannot read %s", path);
        return 1;
    }
    ailes_chain_init(&c);
    while ((n = getline(&line, &cap, f)) > 0) {
        apr_pool_t *lp;
        const char *why;

        no++;
        if (line[n - 1] == '\n') {
            line[--n] = '\0';
        }
        apr_pool_create(&lp, p);
        why = ailes_chain_verify(lp, &c, line, (apr_size_t)n);
        if (why) {
            printf("%s: line %ld: broken: %s\n", path, no, why);
            apr_pool_destroy(lp);
            free(line);
            fclose(f);
            return 1;
        }
        apr_pool_destroy(lp);
    }
    free(line);
    fclose(f);
    printf("%s: %ld records, chain intact\n", path, no);
    return 0;
}

/* --- alerts ---------------------------------------------------------------- */

typedef struct alerter {
    regex_t re;
    int has_re;
    const char *cmd;
    int interval;
    time_t last;
} alerter_t;

static int is_alert(alerter_t *a, const char *line)
{
    if (a->has_re) {
        return regexec(&a->re, line, 0, NULL, 0) == 0;
    }
    return strstr(line, ":error]") || strstr(line, ":crit]")
           || strstr(line, ":alert]") || strstr(line, ":emerg]")
           || strstr(line, "\"outcome\":\"error\"");
}

/* Runs the alert command with the line on stdin, not more often than the
 * interval; never waits for it (children are reaped later). */
static void alert(alerter_t *a, const char *line)
{
    time_t now = time(NULL);
    int fds[2];
    pid_t pid;

    if (!a->cmd || !is_alert(a, line) || (a->last && now - a->last
                                                         < a->interval)) {
        return;
    }
    a->last = now;
    if (pipe(fds) != 0) {
        return;
    }
    pid = fork();
    if (pid == 0) {
        dup2(fds[0], 0);
        close(fds[0]);
        close(fds[1]);
        execl("/bin/sh", "sh", "-c", a->cmd, (char *)NULL);
        _exit(127);
    }
    close(fds[0]);
    if (pid > 0) {
        ssize_t w = write(fds[1], line, strlen(line));
        (void)w;
        w = write(fds[1], "\n", 1);
        (void)w;
    }
    close(fds[1]);
}

/* --- CloudWatch ------------------------------------------------------------ */

typedef struct creds {
    const char *access_key, *secret_key, *token;
    time_t fetched;
} creds_t;

static size_t collect(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    apr_array_header_t *buf = userdata;
    size_t n = size * nmemb;

    if (buf->nelts + n > 1024 * 1024) {
        return 0;
    }
    memcpy(apr_array_push(buf), ptr, 1);
    buf->nelts--;
    {
        size_t i;
        for (i = 0; i < n; i++) {
            *(char *)apr_array_push(buf) = ptr[i];
        }
    }
    return n;
}

/* Credentials: the AWS environment variables, else the ECS container
 * credentials endpoint (refreshed every 10 minutes). */
static int get_creds(apr_pool_t *p, creds_t *c)
{
    const char *full = getenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
    const char *rel = getenv("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
    const char *tok = getenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");
    apr_array_header_t *body;
    struct curl_slist *h = NULL;
    json_t *j;
    json_error_t err;
    CURL *curl;
    long code = 0;

    if (getenv("AWS_ACCESS_KEY_ID") && getenv("AWS_SECRET_ACCESS_KEY")) {
        c->access_key = getenv("AWS_ACCESS_KEY_ID");
        c->secret_key = getenv("AWS_SECRET_ACCESS_KEY");
        c->token = getenv("AWS_SESSION_TOKEN");
        return 0;
    }
    if (!full && !rel) {
        return -1;
    }
    if (c->access_key && time(NULL) - c->fetched < 600) {
        return 0;
    }
    body = apr_array_make(p, 1024, 1);
    curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL,
                     full ? full
                          : apr_pstrcat(p, "http://169.254.170.2", rel, NULL));
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    if (tok) {
        h = curl_slist_append(h, apr_pstrcat(p, "Authorization: ", tok,
                                             NULL));
        curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    }
    if (curl_easy_perform(curl) != CURLE_OK
        || curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code) != CURLE_OK
        || code != 200) {
        curl_slist_free_all(h);
        curl_easy_cleanup(curl);
        return -1;
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    j = json_loadb(body->elts, (size_t)body->nelts, 0, &err);
    if (!j || !json_string_value(json_object_get(j, "AccessKeyId"))) {
        json_decref(j);
        return -1;
    }
    c->access_key = apr_pstrdup(p, json_string_value(json_object_get(
                                       j, "AccessKeyId")));
    c->secret_key = apr_pstrdup(p, json_string_value(json_object_get(
                                       j, "SecretAccessKey")));
    c->token = json_string_value(json_object_get(j, "Token"))
                   ? apr_pstrdup(p, json_string_value(json_object_get(
                                        j, "Token")))
                   : NULL;
    c->fetched = time(NULL);
    json_decref(j);
    return 0;
}

/* Sends one PutLogEvents body; 0 on HTTP 200. */
static int put_events(apr_pool_t *p, const opts_t *o, creds_t *c,
                      const char *payload)
{
    const char *host, *url, *slash;
    char amz_date[17];
    time_t now = time(NULL);
    struct tm tm;
    ailes_sigv4_req_t req;
    ailes_aws_cred_t cred;
    struct curl_slist *h = NULL;
    const char *auth;
    long code = 0;
    CURL *curl;
    CURLcode rc;

    if (get_creds(p, c) != 0) {
        say("no AWS credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
            "the ECS container credentials endpoint)");
        return -1;
    }
    url = o->endpoint ? o->endpoint
                      : apr_pstrcat(p, "https://logs.", o->region,
                                    ".amazonaws.com/", NULL);
    host = strstr(url, "://") ? strstr(url, "://") + 3 : url;
    slash = strchr(host, '/');
    host = slash ? apr_pstrmemdup(p, host, (apr_size_t)(slash - host))
                 : host;
    gmtime_r(&now, &tm);
    strftime(amz_date, sizeof(amz_date), "%Y%m%dT%H%M%SZ", &tm);
    memset(&req, 0, sizeof(req));
    req.method = "POST";
    req.path = "/";
    req.query = "";
    req.headers = apr_table_make(p, 6);
    apr_table_setn(req.headers, "host", host);
    apr_table_setn(req.headers, "x-amz-date", apr_pstrdup(p, amz_date));
    apr_table_setn(req.headers, "x-amz-target",
                   "Logs_20140328.PutLogEvents");
    apr_table_setn(req.headers, "content-type",
                   "application/x-amz-json-1.1");
    if (c->token) {
        apr_table_setn(req.headers, "x-amz-security-token", c->token);
    }
    req.payload = payload;
    req.payload_len = strlen(payload);
    req.region = o->region;
    req.service = "logs";
    cred.access_key = c->access_key;
    cred.secret_key = c->secret_key;
    cred.session_token = c->token;
    auth = ailes_sigv4_authorization(p, &cred, &req);
    h = curl_slist_append(h, apr_pstrcat(p, "X-Amz-Date: ", amz_date, NULL));
    h = curl_slist_append(h, "X-Amz-Target: Logs_20140328.PutLogEvents");
    h = curl_slist_append(h, "Content-Type: application/x-amz-json-1.1");
    h = curl_slist_append(h, apr_pstrcat(p, "Authorization: ", auth, NULL));
    if (c->token) {
        h = curl_slist_append(h, apr_pstrcat(p, "X-Amz-Security-Token: ",
                                             c->token, NULL));
    }
    h = curl_slist_append(h, "Expect:");
    curl = curl_easy_init();
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, payload);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(payload));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 15L);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 5L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "https");
    if (o->cacert) {
        curl_easy_setopt(curl, CURLOPT_CAINFO, o->cacert);
    }
    rc = curl_easy_perform(curl);
    if (rc == CURLE_OK) {
        curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    }
    curl_slist_free_all(h);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK || code != 200) {
        say("PutLogEvents failed (%s, HTTP %ld); kept in the spool",
            rc != CURLE_OK ? curl_easy_strerror(rc) : "answered", code);
        return -1;
    }
    return 0;
}

/* --- batches and spool ----------------------------------------------------- */

typedef struct batch {
    json_t *events;             /* [{"timestamp","message"}] */
    size_t bytes;
    long long first_ms;
    time_t opened;
} batch_t;

static void batch_reset(batch_t *b)
{
    json_decref(b->events);
    b->events = json_array();
    b->bytes = 0;
    b->first_ms = 0;
    b->opened = time(NULL);
}

static const char *batch_payload(apr_pool_t *p, const opts_t *o, batch_t *b)
{
    json_t *j = json_pack("{s:s,s:s,s:O}", "logGroupName", o->group,
                          "logStreamName", o->stream, "logEvents",
                          b->events);

    return ailes_json_dump(p, ailes_json_pool(p, j));
}

static unsigned long spool_next(const char *dir)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    unsigned long max = 0;

    if (!d) {
        return 1;
    }
    while ((e = readdir(d))) {
        unsigned long n = strtoul(e->d_name, NULL, 10);
        if (n > max) {
            max = n;
        }
    }
    closedir(d);
    return max + 1;
}

/* Writes a payload to the spool atomically (temp file, fsync, rename). */
static int spool_write(apr_pool_t *p, const opts_t *o, const char *payload)
{
    unsigned long n = spool_next(o->spool);
    const char *tmp = apr_psprintf(p, "%s/.tmp-%lu", o->spool, n);
    const char *dst = apr_psprintf(p, "%s/%012lu.json", o->spool, n);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    size_t len = strlen(payload);

    if (fd < 0 || write(fd, payload, len) != (ssize_t)len || fsync(fd) != 0
        || close(fd) != 0 || rename(tmp, dst) != 0) {
        say("cannot spool a batch to %s: %s", o->spool, strerror(errno));
        return -1;
    }
    return 0;
}

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sends spooled batches oldest first; stops at the first failure (order). */
static int spool_drain(apr_pool_t *p, const opts_t *o, creds_t *c)
{
    DIR *d = opendir(o->spool);
    struct dirent *e;
    apr_array_header_t *names = apr_array_make(p, 8, sizeof(char *));
    int i;

    if (!d) {
        return 0;
    }
    while ((e = readdir(d))) {
        if (e->d_name[0] != '.' && strstr(e->d_name, ".json")) {
            APR_ARRAY_PUSH(names, char *) = apr_pstrdup(p, e->d_name);
        }
    }
    closedir(d);
    qsort(names->elts, (size_t)names->nelts, sizeof(char *), cmp_names);
    for (i = 0; i < names->nelts; i++) {
        const char *path = apr_pstrcat(p, o->spool, "/",
                                       APR_ARRAY_IDX(names, i, char *), NULL);
        FILE *f = fopen(path, "r");
        char *buf;
        long n;

        if (!f) {
            continue;
        }
        fseek(f, 0, SEEK_END);
        n = ftell(f);
        rewind(f);
        buf = apr_palloc(p, (apr_size_t)n + 1);
        if (fread(buf, 1, (size_t)n, f) != (size_t)n) {
            fclose(f);
            return -1;
        }
        buf[n] = '\0';
        fclose(f);
        if (put_events(p, o, c, buf) != 0) {
            return -1;
        }
        unlink(path);
    }
    return 0;
}

/* Flushes the open batch: to the spool first, then the spool is drained,
 * so order holds whatever fails. */
static void flush(apr_pool_t *p, const opts_t *o, creds_t *c, batch_t *b)
{
    if (json_array_size(b->events) > 0) {
        if (spool_write(p, o, batch_payload(p, o, b)) == 0) {
            batch_reset(b);
        }
    }
    (void)spool_drain(p, o, c);
}

/* --- main loop ------------------------------------------------------------- */

static int run(apr_pool_t *pool, const opts_t *o)
{
    ailes_chain_t chain;
    alerter_t al;
    batch_t b;
    creds_t creds;
    FILE *out = NULL;
    char *line = NULL;
    size_t cap = 0, used = 0;
    time_t next_retry = 0;
    int backoff = 1;

    memset(&al, 0, sizeof(al));
    memset(&b, 0, sizeof(b));
    memset(&creds, 0, sizeof(creds));
    al.cmd = o->alert_exec;
    al.interval = o->alert_interval;
    if (o->alert_pattern) {
        if (regcomp(&al.re, o->alert_pattern, REG_EXTENDED | REG_NOSUB)) {
            say("bad --alert-pattern");
            return 2;
        }
        al.has_re = 1;
    }
    ailes_chain_init(&chain);
    batch_reset(&b);
    if (o->to_stdout) {
        out = stdout;
    }
    else if (o->file && !(out = fopen(o->file, "a"))) {
        say("cannot open %s", o->file);
        return 1;
    }
    for (;;) {
        struct pollfd pfd = { 0, POLLIN, 0 };
        int ready = poll(&pfd, 1, 500);
        int eof = 0;

        while (waitpid(-1, NULL, WNOHANG) > 0) {
            /* reap alert commands */
        }
        if (ready > 0) {
            char chunk[65536];
            ssize_t n = read(0, chunk, sizeof(chunk));
            if (n <= 0) {
                eof = 1;
            }
            else {
                if (used + (size_t)n + 1 > cap) {
                    cap = (used + (size_t)n + 1) * 2;
                    line = realloc(line, cap);
                    if (!line) {
                        say("out of memory");
                        return 1;
                    }
                }
                memcpy(line + used, chunk, (size_t)n);
                used += (size_t)n;
            }
        }
        /* Every complete line. */
        for (;;) {
            char *nl = line ? memchr(line, '\n', used) : NULL;
            apr_pool_t *lp;
            const char *rec;
            size_t len;

            if (!nl) {
                if (used > LINE_MAX_BYTES || ((eof || stopping) && used)) {
                    nl = line + used;   /* over-long or final partial line */
                    *nl = '\n';
                    used++;
                }
                else {
                    break;
                }
            }
            len = (size_t)(nl - line);
            if (len > LINE_MAX_BYTES) {
                len = LINE_MAX_BYTES;
            }
            apr_pool_create(&lp, pool);
            line[len] = '\0';
            rec = ailes_chain_wrap(lp, &chain, line, len, apr_time_now());
            alert(&al, line);
            if (out) {
                fputs(rec, out);
                fputc('\n', out);
                fflush(out);
            }
            if (o->cloudwatch) {
                long long ms = (long long)(apr_time_now() / 1000);
                size_t rb = strlen(rec) + CW_EVENT_OVERHEAD;
                if (json_array_size(b.events) >= CW_MAX_EVENTS
                    || b.bytes + rb > CW_MAX_BYTES
                    || (b.first_ms && ms - b.first_ms > CW_MAX_SPAN_MS)) {
                    if (spool_write(lp, o, batch_payload(lp, o, &b)) == 0) {
                        batch_reset(&b);
                    }
                }
                json_array_append_new(b.events,
                                      json_pack("{s:I,s:s}", "timestamp",
                                                (json_int_t)ms, "message",
                                                rec));
                b.bytes += rb;
                if (!b.first_ms) {
                    b.first_ms = ms;
                }
            }
            apr_pool_destroy(lp);
            memmove(line, nl + 1, used - (size_t)(nl + 1 - line));
            used -= (size_t)(nl + 1 - line);
        }
        if (o->cloudwatch) {
            time_t now = time(NULL);
            int due = json_array_size(b.events) > 0
                      && now - b.opened >= o->batch_seconds;
            if ((due || eof || stopping || now >= next_retry)
                && (json_array_size(b.events) > 0 || now >= next_retry)) {
                apr_pool_t *fp;
                apr_pool_create(&fp, pool);
                flush(fp, o, &creds, &b);
                apr_pool_destroy(fp);
                if (spool_next(o->spool) > 1 && opendir(o->spool)) {
                    /* something left: back off, up to a minute */
                    next_retry = now + backoff;
                    backoff = backoff < 60 ? backoff * 2 : 60;
                }
                else {
                    backoff = 1;
                    next_retry = now + 1;
                }
            }
        }
        if (eof || stopping) {
            break;
        }
    }
    if (out && out != stdout) {
        fclose(out);
    }
    free(line);
    json_decref(b.events);
    return 0;
}

int main(int argc, const char *const *argv)
{
    apr_pool_t *pool;
    opts_t o;
    int i;

    memset(&o, 0, sizeof(o));
    o.batch_seconds = 2;
    o.alert_interval = 300;
    if (apr_app_initialize(&argc, &argv, NULL) != APR_SUCCESS
        || apr_pool_create(&pool, NULL) != APR_SUCCESS
        || ailes_crypto_init() != 0) {
        say("cannot initialise");
        return 1;
    }
    for (i = 1; i < argc; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(a, "--stdout")) {
            o.to_stdout = 1;
        }
        else if (!strcmp(a, "--cloudwatch")) {
            o.cloudwatch = 1;
        }
        else if (v && !strcmp(a, "--file")) {
            o.file = v, i++;
        }
        else if (v && !strcmp(a, "--region")) {
            o.region = v, i++;
        }
        else if (v && !strcmp(a, "--group")) {
            o.group = v, i++;
        }
        else if (v && !strcmp(a, "--stream")) {
            o.stream = v, i++;
        }
        else if (v && !strcmp(a, "--endpoint")) {
            o.endpoint = v, i++;
        }
        else if (v && !strcmp(a, "--cacert")) {
            o.cacert = v, i++;
        }
        else if (v && !strcmp(a, "--spool")) {
            o.spool = v, i++;
        }
        else if (v && !strcmp(a, "--batch-seconds")) {
            o.batch_seconds = atoi(v), i++;
        }
        else if (v && !strcmp(a, "--alert-pattern")) {
            o.alert_pattern = v, i++;
        }
        else if (v && !strcmp(a, "--alert-exec")) {
            o.alert_exec = v, i++;
        }
        else if (v && !strcmp(a, "--alert-interval")) {
            o.alert_interval = atoi(v), i++;
        }
        else if (v && !strcmp(a, "--verify")) {
            o.verify = v, i++;
        }
        else {
            return usage();
        }
    }
    if (o.verify) {
        return verify(pool, o.verify);
    }
    if (!o.to_stdout && !o.file && !o.cloudwatch) {
        return usage();
    }
    if (o.cloudwatch) {
        if (!o.region || !o.group || !o.stream) {
            say("--cloudwatch needs --region, --group and --stream");
            return 2;
        }
        if (!o.spool) {
            o.spool = "/var/spool/ailes-logship";
        }
        if (mkdir(o.spool, 0700) != 0 && errno != EEXIST) {
            say("cannot create the spool %s", o.spool);
            return 1;
        }
        curl_global_init(CURL_GLOBAL_DEFAULT);
    }
    if (o.batch_seconds < 1) {
        o.batch_seconds = 1;
    }
    signal(SIGTERM, on_term);
    signal(SIGINT, on_term);
    signal(SIGPIPE, SIG_IGN);
    return run(pool, &o);
}
