// SPDX-License-Identifier: MIT
// Base64 (RFC 4648): the standard alphabet for the WebSocket handshake, the URL-safe unpadded
// alphabet for JWTs.
#pragma once
#include <optional>
#include <string>
#include <string_view>

namespace parley::util {

std::string base64_encode(std::string_view in);
std::string base64url_encode(std::string_view in);
// nullopt on any character outside the URL-safe alphabet or an impossible length.
std::optional<std::string> base64url_decode(std::string_view in);

}  // namespace parley::util
