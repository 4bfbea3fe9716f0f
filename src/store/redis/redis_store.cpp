// SPDX-License-Identifier: MIT
#include "store/redis/redis_store.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <boost/json.hpp>

#include "protocol/codes.hpp"
#include "store/group_codec.hpp"
#include "store/group_rules.hpp"
#include "store/redis/lua_scripts.hpp"
#include "store/redis/redis_codec.hpp"
#include "store/redis/redis_keys.hpp"
#include "util/clock.hpp"

namespace parley::store::redis {
namespace json = boost::json;
namespace frame_error = protocol::frame_error;

namespace {

constexpr const char* kRevoked = "parley:revoked";  // hash: jti -> exp
constexpr const char* kCidTtl = "2592000";          // 30 days: retries come within minutes

// A message to more than kInlineRecipients names is stored once (its entry JSON under its own
// key) and every inbox holds a reference, "#<id>": a 1,000-name fan-out writes one body and
// 1,001 short references, not 1,001 bodies each listing 1,000 names. Smaller messages are
// written into each inbox whole ("{...}"), which saves a command and a read per message.
constexpr std::size_t kInlineRecipients = 4;
constexpr std::string_view kMessagePrefix = "parley:msg:";
std::string message_key(MessageId id) {
  return std::string(kMessagePrefix) + std::to_string(id);
}
std::string entry_ref(MessageId id) {
  return "#" + std::to_string(id);
}

// Replaces the references among raw inbox entries by the messages' entries (one pipelined GET
// each; a message key holds a single value, so this works on Redis Cluster too).
void resolve_entries(RedisConnection& c, std::vector<std::string>& raw) {
  std::vector<std::size_t> refs;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i].empty() || raw[i][0] != '#') continue;
    refs.push_back(i);
    c.append({"GET", std::string(kMessagePrefix) + raw[i].substr(1)});
  }
  for (std::size_t i : refs) {
    Reply r = c.read();
    raw[i] = is_nil(r.get()) || is_error(r.get()) ? std::string() : as_string(r.get());
  }
}

// Lua keys and argv for appending one copy of a message to `owner`'s inbox, indexed under each
// conversation in `peers` (user ids, or "g<id>" for a group) — and, for an `incoming` entry
// (from someone else), in the per-peer index the unread counts read.
std::vector<std::string> append_command(const std::string& sha, UserId owner, MessageId id,
                                        const std::string& entry,
                                        const std::vector<std::string>& peers,
                                        bool incoming = false) {
  std::size_t keys = 3 + peers.size() * (incoming ? 2 : 1);
  std::vector<std::string> argv = {
      "EVALSHA",           sha, std::to_string(keys), ukey(owner, "inbox"), ukey(owner, "ids"),
      ukey(owner, "convs")};
  for (const auto& p : peers) argv.push_back(ukey(owner, "conv:" + p));
  if (incoming)
    for (const auto& p : peers) argv.push_back(ukey(owner, "in:" + p));
  argv.push_back(std::to_string(id));
  argv.push_back(entry);
  argv.push_back(std::to_string(peers.size()));
  for (const auto& p : peers) argv.push_back(p);
  return argv;
}

std::vector<std::string> id_strings(const std::vector<UserId>& ids) {
  std::vector<std::string> out;
  out.reserve(ids.size());
  for (UserId id : ids) out.push_back(std::to_string(id));
  return out;
}

// The names of a send's recipients, in the order of its ids (for the cid record).
std::vector<std::string> recipient_list(const Committed& c) {
  std::vector<std::string> names;
  names.reserve(c.recipients.size());
  for (const auto& r : c.recipients) names.push_back(r.name);
  return names;
}

std::string gkey(GroupId id) {
  return group_key(id);
}
std::string group_peer(GroupId id) {
  return "g" + std::to_string(id);
}
constexpr const char* kGroupIds = "parley:group_ids";  // counter

// The group under its key, or nullopt when there is none.
std::optional<Group> read_group(RedisConnection& c, GroupId id) {
  Reply r = c.command({"GET", gkey(id)});
  if (is_nil(r.get())) return std::nullopt;
  return decode_group(as_string(r.get()), id);
}

struct CidRecord {
  MessageId id = 0;
  std::int64_t ts = 0;
  Seq sender_seq = 0;  // 0 = the writes may not all have happened (retry them)
  std::vector<UserId> ids;
  std::vector<std::string> names;
};

std::string encode_cid(const CidRecord& r) {
  json::object o{{"i", r.id}, {"t", r.ts}, {"s", r.sender_seq}};
  json::array ids, names;
  for (auto id : r.ids) ids.emplace_back(id);
  for (auto& n : r.names) names.emplace_back(n);
  o["r"] = std::move(ids);
  o["n"] = std::move(names);
  return json::serialize(o);
}

std::optional<CidRecord> decode_cid(const std::string& s) {
  json::error_code ec;
  json::value v = json::parse(s, ec);
  if (ec || !v.is_object()) return std::nullopt;
  const auto& o = v.get_object();
  CidRecord r;
  try {
    r.id = o.at("i").to_number<std::int64_t>();
    r.ts = o.at("t").to_number<std::int64_t>();
    r.sender_seq = o.at("s").to_number<std::int64_t>();
    for (const auto& id : o.at("r").as_array()) r.ids.push_back(id.to_number<std::int64_t>());
    for (const auto& n : o.at("n").as_array()) r.names.emplace_back(n.as_string());
  } catch (const std::exception&) {
    return std::nullopt;
  }
  return r;
}

}  // namespace

RedisStore::RedisStore(RedisOptions options)
    : options_(std::move(options)), conn_(parse_redis_url(options_.url), options_.timeout) {
  try {
    connect();
    healthy_ = true;
  } catch (const RedisError& e) {
    spdlog::warn("redis unreachable at start ({}); retrying in the background", e.what());
  }
  worker_ = std::thread([this] { worker_loop(); });
}

RedisStore::~RedisStore() {
  queue_.stop();
  if (worker_.joinable()) worker_.join();
}

void RedisStore::enqueue(Job job) {
  queue_.push(std::move(job));
}

void RedisStore::worker_loop() {
  std::vector<Job> jobs;
  // Wakes at least every 200 ms to flush delivered cursors.
  while (queue_.pop_batch(jobs, options_.max_batch, std::chrono::milliseconds(200))) {
    if (!jobs.empty() || !cursors_.empty() || !held_.empty()) run_batch(jobs);
    jobs.clear();
  }
}

