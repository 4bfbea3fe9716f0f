// SPDX-License-Identifier: MIT
#include "api/group_api.hpp"

#include "api/json_body.hpp"

#include <boost/json.hpp>

#include "protocol/client_frame.hpp"
#include "protocol/codes.hpp"
#include "protocol/server_frame.hpp"
#include "store/group_codec.hpp"
#include "store/store.hpp"
#include "util/json_text.hpp"

namespace parley::api {
namespace json = boost::json;
namespace code = protocol::code;
using protocol::code_response;
using protocol::HttpRequest;
using protocol::HttpResponse;
using protocol::json_response;

namespace {

HttpResponse error_response(store::StoreError e) {
  switch (e) {
    case store::StoreError::kNoSuchGroup:
      return code_response(404, code::kNoSuchGroup, "no such group");
    case store::StoreError::kNotMember:
      return code_response(403, code::kForbidden, "not a member of this group");
    case store::StoreError::kForbidden:
      return code_response(403, code::kForbidden, "your role in the group does not allow this");
    case store::StoreError::kTooMany:
      return code_response(400, code::kTooLarge, "the group would have too many members");
    case store::StoreError::kBadRequest:
      return code_response(400, code::kBadFormat, "nothing to change (check the names)");
    default:
      return code_response(503, code::kInternal, "store unavailable, try again");
  }
}

HttpResponse group_response(const store::Group& g) {
  std::string body = "{\"code\":\"2000\",\"group\":";
  store::append_group_json(body, g);
  body += '}';
  return json_response(200, std::move(body));
}

// "/api/groups/12/members" -> 12, "members". id 0 when malformed.
std::int64_t split_path(std::string_view path, std::string_view& rest) {
  path.remove_prefix(std::string_view("/api/groups/").size());
  auto slash = path.find('/');
  rest = slash == std::string_view::npos ? std::string_view() : path.substr(slash + 1);
  return protocol::parse_group_id(path.substr(0, slash));
}

}  // namespace

bool GroupApi::handle(const HttpRequest& req, const auth::TokenClaims& who, Responder& respond) {
  const std::string& m = req.method;
  if (req.path == "/api/groups") {
    if (m == "GET") {
      store_.list_groups(who.uid, [respond = std::move(respond)](auto r) {
        auto* list = std::get_if<std::vector<store::Group>>(&r);
        if (!list) return respond(error_response(std::get<store::StoreError>(r)));
        std::string body = "{\"code\":\"2000\",\"groups\":[";
        for (std::size_t i = 0; i < list->size(); ++i) {
          if (i) body += ',';
          store::append_group_json(body, (*list)[i]);
        }
        body += "]}";
        respond(json_response(200, std::move(body)));
      });
      return true;
    }
    if (m == "POST") {
      create(req, who, std::move(respond));
      return true;
    }
    return false;
  }
  std::string_view rest;
  std::int64_t id = split_path(req.path, rest);
  if (!id) {
    respond(code_response(404, code::kNoSuchGroup, "no such group"));
    return true;
  }
  store::GroupChange c;
  c.actor = who.uid;
  c.actor_name = who.name;
  c.group = id;
  c.max_members = max_;
  if (rest.empty() && m == "GET") {
    store_.get_group(who.uid, id, [respond = std::move(respond)](auto r) {
      if (auto* g = std::get_if<store::Group>(&r)) return respond(group_response(*g));
      respond(error_response(std::get<store::StoreError>(r)));
    });
    return true;
  }
  if (rest.empty() && m == "DELETE") {
    c.op = store::GroupOp::kDelete;
    change(std::move(c), std::move(respond));
    return true;
  }
  if (rest == "reads" && m == "GET") {
    store_.group_reads(who.uid, id, [respond = std::move(respond)](auto r) {
      auto* list = std::get_if<std::vector<store::ReadMarker>>(&r);
      if (!list) return respond(error_response(std::get<store::StoreError>(r)));
      std::string body = "{\"code\":\"2000\",\"reads\":[";
      for (std::size_t i = 0; i < list->size(); ++i) {
        if (i) body += ',';
        body += "{\"name\":";
        util::append_json_string(body, (*list)[i].name);
        body += ",\"upto\":" + std::to_string((*list)[i].upto) + '}';
      }
      body += "]}";
      respond(json_response(200, std::move(body)));
    });
    return true;
  }
  if (m != "POST" || (!rest.empty() && rest != "members" && rest != "admins")) return false;
  auto body = body_object(req);
  if (!body) {
    respond(code_response(400, code::kBadFormat, "body must be a JSON object"));
    return true;
  }
  if (rest.empty()) {  // rename
    const json::value* name = body->if_contains("name");
    if (!name || !name->is_string() || name->get_string().size() > kMaxNameBytes) {
      respond(code_response(400, code::kBadFormat, "need {\"name\": STR}"));
      return true;
    }
    c.op = store::GroupOp::kRename;
    c.name = std::string(name->get_string());
    change(std::move(c), std::move(respond));
    return true;
  }
  const json::value* add = body->if_contains("add");
  const json::value* remove = body->if_contains("remove");
  if ((add == nullptr) == (remove == nullptr) || !read_names(add ? *add : *remove, max_, c.names) ||
      c.names.empty()) {
    respond(code_response(400, code::kBadFormat,
                          "need {\"add\":[NAME...]} or {\"remove\":[NAME...]} (1.." +
                              std::to_string(max_) + " names)"));
    return true;
  }
  bool members = rest == "members";
  c.op = add ? (members ? store::GroupOp::kAdd : store::GroupOp::kAddAdmins)
             : (members ? store::GroupOp::kRemove : store::GroupOp::kRemoveAdmins);
  change(std::move(c), std::move(respond));
  return true;
}

void GroupApi::create(const HttpRequest& req, const auth::TokenClaims& who, Responder respond) {
  auto body = body_object(req);
  const json::value* name = body ? body->if_contains("name") : nullptr;
  const json::value* members = body ? body->if_contains("members") : nullptr;
  store::GroupChange c;
  c.op = store::GroupOp::kCreate;
  c.actor = who.uid;
  c.actor_name = who.name;
  c.max_members = max_;
  if (!name || !name->is_string() || name->get_string().size() > kMaxNameBytes ||
      !store::normalize_group_name(std::string_view(name->get_string())))
    return respond(code_response(400, code::kBadFormat,
                                 "need {\"name\": 1-64 characters, \"members\": [NAME...]}"));
  c.name = std::string(name->get_string());
  if (members && !members->is_array())
    return respond(code_response(400, code::kBadFormat, "\"members\" must be a list of names"));
  if (members && members->get_array().size() + 1 > max_)
    return respond(code_response(400, code::kTooLarge,
                                 "at most " + std::to_string(max_) + " members in a group"));
  if (members && !read_names(*members, max_, c.names))
    return respond(code_response(400, code::kBadFormat, "\"members\" must be a list of names"));
  change(std::move(c), std::move(respond));
}

void GroupApi::change(store::GroupChange c, Responder respond) {
  bool is_delete = c.op == store::GroupOp::kDelete;
  store_.change_group(std::move(c), [respond = std::move(respond), is_delete](auto r) {
    if (auto* e = std::get_if<store::StoreError>(&r)) return respond(error_response(*e));
    auto& reply = std::get<store::GroupReply>(r);
    if (!reply.unknown.empty()) {
      std::string body = "{\"code\":\"4001\",\"message\":\"unknown users\",\"unknown\":";
      util::append_json_string_array(body, reply.unknown);
      body += '}';
      return respond(json_response(400, std::move(body)));
    }
    if (is_delete || reply.deleted) return respond(json_response(200, R"({"code":"2000"})"));
    respond(group_response(reply.group));
  });
}

void GroupApi::history(const HttpRequest& req, const auth::TokenClaims& who, std::int64_t before,
                       std::int64_t limit, Responder respond) {
  std::int64_t id = protocol::parse_group_id(req.query_param("group").value_or(""));
  if (!id) return respond(code_response(404, code::kNoSuchGroup, "no such group"));
  store_.group_history(
      who.uid, id, before, std::size_t(limit), [respond = std::move(respond), id](auto r) {
        if (auto* e = std::get_if<store::StoreError>(&r)) return respond(error_response(*e));
        auto& page = std::get<store::HistoryPage>(r);
        std::string body =
            "{\"code\":\"2000\",\"group\":\"" + std::to_string(id) + "\",\"messages\":[";
        for (std::size_t i = 0; i < page.messages.size(); ++i) {
          if (i) body += ',';
          append_history_item(body, page.messages[i]);
        }
        body += "],\"more\":";
        body += page.more ? "true}" : "false}";
        respond(json_response(200, std::move(body)));
      });
}

void append_history_item(std::string& out, const store::StoredMessage& m) {
  if (m.kind != store::EntryKind::kGroupEvent) {
    protocol::MessageView v{m.id, m.ts, m.from, &m.to, m.content, {}};
    v.group = m.group;
    v.reply_to = m.ref;
    v.edited = m.edited;
    v.recalled = m.recalled;
    v.files = m.files;
    return protocol::append_message_object(out, v);
  }
  auto ev = store::read_group_event(m.content);
  out += "{\"id\":" + std::to_string(m.id) + ",\"from\":";
  util::append_json_string(out, m.from);
  out += ",\"ts\":" + std::to_string(m.ts);
  protocol::append_group_id(out, m.group);
  out += ",\"event\":";
  util::append_json_string(out, ev ? ev->event : std::string("unknown"));
  out += ",\"names\":";
  util::append_json_string_array(out, ev ? ev->names : std::vector<std::string>{});
  out += '}';
}

}  // namespace parley::api
