// SPDX-License-Identifier: MIT
#include "chat.hpp"

#include <charconv>
#include <ctime>

#include "util/json_text.hpp"

namespace parley::bench {

std::string auth_frame(std::string_view token, std::optional<std::int64_t> resume_seq) {
  std::string f = R"({"type":"auth","content":)";
  util::append_json_string(f, token);
  if (resume_seq) f += ",\"seq\":" + std::to_string(*resume_seq);
  f += '}';
  return f;
}

void append_normal_frame(std::string& out, std::string_view content,
                         const std::vector<const std::string*>& to, std::string_view cid) {
  out += R"({"type":"normal","content":)";
  util::append_json_string(out, content);
  out += R"(,"to":[)";
  for (std::size_t i = 0; i < to.size(); ++i) {
    if (i) out += ',';
    util::append_json_string(out, *to[i]);
  }
  out += ']';
  if (!cid.empty()) {
    out += R"(,"cid":)";
    util::append_json_string(out, cid);
  }
  out += '}';
}

void append_group_frame(std::string& out, std::string_view content, std::string_view group,
                        std::string_view cid) {
  out += R"({"type":"normal","content":)";
  util::append_json_string(out, content);
  out += R"(,"group":)";
  util::append_json_string(out, group);
  if (!cid.empty()) {
    out += R"(,"cid":)";
    util::append_json_string(out, cid);
  }
  out += '}';
}

void append_read_frame(std::string& out, std::string_view peer, std::string_view group,
                       std::int64_t upto) {
  out += R"({"type":"read",)";
  if (!group.empty()) {
    out += R"("group":")";
    out += group;  // digits
  } else {
    out += R"("with":")";
    out += peer;  // still escaped as it came
  }
  out += R"(","upto":)";
  out += std::to_string(upto);
  out += '}';
}

namespace {

template <typename T>
void append_number(std::string& out, T v, int base = 10) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, v, base);
  out.append(buf, r.ptr);
}

// Reads one ':'-terminated (or final) field.
template <typename T>
bool take(std::string_view& s, T& out, int base = 10) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out, base);
  if (r.ec != std::errc() || r.ptr == s.data()) return false;
  s.remove_prefix(std::size_t(r.ptr - s.data()));
  if (!s.empty()) {
    if (s.front() != ':') return false;
    s.remove_prefix(1);
  }
  return true;
}

std::size_t find_value(std::string_view json, std::string_view key) {
  // Looks for "key" followed by optional spaces and ':'; returns the index after the spaces
  // that follow ':'.
  std::size_t from = 0;
  for (;;) {
    std::size_t at = json.find(key, from);
    if (at == std::string_view::npos) return at;
    from = at + key.size();
    if (at == 0 || json[at - 1] != '"' || from >= json.size() || json[from] != '"') continue;
    std::size_t i = from + 1;
    while (i < json.size() && (json[i] == ' ' || json[i] == '\t')) ++i;
    if (i >= json.size() || json[i] != ':') continue;
    ++i;
    while (i < json.size() && (json[i] == ' ' || json[i] == '\t')) ++i;
    return i;
  }
}

}  // namespace

void append_content(std::string& out, const Payload& p, std::size_t pad_to) {
  std::size_t start = out.size();
  out += "b:";
  append_number(out, p.run, 16);
  out += ':';
  append_number(out, p.sender);
  out += ':';
  append_number(out, p.index);
  out += ':';
  append_number(out, p.sent_ns);
  std::size_t len = out.size() - start;
  if (pad_to > len + 1) {
    out += ':';
    out.append(pad_to - len - 1, 'x');
  }
}

bool parse_content(std::string_view s, std::uint32_t run, Payload& p) {
  if (s.size() < 2 || s[0] != 'b' || s[1] != ':') return false;
  s.remove_prefix(2);
  std::int64_t ns = 0;
  if (!take(s, p.run, 16) || p.run != run || !take(s, p.sender) || !take(s, p.index)) return false;
  auto r = std::from_chars(s.data(), s.data() + s.size(), ns);
  if (r.ec != std::errc()) return false;
  p.sent_ns = ns;
  return true;
}

std::optional<std::string_view> json_string_field(std::string_view json, std::string_view key) {
  std::size_t i = find_value(json, key);
  if (i == std::string_view::npos || i >= json.size() || json[i] != '"') return std::nullopt;
  std::size_t start = ++i;
  while (i < json.size() && json[i] != '"') i += json[i] == '\\' ? 2 : 1;
  if (i >= json.size()) return std::nullopt;
  return json.substr(start, i - start);
}

std::optional<std::int64_t> json_int_field(std::string_view json, std::string_view key) {
  std::size_t i = find_value(json, key);
  if (i == std::string_view::npos) return std::nullopt;
  std::int64_t v = 0;
  auto r = std::from_chars(json.data() + i, json.data() + json.size(), v);
  if (r.ec != std::errc()) return std::nullopt;
  return v;
}

std::int64_t now_ns() {
  timespec ts;
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return std::int64_t(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

}  // namespace parley::bench