void RedisStore::run_batch(std::vector<Job>& jobs) {
  auto started = std::chrono::steady_clock::now();
  // Jobs before `settled` are finished: their writes are confirmed and their answers given (or
  // deferred in `after`). A failure answers only the others: a send reported "not stored" that
  // was stored would be sent again by a client without cid, and stored twice.
  std::size_t settled = 0;
  std::vector<std::function<void()>> after;
  bool attempted = true;  // false: failed fast during the backoff, Redis was not tried
  try {
    if (!conn_.connected()) {
      // Fail fast while the server is down; try again once the backoff has passed.
      if (started < retry_at_) {
        attempted = false;
        throw RedisError("redis unavailable (reconnecting)");
      }
      connect();
      spdlog::info("redis: connected");
    }
    finish_held();
    std::vector<SendRequest*> sends;
    std::size_t units = 0;  // send pipelines finished in this batch (for the failpoint)
    for (std::size_t i = 0; i < jobs.size(); ++i) {
      Job& job = jobs[i];
      if (job.send && special(*job.send)) {
        run_special(*job.send);
        ++units;
      } else if (job.send) {
        sends.push_back(job.send);
        bool last_send = i + 1 == jobs.size() || !jobs[i + 1].send || special(*jobs[i + 1].send);
        if (!last_send) continue;
        run_sends(sends);
        sends.clear();
        ++units;
      } else {
        after.push_back(job.run(conn_));
      }
      settled = i + 1;
      if (units == 1 && options_.break_batch_after >= 0 && !break_fired_ && send_units(jobs) >= 2) {
        break_fired_ = true;  // failpoint: the next pipeline of this batch breaks half-way
        conn_.fail_after(options_.break_batch_after);
      }
    }
    flush_cursors();
    healthy_ = true;
    backoff_ = std::chrono::milliseconds(100);
    if (options_.on_commit_us)
      options_.on_commit_us(std::uint64_t(std::chrono::duration_cast<std::chrono::microseconds>(
                                              std::chrono::steady_clock::now() - started)
                                              .count()));
  } catch (const RedisError& e) {
    if (healthy_.exchange(false)) spdlog::error("redis: {}", e.what());
    if (attempted) {
      conn_.reset();
      retry_at_ = std::chrono::steady_clock::now() + backoff_;
      backoff_ = std::min(backoff_ * 2, std::chrono::milliseconds(2000));
    }
    // What was not finished fails: its sends are reported not stored, except those in doubt
    // (held_: finished once Redis is back, then acknowledged as usual).
    std::vector<Rejected> rejected;
    std::size_t held = 0;
    for (std::size_t i = settled; i < jobs.size(); ++i) {
      Job& job = jobs[i];
      if (!job.send) {
        job.fail();
      } else if (SendWork* w = find_held(job.send)) {
        w->owned.reset(job.send);  // outlives this batch
        job.send = nullptr;
        ++held;
      } else {
        rejected.push_back(Rejected{job.send->sender, job.send->origin, job.send->cid, false});
      }
    }
    if (held) spdlog::warn("redis: {} send(s) in doubt held until Redis answers", held);
    if (sink_ && !rejected.empty()) sink_->on_rejected(std::move(rejected));
  }
  for (auto& f : after)
    if (f) f();
  for (auto& job : jobs) delete job.send;
}

RedisStore::SendWork* RedisStore::find_held(const SendRequest* req) {
  for (auto& w : held_)
    if (w.req == req) return &w;
  return nullptr;
}

// How many send pipelines a batch makes: runs of plain sends, and each special send.
std::size_t RedisStore::send_units(const std::vector<Job>& jobs) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (!jobs[i].send) continue;
    bool ends = special(*jobs[i].send) || i + 1 == jobs.size() || !jobs[i + 1].send ||
                special(*jobs[i + 1].send);
    if (ends) ++n;
  }
  return n;
}

// Connects and loads the Lua scripts, so each call sends a 40-byte SHA instead of the script
// (a fan-out to 1,000 users is 1,001 script calls). A restarted Redis has lost them: every
// reconnection loads them again.
void RedisStore::connect() {
  conn_.ensure();
  append_sha_ = as_string(conn_.command({"SCRIPT", "LOAD", kAppendLua}).get());
  cursor_sha_ = as_string(conn_.command({"SCRIPT", "LOAD", kRaiseCursorLua}).get());
  raise_sha_ = as_string(conn_.command({"SCRIPT", "LOAD", kRaiseFieldLua}).get());
  fill_name_keys(conn_);
  backfill_files(conn_);
  if (options_.min_replicas_ack >= 0) {
    replicas_to_wait_ = options_.min_replicas_ack;
  } else if (replicas_to_wait_ == 0) {
    // Sticky: a master that had a replica when this node started keeps needing one, even after
    // it dropped the replica (a reconnection then must not quietly stop waiting).
    std::string info = as_string(conn_.command({"INFO", "replication"}).get());
    auto at = info.find("connected_slaves:");
    int replicas = at == std::string::npos ? 0 : std::atoi(info.c_str() + at + 17);
    replicas_to_wait_ = replicas > 0 ? 1 : 0;
  }
  if (replicas_to_wait_ > 0)
    spdlog::info("redis: sends are acknowledged once {} replica(s) hold them", replicas_to_wait_);
}

void RedisStore::await_replicas() {
  if (replicas_to_wait_ <= 0) return;
  auto wait_ms = std::min(options_.replica_ack_timeout, options_.timeout * 3 / 4).count();
  Reply r = conn_.command({"WAIT", std::to_string(replicas_to_wait_), std::to_string(wait_ms)});
  if (is_error(r.get())) throw RedisError(std::string("redis: WAIT: ") + r->str);
  long long got = as_int(r.get());
  if (got < replicas_to_wait_)
    throw RedisError("redis: only " + std::to_string(got) + " of " +
                     std::to_string(replicas_to_wait_) + " replica(s) confirmed the write within " +
                     std::to_string(wait_ms) + " ms; held until they do");
}

std::string RedisStore::user_name(UserId id) {
  auto it = names_.find(id);
  if (it != names_.end()) return it->second;
  std::string name = as_string(conn_.command({"HGET", ukey(id, "profile"), "name"}).get());
  if (!name.empty()) names_.emplace(id, name);
  return name;
}

// Pipelined group commit of sends: resolve names and cids, allocate ids, append to every inbox
// (idempotently, so a retried cid after a crash completes what was started), mark cids done,
// publish the batch.
void RedisStore::run_sends(std::vector<SendRequest*>& sends) {
  // Reads, ids and incomplete cid records only: a failure here leaves nothing a reader sees,
  // and the sends are reported not stored (run_batch).
  std::vector<SendWork> work = prepare_sends(sends);
  try {
    commit_sends(work);
  } catch (const RedisError&) {
    // The appends may have run, in part or whole: in doubt. Held, and finished (idempotently,
    // by message id) before anything else once Redis answers again (finish_held).
    held_ = std::move(work);
    throw;
  }
}

