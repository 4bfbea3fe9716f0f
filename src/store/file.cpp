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

}  // namespace parley::store
