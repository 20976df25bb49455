/* QR SVG; see ailes_qr.h. One <path> with a square per dark module keeps
 * the document small and free of scripts and styles (the CSP allows no
 * inline style). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_strings.h>
#include <qrencode.h>

#include "ailes_qr.h"

#define QUIET 4

const char *ailes_qr_svg(apr_pool_t *p, const char *text)
{
    QRcode *qr;
    struct svg_buf {
        char *s;
        size_t len, cap;
    } b;
    int x, y, size;
    const char *head;

    qr = QRcode_encodeString8bit(text, 0, QR_ECLEVEL_M);
    if (!qr) {
        return NULL;
    }
    size = qr->width + 2 * QUIET;
    b.cap = (size_t)qr->width * qr->width * 12 + 512;
    b.s = apr_palloc(p, b.cap);
    head = apr_psprintf(p, "<svg xmlns=\"http://www.w3.org/2000/svg\" "
                        "viewBox=\"0 0 %d %d\" shape-rendering=\"crispEdges\">"
                        "<rect width=\"%d\" height=\"%d\" fill=\"#fff\"/>"
                        "<path fill=\"#000\" d=\"", size, size, size, size);
    b.len = strlen(head);
    memcpy(b.s, head, b.len);
    for (y = 0; y < qr->width; y++) {
        for (x = 0; x < qr->width; x++) {
            if (qr->data[y * qr->width + x] & 1) {
                int n = snprintf(b.s + b.len, b.cap - b.len, "M%d %dh1v1h-1z",
                                 x + QUIET, y + QUIET);
                if (n < 0 || (size_t)n >= b.cap - b.len) {
                    QRcode_free(qr);
                    return NULL;
                }
                b.len += (size_t)n;
            }
        }
    }
    QRcode_free(qr);
    if (b.cap - b.len < 16) {
        return NULL;
    }
    memcpy(b.s + b.len, "\"/></svg>", 10);
    return b.s;
}
