-- Exact-match search by name without the name: bidx is a keyed blind
-- index, hex HMAC-SHA-256 (AilesVaultIndexKeyFile, a key of its own) of
-- the tenant, the field and the normalised value; NULL when no index key
-- was configured when the value was written (`ailesctl vault reindex`).
ALTER TABLE vault_fields ADD COLUMN bidx TEXT;
CREATE INDEX vault_fields_bidx ON vault_fields (tenant_id, field, bidx);
