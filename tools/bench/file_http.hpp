// SPDX-License-Identifier: MIT
// The `files` scenario's transfers: one upload (POST /api/files, raw body) or one download
// (GET /api/files/{id}) per blocking connection, the body generated or checked on the fly from a
// seed (a 25 MiB file is never held in memory), so downloaded bytes are compared with what was
// uploaded without keeping either.
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>

namespace parley::bench {

// Pseudo-random bytes from a seed: byte i of the stream is a pure function of (seed, i), so any
// chunk can be produced or checked at any offset. Different seeds give unrelated bytes (no two
// uploads hash alike, nothing can be deduplicated).
class Payload {
 public:
  explicit Payload(std::uint64_t seed) : seed_(seed) {}
  void fill(std::uint64_t offset, char* out, std::size_t n) const;
  // True when `data` equals the stream's bytes at [offset, offset + n).
  bool matches(std::uint64_t offset, const char* data, std::size_t n) const;

 private:
  std::uint64_t word(std::uint64_t k) const;
  std::uint64_t seed_;
};

struct Transfer {
  int status = 0;           // HTTP status; 0 when no answer came
  std::string error;        // why it failed (empty on success)
  std::string id;           // upload: the file id the server answered
  std::uint64_t bytes = 0;  // body bytes sent (upload) or received (download)
  bool mismatch = false;    // download: a byte differed from the upload's
};

// Uploads `size` bytes of `payload` as `name` with `token`. Success: status 200 and an id.
Transfer upload_file(const std::string& host, std::uint16_t port, const std::string& token,
                     const std::string& name, const Payload& payload, std::uint64_t size);

// Downloads file `id` and compares it with `payload` (expected length `size`).
Transfer download_file(const std::string& host, std::uint16_t port, const std::string& token,
                       const std::string& id, const Payload& payload, std::uint64_t size);

}  // namespace parley::bench
