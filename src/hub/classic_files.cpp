// SPDX-License-Identifier: MIT
#include "hub/classic_files.hpp"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdio>

#include "auth/file_link.hpp"

namespace parley::hub {
namespace json = boost::json;

std::string human_size(std::int64_t bytes) {
  char buf[32];
  if (bytes < 1024) {
    std::snprintf(buf, sizeof buf, "%lld B", static_cast<long long>(bytes));
  } else if (bytes < 1024 * 1024) {
    std::snprintf(buf, sizeof buf, "%lld KB", static_cast<long long>((bytes + 512) / 1024));
  } else {
    std::snprintf(buf, sizeof buf, "%.1f MB", double(bytes) / (1024.0 * 1024.0));
  }
  return buf;
}

std::string classic_files_text(std::string_view content, std::string_view files_json,
                               const ClassicLink& link) {
  json::error_code ec;
  json::value files = json::parse(files_json, ec);
  if (ec || !files.is_array()) return std::string(content);
  std::string text(content);
  for (const json::value& f : files.get_array()) {
    const json::object* o = f.if_object();
    const json::value* id = o ? o->if_contains("id") : nullptr;
    const json::value* name = o ? o->if_contains("name") : nullptr;
    const json::value* size = o ? o->if_contains("size") : nullptr;
    if (!id || !id->is_string() || !name || !name->is_string() || !size || !size->is_int64())
      continue;
    std::string_view file_id = id->get_string();
    if (!text.empty()) text += '\n';
    text += "\xF0\x9F\x93\x8E ";  // 📎
    text += std::string_view(name->get_string());
    text += " (" + human_size(size->get_int64()) + ") ";
    text += link.site;
    text += "/api/files/";
    text += file_id;
    text += '?';
    text += link.links.query(file_id, link.reader, link.expires_s);
  }
  return text;
}

}  // namespace parley::hub
