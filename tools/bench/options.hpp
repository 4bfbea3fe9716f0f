// SPDX-License-Identifier: MIT
// parley-bench's settings: one struct for every scenario, parsed from the command line.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace parley::bench {

struct Options {
  std::string scenario;  // connections, pairs, fanout, offline, churn, group, group-change, files
  std::string host = "127.0.0.1";
  std::uint16_t port = 9288;
  unsigned threads = 1;         // event-loop threads in this process
  unsigned procs = 1;           // worker processes (connections): each holds connections/procs
  unsigned sources = 1;         // bind client sockets to 127.0.0.1..N (ephemeral ports per address)
  std::size_t users = 0;        // accounts; 0 = the scenario's default
  std::size_t connections = 0;  // connections (connections, churn); 0 = the scenario's default
  std::size_t recipients = 0;   // fanout: names in `to`
  std::size_t groups = 0;       // group: groups (default 1)
  std::size_t members = 0;      // group, group-change: members per group (default 1000 / 10000)
  std::size_t group_senders = 0;                // group: senders per group (default 1)
  std::size_t uploaders = 10;                   // files: concurrent uploaders (one account each)
  std::uint64_t file_bytes = 25 * 1024 * 1024;  // files: size of every upload
  std::uint64_t files = 0;          // files: stop after this many uploads in all; 0 = duration only
  std::uint16_t download_port = 0;  // files: download from this port (another node); 0 = --port
  double duration_s = 5;            // sending phase (pairs, fanout) or whole loop (churn)
  std::uint64_t messages = 0;       // stop after this many messages are sent; 0 = duration only
  std::uint64_t cycles = 0;         // churn: stop after this many cycles; 0 = duration only
  double rate = 0;                  // offered messages/s in total; 0 = as fast as the window allows
  unsigned window = 8;              // messages in flight per sender (rate 0)
  std::size_t size = 0;             // pad `content` to this many bytes
  double drain_s = 5;       // after sending stops: give up after this long without a delivery
  double settle_s = 0.5;    // after connecting: let presence pushes calm down
  double hold_s = 0;        // connections: keep them open this long after measuring
  unsigned inflight = 256;  // connect+auth handshakes in progress at once (all threads)
  int server_pid = 0;       // read this process's VmRSS (connections)
  bool extended = false;    // parley extensions: cid/ack, resume by seq
  bool reads = false;       // every receiver sends a `read` for each message (implies extended)
  bool ring = false;        // pairs: user i always sends to user i+1 (one writer per socket)
  bool keep_going = false;  // pairs/fanout: measure through broken connections
  std::string prefix;       // user-name prefix; default "b" + scenario letter
  std::string password = "bench-pw";
  unsigned setup_threads = 4;  // parallel HTTP register/login
  bool verbose = false;
  bool trace = false;  // print every frame received to stderr (debugging)
};

// Parses argv. Returns false after printing help or an error (`exit_code` says which).
bool parse_options(int argc, char** argv, Options& out, int& exit_code);

}  // namespace parley::bench
