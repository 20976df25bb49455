/* The common part of the fuzz targets (fuzz_common.h): libFuzzer's entry
 * points, calling the target's ailes_fuzz_one with a fresh pool.
 *
 * APR carves pool allocations out of 8 KiB blocks, so AddressSanitizer
 * cannot see a read or write past the end of one pool allocation: it
 * stays inside the block. Here apr_palloc is interposed for the whole
 * process (libapr calls it through its PLT, so apr_pstrdup,
 * apr_pstrmemdup, apr_array_push and friends come here too): while an
 * input runs, every allocation is its own malloc of exactly the size
 * asked, freed by a cleanup of the pool. ASan then guards each pool
 * allocation as it guards malloc. apr_psprintf and apr_pstrcat format
 * into the pool's block directly and are not covered.
 *
 * The per-input pool is cleared when the input returns, so no such
 * allocation outlives its input and LeakSanitizer (which cannot see
 * pointers kept in APR's mmap'd blocks) reports only real leaks: jansson
 * values, OpenSSL contexts or malloc'd memory nobody frees.
 *
 * Single-threaded, as libFuzzer runs a target.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <apr_general.h>
#include <apr_strings.h>

#include "ailes_token.h"
#include "ailes_totp.h"
#include "fuzz_common.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static apr_pool_t *per_input;
static void *(*real_palloc)(apr_pool_t *, apr_size_t);
static int in_input, in_hook;

static apr_status_t free_block(void *block)
{
    free(block);
    return APR_SUCCESS;
}

void *apr_palloc(apr_pool_t *p, apr_size_t size)
{
    void *block;

    if (!real_palloc) {
        real_palloc = (void *(*)(apr_pool_t *, apr_size_t))dlsym(
            RTLD_NEXT, "apr_palloc");
        if (!real_palloc) {
            abort();
        }
    }
    if (!in_input || in_hook) {
        /* APR's own set-up, or the cleanup record of the block below. */
        return real_palloc(p, size);
    }
    if (!(block = malloc(size ? size : 1))) {
        abort();
    }
    in_hook = 1;
    apr_pool_cleanup_register(p, block, free_block, apr_pool_cleanup_null);
    in_hook = 0;
    return block;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    apr_pool_t *root;

    (void)argc;
    (void)argv;
    if (APR_SUCCESS != apr_initialize() || 0 != ailes_crypto_init()
        || 0 != ailes_totp_init()
        || APR_SUCCESS != apr_pool_create(&root, NULL)
        || APR_SUCCESS != apr_pool_create(&per_input, root)) {
        fprintf(stderr, "fuzz: cannot initialise APR, libsodium or liboath\n");
        abort();
    }
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    in_input = 1;
    ailes_fuzz_one(per_input, data, size);
    apr_pool_clear(per_input);
    in_input = 0;
    return 0;
}

const char *ailes_fuzz_str(apr_pool_t *p, const uint8_t *data, size_t size)
{
    const void *nul = memchr(data, '\0', size);

    if (nul) {
        size = (size_t)((const uint8_t *)nul - data);
    }
    return apr_pstrmemdup(p, (const char *)data, size);
}
