// SPDX-License-Identifier: MIT
// Reading the JSON bodies of the extension endpoints: a small object, lists of names, strings.
#pragma once
#include <boost/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "protocol/http_message.hpp"

namespace parley::api {

// A user or group name in a request, before the real checks.
inline constexpr std::size_t kMaxNameBytes = 256;

// The body as a JSON object (nesting at most 4 deep), or nullopt.
std::optional<boost::json::object> body_object(const protocol::HttpRequest& req);

// A list of names; false when it is not an array of non-empty short strings of at most `max`.
bool read_names(const boost::json::value& v, std::size_t max, std::vector<std::string>& out);

// The string member `key` of `o`: nullopt when absent, false in `ok` when present but not a string.
std::optional<std::string> string_member(const boost::json::object& o, std::string_view key,
                                         bool& ok);

}  // namespace parley::api
