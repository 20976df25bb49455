/* Shared by every libFuzzer target in tests/fuzz: APR, libsodium and
 * liboath set up once, one pool per input, and a helper to turn the
 * fuzzer's bytes into the C strings the core parsers take. Never linked
 * into the module. */
#ifndef AILES_FUZZ_COMMON_H
#define AILES_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>

#include <apr_pools.h>

/* What each target defines: one input, with a pool that is cleared (every
 * allocation freed) as soon as it returns. data is not NUL-terminated.
 * Returns 0 (libFuzzer's rule). A property the target checks and finds
 * broken is reported with __builtin_trap(). */
int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size);

/* data as a NUL-terminated string in p, exactly as long as it needs to be
 * (a read past its end is an ASan report). Stops at an embedded NUL, as a
 * C caller would. */
const char *ailes_fuzz_str(apr_pool_t *p, const uint8_t *data, size_t size);

#endif