// Finishes the sends a broken connection left in doubt, before any other job.
void RedisStore::finish_held() {
  if (held_.empty()) return;
  std::vector<SendWork> work = std::move(held_);
  held_.clear();
  spdlog::warn("redis: finishing {} send(s) left in doubt by a broken connection", work.size());
  try {
    // WAIT covers the writes of its own connection only, and re-running appends that had been
    // applied writes nothing: one write that always replicates carries the offset past them.
    if (replicas_to_wait_ > 0) conn_.command({"INCR", "parley:replication_probe"});
    commit_sends(work);
  } catch (const RedisError&) {
    held_ = std::move(work);
    throw;
  }
}

std::vector<RedisStore::SendWork> RedisStore::prepare_sends(std::vector<SendRequest*>& sends) {
  using Work = SendWork;
  std::vector<Work> work;
  work.reserve(sends.size());
  for (auto* r : sends) {
    if (r->group) {
      conn_.append({"GET", gkey(r->group)});  // the members when the send commits
    } else {
      conn_.append([&] {
        std::vector<std::string> argv = {"HMGET", kUsers};
        for (auto& n : r->to) argv.push_back(n);
        if (r->to.empty()) argv.push_back("");
        return argv;
      }());
    }
    if (!r->cid.empty()) conn_.append({"GET", ukey(r->sender, "cid:" + r->cid)});
  }
  for (auto* r : sends) {
    Work w{r, {}, {}};
    w.c.sender = r->sender;
    w.c.sender_name = r->sender_name;
    w.c.cid = r->cid;
    w.c.origin = r->origin;
    w.c.group = r->group;
    w.c.ref = r->ref;
    Reply ids = conn_.read();
    if (is_error(ids.get())) throw RedisError(std::string("redis: ") + ids->str);
    if (r->group) {
      std::optional<Group> g;
      if (!is_nil(ids.get())) g = decode_group(as_string(ids.get()), r->group);
      if (g && g->find(r->sender)) {
        for (const auto& m : g->members) {
          if (m.id == r->sender) continue;
          w.ids.push_back(m.id);
          w.c.recipients.push_back(Recipient{m.id, m.name, 0});
        }
      } else {
        w.not_member = true;
      }
    }
    for (std::size_t i = 0; !r->group && i < r->to.size() && i < ids->elements; ++i) {
      if (is_nil(ids->element[i])) continue;
      UserId id = as_int(ids->element[i]);
      if (id == r->sender) continue;
      if (std::find(w.ids.begin(), w.ids.end(), id) != w.ids.end()) continue;
      w.ids.push_back(id);
      w.c.recipients.push_back(Recipient{id, r->to[i], 0});
      w.c.recipient_names.push_back(r->to[i]);
      names_.emplace(id, r->to[i]);
    }
    if (!r->cid.empty()) {
      Reply rec = conn_.read();
      if (!is_nil(rec.get()) && !is_error(rec.get())) {
        if (auto cr = decode_cid(as_string(rec.get()))) {
          w.c.id = cr->id;
          w.c.ts = cr->ts;
          w.c.sender_seq = cr->sender_seq;
          if (!r->group) w.c.recipient_names = cr->names;  // a group message goes "to":[]
          if (cr->sender_seq > 0) {
            w.complete_dup = true;
            w.c.duplicate = true;
            w.c.recipients.clear();
          } else {
            w.resumed = true;
            w.not_member = false;
            w.ids = cr->ids;
            w.c.recipients.clear();
            for (std::size_t i = 0; i < cr->ids.size(); ++i)
              w.c.recipients.push_back(Recipient{cr->ids[i], cr->names[i], 0});
          }
        }
      }
    }
    // A group of one still stores the sender's copy; a one-to-one send needs a recipient.
    if (!w.complete_dup && ((!r->group && w.ids.empty()) || w.not_member)) w.rejected = true;
    if (!r->cid.empty()) {
      for (std::size_t j = 0; j < work.size(); ++j) {
        if (work[j].req->sender == r->sender && work[j].req->cid == r->cid) {
          w.dup_of = int(j);  // a retry within one batch: answered from the first
          w.complete_dup = true;
          w.rejected = false;
          break;
        }
      }
    }
    work.push_back(std::move(w));
  }

  // Ids for new messages, then the cid records that make retries idempotent.
  for (auto& w : work)
    if (!w.rejected && !w.complete_dup && !w.resumed) conn_.append({"INCR", kMessageIds});
  for (auto& w : work) {
    if (w.rejected || w.complete_dup || w.resumed) continue;
    w.c.id = as_int(conn_.read().get());
    w.c.ts = util::now_ms();
  }
  for (auto& w : work) {
    if (w.rejected || w.complete_dup || w.req->cid.empty() || w.resumed) continue;
    conn_.append({"SET", ukey(w.c.sender, "cid:" + w.req->cid),
                  encode_cid({w.c.id, w.c.ts, 0, w.ids, recipient_list(w.c)}), "EX", kCidTtl});
  }
  for (auto& w : work)
    if (!w.rejected && !w.complete_dup && !w.req->cid.empty() && !w.resumed) {
      Reply r = conn_.read();
      if (is_error(r.get())) throw RedisError(std::string("redis: ") + r->str);
    }

  return work;
}

