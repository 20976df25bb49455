/* Mail messages built safely (the spec's メールヘッダ・インジェクション
 * item): pure functions that turn a sender, a recipient, a subject and a
 * body into an RFC 5322 message, and that check addresses and the relay
 * URL. Nothing here sends anything (the CLI's `mail flush` does, through
 * libcurl) and nothing here logs.
 *
 * The contract: no CR or LF of any value ever reaches a header. Subjects
 * and display names have every control character replaced by a space and
 * are RFC 2047-encoded (=?UTF-8?B?...?=) when they are not plain ASCII,
 * split into encoded words of whole characters so that no header line is
 * longer than 76 characters. Addresses are checked (a dot-atom local part,
 * a host name) and refused otherwise, never repaired. The body is UTF-8
 * text, sent base64-encoded with CRLF line ends.
 */
#ifndef AILES_MAIL_H
#define AILES_MAIL_H

#include <apr_pools.h>
#include <apr_time.h>

#define AILES_MAIL_LINE_MAX 76
#define AILES_MAIL_ADDRESS_MAX 254

typedef struct ailes_mail {
    const char *from;           /* addr-spec, AilesMailFrom */
    const char *to;             /* addr-spec */
    const char *to_name;        /* display name (UTF-8), or NULL */
    const char *subject;        /* UTF-8 */
    const char *body;           /* UTF-8 text, LF or CRLF line ends */
    apr_time_t date;            /* the Date header (rendered in JST) */
} ailes_mail_t;

/* An addr-spec we send to or from: local@domain, the local part a
 * dot-atom of at most 64 characters, the domain host-name labels; at most
 * 254 characters in all. NULL or an error message (naming no value). */
const char *ailes_mail_check_address(apr_pool_t *p, const char *addr);

/* AilesMailRelay: "smtp://HOST[:PORT]" (or smtps://), nothing after the
 * port but an optional "/". NULL or an error message. */
const char *ailes_mail_check_relay(apr_pool_t *p, const char *url);

/* One header, "Name: value" with CRLF between folded lines and none at
 * the end: control characters of value become spaces, and the value is
 * RFC 2047 B-encoded (UTF-8) when it is not printable ASCII or would make
 * a line longer than AILES_MAIL_LINE_MAX. NULL when value is not valid
 * UTF-8. */
const char *ailes_mail_header(apr_pool_t *p, const char *name,
                              const char *value);

/* "Thu, 26 Nov 2026 15:04:05 +0900" (RFC 5322, JST). */
const char *ailes_mail_date(apr_pool_t *p, apr_time_t t);

/* The whole message (headers, a blank line, the base64 body; CRLF line
 * ends) in *msg. NULL, or an error message with *msg NULL. */
const char *ailes_mail_build(apr_pool_t *p, const ailes_mail_t *m,
                             const char **msg);

#endif
