// SPDX-License-Identifier: MIT
// The upload path for images on arbitrary bytes, as POST /api/files runs it: sniff the format
// from the first bytes, decode the whole image (media::inspect_image: header first, the
// 50-megapixel bound, then every pixel), and thumbnail what was accepted. Hostile files must end
// as an error, never a crash or a hang, and what is accepted must be sane:
//  - accepted only when the bytes start like a JPEG, PNG, GIF or WebP (sniff_image_type);
//  - within the pixel bound, positive sizes;
//  - its thumbnail exists, is a JPEG, and fits in 320x320.
// libvips and its decoders are Debian's (not instrumented): the coverage that guides the
// fuzzer is parley's own, the mutations still reach the decoders through the real calls.
#include <fcntl.h>
#include <unistd.h>
#include <vips/vips.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include "fuzz_check.hpp"
#include "media/image.hpp"

using namespace parley;

namespace {

std::string scratch_dir() {
  static const std::string dir = [] {
    char tmpl[] = "/tmp/parley-fuzz-image-XXXXXX";
    const char* d = mkdtemp(tmpl);
    if (!d) std::abort();
    return std::string(d);
  }();
  return dir;
}

bool write_file(const std::string& path, std::string_view bytes) {
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return false;
  bool ok = ::write(fd, bytes.data(), bytes.size()) == ssize_t(bytes.size());
  ::close(fd);
  return ok;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  std::string_view in = fuzz::as_view(data, size);
  std::string type = media::sniff_image_type(in.substr(0, 64));
  if (type.empty()) return 0;  // not an image: the upload path keeps it as a plain file
  const std::string path = scratch_dir() + "/in", thumb = scratch_dir() + "/thumb.jpg";
  FUZZ_CHECK(write_file(path, in));
  ::unlink(thumb.c_str());

  std::string error;
  auto info = media::inspect_image(path, error);
  if (!info) {
    FUZZ_CHECK(!error.empty());  // a refusal always says why
    return 0;
  }
  FUZZ_CHECK(info->width > 0 && info->height > 0);
  FUZZ_CHECK(std::int64_t(info->width) * info->height <= media::kMaxPixels);

  if (!media::make_thumbnail(path, thumb, 320, error)) {
    FUZZ_CHECK(!error.empty());
    return 0;
  }
  VipsImage* t = vips_image_new_from_file(thumb.c_str(), nullptr);
  FUZZ_CHECK(t != nullptr);
  FUZZ_CHECK(vips_image_get_width(t) <= 320 && vips_image_get_height(t) <= 320);
  g_object_unref(t);
  std::string thumb_head(4, '\0');
  FILE* f = std::fopen(thumb.c_str(), "rb");
  FUZZ_CHECK(f && std::fread(thumb_head.data(), 1, 4, f) == 4);
  std::fclose(f);
  FUZZ_CHECK(media::sniff_image_type(thumb_head) == "image/jpeg");
  return 0;
}