// Appends to every inbox, completes the cid records, grants the files, publishes. Runs again on
// the same work after a broken connection (finish_held): every step is idempotent.
void RedisStore::commit_sends(std::vector<SendWork>& work) {
  using Work = SendWork;
  // Large messages: the body once, before any reference to it (one connection: in order). Then
  // the appends: the sender's copy, then one per recipient. The cid is shown to the sender only.
  auto shared_body = [](const Work& w) { return w.ids.size() > kInlineRecipients; };
  // Files first: each referenced by this message before any inbox shows it. A sweep on any
  // node either removed the record before (the send is refused: bad_file) or sees the
  // reference and keeps it (file_mark.lua, file_sweep.lua). Idempotent for a rerun.
  for (auto& w : work) {
    if (w.rejected || w.complete_dup || w.req->files.empty()) continue;
    std::string readers;
    if (w.c.group) readers = "g" + std::to_string(w.c.group);
    for (UserId id : w.ids) {
      if (w.c.group) break;
      if (!readers.empty()) readers += ',';
      readers += "u" + std::to_string(id);
    }
    for (std::size_t i = 0; i < w.req->files.size(); ++i) {
      if (mark_file(conn_, w.req->files[i], w.c.id, readers)) continue;
      for (std::size_t j = 0; j < i; ++j) unmark_file(conn_, w.req->files[j], w.c.id);
      w.rejected = w.bad_file = true;
      break;
    }
  }
  for (auto& w : work) {
    if (w.rejected || w.complete_dup) continue;
    std::string own =
        encode_entry(w.c.id, w.c.ts, w.c.sender_name, w.c.recipient_names, w.req->content,
                     w.req->cid, w.c.group, EntryKind::kMessage, w.c.ref, w.req->files_json);
    std::string theirs;
    if (shared_body(w)) {
      conn_.append({"SET", message_key(w.c.id), own});
      own = theirs = entry_ref(w.c.id);
    } else {
      theirs = encode_entry(w.c.id, w.c.ts, w.c.sender_name, w.c.recipient_names, w.req->content,
                            {}, w.c.group, EntryKind::kMessage, w.c.ref, w.req->files_json);
    }
    // A group's messages are indexed under the group in every inbox, others under each peer.
    std::vector<std::string> group_conv;
    if (w.c.group) group_conv.push_back(group_peer(w.c.group));
    conn_.append(append_command(append_sha_, w.c.sender, w.c.id, own,
                                w.c.group ? group_conv : id_strings(w.ids)));
    std::vector<std::string> sender_conv = {std::to_string(w.c.sender)};
    for (UserId r : w.ids)
      conn_.append(append_command(append_sha_, r, w.c.id, theirs,
                                  w.c.group ? group_conv : sender_conv, true));
  }
  for (auto& w : work) {
    if (w.rejected || w.complete_dup) continue;
    if (shared_body(w)) {
      Reply body = conn_.read();
      if (is_error(body.get())) throw RedisError(std::string("redis: ") + body->str);
    }
    Reply s = conn_.read();
    if (is_error(s.get())) throw RedisError(std::string("redis: ") + s->str);
    w.c.sender_seq = as_int(s.get());
    for (auto& r : w.c.recipients) {
      Reply rs = conn_.read();
      if (is_error(rs.get())) throw RedisError(std::string("redis: ") + rs->str);
      r.seq = as_int(rs.get());
    }
  }
  for (auto& w : work) {
    if (w.rejected || w.complete_dup || w.req->cid.empty()) continue;
    conn_.append({"SET", ukey(w.c.sender, "cid:" + w.req->cid),
                  encode_cid({w.c.id, w.c.ts, w.c.sender_seq, w.ids, recipient_list(w.c)}), "EX",
                  kCidTtl});
  }
  for (auto& w : work)
    if (!w.rejected && !w.complete_dup && !w.req->cid.empty()) conn_.read();
  for (auto& w : work)
    if (!w.rejected && !w.complete_dup && !w.req->files.empty()) w.c.files = w.req->files_json;

  for (auto& w : work) {
    if (w.dup_of < 0) continue;
    const Work& first = work[std::size_t(w.dup_of)];
    if (first.rejected) {
      w.rejected = true;
      w.bad_file = first.bad_file;
      continue;
    }
    w.c.id = first.c.id;
    w.c.ts = first.c.ts;
    w.c.sender_seq = first.c.sender_seq;
    w.c.recipient_names = first.c.recipient_names;
    w.c.recipients.clear();
    w.c.duplicate = true;
  }
  std::vector<Committed> committed;
  std::vector<Rejected> rejected;
  for (auto& w : work) {
    if (w.rejected) {
      Rejected r{w.c.sender, w.c.origin, w.c.cid, !w.not_member && !w.bad_file};
      r.not_member = w.not_member;
      if (w.bad_file) r.error = frame_error::kBadFile;
      rejected.push_back(std::move(r));
      continue;
    }
    w.c.content = std::move(w.req->content);
    committed.push_back(std::move(w.c));
  }
  try {
    // Nothing is delivered or acknowledged before the replicas have it: a failover would lose it.
    if (!committed.empty()) await_replicas();
    if (!committed.empty() && !options_.skip_publish)
      conn_.command({"PUBLISH", "parley:deliver", encode_committed(committed)});
  } catch (const RedisError&) {
    // Held for finish_held: put back what was moved out.
    std::size_t k = 0;
    for (auto& w : work) {
      if (w.rejected) continue;
      w.c = std::move(committed[k++]);
      w.req->content = std::move(w.c.content);
    }
    throw;
  }
  if (sink_ && !rejected.empty()) sink_->on_rejected(std::move(rejected));
}

void RedisStore::flush_cursors() {
  if (cursors_.empty()) return;
  for (auto& [user, seq] : cursors_)
    conn_.append({"EVALSHA", cursor_sha_, "1", ukey(user, "profile"), std::to_string(seq)});
  for (std::size_t i = 0; i < cursors_.size(); ++i) conn_.read();
  cursors_.clear();
}

// ---- operations --------------------------------------------------------------------------------

void RedisStore::submit(SendRequest req) {
  enqueue(Job{new SendRequest(std::move(req)), {}, {}});
}

void RedisStore::find_user(std::string name, Callback<UserRecord> done) {
  enqueue_query<UserRecord>(std::move(done),
                            [name = std::move(name)](RedisConnection& c) -> Result<UserRecord> {
                              Reply id = c.command({"HGET", kUsers, name});
                              if (is_nil(id.get())) return StoreError::kNotFound;
                              UserRecord u;
                              u.id = as_int(id.get());
                              Reply p = c.command({"HMGET", ukey(u.id, "profile"), "name",
                                                   "password_hash", "token_gen", "role", "banned"});
                              if (p->elements != 5 || is_nil(p->element[1]))
                                return StoreError::kNotFound;
                              u.name = as_string(p->element[0]);
                              u.password_hash = as_string(p->element[1]);
                              u.token_gen = as_int(p->element[2]);
                              u.role = std::uint8_t(as_int(p->element[3]));
                              u.banned = as_int(p->element[4]) != 0;
                              return u;
                            });
}

void RedisStore::list_users(Callback<std::vector<std::string>> done) {
  enqueue_query<std::vector<std::string>>(
      std::move(done), [](RedisConnection& c) -> Result<std::vector<std::string>> {
        Reply r = c.command({"HKEYS", kUsers});
        std::vector<std::string> names;
        for (std::size_t i = 0; i < r->elements; ++i) names.push_back(as_string(r->element[i]));
        std::sort(names.begin(), names.end());
        return names;
      });
}

