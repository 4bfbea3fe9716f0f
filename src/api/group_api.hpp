// SPDX-License-Identifier: MIT
// The group endpoints (/api/groups..., /api/history?group=ID) and the JSON of history items,
// which may be group events. Handlers validate the request, then ask the store, whose thread
// decides membership and roles; answers go back through `Responder` from the store's thread.
#pragma once
#include <functional>
#include <string>

#include "auth/token.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/http_message.hpp"
#include "store/types.hpp"

namespace parley::store {
class Store;
}

namespace parley::api {

using protocol::Responder;

class GroupApi {
 public:
  // `max_members` is read at each change (a config reload may change it).
  GroupApi(store::Store& store, const std::size_t& max_members)
      : store_(store), max_(max_members) {}

  // A path under /api/groups; false if it is not one of them (method or path unknown).
  bool handle(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder& respond);
  // GET /api/history?group=ID&before=&limit=
  void history(const protocol::HttpRequest& req, const auth::TokenClaims& who, std::int64_t before,
               std::int64_t limit, Responder respond);

 private:
  void create(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder respond);
  void change(store::GroupChange c, Responder respond);

  store::Store& store_;
  const std::size_t& max_;
};

// A history item: a message `{"id","from","to","content","ts"(,"group")}` or a group event
// `{"id","from","ts","group","event","names"}`.
void append_history_item(std::string& out, const store::StoredMessage& m);

}  // namespace parley::api
