-- Employee numbers are printable ASCII and compare byte by byte (the C
-- collation), whatever the database's locale: the prefix search is a
-- range on the (tenant_id, employee_no) index, as it is on SQLite.
ALTER TABLE users ALTER COLUMN employee_no TYPE TEXT COLLATE "C";
