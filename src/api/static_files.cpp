// SPDX-License-Identifier: MIT
#include "api/static_files.hpp"

#include "protocol/codes.hpp"

#include <spdlog/spdlog.h>

#include <filesystem>
#include <fstream>
#include <sstream>

namespace parley::api {
namespace fs = std::filesystem;

namespace {

std::string mime_type(const std::string& ext) {
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".json") return "application/json";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".png") return "image/png";
  if (ext == ".ico") return "image/x-icon";
  if (ext == ".woff2") return "font/woff2";
  if (ext == ".woff") return "font/woff";
  if (ext == ".ttf") return "font/ttf";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

}  // namespace

StaticFiles::StaticFiles(const std::string& dir) {
  std::error_code ec;
  if (dir.empty() || !fs::is_directory(dir, ec)) {
    spdlog::warn("web client not found{}{}; serving the API only", dir.empty() ? "" : " in ", dir);
    return;
  }
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (ec || !it->is_regular_file()) continue;
    std::ifstream in(it->path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string rel = "/" + fs::relative(it->path(), dir).generic_string();
    files_[rel] = File{ss.str(), mime_type(it->path().extension().string())};
  }
  spdlog::info("web client: {} files from {}", files_.size(), dir);
}

protocol::HttpResponse StaticFiles::serve(const std::string& path) const {
  protocol::HttpResponse r;
  auto it = files_.find(path == "/" ? "/index.html" : path);
  bool spa_route = it == files_.end() && path.find('.') == std::string::npos;
  if (spa_route) it = files_.find("/index.html");
  if (it == files_.end()) {
    if (path == "/" || spa_route) {
      r.content_type = "text/html; charset=utf-8";
      r.body =
          "<!doctype html><title>parley</title><p>parley is running. The web client is not "
          "built: run the README's run command.</p>";
      return r;
    }
    return protocol::code_response(404, protocol::code::kNotFound, "not found");
  }
  r.content_type = it->second.type;
  r.body = it->second.content;
  r.headers.emplace_back("Cache-Control", path.rfind("/assets/", 0) == 0
                                              ? "public, max-age=31536000, immutable"
                                              : "no-cache");
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  return r;
}

}  // namespace parley::api
