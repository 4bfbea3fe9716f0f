// SPDX-License-Identifier: MIT
#include "api/name_list.hpp"

#include <algorithm>
#include <charconv>

#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/clock.hpp"
#include "util/json_text.hpp"

namespace parley::api {

void NameList::invalidate() {
  std::lock_guard lock(mutex_);
  read_at_ms_ = 0;
}

void NameList::answer(const protocol::HttpRequest& req, protocol::Responder respond) {
  Names names;
  {
    std::lock_guard lock(mutex_);
    if (names_ && util::mono_ms() - read_at_ms_ < kMaxAgeMs) {
      names = names_;
    } else {
      waiting_.emplace_back(req, std::move(respond));
      if (reading_) return;
      reading_ = true;
    }
  }
  if (names) return reply(req, names, respond);
  std::int64_t started = util::mono_ms();
  store_.list_users([this, started](store::Result<std::vector<std::string>> r) {
    Names fresh;
    if (auto* v = std::get_if<std::vector<std::string>>(&r))
      fresh = std::make_shared<const std::vector<std::string>>(std::move(*v));
    std::vector<std::pair<protocol::HttpRequest, protocol::Responder>> waiting;
    {
      std::lock_guard lock(mutex_);
      reading_ = false;
      if (fresh) {
        names_ = fresh;
        read_at_ms_ = started;
      }
      waiting.swap(waiting_);
    }
    for (auto& [q, respond] : waiting) {
      if (!fresh) {
        respond(protocol::code_response(503, protocol::code::kInternal, "store unavailable"));
        continue;
      }
      reply(q, fresh, respond);
    }
  });
}

void NameList::reply(const protocol::HttpRequest& req, const Names& names,
                     protocol::Responder& respond) {
  auto after = req.query_param("after");
  auto limit_text = req.query_param("limit");
  auto begin = names->begin(), end = names->end();
  if (after) begin = std::upper_bound(names->begin(), names->end(), *after);
  bool paged = after || limit_text;
  if (limit_text) {
    std::size_t limit = 0;
    auto [p, ec] =
        std::from_chars(limit_text->data(), limit_text->data() + limit_text->size(), limit);
    if (ec != std::errc() || p != limit_text->data() + limit_text->size() || limit < 1 ||
        limit > 1000)
      return respond(
          protocol::code_response(400, protocol::code::kBadFormat, "limit must be 1..1000"));
    if (std::size_t(end - begin) > limit) end = begin + std::ptrdiff_t(limit);
  }
  std::string body = "{\"names\":[";
  for (auto it = begin; it != end; ++it) {
    if (it != begin) body += ',';
    util::append_json_string(body, *it);
  }
  body += ']';
  if (paged) body += end == names->end() ? ",\"more\":false" : ",\"more\":true";
  body += '}';
  respond(protocol::json_response(200, std::move(body)));
}

}  // namespace parley::api
