-- Nothing in this file signs anyone in or forges anything on its own.

-- Sessions are now keyed by a hash of their id (SqliteSessionStore); rows keyed by a clear id
-- would never match again, so everyone signs in once more.
DELETE FROM http_sessions;

-- A payment link is found by the SHA-256 of its token; the token itself is kept sealed with the
-- secrets key, only so that the dashboard can show the link again. The column keeps its unique
-- index; the start-up step (openSecretBox) hashes and seals the tokens already there.
ALTER TABLE payment_links RENAME COLUMN token TO token_hash;
ALTER TABLE payment_links ADD COLUMN token_sealed TEXT;
