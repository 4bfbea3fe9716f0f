// SPDX-License-Identifier: MIT
#include "util/name_form.hpp"

#include <unicode/normalizer2.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>
#include <unicode/utf8.h>

namespace parley::util {
namespace {

std::optional<std::string> normalize(const icu::Normalizer2* (*instance)(UErrorCode&),
                                     std::string_view utf8) {
  UErrorCode err = U_ZERO_ERROR;
  const icu::Normalizer2* n = instance(err);
  if (U_FAILURE(err)) return std::nullopt;
  icu::UnicodeString in = icu::UnicodeString::fromUTF8(
      icu::StringPiece(utf8.data(), static_cast<std::int32_t>(utf8.size())));
  icu::UnicodeString out = n->normalize(in, err);
  if (U_FAILURE(err)) return std::nullopt;
  std::string s;
  out.toUTF8String(s);
  return s;
}

const icu::Normalizer2* nfc(UErrorCode& e) {
  return icu::Normalizer2::getNFCInstance(e);
}
const icu::Normalizer2* nfkc_cf(UErrorCode& e) {
  return icu::Normalizer2::getNFKCCasefoldInstance(e);
}

}  // namespace

std::optional<std::string> to_nfc(std::string_view utf8) {
  // fromUTF8 replaces bad sequences with U+FFFD: check first, never store a replaced name.
  std::int32_t i = 0, len = static_cast<std::int32_t>(utf8.size());
  while (i < len) {
    UChar32 c;
    U8_NEXT(reinterpret_cast<const std::uint8_t*>(utf8.data()), i, len, c);
    if (c < 0) return std::nullopt;
  }
  return normalize(nfc, utf8);
}

std::string name_key(std::string_view name) {
  auto key = normalize(nfkc_cf, name);
  return key ? *key : std::string(name);
}

bool has_space_at_ends(std::string_view s) {
  if (s.empty()) return false;
  auto bytes = reinterpret_cast<const std::uint8_t*>(s.data());
  std::int32_t len = static_cast<std::int32_t>(s.size());
  UChar32 first, last;
  std::int32_t i = 0;
  U8_NEXT(bytes, i, len, first);
  std::int32_t j = len;
  U8_PREV(bytes, 0, j, last);
  return u_isUWhiteSpace(first) || u_isUWhiteSpace(last);
}

}  // namespace parley::util
