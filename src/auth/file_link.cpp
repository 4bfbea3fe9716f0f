// SPDX-License-Identifier: MIT
#include "auth/file_link.hpp"

#include <sodium.h>

#include <charconv>

namespace parley::auth {
namespace {

bool parse_int(std::string_view s, std::int64_t& out) {
  auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return !s.empty() && s.size() <= 19 && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

FileLinks::FileLinks(const TokenSigner& tokens) : signer_(tokens.derived("file-link")) {}

std::string FileLinks::signature(std::string_view file_id, LinkReader r, std::int64_t exp) const {
  // Newlines cannot occur in a file id, so no two (id, reader, exp) sign the same bytes.
  std::string input(file_id);
  input += '\n';
  input += std::to_string(r.uid);
  input += '\n';
  input += std::to_string(r.gen);
  input += '\n';
  input += std::to_string(exp);
  return signer_.sign(input);
}

std::string FileLinks::query(std::string_view file_id, LinkReader r, std::int64_t exp_s) const {
  return "u=" + std::to_string(r.uid) + "&g=" + std::to_string(r.gen) +
         "&e=" + std::to_string(exp_s) + "&s=" + signature(file_id, r, exp_s);
}

std::optional<LinkReader> FileLinks::reader(std::string_view file_id, const Params& p,
                                            std::int64_t now_s) const {
  LinkReader r;
  std::int64_t exp = 0;
  if (!parse_int(p.u, r.uid) || !parse_int(p.g, r.gen) || !parse_int(p.e, exp) || r.uid <= 0 ||
      exp <= now_s)
    return std::nullopt;
  if (file_id.find('\n') != std::string_view::npos) return std::nullopt;
  std::string expected = signature(file_id, r, exp);
  if (p.s.size() != expected.size() ||
      sodium_memcmp(p.s.data(), expected.data(), expected.size()) != 0)
    return std::nullopt;
  return r;
}

}  // namespace parley::auth
