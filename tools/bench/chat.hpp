// SPDX-License-Identifier: MIT
// The chat layer of the classic protocol as the bench needs it: building `auth` and `normal`
// frames, and pulling `type`, `content` and a few numbers out of server frames without a JSON
// DOM (the bench shares the CPU with the server, so every microsecond it spends is stolen).
//
// The bench's own messages carry everything needed to measure in `content`, so loss, duplicates
// and latency are measured the same way against any classic server:
//   content = "b:<run>:<sender>:<index>:<send-time-ns>[:<padding>]"
// `run` tells this run's messages from leftovers of earlier runs; `index` is unique in the run.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::bench {

// {"type":"auth","content":TOKEN} (+ "seq":N to resume, a parley extension).
std::string auth_frame(std::string_view token, std::optional<std::int64_t> resume_seq);

// {"type":"normal","content":CONTENT,"to":[NAMES...]} (+ "cid":CID when not empty).
void append_normal_frame(std::string& out, std::string_view content,
                         const std::vector<const std::string*>& to, std::string_view cid);

// {"type":"normal","content":CONTENT,"group":ID} (+ "cid"): a parley group message.
void append_group_frame(std::string& out, std::string_view content, std::string_view group,
                        std::string_view cid);

// {"type":"read","with":PEER,"upto":ID} or {"type":"read","group":ID,"upto":ID}: a parley read
// marker. `peer` is the raw (escaped) name as it came in a frame.
void append_read_frame(std::string& out, std::string_view peer, std::string_view group,
                       std::int64_t upto);

struct Payload {
  std::uint32_t run = 0;
  std::uint32_t sender = 0;
  std::uint64_t index = 0;
  std::int64_t sent_ns = 0;
};

void append_content(std::string& out, const Payload& p, std::size_t pad_to);
// False when `content` is not a bench message of run `run`.
bool parse_content(std::string_view content, std::uint32_t run, Payload& out);

// The raw (still escaped) value of string field `key` of a flat JSON object, or nullopt.
// Tolerates white space around ':' (other servers format differently).
std::optional<std::string_view> json_string_field(std::string_view json, std::string_view key);
std::optional<std::int64_t> json_int_field(std::string_view json, std::string_view key);

// Nanoseconds of CLOCK_MONOTONIC: one clock for every thread and forked process.
std::int64_t now_ns();

}  // namespace parley::bench
