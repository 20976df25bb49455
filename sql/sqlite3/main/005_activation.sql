-- First passwords of imported users (and admin resets): a one-time
-- activation code, kept only as a SHA-256 hash, valid until
-- activation_expires (epoch seconds). password_hash stays NULL until the
-- user sets a password with it.
ALTER TABLE users ADD COLUMN activation_hash TEXT;
ALTER TABLE users ADD COLUMN activation_expires INTEGER;