void RedisStore::read_inbox(UserId user, Seq after, bool incoming_only, std::size_t limit,
                            Callback<InboxPage> done) {
  enqueue_query<InboxPage>(
      std::move(done), [=, this](RedisConnection& c) mutable -> Result<InboxPage> {
        refresh_deleted(c);
        std::string me = user_name(user);
        InboxPage page;
        page.head = as_int(c.command({"LLEN", ukey(user, "inbox")}).get());
        if (after < 0) after = cursor(c, user);
        page.scanned = after;
        // LRANGE is by index: seq N lives at index N-1.
        Reply r = c.command({"LRANGE", ukey(user, "inbox"), std::to_string(after),
                             std::to_string(after + std::int64_t(limit) - 1)});
        std::vector<std::string> raw;
        for (std::size_t i = 0; i < r->elements; ++i) raw.push_back(as_string(r->element[i]));
        resolve_entries(c, raw);
        for (std::size_t i = 0; i < raw.size(); ++i) {
          Seq seq = after + 1 + Seq(i);
          page.scanned = seq;
          auto e = decode_entry(raw[i], seq, me);
          if (!e || (incoming_only && e->own)) continue;
          rename_deleted(*e);
          page.entries.push_back(std::move(*e));
        }
        page.more = page.scanned < page.head;
        return page;
      });
}

Seq RedisStore::cursor(RedisConnection& c, UserId user) {
  Seq s = as_int(c.command({"HGET", ukey(user, "profile"), "delivered_seq"}).get());
  if (auto it = cursors_.find(user); it != cursors_.end()) s = std::max(s, it->second);
  return s;
}

void RedisStore::mark_delivered(UserId user, Seq seq) {
  enqueue(Job{nullptr,
              [=, this](RedisConnection&) -> std::function<void()> {
                auto& cur = cursors_[user];
                cur = std::max(cur, seq);
                return {};
              },
              [] {}});
}

void RedisStore::history(UserId user, std::string peer, MessageId before, std::size_t limit,
                         Callback<HistoryPage> done) {
  enqueue_query<HistoryPage>(
      std::move(done),
      [=, this, peer = std::move(peer)](RedisConnection& c) -> Result<HistoryPage> {
        refresh_deleted(c);
        std::string peer_id = as_string(c.command({"HGET", kUsers, peer}).get());
        if (peer_id.empty() && is_deleted_name(peer) &&
            as_int(
                c.command({"HEXISTS", ukey(std::strtoll(peer.c_str() + 9, nullptr, 10), "profile"),
                           "deleted_ms"})
                    .get()))
          peer_id = peer.substr(9);  // a deleted account: its history stays readable
        if (peer_id.empty()) return StoreError::kNotFound;
        std::string me = user_name(user);
        Reply seqs = c.command({"ZREVRANGEBYSCORE", ukey(user, "conv:" + peer_id),
                                before > 0 ? "(" + std::to_string(before) : "+inf", "-inf", "LIMIT",
                                "0", std::to_string(limit + 1)});
        HistoryPage page;
        std::size_t n = std::min(seqs->elements, limit);
        page.more = seqs->elements > limit;
        for (std::size_t i = 0; i < n; ++i)
          c.append({"LINDEX", ukey(user, "inbox"), std::to_string(as_int(seqs->element[i]) - 1)});
        std::vector<std::string> raw;
        for (std::size_t i = 0; i < n; ++i) raw.push_back(as_string(c.read().get()));
        resolve_entries(c, raw);
        for (std::size_t i = 0; i < n; ++i) {
          auto entry = decode_entry(raw[i], as_int(seqs->element[i]), me);
          if (!entry) continue;
          rename_deleted(*entry);
          page.messages.push_back(StoredMessage{entry->id, entry->ts, std::move(entry->from),
                                                std::move(entry->to), std::move(entry->content), 0,
                                                EntryKind::kMessage, entry->ref, entry->edited,
                                                entry->recalled, std::move(entry->files)});
        }
        std::reverse(page.messages.begin(), page.messages.end());
        return page;
      });
}

void RedisStore::conversations(UserId user, std::size_t limit,
                               Callback<std::vector<Conversation>> done) {
  enqueue_query<std::vector<Conversation>>(
      std::move(done), [=, this](RedisConnection& c) -> Result<std::vector<Conversation>> {
        refresh_deleted(c);
        std::string me = user_name(user);
        Reply peers = c.command({"ZREVRANGE", ukey(user, "convs"), "0", std::to_string(limit - 1)});
        std::vector<Conversation> out;
        std::unordered_map<std::string, MessageId> markers;
        Reply rm = c.command({"HGETALL", ukey(user, "read")});
        for (std::size_t m = 0; m + 1 < rm->elements; m += 2)
          markers[as_string(rm->element[m])] = as_int(rm->element[m + 1]);
        // Unread: entries from others after the marker, in the per-peer index of incoming ones.
        auto state = [&](Conversation& conv, const std::string& key) {
          auto it = markers.find(key);
          conv.read_upto = it == markers.end() ? 0 : it->second;
          Reply n = c.command(
              {"ZCOUNT", ukey(user, "in:" + key), "(" + std::to_string(conv.read_upto), "+inf"});
          conv.unread = std::min<std::int64_t>(as_int(n.get()), 999);
        };
        for (std::size_t i = 0; i < peers->elements; ++i) {
          std::string key = as_string(peers->element[i]);
          if (!key.empty() && key[0] == 'g') {
            GroupId gid = std::strtoll(key.c_str() + 1, nullptr, 10);
            auto g = read_group(c, gid);
            if (!g || !g->find(user)) continue;  // left, removed or deleted
            Reply last = c.command({"ZREVRANGE", ukey(user, "conv:" + key), "0", "0"});
            if (last->elements == 0) continue;
            auto msgs = read_stored(c, user, {as_int(last->element[0])});
            if (msgs.empty()) continue;
            Conversation conv;
            conv.group = gid;
            conv.group_name = g->name;
            conv.last = std::move(msgs[0]);
            state(conv, key);
            out.push_back(std::move(conv));
            continue;
          }
          UserId peer = as_int(peers->element[i]);
          Reply last =
              c.command({"ZREVRANGE", ukey(user, "conv:" + std::to_string(peer)), "0", "0"});
          if (last->elements == 0) continue;
          Seq seq = as_int(last->element[0]);
          std::vector<std::string> raw = {
              as_string(c.command({"LINDEX", ukey(user, "inbox"), std::to_string(seq - 1)}).get())};
          resolve_entries(c, raw);
          auto entry = decode_entry(raw[0], seq, me);
          if (!entry) continue;
          rename_deleted(*entry);
          Conversation conv{
              user_name(peer),
              StoredMessage{entry->id, entry->ts, std::move(entry->from), std::move(entry->to),
                            std::move(entry->content), 0, EntryKind::kMessage, entry->ref,
                            entry->edited, entry->recalled, std::move(entry->files)},
              0,
              {}};
          state(conv, std::to_string(peer));
          out.push_back(std::move(conv));
        }
        return out;
      });
}

