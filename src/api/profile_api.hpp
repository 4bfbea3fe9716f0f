// SPDX-License-Identifier: MIT
// A user's own account and what others see of it: GET /api/user (who am I: name, display name,
// status, role), POST /api/profile (change display name and status), POST /api/profiles (the
// profiles of a list of names, for lists and chat headers).
#pragma once
#include "auth/token.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/http_message.hpp"

namespace parley::store {
class Store;
}

namespace parley::api {

using protocol::Responder;

class ProfileApi {
 public:
  static constexpr std::size_t kMaxDisplayName = 32;  // code points
  static constexpr std::size_t kMaxStatus = 140;      // code points
  static constexpr std::size_t kMaxProfiles = 200;    // names per POST /api/profiles

  explicit ProfileApi(store::Store& store) : store_(store) {}

  // False if the path is none of this API's.
  bool handle(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder& respond);

 private:
  void user(const auth::TokenClaims& who, Responder respond);
  void update(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder respond);
  void profiles(const protocol::HttpRequest& req, Responder respond);

  store::Store& store_;
};

// True when `text` may be shown as a display name or a status line: valid UTF-8 of at most
// `max` code points, without control or invisible characters or spaces at either end.
bool is_valid_profile_text(std::string_view text, std::size_t max);

}  // namespace parley::api
