// SPDX-License-Identifier: MIT
#include "store/file.hpp"

#include "util/json_text.hpp"

namespace parley::store {

std::string file_json(const FileRecord& f) {
  std::string out = "{\"id\":\"" + f.id + "\",\"name\":";
  util::append_json_string(out, f.name);
  out += ",\"type\":";
  util::append_json_string(out, f.type);
  out += ",\"size\":" + std::to_string(f.size) + ",\"url\":\"/api/files/" + f.id + "\"";
  if (f.width > 0) {
    out += ",\"width\":" + std::to_string(f.width) + ",\"height\":" + std::to_string(f.height);
    if (f.thumb) out += ",\"thumb_url\":\"/api/files/" + f.id + "/thumb\"";
  }
  out += '}';
  return out;
}

std::vector<std::string> file_ids(std::string_view files_json) {
  std::vector<std::string> ids;
  constexpr std::string_view kStart = "{\"id\":\"";
  for (auto at = files_json.find(kStart); at != std::string_view::npos;
       at = files_json.find(kStart, at)) {
    at += kStart.size();
    auto end = files_json.find('"', at);
    if (end == std::string_view::npos) break;
    ids.emplace_back(files_json.substr(at, end - at));
    at = end;
  }
  return ids;
}

}  // namespace parley::store