// ---- groups ------------------------------------------------------------------------------------
// A group is one value under its own hash tag, changed optimistically (WATCH, MULTI, EXEC): two
// nodes changing one group at once both see the other's change or retry. The event is then
// appended to every inbox concerned and published like a message.

Result<GroupReply> RedisStore::do_change_group(RedisConnection& c, const GroupChange& change) {
  GroupReply reply;
  std::vector<GroupMember> named;
  if (!change.names.empty()) {
    std::vector<std::string> argv = {"HMGET", kUsers};
    for (const auto& n : change.names) argv.push_back(n);
    Reply ids = c.command(argv);
    for (std::size_t i = 0; i < change.names.size() && i < ids->elements; ++i) {
      if (is_nil(ids->element[i])) {
        reply.unknown.push_back(change.names[i]);
        continue;
      }
      UserId id = as_int(ids->element[i]);
      bool seen =
          std::any_of(named.begin(), named.end(), [&](const GroupMember& m) { return m.id == id; });
      if (!seen) named.push_back(GroupMember{id, change.names[i], GroupRole::kMember, 0});
    }
    if (!reply.unknown.empty()) return reply;
  }
  for (int attempt = 0; attempt < 8; ++attempt) {
    Group before;
    if (change.op == GroupOp::kCreate) {
      before.id = as_int(c.command({"INCR", kGroupIds}).get());
    } else {
      c.command({"WATCH", gkey(change.group)});
      auto g = read_group(c, change.group);
      if (!g) {
        c.command({"UNWATCH"});
        return StoreError::kNoSuchGroup;
      }
      before = std::move(*g);
    }
    Group after = before;
    auto applied = apply_group_change(after, change, named);
    if (auto* e = std::get_if<StoreError>(&applied)) {
      c.command({"UNWATCH"});
      return *e;
    }
    auto& outcome = std::get<GroupOutcome>(applied);
    Committed ev;
    ev.id = as_int(c.command({"INCR", kMessageIds}).get());
    ev.ts = util::now_ms();
    for (UserId id : outcome.added)
      if (GroupMember* m = after.find(id)) m->joined = ev.id;
    c.command({"MULTI"});
    if (outcome.deleted) {
      c.command({"DEL", gkey(after.id)});
    } else {
      c.command({"SET", gkey(after.id), encode_group(after)});
    }
    Reply exec = c.command({"EXEC"});
    if (is_nil(exec.get())) continue;  // changed by another node meanwhile: again
    // Each member's list of groups (their own slots, so not in the transaction; a crash here
    // leaves a stale entry that list_groups skips).
    for (UserId id : outcome.removed)
      c.append({"SREM", ukey(id, "groups"), std::to_string(after.id)});
    for (UserId id : outcome.added)
      c.append({"SADD", ukey(id, "groups"), std::to_string(after.id)});
    for (std::size_t i = 0; i < outcome.removed.size() + outcome.added.size(); ++i) c.read();

    ev.sender = change.actor;
    ev.sender_name = change.actor_name;
    ev.group = after.id;
    ev.kind = EntryKind::kGroupEvent;
    for (UserId id : event_audience(after, outcome)) {
      if (id == change.actor) continue;
      const GroupMember* m = after.find(id);
      ev.recipients.push_back(Recipient{id, m ? m->name : user_name(id), 0});
    }
    ev.content = group_event_body(outcome, after);
    record_event(c, ev);
    reply.deleted = outcome.deleted;
    reply.group = std::move(after);
    return reply;
  }
  return StoreError::kUnavailable;  // contended beyond reason
}

// Appends an entry (a group event, a recall, an edit) to the actor's and every recipient's inbox
// and publishes it. Group events are indexed under the group's conversation (history shows
// them); recalls and edits are not (history shows their effect on the message instead).
void RedisStore::record_event(RedisConnection& c, Committed& ev) {
  std::string body =
      encode_entry(ev.id, ev.ts, ev.sender_name, {}, ev.content, {}, ev.group, ev.kind, ev.ref);
  std::string entry = body;
  if (ev.recipients.size() > kInlineRecipients) {
    c.append({"SET", message_key(ev.id), body});
    entry = entry_ref(ev.id);
  }
  std::vector<std::string> conv;
  if (ev.kind == EntryKind::kGroupEvent) conv.push_back(group_peer(ev.group));
  c.append(append_command(append_sha_, ev.sender, ev.id, entry, conv));
  for (const auto& r : ev.recipients)
    c.append(append_command(append_sha_, r.id, ev.id, entry, conv, true));
  if (ev.recipients.size() > kInlineRecipients) {
    Reply r = c.read();
    if (is_error(r.get())) throw RedisError(std::string("redis: ") + r->str);
  }
  Reply own = c.read();
  if (is_error(own.get())) throw RedisError(std::string("redis: ") + own->str);
  ev.sender_seq = as_int(own.get());
  for (auto& r : ev.recipients) {
    Reply rs = c.read();
    if (is_error(rs.get())) throw RedisError(std::string("redis: ") + rs->str);
    r.seq = as_int(rs.get());
  }
  if (!options_.skip_publish) c.command({"PUBLISH", "parley:deliver", encode_committed({ev})});
}

// The entry of message `id` in `user`'s inbox (nullopt when the user never had it), with its seq.
std::optional<InboxEntry> RedisStore::find_entry(RedisConnection& c, UserId user, MessageId id) {
  Reply seq = c.command({"HGET", ukey(user, "ids"), std::to_string(id)});
  if (is_nil(seq.get())) return std::nullopt;
  Seq s = as_int(seq.get());
  std::vector<std::string> raw = {
      as_string(c.command({"LINDEX", ukey(user, "inbox"), std::to_string(s - 1)}).get())};
  resolve_entries(c, raw);
  return decode_entry(raw[0], s, user_name(user));
}

// Sends that are not plain messages, one at a time (they are rare next to messages): replies
// (checked, then stored as messages), recalls and edits, read markers, typing.
void RedisStore::run_special(SendRequest& req) {
  auto reject = [&](std::string_view error, bool not_member = false) {
    Rejected r{req.sender, req.origin, req.cid, false};
    r.error = error;
    r.not_member = not_member;
    if (sink_) sink_->on_rejected({std::move(r)});
  };
  switch (req.kind) {
    case EntryKind::kMessage: {  // a reply: the quoted message must be of this conversation
      if (req.ref) {
        auto target = find_entry(conn_, req.sender, req.ref);
        if (!target || target->kind != EntryKind::kMessage || target->group != req.group)
          return reject(frame_error::kBadReply);
      }
      if (!req.files.empty() && !attach_files(conn_, req)) return reject(frame_error::kBadFile);
      std::vector<SendRequest*> one = {&req};
      return run_sends(one);
    }
    case EntryKind::kRecall:
    case EntryKind::kEdit:
      return change_message(req, reject);
    case EntryKind::kRead:
    case EntryKind::kTyping:
      return live_notice(req, reject);
    default:
      return;
  }
}

