// SPDX-License-Identifier: MIT
#include "store/sqlite/inbox_chunk.hpp"

#include <algorithm>
#include <cstdint>
#include <stdexcept>

namespace parley::store::sqlite {

namespace {

void put_varint(std::string& out, std::uint64_t v) {
  while (v >= 0x80) {
    out.push_back(char(std::uint8_t(v) | 0x80));
    v >>= 7;
  }
  out.push_back(char(v));
}

}  // namespace

std::string encode_chunk(const std::vector<MessageId>& ids) {
  std::string out;
  out.reserve(ids.size() * 2 + 8);
  MessageId prev = 0;
  for (MessageId id : ids) {
    put_varint(out, std::uint64_t(id - prev));
    prev = id;
  }
  return out;
}

void decode_chunk(std::string_view blob, std::vector<MessageId>& out) {
  MessageId prev = 0;
  std::uint64_t v = 0;
  int shift = 0;
  for (char ch : blob) {
    auto b = std::uint8_t(ch);
    if (shift > 56) throw std::runtime_error("inbox chunk: varint too long");
    v |= std::uint64_t(b & 0x7f) << shift;
    if (b & 0x80) {
      shift += 7;
      continue;
    }
    prev += MessageId(v);
    out.push_back(prev);
    v = 0;
    shift = 0;
  }
  if (shift != 0) throw std::runtime_error("inbox chunk: truncated varint");
}

void insert_chunks(Statement& insert, UserId user, Seq first, const std::vector<MessageId>& ids) {
  constexpr std::size_t kMaxChunk = 4096;
  for (std::size_t at = 0; at < ids.size(); at += kMaxChunk) {
    std::size_t n = std::min(kMaxChunk, ids.size() - at);
    std::vector<MessageId> part(ids.begin() + std::ptrdiff_t(at),
                                ids.begin() + std::ptrdiff_t(at + n));
    Seq f = first + Seq(at);
    insert.bind(1, user).bind(2, f).bind(3, f + Seq(n) - 1);
    insert.bind_blob(4, encode_chunk(part)).run();
  }
}

}  // namespace parley::store::sqlite
