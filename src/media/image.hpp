// SPDX-License-Identifier: MIT
// Images among uploads: recognised by their first bytes (never by the type the client claims),
// measured and thumbnailed with libvips (Debian's libvips-dev: fast, streaming, decoders that
// are fuzzed upstream; see docs/ARCHITECTURE.md). Hostile input — truncated files, lies about
// the format, decompression bombs — ends as an error, never a crash. Any thread.
#pragma once
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace parley::media {

// "image/jpeg", "image/png", "image/gif" or "image/webp" when the bytes start like one; empty.
std::string sniff_image_type(std::string_view head);

struct ImageInfo {
  int width = 0, height = 0;
};

// The size of the image at `path` after decoding it whole (a file that does not decode is
// refused here, with `error` set). Images above kMaxPixels are refused unread.
inline constexpr std::int64_t kMaxPixels = 50'000'000;
std::optional<ImageInfo> inspect_image(const std::string& path, std::string& error);

// A JPEG thumbnail at most `side` pixels wide and high at `dest`; false (and `error`) on failure.
bool make_thumbnail(const std::string& path, const std::string& dest, int side, std::string& error);

}  // namespace parley::media