template <typename Reject>
void RedisStore::change_message(SendRequest& req, Reject& reject) {
  auto target = find_entry(conn_, req.sender, req.ref);
  if (!target || target->kind != EntryKind::kMessage) return reject(frame_error::kNotFound);
  if (!target->own) return reject(frame_error::kNotYours);
  if (req.window_ms <= 0) return reject(frame_error::kFeatureOff);
  if (target->recalled) return reject(frame_error::kRecalled);
  if (util::now_ms() - target->ts > req.window_ms) return reject(frame_error::kTooLate);
  bool recall = req.kind == EntryKind::kRecall;
  // Who has it: the group's members, or the names it was sent to.
  std::vector<UserId> holders = {req.sender};
  std::vector<std::string> names = {req.sender_name};
  if (target->group) {
    if (auto g = read_group(conn_, target->group))
      for (const auto& m : g->members)
        if (m.id != req.sender) holders.push_back(m.id), names.push_back(m.name);
  } else if (!target->to.empty()) {
    std::vector<std::string> argv = {"HMGET", kUsers};
    for (const auto& n : target->to) argv.push_back(n);
    Reply ids = conn_.command(argv);
    for (std::size_t i = 0; i < target->to.size() && i < ids->elements; ++i)
      if (!is_nil(ids->element[i]))
        holders.push_back(as_int(ids->element[i])), names.push_back(target->to[i]);
  }
  // Rewrite the message where it is kept: its shared body, or each inbox's inline copy.
  Reply shared = conn_.command({"EXISTS", message_key(target->id)});
  if (as_int(shared.get()) == 1) {
    InboxEntry body = *target;
    body.cid.clear();
    conn_.command({"SET", message_key(target->id), rewrite_entry(body, recall, req.content)});
  } else {
    for (UserId u : holders) {
      auto e = find_entry(conn_, u, target->id);
      if (!e) continue;
      if (!e->own) e->cid.clear();
      conn_.command({"LSET", ukey(u, "inbox"), std::to_string(e->seq - 1),
                     rewrite_entry(*e, recall, req.content)});
    }
  }
  // A recall: its files lose this message's reference (and its readers), after the rewrite
  // that hides them (a crash in between leaves them hidden but kept, never shown but gone).
  if (recall)
    for (const auto& f : file_ids(target->files)) unmark_file(conn_, f, target->id);
  Committed ev;
  ev.id = as_int(conn_.command({"INCR", kMessageIds}).get());
  ev.ts = util::now_ms();
  ev.sender = req.sender;
  ev.sender_name = req.sender_name;
  ev.cid = req.cid;
  ev.origin = req.origin;
  ev.group = target->group;
  ev.kind = req.kind;
  ev.ref = target->id;
  if (!recall) ev.content = req.content;
  for (std::size_t i = 1; i < holders.size(); ++i)
    ev.recipients.push_back(Recipient{holders[i], names[i], 0});
  record_event(conn_, ev);
}

template <typename Reject>
void RedisStore::live_notice(SendRequest& req, Reject& reject) {
  Committed n;
  n.sender = req.sender;
  n.sender_name = req.sender_name;
  n.origin = req.origin;
  n.kind = req.kind;
  n.group = req.group;
  std::string conv;
  if (req.group) {
    auto g = read_group(conn_, req.group);
    if (!g || !g->find(req.sender)) return reject(frame_error::kNotAMember, true);
    conv = group_peer(req.group);
    if (req.kind == EntryKind::kTyping)
      for (const auto& m : g->members)
        if (m.id != req.sender) n.recipients.push_back(Recipient{m.id, m.name, 0});
  } else {
    Reply id = req.to.size() == 1 ? conn_.command({"HGET", kUsers, req.to[0]}) : Reply();
    if (!id || is_nil(id.get()) || as_int(id.get()) == req.sender)
      return reject(frame_error::kNotFound);
    conv = std::to_string(as_int(id.get()));
    n.recipients.push_back(Recipient{as_int(id.get()), req.to[0], 0});
    n.recipient_names.push_back(req.to[0]);
  }
  if (req.kind == EntryKind::kRead) {
    // Never past the newest message id; markers only rise.
    MessageId newest = as_int(conn_.command({"GET", kMessageIds}).get());
    n.ref = std::min(req.ref, newest);
    Reply rose = conn_.command(
        {"EVALSHA", raise_sha_, "1", ukey(req.sender, "read"), conv, std::to_string(n.ref)});
    if (as_int(rose.get()) == 0) return;
    if (req.group) {
      conn_.command({"EVALSHA", raise_sha_, "1", "{g" + std::to_string(req.group) + "}:reads",
                     std::to_string(req.sender), std::to_string(n.ref)});
      n.recipients.clear();  // in a group only the reader's devices hear of it
    }
  }
  if (!options_.skip_publish) conn_.command({"PUBLISH", "parley:deliver", encode_committed({n})});
}

std::vector<StoredMessage> RedisStore::read_stored(RedisConnection& c, UserId user,
                                                   const std::vector<Seq>& seqs) {
  std::string me = user_name(user);
  for (Seq seq : seqs) c.append({"LINDEX", ukey(user, "inbox"), std::to_string(seq - 1)});
  std::vector<std::string> raw;
  for (std::size_t i = 0; i < seqs.size(); ++i) raw.push_back(as_string(c.read().get()));
  resolve_entries(c, raw);
  std::vector<StoredMessage> out;
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    auto e = decode_entry(raw[i], seqs[i], me);
    if (!e) continue;
    rename_deleted(*e);
    out.push_back(StoredMessage{e->id, e->ts, std::move(e->from), std::move(e->to),
                                std::move(e->content), e->group, e->kind, e->ref, e->edited,
                                e->recalled, std::move(e->files)});
  }
  return out;
}

void RedisStore::change_group(GroupChange change, Callback<GroupReply> done) {
  enqueue_query<GroupReply>(std::move(done),
                            [this, change = std::move(change)](RedisConnection& c) {
                              return do_change_group(c, change);
                            });
}

