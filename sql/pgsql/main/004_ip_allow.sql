-- IP allow-lists set by tenant admins (canonical CIDR text, ", "-joined;
-- NULL = none). The tenant list narrows AilesTenantAllowIP; the account
-- list applies to one user on top of it.
ALTER TABLE tenants ADD COLUMN ip_allow TEXT;
ALTER TABLE users ADD COLUMN ip_allow TEXT;
