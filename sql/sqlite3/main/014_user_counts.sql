-- The number of users of each tenant, kept by triggers, so that a page of
-- the user list does not count a large tenant's rows for its total.
CREATE TABLE tenant_user_counts (
    tenant_id INTEGER PRIMARY KEY,
    n         INTEGER NOT NULL
);
INSERT INTO tenant_user_counts (tenant_id, n)
    SELECT tenant_id, COUNT(*) FROM users GROUP BY tenant_id;
CREATE TRIGGER users_count_insert AFTER INSERT ON users BEGIN
    INSERT INTO tenant_user_counts (tenant_id, n) VALUES (NEW.tenant_id, 1)
        ON CONFLICT (tenant_id) DO UPDATE SET n = n + 1;
END;
CREATE TRIGGER users_count_delete AFTER DELETE ON users BEGIN
    UPDATE tenant_user_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id;
END;
