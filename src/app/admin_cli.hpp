// SPDX-License-Identifier: MIT
// `parley admin ...`: the administrator's command line (see docs/OPERATIONS.md).
//   parley admin promote|demote NAME [--data DIR | --redis URL]
//       grants or takes the admin role directly in the store (how the first admin is made; works
//       while the server runs).
//   parley admin create-admin NAME [--password-file F] [--data DIR | --redis URL]
//       creates an admin account in the store (the first account of an invite-only or closed
//       server; on the embedded store, with the server stopped).
//   parley admin [--url http://HOST:PORT] --user NAME [--password-file F] COMMAND ...
//       logs in as an admin and calls the admin HTTP API (PARLEY_ADMIN_PASSWORD may hold the
//       password instead of a file). COMMAND: stats | users [QUERY] | create-user NAME PASSWORD
//       [--admin] | kick NAME | ban NAME | unban NAME | reset-password NAME PASSWORD |
//       role NAME admin|user | delete NAME | invite [--uses N] [--expires SECONDS] | invites |
//       revoke-invite CODE | notice TEXT [--to NAME].
#pragma once
#include <optional>

namespace parley::app {

// The exit status when argv is an `admin` command; nullopt otherwise.
std::optional<int> run_admin(int argc, char** argv);

}  // namespace parley::app
