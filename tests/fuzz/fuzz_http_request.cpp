// SPDX-License-Identifier: MIT
// protocol::parse_http_request on arbitrary bytes (what a client sends before the upgrade), then
// what the API does with a parsed request: header look-ups, query_param, percent_decode.
//
// Invariants checked:
//  - kComplete: consumed <= input, the body is exactly Content-Length bytes within the limit,
//    header names are lower-case tokens, values hold no CR, LF or NUL, at most one
//    Content-Length and no Transfer-Encoding, at most 100 headers; every shorter prefix of the
//    input is kNeedMore (the parser never decides on a request it has not fully seen);
//  - kError carries a 4xx/5xx status; kNeedMore consumes nothing;
//  - percent_decode never grows its input, and encoding then decoding is the identity.
#include <cctype>
#include <string>

#include "fuzz_check.hpp"
#include "protocol/http_message.hpp"

using namespace parley;
using protocol::HttpParseStatus;

namespace {

std::string percent_encode(std::string_view s) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c)) {
      out += char(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool well_formed_escapes(std::string_view s) {
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '%') continue;
    if (i + 2 >= s.size() || !std::isxdigit(static_cast<unsigned char>(s[i + 1])) ||
        !std::isxdigit(static_cast<unsigned char>(s[i + 2])))
      return false;
    i += 2;
  }
  return true;
}

void check_request(std::string_view buf, const protocol::HttpLimits& limits) {
  protocol::HttpRequest req;
  auto r = protocol::parse_http_request(buf, req, limits);
  switch (r.status) {
    case HttpParseStatus::kNeedMore:
      FUZZ_CHECK(r.consumed == 0);
      return;
    case HttpParseStatus::kError:
      FUZZ_CHECK(r.error_status >= 400 && r.error_status < 600);
      FUZZ_CHECK(!r.error.empty());
      (void)protocol::serialize_response(protocol::code_response(r.error_status, "4001", r.error),
                                         false);
      return;
    case HttpParseStatus::kComplete:
      break;
  }
  FUZZ_CHECK(r.consumed > 0 && r.consumed <= buf.size());
  FUZZ_CHECK(req.body.size() <= limits.max_body_bytes);
  FUZZ_CHECK(req.headers.size() <= 100);
  FUZZ_CHECK(!req.method.empty() && !req.target.empty());
  FUZZ_CHECK(req.minor_version == 0 || req.minor_version == 1);
  auto head_end = buf.find("\r\n\r\n");
  FUZZ_CHECK(head_end != std::string_view::npos);
  FUZZ_CHECK(head_end + 4 <= limits.max_header_bytes);
  FUZZ_CHECK(r.consumed == head_end + 4 + req.body.size());
  FUZZ_CHECK(buf.substr(head_end + 4, req.body.size()) == req.body);
  int lengths = 0;
  for (const auto& [k, v] : req.headers) {
    FUZZ_CHECK(!k.empty());
    for (char ch : k) FUZZ_CHECK(!std::isupper(static_cast<unsigned char>(ch)));
    FUZZ_CHECK(req.header(k).data() != nullptr);
    FUZZ_CHECK(v.find_first_of(std::string_view("\r\n\0", 3)) == std::string::npos);
    lengths += k == "content-length";
    FUZZ_CHECK(k != "transfer-encoding");
  }
  FUZZ_CHECK(lengths <= 1);
  std::string_view cl = req.header("content-length");
  if (cl.empty()) FUZZ_CHECK(req.body.empty());

  // A request that is complete at `consumed` bytes is incomplete at every shorter prefix.
  for (std::size_t cut : {r.consumed - 1, head_end + 3, head_end, r.consumed / 2}) {
    if (cut >= r.consumed) continue;
    protocol::HttpRequest again;
    auto p = protocol::parse_http_request(buf.substr(0, cut), again, limits);
    FUZZ_CHECK(p.status == HttpParseStatus::kNeedMore);
  }
  // Parsing into a reused request (keep-alive) gives the same result.
  protocol::HttpRequest reused = req;
  auto r2 = protocol::parse_http_request(buf, reused, limits);
  FUZZ_CHECK(r2.status == HttpParseStatus::kComplete && r2.consumed == r.consumed);
  FUZZ_CHECK(reused.path == req.path && reused.query == req.query && reused.body == req.body &&
             reused.headers == req.headers && reused.keep_alive == req.keep_alive);

  // What the API does with it.
  for (const char* name : {"with", "before", "limit", "all", ""}) (void)req.query_param(name);
  std::string_view q = req.query;
  auto amp = q.find('&');
  auto first = q.substr(0, amp);
  auto eq = first.find('=');
  auto key = protocol::percent_decode(first.substr(0, eq), true);
  if (key && !q.empty()) {
    // The first parameter is the one found; its value decodes as percent_decode says.
    auto value = req.query_param(*key);
    if (eq == std::string_view::npos) {
      FUZZ_CHECK(value && value->empty());
    } else {
      FUZZ_CHECK(value == protocol::percent_decode(first.substr(eq + 1), true));
    }
  }
  (void)req.header("w-token");
  (void)req.header("sec-websocket-key");
  (void)req.header("origin");
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view buf = fuzz::as_view(data, size);
  check_request(buf, protocol::HttpLimits{});
  check_request(buf, protocol::HttpLimits{.max_header_bytes = 256, .max_body_bytes = 16});

  for (bool plus : {false, true}) {
    auto d = protocol::percent_decode(buf, plus);
    if (d) FUZZ_CHECK(d->size() <= buf.size());
    // Only '%' followed by two hex digits may decode (regression: "%-1" decoded to 0xFF).
    if (d) FUZZ_CHECK(well_formed_escapes(buf));
  }
  // Round trip: anything percent-encoded decodes back to itself.
  auto sample = buf.substr(0, 256);
  auto rt = protocol::percent_decode(percent_encode(sample), true);
  FUZZ_CHECK(rt && *rt == sample);
  return 0;
}
