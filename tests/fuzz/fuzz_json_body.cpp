// SPDX-License-Identifier: MIT
// boost::json::parse alone, with the options parley uses: decode_client_frame (max_depth 8, a
// monotonic_resource over a 4 KiB stack buffer) and the HTTP API / token payloads (defaults).
// STACK.md: fuzz the JSON parser as its own target — in fuzz_token a signature check stands in
// front of it, and in fuzz_client_frame the frame logic dominates.
//
// Invariants checked:
//  - both option sets agree on every input (modulo the depth limit);
//  - parse(serialize(v)) == v for values without an overflowed (infinite) number;
//  - what parse accepts is valid UTF-8; every string in the result is valid UTF-8;
//  - the API's credential extraction (api.cpp parse_credentials) never throws.
#include <boost/json.hpp>
#include <algorithm>
#include <cmath>
#include <string>

#include "fuzz_check.hpp"
#include "util/utf8.hpp"

namespace json = boost::json;
using namespace parley;

namespace {

// Checks every string is valid UTF-8; returns false when a number is not finite: Boost.JSON 1.81
// parses 1e999 as inf and 0e316 as NaN, and serialises them as "Infinity"/"NaN", which is not
// JSON — harmless for parley, which never uses or re-serialises a client's double.
bool check_strings(const json::value& v, int depth = 0) {
  FUZZ_CHECK(depth <= 32);
  bool finite = true;
  switch (v.kind()) {
    case json::kind::double_:
      finite = std::isfinite(v.get_double());
      break;
    case json::kind::string:
      FUZZ_CHECK(util::is_valid_utf8(std::string_view(v.get_string())));
      break;
    case json::kind::array:
      for (const auto& e : v.get_array()) finite &= check_strings(e, depth + 1);
      break;
    case json::kind::object:
      for (const auto& kv : v.get_object()) {
        FUZZ_CHECK(util::is_valid_utf8(std::string_view(kv.key())));
        finite &= check_strings(kv.value(), depth + 1);
      }
      break;
    default:
      break;
  }
  return finite;
}

// Equality where NaN equals NaN (Boost.JSON 1.81 parses "0e316" as NaN: 0 * 10^316 = 0 * inf)
// and doubles need only agree to ~1e-15: Boost.JSON 1.81's number parser is not
// correctly rounded (1 ULP off for some long mantissas, e.g. 18737709551612036854775605; fixed
// in 1.83 by number_precision::precise), so text -> double -> text -> double may move by 1 ULP.
bool approx_equal(const json::value& a, const json::value& b) {
  if (a.is_double() && b.is_double()) {
    double x = a.get_double(), y = b.get_double();
    if (std::isnan(x) || std::isnan(y)) return std::isnan(x) && std::isnan(y);  // see above
    return x == y || std::fabs(x - y) <= 1e-15 * std::max(std::fabs(x), std::fabs(y));
  }
  if (a.kind() != b.kind()) return false;
  if (a.is_array()) {
    const auto &x = a.get_array(), &y = b.get_array();
    if (x.size() != y.size()) return false;
    for (std::size_t i = 0; i < x.size(); ++i)
      if (!approx_equal(x[i], y[i])) return false;
    return true;
  }
  if (a.is_object()) {
    const auto &x = a.get_object(), &y = b.get_object();
    if (x.size() != y.size()) return false;
    for (const auto& kv : x) {
      const json::value* other = y.if_contains(kv.key());
      if (!other || !approx_equal(kv.value(), *other)) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  json::string_view text(in.data(), in.size());

  // As decode_client_frame parses a WebSocket frame.
  json::error_code ec_frame;
  unsigned char scratch[4096];
  json::monotonic_resource mr(scratch, sizeof scratch);
  json::parse_options frame_opts;
  frame_opts.max_depth = 8;
  json::value framed = json::parse(text, ec_frame, &mr, frame_opts);

  // As the HTTP API and the token check parse a body.
  json::error_code ec;
  json::value v = json::parse(text, ec);

  if (!ec_frame) {
    FUZZ_CHECK(!ec);
    FUZZ_CHECK(approx_equal(framed, v));
  } else if (!ec) {
    FUZZ_CHECK(ec_frame == json::error::too_deep);
  }
  if (ec) return 0;

  FUZZ_CHECK(util::is_valid_utf8(in));
  if (check_strings(v)) {
    std::string out = json::serialize(v);
    json::error_code ec2;
    json::value again = json::parse(out, ec2);
    FUZZ_CHECK(!ec2);
    FUZZ_CHECK(approx_equal(again, v));
  }

  // api.cpp parse_credentials.
  if (v.is_object()) {
    const auto& o = v.get_object();
    const json::value* n = o.if_contains("name");
    const json::value* p = o.if_contains("password");
    if (n && p && n->is_string() && p->is_string()) {
      std::string name(n->get_string()), password(p->get_string());
      FUZZ_CHECK(util::is_valid_utf8(name) && util::is_valid_utf8(password));
    }
  }
  return 0;
}
