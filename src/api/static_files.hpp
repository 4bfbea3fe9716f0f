// SPDX-License-Identifier: MIT
// The built web client, read into memory once at start so serving it never touches the disk on
// a network thread. Unknown paths without an extension get index.html (client-side routes).
#pragma once
#include <string>
#include <unordered_map>

#include "protocol/http_message.hpp"

namespace parley::api {

class StaticFiles {
 public:
  // Loads every file under `dir`; an empty or missing folder serves a short notice instead.
  explicit StaticFiles(const std::string& dir);
  protocol::HttpResponse serve(const std::string& path) const;
  std::size_t size() const { return files_.size(); }

 private:
  struct File {
    std::string content;
    std::string type;
  };
  std::unordered_map<std::string, File> files_;
};

}  // namespace parley::api
