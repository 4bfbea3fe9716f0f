// SPDX-License-Identifier: MIT
// Every setting of the server, with its default and unit. Loaded from a YAML file shaped like the
// original's config.yaml; command-line flags override the file.
#pragma once
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace parley::config {

struct Limits {
  std::size_t max_frame_bytes = 64 * 1024;    // one WebSocket message, after reassembly
  std::size_t max_content_bytes = 16 * 1024;  // the text of one chat message
  std::size_t max_recipients = 100;           // names in one `to`
  std::size_t max_body_bytes = 64 * 1024;     // one HTTP request body
  double messages_per_second = 50;            // per connection, token bucket; 0 = unlimited
  double message_burst = 100;                 // bucket size
  // Per user, shared by all of a user's connections on a node. -1 = 4 x messages_per_second
  // (burst 4 x message_burst); 0 = unlimited.
  double user_messages_per_second = -1;
  std::size_t max_outbound_bytes = 4 << 20;  // per connection; a slower reader is dropped
  // One HTTP answer being written (a long conversation list): its own bound, not the WebSocket's.
  std::size_t max_http_response_bytes = 64 << 20;
  int auth_timeout_s = 10;   // time to send `auth` after the upgrade
  int ping_interval_s = 25;  // server pings this often
  int idle_timeout_s = 60;   // nothing heard for this long: close
  // Absolute deadlines for one HTTP request (the WebSocket upgrade too), however steadily its
  // bytes trickle in: the head from its first byte (for a connection's first request, from the
  // accept), the body from the end of the head. Past one: 408 and close.
  int request_head_timeout_s = 20;
  int request_body_timeout_s = 60;
  int login_failures_per_minute = 10;  // per name and per IP; 0 = unlimited
  // Registrations that get as far as hashing a password, per client address; 0 = unlimited.
  int registrations_per_minute = 30;
  std::size_t max_connections_per_user = 64;  // 0 = unlimited
  // Per client address (the forwarded one behind a trusted proxy); 0 = unlimited.
  std::size_t max_connections_per_ip = 256;
  std::size_t hash_concurrency = 2;  // Argon2id hashes at once (64 MiB each)
  // Above this many users online, `loginlist` changes are not pushed any more (each push costs
  // online² bytes); clients read GET /api/loginlist instead. 0 = always push.
  std::size_t loginlist_push_max_users = 5000;
  std::size_t max_group_members = 1000;    // members of one group, the owner included
  std::int64_t max_file_bytes = 25 << 20;  // one uploaded file
  std::int64_t user_quota_bytes = std::int64_t(1) << 30;  // what one user's uploads may keep
  int uploads_per_minute = 30;                            // per user; 0 = unlimited
  // How long a signed download link (the text classic clients get for a file) stays valid.
  std::int64_t file_link_ttl_s = 7 * 24 * 3600;
  // Clean-up (api/file_sweeper.hpp): a file no message references (never sent, recalled) is
  // removed this long after it became unreferenced, by a sweep every file_sweep_interval_s
  // (0 = never). Read at start.
  std::int64_t file_grace_period_s = 24 * 3600;
  std::int64_t file_sweep_interval_s = 600;
};

// Argon2id cost. "interactive" (default: ~100 ms, 64 MiB) protects stored passwords; "fast"
// (1 pass, 64 KiB) exists only so tests and load generators can register thousands of users.
enum class HashCost { kInteractive, kFast };

// Who may create an account: anyone (the original's behaviour), holders of an invite code made
// by an admin, or only admins.
enum class Registration { kOpen, kInvite, kClosed };
std::string_view registration_name(Registration r);

struct Config {
  std::string host = "0.0.0.0";
  std::uint16_t port = 9288;
  std::string data_dir = "./data";
  // How clients reach this server ("https://chat.example.com"), for links in messages; empty =
  // the scheme and Host of each client's own WebSocket upgrade.
  std::string public_url;
  std::string files_dir;  // uploaded files; empty = <data_dir>/files (shared by a cluster's nodes)
  std::string web_dir;    // static web client; empty = look next to the binary
  unsigned threads = 0;   // network threads; 0 = one per core
  std::int64_t token_lifetime_s = 20 * 24 * 3600;  // the original's 20 days
  std::string token_secret;       // empty = generated into <data_dir>/secret (mode 0600)
  bool sync_full = true;          // fsync every group commit (power-loss safe)
  std::size_t resume_page = 500;  // inbox entries per read while resuming
  int presence_delay_ms = 50;     // coalesce loginlist pushes over this window
  int recall_window_s = 120;      // a sender may recall a message this long (0 = never)
  int edit_window_s = 900;        // a sender may edit a message this long (0 = never)
  HashCost hash_cost = HashCost::kInteractive;
  Registration registration = Registration::kOpen;
  int deleted_name_reserve_days = 30;  // a deleted account's name stays unregistrable this long
  std::string config_file;             // the --config file (SIGHUP reloads its limits)
  std::vector<std::string> args;       // the command line, to read the settings again (SIGHUP)
  std::string log_level = "info";
  bool log_json = false;
  std::string redis_url;  // empty = embedded store
  // Replicas that must hold a send before it is delivered and acknowledged (Redis WAIT); -1 =
  // 1 when the master has replicas, else 0. The wait is bounded by redis_replica_ack_timeout_ms;
  // past it the send is held (not acknowledged) and retried until the replicas confirm it.
  int redis_min_replicas_ack = -1;
  int redis_replica_ack_timeout_ms = 500;
  std::string tls_cert, tls_key;  // PEM files: serve https/wss instead of http/ws
  // Origins allowed to open a WebSocket besides the server's own and http://localhost:* /
  // http://127.0.0.1:* (where the original page runs); "*" allows any.
  std::vector<std::string> allowed_origins;
  // Reverse proxies (addresses or CIDR ranges) whose X-Forwarded-For / X-Real-IP are believed;
  // empty = every TCP peer is the client. Per-address limits then apply to the real client.
  std::vector<std::string> trusted_proxies;
  // Who may read /metrics: client addresses or ranges (empty = any), and a bearer token (empty
  // = none needed). When both are set, both must match.
  std::vector<std::string> metrics_allow;
  std::string metrics_token;
  Limits limits;
};

// The per-user message rate and burst in effect (resolving the -1 default).
double user_messages_per_second(const Limits& l);
double user_message_burst(const Limits& l);

// Reads the settings again from the same command line and file (SIGHUP); nullopt (the error
// printed) when they no longer parse or validate.
std::optional<Config> reload_config(const Config& running);

// Parses argv (and the file named by --config). Returns nullopt after printing help or an error;
// `exit_code` tells which.
std::optional<Config> load_config(int argc, char** argv, int& exit_code);

// Applies a YAML document to `c`, then validate(). Throws std::runtime_error naming the bad key.
void apply_yaml(Config& c, const std::string& yaml_text);
// Checks ranges (finite rates, positive time-outs, sane token lifetime); throws
// std::runtime_error starting "config:".
void validate(Config& c);

}  // namespace parley::config
