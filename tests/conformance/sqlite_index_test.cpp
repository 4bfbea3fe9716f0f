// SPDX-License-Identifier: MIT
// The embedded store's inbox index on real SQLite files: the chunk encoding, reads that span
// written chunks and the in-memory tail, the replay of the log after a crash (a copy of the
// database files taken while the store runs, which is what a kill -9 leaves), and the
// conversion of a version 1 database.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <filesystem>
#include <random>

#include "conformance/harness.hpp"
#include "store/sqlite/inbox_chunk.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/statement.hpp"
#include "support/server_process.hpp"

namespace parley::store::sqlite {
namespace {

namespace fs = std::filesystem;

TEST(InboxChunk, RoundTripsIdsOfEverySize) {
  std::vector<MessageId> ids = {1, 2, 3, 130, 131, 20000, 20001, (MessageId(1) << 40) + 7};
  std::vector<MessageId> back;
  decode_chunk(encode_chunk(ids), back);
  EXPECT_EQ(back, ids);
  EXPECT_EQ(encode_chunk({5, 6, 7}).size(), 3u);  // one byte per close entry
  back.clear();
  decode_chunk(encode_chunk({}), back);
  EXPECT_TRUE(back.empty());
}

TEST(InboxChunk, MalformedBlobsThrow) {
  std::vector<MessageId> out;
  EXPECT_THROW(decode_chunk(std::string("\x81", 1), out), std::runtime_error);   // truncated
  EXPECT_THROW(decode_chunk(std::string(11, '\xff'), out), std::runtime_error);  // too long
}

class InboxIndexTest : public ::testing::Test {
 protected:
  testing::TempDir dir;
  Sink sink;
  std::unique_ptr<SqliteStore> store;

