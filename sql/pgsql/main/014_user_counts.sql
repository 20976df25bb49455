-- The number of users of each tenant, kept by a trigger, so that a page of
-- the user list does not count a large tenant's rows for its total.
CREATE TABLE tenant_user_counts (
    tenant_id BIGINT PRIMARY KEY,
    n         BIGINT NOT NULL
);
INSERT INTO tenant_user_counts (tenant_id, n)
    SELECT tenant_id, COUNT(*) FROM users GROUP BY tenant_id;
CREATE FUNCTION users_count() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO tenant_user_counts (tenant_id, n) VALUES (NEW.tenant_id, 1)
            ON CONFLICT (tenant_id) DO UPDATE SET n = tenant_user_counts.n + 1;
    ELSE
        UPDATE tenant_user_counts SET n = n - 1 WHERE tenant_id = OLD.tenant_id;
    END IF;
    RETURN NULL;
END
$$;
CREATE TRIGGER users_count AFTER INSERT OR DELETE ON users
    FOR EACH ROW EXECUTE FUNCTION users_count();
