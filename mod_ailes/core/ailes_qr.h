/* QR codes as SVG (libqrencode), for TOTP enrolment: drawn here, so no
 * external service and no JavaScript library ever sees the secret. */
#ifndef AILES_QR_H
#define AILES_QR_H

#include <apr_pools.h>

/* An <svg> document for text (error correction M, 4-module quiet zone),
 * or NULL when the text does not fit a QR code. */
const char *ailes_qr_svg(apr_pool_t *p, const char *text);

#endif
