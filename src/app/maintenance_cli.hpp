// SPDX-License-Identifier: MIT
// `parley backup DEST`, `parley restore SRC`, `parley check [PATH]` (each with `--data DIR`,
// default ./data): the embedded store's maintenance commands, run next to a serving server
// (backup, check) or instead of it (restore). See docs/OPERATIONS.md.
#pragma once
#include <optional>

namespace parley::app {

// The exit status when argv names a maintenance command; nullopt to start the server.
std::optional<int> run_maintenance(int argc, char** argv);

}  // namespace parley::app
