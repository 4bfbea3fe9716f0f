// SPDX-License-Identifier: MIT
// Log set-up: one line per event, text by default or one JSON object per line (with the message
// properly escaped, so log shippers can parse every line).
#pragma once
#include <string>

namespace parley::util {

void setup_logging(const std::string& level, bool json);

}  // namespace parley::util
