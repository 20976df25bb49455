/* Fuzzes ailes_vault_open_text, which opens "key_id.nonce.ciphertext"
 * read from the main database (TOTP secrets): the text is attacker-chosen
 * once that database is. A fixed ring of two keys; the tenant, user and
 * field are fixed too.
 *
 * Input: one selector byte, then the text.
 *   0  open the text as it is
 *   1  open "<first key's id>." + text (gets past the key lookup)
 *   2  seal the text and open it again: it must come back unchanged, and
 *      not open for another user
 *   3  blind-index normalisation and MAC of the text */
#include <string.h>

#include <apr_strings.h>

#include "ailes_vault.h"
#include "fuzz_common.h"

/* The seeds in corpus/vault were sealed with these keys (the new one
 * first, as after a rotation). */
static const unsigned char raw_new[AILES_VAULT_KEY_BYTES] =
    "fuzz-vault-key-new-0123456789ab";
static const unsigned char raw_old[AILES_VAULT_KEY_BYTES] =
    "fuzz-vault-key-old-0123456789ab";

int ailes_fuzz_one(apr_pool_t *p, const uint8_t *data, size_t size)
{
    ailes_vault_key_t *ring, *old;
    const char *s, *sealed, *plain;

    if (size < 1) {
        return 0;
    }
    ring = ailes_vault_key_make(p, raw_new);
    old = ailes_vault_key_make(p, raw_old);
    ring->next = old;
    s = ailes_fuzz_str(p, data + 1, size - 1);
    switch (data[0] % 4) {
    case 0:
        ailes_vault_open_text(p, ring, 1, 2, "totp", s);
        break;
    case 1:
        ailes_vault_open_text(p, ring, 1, 2, "totp",
                              apr_pstrcat(p, ring->id, ".", s, NULL));
        break;
    case 2:
        if (!(sealed = ailes_vault_seal_text(p, old, 1, 2, "name", s))
            || !(plain = ailes_vault_open_text(p, ring, 1, 2, "name",
                                               sealed))
            || strcmp(plain, s)
            || ailes_vault_open_text(p, ring, 1, 3, "name", sealed)) {
            __builtin_trap();
        }
        break;
    case 3:
        ailes_vault_index_norm(p, s);
        ailes_vault_index_mac(p, ring, 1, "name", s);
        break;
    }
    return 0;
}
