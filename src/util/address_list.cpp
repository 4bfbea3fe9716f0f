// SPDX-License-Identifier: MIT
#include "util/address_list.hpp"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace parley::util {

std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  std::array<std::uint8_t, 16> out{};
  in_addr v4;
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &v4, 4);
    return out;
  }
  in6_addr v6;
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::memcpy(out.data(), &v6, 16);
    return out;
  }
  return std::nullopt;
}

std::string canonical_ip(std::string_view text) {
  auto ip = parse_ip(text);
  if (!ip) return {};
  char buf[INET6_ADDRSTRLEN];
  static constexpr std::uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  bool v4 = std::memcmp(ip->data(), kMapped, 12) == 0;
  if (!inet_ntop(v4 ? AF_INET : AF_INET6, ip->data() + (v4 ? 12 : 0), buf, sizeof buf)) return {};
  return buf;
}

AddressList::AddressList(const std::vector<std::string>& entries) {
  for (const std::string& e : entries) {
    std::string_view text = e;
    auto slash = text.find('/');
    auto ip = parse_ip(text.substr(0, slash));
    if (!ip) throw std::invalid_argument("not an address or CIDR range: '" + e + "'");
    // IPv4 prefixes count within the last 32 bits of the mapped form.
    bool v4 = text.substr(0, slash).find(':') == std::string_view::npos;
    int bits = 128;
    if (slash != std::string_view::npos) {
      std::string_view len = text.substr(slash + 1);
      int n = -1;
      auto r = std::from_chars(len.data(), len.data() + len.size(), n);
      if (len.empty() || r.ec != std::errc() || r.ptr != len.data() + len.size() || n < 0 ||
          n > (v4 ? 32 : 128))
        throw std::invalid_argument("bad prefix length in '" + e + "'");
      bits = v4 ? 96 + n : n;
    }
    ranges_.push_back({*ip, bits});
  }
}

bool AddressList::contains(std::string_view text) const {
  if (ranges_.empty()) return false;
  auto ip = parse_ip(text);
  if (!ip) return false;
  for (const Range& r : ranges_) {
    int full = r.bits / 8, rest = r.bits % 8;
    if (std::memcmp(ip->data(), r.base.data(), std::size_t(full)) != 0) continue;
    if (rest) {
      std::uint8_t mask = std::uint8_t(0xff << (8 - rest));
      if ((((*ip)[std::size_t(full)]) & mask) != (r.base[std::size_t(full)] & mask)) continue;
    }
    return true;
  }
  return false;
}

}  // namespace parley::util
