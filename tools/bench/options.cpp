// SPDX-License-Identifier: MIT
#include "options.hpp"

#include <CLI/CLI.hpp>

namespace parley::bench {

bool parse_options(int argc, char** argv, Options& o, int& exit_code) {
  CLI::App app{
      "parley-bench: load generator for parley and any goim-websocket (classic protocol) "
      "server.\nPrints a table, then one JSON line; exits 1 on loss, duplicates or errors."};
  app.add_option("scenario,--scenario", o.scenario,
                 "connections, pairs, fanout, offline, churn, group, group-change, files")
      ->required()
      ->check(CLI::IsMember({"connections", "pairs", "fanout", "offline", "churn", "group",
                             "group-change", "files"}));
  app.add_option("--host", o.host, "server address (IPv4)")->capture_default_str();
  app.add_option("--port", o.port, "server port")->capture_default_str();
  app.add_option("--threads", o.threads, "event-loop threads")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  app.add_option("--procs", o.procs, "connections: worker processes (fd limit per process)")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  app.add_option("--sources", o.sources, "client source addresses 127.0.0.1..N")
      ->capture_default_str()
      ->check(CLI::Range(1u, 250u));
  app.add_option("--users", o.users, "accounts (default per scenario)");
  app.add_option("--connections", o.connections, "connections (connections, churn)");
  app.add_option("--recipients", o.recipients, "fanout: recipients per message (default 100)");
  app.add_option("--groups", o.groups, "group: disjoint groups (default 1)");
  app.add_option("--members", o.members,
                 "group: members per group (default 1000); group-change: of the group (10000)");
  app.add_option("--group-senders", o.group_senders, "group: senders in each group (default 1)");
  app.add_option("--uploaders", o.uploaders, "files: concurrent uploaders")
      ->capture_default_str()
      ->check(CLI::Range(std::size_t(1), std::size_t(1000)));
  app.add_option("--file-bytes", o.file_bytes, "files: bytes of every upload (random, distinct)")
      ->capture_default_str()
      ->check(CLI::Range(std::uint64_t(1), std::uint64_t(1) << 40));
  app.add_option("--files", o.files, "files: stop after this many uploads in all (0 = duration)");
  app.add_option("--download-port", o.download_port,
                 "files: download from this port (another node of a cluster; default --port)");
  app.add_option("--duration", o.duration_s, "seconds of load")->capture_default_str();
  app.add_option("--messages", o.messages, "stop after this many sends (0 = duration only)");
  app.add_option("--cycles", o.cycles, "churn: stop after this many cycles (0 = duration only)");
  app.add_option("--rate", o.rate, "offered messages/s in total (0 = max, window-limited)")
      ->capture_default_str();
  app.add_option("--window", o.window, "in-flight messages per sender at rate 0")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--size", o.size, "pad message content to this many bytes");
  app.add_option("--drain", o.drain_s,
                 "give up waiting for in-flight messages after this many seconds without one")
      ->capture_default_str();
  app.add_option("--settle", o.settle_s, "seconds of quiet after connecting")
      ->capture_default_str();
  app.add_option("--hold", o.hold_s, "connections: keep connections open this long at the end");
  app.add_option("--inflight", o.inflight, "handshakes in progress at once")
      ->capture_default_str()
      ->check(CLI::Range(1u, 100000u));
  app.add_option("--server-pid", o.server_pid, "server process for RSS (connections)");
  app.add_flag("--extended", o.extended,
               "use parley's extensions: cid/ack and resume by seq (from 0: use a fresh server)");
  app.add_flag("--reads", o.reads,
               "pairs, fanout, group: every receiver answers each message with a read marker "
               "(parley's {\"type\":\"read\"}); implies --extended");
  app.add_flag("--ring", o.ring,
               "pairs: user i sends only to user i+1, so each connection has one sender "
               "(servers that break under concurrent writes to one socket)");
  app.add_flag("--keep-going", o.keep_going,
               "pairs, fanout: load the clients that connected and keep going when connections "
               "break (they are reported; deliveries to them count as lost), to measure servers "
               "that break under load");
  app.add_option("--prefix", o.prefix, "user-name prefix (default b<scenario letter>)");
  app.add_option("--password", o.password, "password of every bench user");
  app.add_option("--setup-threads", o.setup_threads, "parallel register/login requests")
      ->capture_default_str()
      ->check(CLI::Range(1u, 64u));
  app.add_flag("-v,--verbose", o.verbose, "progress on stderr");
  app.add_flag("--trace", o.trace, "print every frame received to stderr (debugging)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    exit_code = app.exit(e);
    return false;
  }
  if (o.reads) o.extended = true;  // read frames reach the sender only on extended sessions
  if (o.prefix.empty())
    o.prefix = std::string("b") +
               (o.scenario == "group-change" ? 'G'
                : o.scenario == "files"      ? 'u'
                                             : o.scenario[0]) +
               "_";
  return true;
}

}  // namespace parley::bench
