// SPDX-License-Identifier: MIT
// A list of IP addresses and CIDR ranges ("127.0.0.1", "10.0.0.0/8", "::1", "fd00::/8") that
// an address is matched against: trusted proxies, who may read /metrics. IPv4-mapped IPv6
// addresses (::ffff:a.b.c.d) match as the IPv4 address they carry. Immutable once built, so any
// thread may match.
#pragma once
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace parley::util {

// An IPv4 or IPv6 address as 16 bytes (IPv4 as ::ffff:a.b.c.d); nullopt if `text` is neither.
std::optional<std::array<std::uint8_t, 16>> parse_ip(std::string_view text);
// The one spelling of an address ("::ffff:10.0.0.1" -> "10.0.0.1", "0:0::1" -> "::1"), so that
// per-address limits cannot be dodged by writing an address differently; "" if not an address.
std::string canonical_ip(std::string_view text);

class AddressList {
 public:
  AddressList() = default;
  // Throws std::invalid_argument naming the first entry that is not an address or a range.
  explicit AddressList(const std::vector<std::string>& entries);

  bool empty() const { return ranges_.empty(); }
  // False for anything that is not an address.
  bool contains(std::string_view ip) const;

 private:
  struct Range {
    std::array<std::uint8_t, 16> base;
    int bits;  // prefix length over the 16 bytes
  };
  std::vector<Range> ranges_;
};

}  // namespace parley::util
