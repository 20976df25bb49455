/* SMTP through libcurl; see ailes_smtp.h. */
#include <string.h>

#include <apr_strings.h>
#include <curl/curl.h>

#include "ailes_smtp.h"

typedef struct reader {
    const char *data;
    size_t left;
} reader_t;

static size_t read_cb(char *buf, size_t size, size_t n, void *baton)
{
    reader_t *rd = baton;
    size_t k = size * n < rd->left ? size * n : rd->left;

    memcpy(buf, rd->data, k);
    rd->data += k;
    rd->left -= k;
    return k;
}

apr_status_t ailes_smtp_send(apr_pool_t *p, const char *relay,
                             const char *from, const char *to,
                             const char *msg, long timeout_sec,
                             const char **err)
{
    struct curl_slist *rcpt = NULL;
    reader_t rd;
    CURLcode cc;
    CURL *c;
    long code = 0;

    *err = NULL;
    if (!(c = curl_easy_init())) {
        *err = "cannot initialise libcurl";
        return APR_EGENERAL;
    }
    rcpt = curl_slist_append(NULL, apr_pstrcat(p, "<", to, ">", NULL));
    rd.data = msg;
    rd.left = strlen(msg);
    curl_easy_setopt(c, CURLOPT_URL, relay);
    curl_easy_setopt(c, CURLOPT_MAIL_FROM, apr_pstrcat(p, "<", from, ">",
                                                       NULL));
    curl_easy_setopt(c, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(c, CURLOPT_READFUNCTION, read_cb);
    curl_easy_setopt(c, CURLOPT_READDATA, &rd);
    curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, timeout_sec);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, timeout_sec * 3);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "smtp,smtps");
    cc = curl_easy_perform(c);
    if (CURLE_OK != cc) {
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
        *err = code ? apr_psprintf(p, "%s (SMTP %ld)",
                                   curl_easy_strerror(cc), code)
                    : apr_pstrdup(p, curl_easy_strerror(cc));
    }
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(c);
    return CURLE_OK == cc ? APR_SUCCESS : APR_EGENERAL;
}
