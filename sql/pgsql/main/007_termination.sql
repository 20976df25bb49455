-- Contract termination: tenants.terminated_on (YYYY-MM-DD, JST) already
-- exists; purged_at records when `ailesctl purge` deleted the tenant's
-- data (audit rows stay, as the spec says: logs are not deleted).
ALTER TABLE tenants ADD COLUMN purged_at BIGINT;
