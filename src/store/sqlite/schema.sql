-- parley's embedded store, version 1. One row per user, message and inbox entry; an inbox
-- entry is the message's place (seq) in one user's ordered inbox.
CREATE TABLE IF NOT EXISTS meta(
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  password_hash TEXT NOT NULL,
  created_ms INTEGER NOT NULL,
  token_gen INTEGER NOT NULL DEFAULT 0,
  delivered_seq INTEGER NOT NULL DEFAULT 0   -- highest seq written to any connection
);

CREATE TABLE IF NOT EXISTS messages(
  id INTEGER PRIMARY KEY,                    -- never reused: messages are never deleted
  sender INTEGER NOT NULL,
  ts INTEGER NOT NULL,                       -- ms since the epoch
  sender_seq INTEGER NOT NULL,               -- the sender's own copy, for a repeated ack
  cid TEXT,                                  -- client message id, for idempotent retries
  recipients TEXT NOT NULL,                  -- user ids, comma-separated
  content TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_cid ON messages(sender, cid) WHERE cid IS NOT NULL;

CREATE TABLE IF NOT EXISTS inbox(
  user INTEGER NOT NULL,
  seq INTEGER NOT NULL,
  msg INTEGER NOT NULL,
  PRIMARY KEY(user, seq)
) WITHOUT ROWID;

-- History and the conversation list are read from the inbox (a user's messages in both
-- directions) rather than from a per-peer index: each index row would cost another random
-- B-tree insert per recipient on the hot path, for a query that runs once per opened chat.

CREATE TABLE IF NOT EXISTS revoked(
  jti TEXT PRIMARY KEY,
  exp INTEGER NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO meta(key, value) VALUES('schema_version', '1');