void RedisStore::list_groups(UserId user, Callback<std::vector<Group>> done) {
  enqueue_query<std::vector<Group>>(std::move(done),
                                    [user](RedisConnection& c) -> Result<std::vector<Group>> {
                                      Reply ids = c.command({"SMEMBERS", ukey(user, "groups")});
                                      std::vector<GroupId> gids;
                                      for (std::size_t i = 0; i < ids->elements; ++i)
                                        gids.push_back(as_int(ids->element[i]));
                                      std::sort(gids.begin(), gids.end());
                                      for (GroupId id : gids) c.append({"GET", gkey(id)});
                                      std::vector<Group> out;
                                      for (GroupId id : gids) {
                                        Reply r = c.read();
                                        if (is_nil(r.get()) || is_error(r.get())) continue;
                                        auto g = decode_group(as_string(r.get()), id);
                                        if (g && g->find(user)) out.push_back(std::move(*g));
                                      }
                                      return out;
                                    });
}

void RedisStore::get_group(UserId user, GroupId group, Callback<Group> done) {
  enqueue_query<Group>(std::move(done), [user, group](RedisConnection& c) -> Result<Group> {
    auto g = read_group(c, group);
    if (!g) return StoreError::kNoSuchGroup;
    if (!g->find(user)) return StoreError::kNotMember;
    return std::move(*g);
  });
}

void RedisStore::group_history(UserId user, GroupId group, MessageId before, std::size_t limit,
                               Callback<HistoryPage> done) {
  // The user's own inbox indexes the group's entries it received: exactly the history from the
  // moment they joined.
  enqueue_query<HistoryPage>(std::move(done), [=, this](RedisConnection& c) -> Result<HistoryPage> {
    auto g = read_group(c, group);
    if (!g) return StoreError::kNoSuchGroup;
    if (!g->find(user)) return StoreError::kNotMember;
    refresh_deleted(c);
    Reply seqs = c.command({"ZREVRANGEBYSCORE", ukey(user, "conv:" + group_peer(group)),
                            before > 0 ? "(" + std::to_string(before) : "+inf", "-inf", "LIMIT",
                            "0", std::to_string(limit + 1)});
    HistoryPage page;
    std::size_t n = std::min(seqs->elements, limit);
    page.more = seqs->elements > limit;
    std::vector<Seq> list;
    for (std::size_t i = 0; i < n; ++i) list.push_back(as_int(seqs->element[i]));
    page.messages = read_stored(c, user, list);
    std::reverse(page.messages.begin(), page.messages.end());
    return page;
  });
}

void RedisStore::group_reads(UserId user, GroupId group, Callback<std::vector<ReadMarker>> done) {
  enqueue_query<std::vector<ReadMarker>>(
      std::move(done), [=](RedisConnection& c) -> Result<std::vector<ReadMarker>> {
        auto g = read_group(c, group);
        if (!g) return StoreError::kNoSuchGroup;
        if (!g->find(user)) return StoreError::kNotMember;
        Reply r = c.command({"HGETALL", "{g" + std::to_string(group) + "}:reads"});
        std::vector<ReadMarker> out;
        for (std::size_t i = 0; i + 1 < r->elements; i += 2)
          if (const GroupMember* m = g->find(as_int(r->element[i])))
            out.push_back(ReadMarker{m->name, as_int(r->element[i + 1])});
        std::sort(out.begin(), out.end(),
                  [](const ReadMarker& a, const ReadMarker& b) { return a.name < b.name; });
        return out;
      });
}

void RedisStore::revoke_token(UserId user, std::string jti, std::int64_t exp,
                              Callback<Empty> done) {
  auto cb = std::make_shared<Callback<Empty>>(std::move(done));
  enqueue(Job{nullptr,
              [=, this, jti = std::move(jti)](RedisConnection& c) -> std::function<void()> {
                c.command({"HSET", kRevoked, jti, std::to_string(exp)});
                ClusterEvent e{ClusterEvent::Kind::kRevoke, user, jti, exp};
                c.command({"PUBLISH", "parley:events", encode_event(e)});
                return [=, this] {
                  if (sink_) sink_->on_token_revoked(user, jti, exp);  // this node, at once
                  (*cb)(Empty{});
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void RedisStore::revoke_all_tokens(UserId user, Callback<std::int64_t> done) {
  set_password(user, {}, std::move(done));
}

// An empty hash keeps the password (revoke_all_tokens).
std::int64_t RedisStore::bump_generation(RedisConnection& c, UserId user) {
  std::int64_t gen = as_int(c.command({"HINCRBY", ukey(user, "profile"), "token_gen", "1"}).get());
  c.command({"HSET", kGenerations, std::to_string(user), std::to_string(gen)});
  ClusterEvent e{ClusterEvent::Kind::kGeneration, user, {}, gen};
  c.command({"PUBLISH", "parley:events", encode_event(e)});
  return gen;
}

void RedisStore::set_password(UserId user, std::string password_hash, Callback<std::int64_t> done) {
  auto cb = std::make_shared<Callback<std::int64_t>>(std::move(done));
  enqueue(Job{nullptr,
              [=, this](RedisConnection& c) -> std::function<void()> {
                if (as_int(c.command({"EXISTS", ukey(user, "profile")}).get()) == 0)
                  return [cb] { (*cb)(StoreError::kNotFound); };
                if (!password_hash.empty())
                  c.command({"HSET", ukey(user, "profile"), "password_hash", password_hash});
                std::int64_t gen = bump_generation(c, user);
                return [=, this] {
                  if (sink_) sink_->on_generation(user, gen);
                  (*cb)(gen);
                };
              },
              [cb] { (*cb)(StoreError::kUnavailable); }});
}

void RedisStore::ping(Callback<Empty> done) {
  enqueue_query<Empty>(std::move(done), [](RedisConnection& c) -> Result<Empty> {
    c.command({"PING"});
    return Empty{};
  });
}

void RedisStore::load_revocations(Callback<RevocationState> done) {
  enqueue_query<RevocationState>(
      std::move(done), [](RedisConnection& c) -> Result<RevocationState> {
        RevocationState st;
        std::int64_t now = util::now_s();
        Reply r = c.command({"HGETALL", kRevoked});
        for (std::size_t i = 0; i + 1 < r->elements; i += 2) {
          std::string jti = as_string(r->element[i]);
          std::int64_t exp = as_int(r->element[i + 1]);
          if (exp <= now) {
            c.command({"HDEL", kRevoked, jti});
          } else {
            st.revoked.emplace_back(std::move(jti), exp);
          }
        }
        Reply g = c.command({"HGETALL", kGenerations});
        for (std::size_t i = 0; i + 1 < g->elements; i += 2)
          st.generations.emplace_back(as_int(g->element[i]), as_int(g->element[i + 1]));
        return st;
      });
}

}  // namespace parley::store::redis