  std::string db() const { return dir.path() + "/t.db"; }
  void open(std::string path, std::size_t flush_entries, int flush_ms = 60000) {
    store.reset();
    SqliteOptions o{std::move(path)};
    o.index_flush_entries = flush_entries;
    o.index_flush_ms = flush_ms;
    store = std::make_unique<SqliteStore>(o);
    store->set_sink(&sink);
  }
  UserId user(const std::string& name) {
    return wait<UserId>([&](auto cb) { store->create_user(name, "hash", cb); });
  }
  InboxPage inbox(UserId u, Seq after, bool incoming, std::size_t limit = 1000) {
    return wait<InboxPage>([&](auto cb) { store->read_inbox(u, after, incoming, limit, cb); });
  }
  void send(UserId from, const std::string& name, std::vector<std::string> to, int i) {
    store->submit({from, name, std::move(to), name + std::to_string(i), "", 1});
  }
  std::int64_t chunk_rows(const std::string& path) {
    sqlite3* h = nullptr;
    sqlite3_open_v2(path.c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
    std::int64_t n = -1;
    {
      Statement s(h, "SELECT COUNT(*) FROM inbox_chunks");
      if (s.step()) n = s.int64(0);
    }
    sqlite3_close_v2(h);
    return n;
  }
  static void expect_contents(const InboxPage& page, const std::string& prefix, int first,
                              int count) {
    ASSERT_EQ(page.entries.size(), std::size_t(count));
    for (int i = 0; i < count; ++i)
      EXPECT_EQ(page.entries[std::size_t(i)].content, prefix + std::to_string(first + i));
  }
};

TEST_F(InboxIndexTest, ReadsSpanWrittenChunksAndTheTail) {
  open(db(), 7);  // the index is written every 7 entries: reads cross several chunks
  UserId a = user("a"), b = user("b");
  // One batch per message (the read waits for it), so the index is written every 4 messages.
  for (int i = 0; i < 20; ++i) {
    send(a, "a", {"b"}, i);
    inbox(a, 0, false, 1);
  }
  for (int i = 0; i < 5; ++i) {
    send(b, "b", {"a"}, i);
    inbox(a, 0, false, 1);
  }
  EXPECT_GE(chunk_rows(db()), 10);
  auto all = inbox(b, 0, false);
  ASSERT_EQ(all.entries.size(), 25u);
  for (std::size_t i = 0; i < 25; ++i) EXPECT_EQ(all.entries[i].seq, Seq(i + 1));
  EXPECT_EQ(all.head, 25);
  auto incoming = inbox(b, 0, true);
  expect_contents(incoming, "a", 0, 20);
  // A page that starts in the middle of a chunk and stops in another.
  auto page = inbox(b, 9, true, 4);
  expect_contents(page, "a", 9, 4);
  EXPECT_TRUE(page.more);
  EXPECT_EQ(page.scanned, 13);
  // History walks backwards over the tail and the chunks.
  auto h = wait<HistoryPage>([&](auto cb) { store->history(a, "b", 0, 100, cb); });
  EXPECT_EQ(h.messages.size(), 25u);
  EXPECT_EQ(h.messages.front().content, "a0");
  EXPECT_EQ(h.messages.back().content, "b4");
  auto written = chunk_rows(db());
  store.reset();  // a clean shutdown writes the rest of the index
  EXPECT_GT(chunk_rows(db()), written);
  open(db(), 7);
  expect_contents(inbox(b, 0, true), "a", 0, 20);
  send(a, "a", {"b"}, 20);
  EXPECT_EQ(inbox(b, 25, false).entries.at(0).seq, 26);
}

TEST_F(InboxIndexTest, AfterACrashTheLogIsReplayedIntoTheIndex) {
  open(db(), 1'000'000);  // nothing is written to the index while running
  UserId a = user("a"), b = user("b"), c = user("c");
  for (int i = 0; i < 10; ++i) send(a, "a", {"b", "c"}, i);
  for (int i = 0; i < 3; ++i) send(c, "c", {"a"}, i);
  sink.wait_for(13);
  inbox(a, 0, false);  // a barrier: everything above is committed
  // What a kill -9 leaves: the database and its WAL as they are on disk now.
  std::string copy = dir.path() + "/crash.db";
  fs::copy_file(db(), copy);
  fs::copy_file(db() + "-wal", copy + "-wal");
  EXPECT_EQ(chunk_rows(copy), 0);
  store.reset();

  open(copy, 1'000'000);
  expect_contents(inbox(b, 0, true), "a", 0, 10);
  auto ca = inbox(c, 0, false);
  ASSERT_EQ(ca.entries.size(), 13u);
  EXPECT_EQ(ca.head, 13);
  EXPECT_TRUE(ca.entries.back().own);
  // Seqs continue where the log ended, for the sender and every recipient.
  send(a, "a", {"b", "c"}, 10);
  sink.wait_for(14);
  {
    std::lock_guard l(sink.m);
    auto& last = sink.committed.back();
    EXPECT_EQ(last.sender_seq, 14);  // 10 sent + 3 received + this one
    ASSERT_EQ(last.recipients.size(), 2u);
    EXPECT_EQ(last.recipients[0].seq, 11);
    EXPECT_EQ(last.recipients[1].seq, 14);
  }
  (void)b;
}

TEST_F(InboxIndexTest, ARetriedCidIsFoundBeforeAndAfterTheIndexIsWrittenAndAfterACrash) {
  open(db(), 4);  // the index is written once 4 entries wait: "c1" is in the table, "c3" not
  UserId a = user("a");
  user("b");
  auto send_cid = [&](const std::string& cid, const std::string& text) {
    store->submit({a, "a", {"b"}, text, cid, 1});
  };
  auto last = [&](std::size_t n) {
    sink.wait_for(n);
    std::lock_guard l(sink.m);
    return sink.committed.at(n - 1);
  };
  send_cid("c1", "one");
  inbox(a, 0, false);
  send_cid("c2", "two");
  inbox(a, 0, false);  // 4 entries: written with this batch
  EXPECT_EQ(chunk_rows(db()), 2);
  send_cid("c3", "three");
  send_cid("c3", "three again");  // the same batch
  EXPECT_TRUE(last(4).duplicate);
  EXPECT_EQ(last(4).id, last(3).id);
  send_cid("c1", "one again");  // from the cids table
  Committed retry = last(5);
  EXPECT_TRUE(retry.duplicate);
  EXPECT_EQ(retry.id, last(1).id);
  EXPECT_EQ(retry.sender_seq, 1);
  EXPECT_EQ(retry.recipient_names, std::vector<std::string>{"b"});

  inbox(a, 0, false);
  std::string copy = dir.path() + "/crash.db";
  fs::copy_file(db(), copy);
  fs::copy_file(db() + "-wal", copy + "-wal");
  store.reset();
  open(copy, 4);
  send_cid("c3", "three, after the crash");  // only in the replayed log
  EXPECT_TRUE(last(6).duplicate);
  EXPECT_EQ(last(6).id, last(3).id);
  send_cid("c4", "four");
  EXPECT_FALSE(last(7).duplicate);
  EXPECT_EQ(inbox(a, 0, false).entries.size(), 4u);  // one, two, three, four
}

TEST_F(InboxIndexTest, AFailingIndexWriteCostsNoMessage) {
  open(db(), 3);
  UserId a = user("a"), b = user("b");
  send(a, "a", {"b"}, 0);  // 2 entries: not written yet
  inbox(a, 0, false);
  // Another writer takes the row the store will write for b's first seq: its index write fails.
  sqlite3* h = nullptr;
  ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
  sqlite3_busy_timeout(h, 5000);
  Statement(h, "INSERT INTO inbox_chunks(user, first_seq, last_seq, msgs) VALUES(?1, 1, 1, ?2)")
      .bind(1, b)
      .bind_blob(2, encode_chunk({999}))
      .run();
  send(a, "a", {"b"}, 1);  // 4 entries: the index is due with this batch, and fails
  sink.wait_for(2);
  {
    std::lock_guard l(sink.m);
    EXPECT_EQ(sink.committed.size(), 2u);
    EXPECT_TRUE(sink.rejected.empty());
  }
  EXPECT_EQ(inbox(a, 0, false).entries.size(), 2u);
  // Once the obstacle is gone the index is written on a later try.
  Statement(h, "DELETE FROM inbox_chunks WHERE user=?1").bind(1, b).run();
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  send(a, "a", {"b"}, 2);
  inbox(a, 0, false);
  sqlite3_close_v2(h);
  EXPECT_EQ(chunk_rows(db()), 2);
  expect_contents(inbox(b, 0, true), "a", 0, 3);
}

// A store of schema 3 kept read markers in the `read_markers` table; the read log folds them in
// at start, and they survive the first snapshot (which empties the old table).
TEST_F(InboxIndexTest, ReadMarkersOfTheOldTableAreKept) {
  open(db(), 3);
  UserId a = user("a"), b = user("b");
  send(a, "a", {"b"}, 0);
  sink.wait_for(1);
  MessageId id = 0;
  {
    std::lock_guard l(sink.m);
    id = sink.committed.at(0).id;
  }
  store.reset();
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
    Statement(h, "INSERT INTO read_markers(user, conv, upto) VALUES(?1, ?2, ?3)")
        .bind(1, b)
        .bind(2, "u" + std::to_string(a))
        .bind(3, id)
        .run();
    sqlite3_close_v2(h);
  }
  auto marker = [&] {
    auto convs = wait<std::vector<Conversation>>([&](auto cb) { store->conversations(b, 10, cb); });
    return convs.empty() ? MessageId(-1) : convs[0].read_upto;
  };
  open(db(), 3);
  EXPECT_EQ(marker(), id);
  // Past the snapshot threshold (4,096 changes): the old table is emptied, the marker stays.
  std::vector<std::string> names;
  for (int i = 0; i < 70; ++i) names.push_back("p" + std::to_string(i)), user(names.back());
  std::vector<UserId> ids;
  for (const auto& n : names)
    ids.push_back(wait<UserRecord>([&](auto cb) { store->find_user(n, cb); }).id);
  std::size_t notices = 1;
  // Two rounds over 70 x 69 conversations (the second raises every marker again): more changes
  // than markers.
  for (int round = 0; round < 2; ++round) {
    send(a, "a", {"b"}, 1 + round);  // a newer message to read up to
    ++notices;
    for (int i = 0; i < 70; ++i)
      for (int j = 0; j < 70; ++j)
        if (i != j) {
          SendRequest r{ids[i], names[i], {names[j]}, "", "", 1};
          r.kind = EntryKind::kRead;
          r.ref = id + 1000000;  // clamped to the newest message
          store->submit(r);
          ++notices;
        }
    sink.wait_for(notices);
  }
  open(db(), 3);
  EXPECT_EQ(marker(), id);
  sqlite3* h = nullptr;
  sqlite3_open_v2(db().c_str(), &h, SQLITE_OPEN_READONLY, nullptr);
  Statement left(h, "SELECT COUNT(*) FROM read_markers");
  left.step();
  EXPECT_EQ(left.int64(0), 0) << "folded into the read log";
  left = Statement();
  sqlite3_close_v2(h);
}

// Random sends, reads, clean restarts and crashes (a copy of the files taken while the store
// runs), checked against a plain model of every inbox after each step.
TEST_F(InboxIndexTest, RandomOperationsMatchAModelAcrossIndexWritesRestartsAndCrashes) {
  for (unsigned seed : {1u, 2u, 3u}) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    std::mt19937 rng(seed);
    auto pick = [&](std::size_t n) { return std::size_t(rng() % n); };
    std::string path = dir.path() + "/r" + std::to_string(seed) + ".db";
    std::size_t flush = 1 + pick(9);
    open(path, flush);
    const std::vector<std::string> names = {"u0", "u1", "u2", "u3", "u4"};
    std::vector<UserId> ids;
    for (const auto& n : names) ids.push_back(user(n + "s" + std::to_string(seed)));
    struct Entry {
      MessageId id;
      std::size_t sender;
      std::string content;
    };
    std::vector<std::vector<Entry>> model(names.size());
    std::size_t committed = 0, crashes = 0;
    {
      std::lock_guard l(sink.m);
      sink.committed.clear();
    }
    for (int step = 0; step < 150; ++step) {
      std::size_t op = pick(10);
      if (op < 6) {  // a send to 1-3 names, sometimes naming the sender or a name twice
        std::size_t from = pick(names.size());
        std::vector<std::string> to;
        std::vector<std::size_t> got;
        for (std::size_t k = 0, n = 1 + pick(3); k < n; ++k) {
          std::size_t r = pick(names.size());
          to.push_back(names[r] + "s" + std::to_string(seed));
          if (r != from && std::find(got.begin(), got.end(), r) == got.end()) got.push_back(r);
        }
        std::string text = "s" + std::to_string(step);
        store->submit({ids[from], names[from], to, text, "", 1});
        if (got.empty()) continue;  // no recipient: rejected, nothing stored
        sink.wait_for(++committed);
        MessageId id;
        {
          std::lock_guard l(sink.m);
          const Committed& c = sink.committed.at(committed - 1);
          id = c.id;
          EXPECT_EQ(c.sender_seq, Seq(model[from].size() + 1));
          for (std::size_t k = 0; k < got.size(); ++k)
            EXPECT_EQ(c.recipients.at(k).seq, Seq(model[got[k]].size() + 1));
        }
        model[from].push_back({id, from, text});
        for (std::size_t r : got) model[r].push_back({id, from, text});
      } else if (op < 8) {  // a page of an inbox
        std::size_t u = pick(names.size());
        Seq after = Seq(pick(model[u].size() + 1));
        bool incoming = pick(2) == 0;
        std::size_t limit = 1 + pick(8);
        auto page = inbox(ids[u], after, incoming, limit);
        std::vector<const Entry*> want;
        for (std::size_t i = std::size_t(after); i < model[u].size(); ++i)
          if (!incoming || model[u][i].sender != u) want.push_back(&model[u][i]);
        EXPECT_EQ(page.more, want.size() > limit);
        if (want.size() > limit) want.resize(limit);
        ASSERT_EQ(page.entries.size(), want.size()) << "user " << u << " after " << after;
        for (std::size_t i = 0; i < want.size(); ++i) {
          EXPECT_EQ(page.entries[i].id, want[i]->id);
          EXPECT_EQ(page.entries[i].content, want[i]->content);
          EXPECT_EQ(page.entries[i].own, want[i]->sender == u);
        }
        EXPECT_EQ(page.head, Seq(model[u].size()));
      } else if (op == 8) {  // the whole history of two users, newest page
        std::size_t u = pick(names.size()), p = pick(names.size());
        if (u == p) continue;
        auto h = wait<HistoryPage>([&](auto cb) {
          store->history(ids[u], names[p] + "s" + std::to_string(seed), 0, 1000, cb);
        });
        std::vector<MessageId> want;
        for (const auto& e : model[u]) {
          bool with_p = e.sender == p;
          if (e.sender == u)
            for (const auto& other : model[p])
              if (other.id == e.id) with_p = true;
          if (with_p) want.push_back(e.id);
        }
        std::vector<MessageId> have;
        for (const auto& m : h.messages) have.push_back(m.id);
        EXPECT_EQ(have, want);
      } else if (pick(2) == 0) {  // a clean restart
        store.reset();
        open(path, flush);
      } else {                       // a crash: carry on from what is on disk now
        inbox(ids[0], 0, false, 1);  // everything above is committed
        std::string copy = path + ".c" + std::to_string(++crashes);
        fs::copy_file(path, copy);
        if (fs::exists(path + "-wal")) fs::copy_file(path + "-wal", copy + "-wal");
        store.reset();
        path = copy;
        open(path, flush);
      }
    }
    store.reset();
  }
}

TEST_F(InboxIndexTest, TheIndexIsWrittenWhenItsTimeComes) {
  open(db(), 1'000'000, 50);
  UserId a = user("a");
  user("b");
  send(a, "a", {"b"}, 0);
  inbox(a, 0, false);
  for (int i = 0; i < 100 && chunk_rows(db()) < 2; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  EXPECT_EQ(chunk_rows(db()), 2);  // a's copy and b's, while the store sat idle
}

TEST_F(InboxIndexTest, AVersion1DatabaseIsConverted) {
  {
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
    exec(h,
         "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;"
         "CREATE TABLE users(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, password_hash "
         "TEXT NOT NULL, created_ms INTEGER NOT NULL, token_gen INTEGER NOT NULL DEFAULT 0, "
         "delivered_seq INTEGER NOT NULL DEFAULT 0);"
         "CREATE TABLE messages(id INTEGER PRIMARY KEY, sender INTEGER NOT NULL, ts INTEGER NOT "
         "NULL, sender_seq INTEGER NOT NULL, cid TEXT, recipients TEXT NOT NULL, content TEXT NOT "
         "NULL);"
         "CREATE TABLE inbox(user INTEGER NOT NULL, seq INTEGER NOT NULL, msg INTEGER NOT NULL, "
         "PRIMARY KEY(user, seq)) WITHOUT ROWID;"
         "CREATE TABLE revoked(jti TEXT PRIMARY KEY, exp INTEGER NOT NULL) WITHOUT ROWID;"
         "INSERT INTO meta VALUES('schema_version', '1');"
         "INSERT INTO users(id, name, password_hash, created_ms) VALUES(1, 'a', 'h', 0), "
         "(2, 'b', 'h', 0);"
         "INSERT INTO messages VALUES(1, 1, 10, 1, NULL, '2', 'one'), (2, 2, 11, 2, NULL, '1', "
         "'two'), (3, 1, 12, 3, 'k3', '2', 'three');"
         "CREATE UNIQUE INDEX messages_by_cid ON messages(sender, cid) WHERE cid IS NOT NULL;"
         "INSERT INTO inbox VALUES(1, 1, 1), (1, 2, 2), (1, 3, 3), (2, 1, 1), (2, 2, 2), "
         "(2, 3, 3);");
    sqlite3_close(h);
  }
  open(db(), 1'000'000);
  auto b = inbox(2, 0, false);
  ASSERT_EQ(b.entries.size(), 3u);
  EXPECT_EQ(b.entries[0].content, "one");
  EXPECT_EQ(b.entries[1].content, "two");
  EXPECT_TRUE(b.entries[1].own);
  EXPECT_EQ(b.entries[2].content, "three");
  store->submit({2, "b", {"a"}, "four", "", 1});
  sink.wait_for(1);
  {
    std::lock_guard l(sink.m);
    EXPECT_EQ(sink.committed.at(0).id, 4);
    EXPECT_EQ(sink.committed.at(0).sender_seq, 4);
    EXPECT_EQ(sink.committed.at(0).recipients.at(0).seq, 4);
  }
  store->submit({1, "a", {"b"}, "three again", "k3", 1});  // a retry: found in the cids table
  sink.wait_for(2);
  {
    std::lock_guard l(sink.m);
    EXPECT_TRUE(sink.committed.at(1).duplicate);
    EXPECT_EQ(sink.committed.at(1).id, 3);
  }
  store.reset();
  EXPECT_EQ(chunk_rows(db()), 4);  // one per user from the conversion, one per user since
}

// Version 6 (clean-up) computes each file's references from the log: a file an un-recalled
// message carries stays readable by its recipient and is not swept; one never sent is
// unreferenced since its upload; version 5's readers table goes.
TEST_F(InboxIndexTest, AVersion5DatabaseGetsFileReferences) {
  open(db(), 10);
  UserId a = user("a"), b = user("b");
  auto file = [&](std::string id, char sha) {
    FileRecord f{std::move(id), a, std::string(64, sha), "n", "text/plain", 10};
    f.created_ms = 1000;  // long ago
    return wait<FileRecord>([&](auto cb) { store->create_file(f, cb); });
  };
  file("sent", 'a');
  file("unsent", 'b');
  SendRequest r{a, "a", {"b"}, "", "", 1};
  r.files = {"sent"};
  store->submit(r);
  sink.wait_for(1);
  store.reset();
  {  // back to what version 5 wrote
    sqlite3* h = nullptr;
    ASSERT_EQ(sqlite3_open(db().c_str(), &h), SQLITE_OK);
    exec(h,
         "DROP INDEX files_unreferenced; DROP INDEX files_by_sha; DROP INDEX files_by_owner; "
         "CREATE TABLE old_files(id TEXT PRIMARY KEY, owner INTEGER NOT NULL, sha256 TEXT NOT "
         "NULL, name TEXT NOT NULL, type TEXT NOT NULL, size INTEGER NOT NULL, width INTEGER NOT "
         "NULL DEFAULT 0, height INTEGER NOT NULL DEFAULT 0, thumb INTEGER NOT NULL DEFAULT 0, "
         "created_ms INTEGER NOT NULL) WITHOUT ROWID; "
         "INSERT INTO old_files SELECT id, owner, sha256, name, type, size, width, height, thumb, "
         "created_ms FROM files; DROP TABLE files; ALTER TABLE old_files RENAME TO files; "
         "CREATE INDEX files_by_owner ON files(owner, sha256); "
         "DELETE FROM file_refs; CREATE TABLE file_readers(file TEXT NOT NULL, reader TEXT NOT "
         "NULL, PRIMARY KEY(file, reader)) WITHOUT ROWID; "
         "INSERT INTO file_readers VALUES('sent', 'u2'); "
         "UPDATE meta SET value='5' WHERE key='schema_version'");
    sqlite3_close(h);
  }
  open(db(), 10);
  EXPECT_NO_THROW(wait<FileRecord>([&](auto cb) { store->readable_file(b, "sent", cb); }));
  auto swept = wait<SweptFiles>([&](auto cb) { store->sweep_files(2000, 100, cb); });
  EXPECT_EQ(swept.ids, std::vector<std::string>{"unsent"});
  EXPECT_EQ(swept.unused, std::vector<std::string>{std::string(64, 'b')});
  EXPECT_EQ(wait<std::int64_t>([&](auto cb) { store->file_usage(a, cb); }), 10);
  store.reset();
  sqlite3* h = nullptr;
  sqlite3_open(db().c_str(), &h);
  {
    Statement v(h, "SELECT value FROM meta WHERE key='schema_version'");
    ASSERT_TRUE(v.step());
    EXPECT_EQ(v.text(0), "6");
    Statement t(h, "SELECT COUNT(*) FROM sqlite_master WHERE name='file_readers'");
    ASSERT_TRUE(t.step());
    EXPECT_EQ(t.int64(0), 0);
  }
  sqlite3_close(h);
}

TEST_F(InboxIndexTest, ANewerSchemaIsRefused) {
  open(db(), 10);
  store.reset();
  sqlite3* h = nullptr;
  sqlite3_open(db().c_str(), &h);
  exec(h, "UPDATE meta SET value='9' WHERE key='schema_version'");
  sqlite3_close(h);
  EXPECT_THROW(open(db(), 10), SqlError);
}

}  // namespace
}  // namespace parley::store::sqlite
