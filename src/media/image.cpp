// SPDX-License-Identifier: MIT
#include "media/image.hpp"

#include <vips/vips.h>

#include <mutex>

namespace parley::media {
namespace {

// One image at a time per process: libvips keeps its error text in one global buffer (and
// GLib's logging calls localtime), so concurrent calls would race on them; images are small
// next to the cost of a message round trip, and the pool that calls us has two threads anyway.
std::mutex& vips_mutex() {
  static std::mutex m;
  return m;
}

void quiet(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

void init_vips() {
  static std::once_flag once;
  std::call_once(once, [] {
    VIPS_INIT("parley");
    vips_cache_set_max(0);  // nothing kept between requests: memory stays bounded
    vips_concurrency_set(1);
    // Hostile files make libvips warn on stderr; the refusal says it to the client instead.
    g_log_set_handler("VIPS",
                      GLogLevelFlags(G_LOG_LEVEL_MASK | G_LOG_FLAG_FATAL | G_LOG_FLAG_RECURSION),
                      quiet, nullptr);
  });
}

std::string vips_failure() {
  std::string e = vips_error_buffer();
  vips_error_clear();
  if (e.size() > 200) e.resize(200);
  while (!e.empty() && (e.back() == '\n' || e.back() == ' ')) e.pop_back();
  return e.empty() ? "not a readable image" : e;
}

}  // namespace

std::string sniff_image_type(std::string_view h) {
  if (h.size() >= 3 && h.substr(0, 3) == "\xFF\xD8\xFF") return "image/jpeg";
  if (h.size() >= 8 && h.substr(0, 8) == "\x89PNG\r\n\x1a\n") return "image/png";
  if (h.size() >= 6 && (h.substr(0, 6) == "GIF87a" || h.substr(0, 6) == "GIF89a"))
    return "image/gif";
  if (h.size() >= 12 && h.substr(0, 4) == "RIFF" && h.substr(8, 4) == "WEBP") return "image/webp";
  return {};
}

std::optional<ImageInfo> inspect_image(const std::string& path, std::string& error) {
  init_vips();
  std::lock_guard lock(vips_mutex());
  // The header first: refuse a bomb before any pixel is decoded.
  VipsImage* img = vips_image_new_from_file(path.c_str(), "access", VIPS_ACCESS_SEQUENTIAL,
                                            "fail_on", VIPS_FAIL_ON_ERROR, nullptr);
  if (!img) {
    error = vips_failure();
    return std::nullopt;
  }
  ImageInfo info{vips_image_get_width(img), vips_image_get_height(img)};
  int pages = vips_image_get_n_pages(img);
  if (info.width <= 0 || info.height <= 0 ||
      std::int64_t(info.width) * info.height * std::max(pages, 1) > kMaxPixels) {
    g_object_unref(img);
    error = "image too large (at most 50 megapixels)";
    return std::nullopt;
  }
  // Decode it all once: a truncated or corrupt body fails here, not in a viewer.
  double avg = 0;
  bool ok = vips_avg(img, &avg, nullptr) == 0;
  g_object_unref(img);
  if (!ok) {
    error = vips_failure();
    return std::nullopt;
  }
  return info;
}

bool make_thumbnail(const std::string& path, const std::string& dest, int side,
                    std::string& error) {
  init_vips();
  std::lock_guard lock(vips_mutex());
  VipsImage* thumb = nullptr;
  if (vips_thumbnail(path.c_str(), &thumb, side, "height", side, "fail_on", VIPS_FAIL_ON_ERROR,
                     nullptr) != 0) {
    error = vips_failure();
    return false;
  }
  std::string target = dest + "[Q=80,strip]";
  bool ok = vips_image_write_to_file(thumb, target.c_str(), nullptr) == 0;
  g_object_unref(thumb);
  if (!ok) error = vips_failure();
  return ok;
}

}  // namespace parley::media
