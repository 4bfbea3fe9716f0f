// SPDX-License-Identifier: MIT
// The encoding of one inbox chunk: the message ids of consecutive seqs, ascending, as LEB128
// varints (the first id, then the differences). A user's ids are close together, so most
// entries take one to three bytes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "store/sqlite/statement.hpp"
#include "store/types.hpp"

namespace parley::store::sqlite {

std::string encode_chunk(const std::vector<MessageId>& ids);
// Appends the ids of `blob` to `out`. Throws std::runtime_error on a malformed blob (a
// corrupt database), which rolls back the batch that read it.
void decode_chunk(std::string_view blob, std::vector<MessageId>& out);

// Bound to (user, first_seq, last_seq, msgs) by insert_chunks.
inline constexpr std::string_view kInsertChunkSql =
    "INSERT INTO inbox_chunks(user, first_seq, last_seq, msgs) VALUES(?1, ?2, ?3, ?4)";

// Writes the user's consecutive seqs first.. (message ids `ids`) with `insert` (kInsertChunkSql),
// as rows of at most 4,096 entries, so that no read decodes more than that for one page.
void insert_chunks(Statement& insert, UserId user, Seq first, const std::vector<MessageId>& ids);

}  // namespace parley::store::sqlite
