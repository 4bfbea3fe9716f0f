-- parley's embedded store, version 6. One row per user and per message; a user's inbox (each
-- message's place, seq, in that user's ordered inbox) is kept as chunks of consecutive seqs,
-- and client message ids in their own index; both are written behind the log.
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
  delivered_seq INTEGER NOT NULL DEFAULT 0,  -- highest seq written to any connection
  -- version 4: accounts
  role INTEGER NOT NULL DEFAULT 0,           -- 0 user, 1 admin
  banned INTEGER NOT NULL DEFAULT 0,
  display_name TEXT NOT NULL DEFAULT '',
  status TEXT NOT NULL DEFAULT '',
  deleted_ms INTEGER                         -- set: deleted; `name` is then '~deleted-<id>'
);

-- Names of deleted accounts, kept from new registrations until `until_ms` (version 4).
CREATE TABLE IF NOT EXISTS reserved_names(
  name TEXT PRIMARY KEY,
  until_ms INTEGER NOT NULL
) WITHOUT ROWID;

-- Invite codes for `registration: invite` (version 4).
CREATE TABLE IF NOT EXISTS invites(
  code TEXT PRIMARY KEY,
  uses_left INTEGER NOT NULL,
  uses INTEGER NOT NULL DEFAULT 0,
  expires_ms INTEGER NOT NULL,
  created_ms INTEGER NOT NULL,
  created_by TEXT NOT NULL
) WITHOUT ROWID;

-- The log: appended in id order, never updated or deleted. A message is durable once its row
-- is. Replaying the rows in id order gives every inbox seq (the sender's copy first, then each
-- recipient in `recipients` order), which is how the tail of the inbox index is rebuilt.
CREATE TABLE IF NOT EXISTS messages(
  id INTEGER PRIMARY KEY,
  sender INTEGER NOT NULL,
  ts INTEGER NOT NULL,                       -- ms since the epoch
  sender_seq INTEGER NOT NULL,               -- the sender's own copy, for a repeated ack
  cid TEXT,                                  -- client message id, for idempotent retries
  recipients TEXT NOT NULL,                  -- user ids, comma-separated
  content TEXT NOT NULL,                     -- the text, or a group event's JSON body
  grp INTEGER,                               -- the group it was sent to (NULL: one-to-one)
  kind INTEGER NOT NULL DEFAULT 0,           -- 0 message, 1 group event, 2 recall, 3 edit
  ref INTEGER,                               -- reply_to, or the message a recall/edit is about
  edited INTEGER NOT NULL DEFAULT 0,         -- the content was replaced by an edit
  recalled INTEGER NOT NULL DEFAULT 0,       -- the content was deleted by a recall
  files TEXT                                 -- version 5: the FILE objects it carries (JSON)
);

-- Uploaded files (version 5); the bytes are on disk by their SHA-256 (media/blob_store.hpp).
CREATE TABLE IF NOT EXISTS files(
  id TEXT PRIMARY KEY,
  owner INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  name TEXT NOT NULL,
  type TEXT NOT NULL,
  size INTEGER NOT NULL,
  width INTEGER NOT NULL DEFAULT 0,
  height INTEGER NOT NULL DEFAULT 0,
  thumb INTEGER NOT NULL DEFAULT 0,
  created_ms INTEGER NOT NULL,
  -- version 6: NULL while an un-recalled message carries it; else since when none does (its
  -- upload, or the recall of the last one). Past the grace period the sweeper removes it.
  unreferenced_ms INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS files_by_owner ON files(owner, sha256);
-- (version 6, created by migrate(): files_by_sha ON files(sha256), files_unreferenced ON
-- files(unreferenced_ms) WHERE unreferenced_ms IS NOT NULL.)
-- The un-recalled messages carrying a file (version 6; version 5 kept its readers instead):
-- who may read it are their recipients (or their group's members now). Written in the batch of
-- the send; a recall deletes its rows.
CREATE TABLE IF NOT EXISTS file_refs(
  file TEXT NOT NULL,
  msg INTEGER NOT NULL,
  PRIMARY KEY(file, msg)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS file_refs_by_msg ON file_refs(msg);

-- The inbox index, written behind the log in large batches: each row holds seqs first_seq..
-- last_seq of one user's inbox, the message ids as varint deltas. One row per user per batch
-- instead of one random B-tree insert per recipient per message (see ARCHITECTURE.md).
-- meta('indexed_upto') is the last message id whose entries are all in here.
CREATE TABLE IF NOT EXISTS inbox_chunks(
  user INTEGER NOT NULL,
  first_seq INTEGER NOT NULL,
  last_seq INTEGER NOT NULL,
  msgs BLOB NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS inbox_chunks_by_user ON inbox_chunks(user, first_seq);

-- (sender, cid) -> message, for idempotent retries; written with the inbox chunks. The cids of
-- the messages past meta('indexed_upto') are in memory (rebuilt from the log).
CREATE TABLE IF NOT EXISTS cids(
  sender INTEGER NOT NULL,
  cid TEXT NOT NULL,
  msg INTEGER NOT NULL,
  PRIMARY KEY(sender, cid)
) WITHOUT ROWID;

-- Groups (version 3). The member list is also kept in memory by the writer thread; changes are
-- written in the batch that records their event in the log.
CREATE TABLE IF NOT EXISTS groups(
  id INTEGER PRIMARY KEY AUTOINCREMENT,      -- never reused: ids of deleted groups stay dead
  name TEXT NOT NULL,
  created_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS group_members(
  grp INTEGER NOT NULL,
  user INTEGER NOT NULL,
  role INTEGER NOT NULL,                     -- 0 member, 1 admin, 2 owner
  joined_msg INTEGER NOT NULL,               -- the event that added them (history starts there)
  PRIMARY KEY(grp, user)
) WITHOUT ROWID;

-- How far each user has read each conversation ('u<peer id>' or 'g<group id>'); only rises.
-- Written by stores before the read log; read once at start, emptied by the first snapshot.
CREATE TABLE IF NOT EXISTS read_markers(
  user INTEGER NOT NULL,
  conv TEXT NOT NULL,
  upto INTEGER NOT NULL,
  PRIMARY KEY(user, conv)
) WITHOUT ROWID;

-- Read markers as a log (store/sqlite/read_markers.hpp): rows of (user, conversation, upto)
-- varints; a snapshot row holds every marker and replaces the rows before it.
CREATE TABLE IF NOT EXISTS read_log(
  id INTEGER PRIMARY KEY,
  snapshot INTEGER NOT NULL,
  body BLOB NOT NULL
);

CREATE TABLE IF NOT EXISTS revoked(
  jti TEXT PRIMARY KEY,
  exp INTEGER NOT NULL
) WITHOUT ROWID;

INSERT OR IGNORE INTO meta(key, value) VALUES('indexed_upto', '0');
