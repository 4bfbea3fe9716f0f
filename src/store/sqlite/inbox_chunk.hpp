// SPDX-License-Identifier: MIT
// The encoding of one inbox chunk: the message ids of consecutive seqs, ascending, as LEB128
// varints (the first id, then the differences). A user's ids are close together, so most
// entries take one to three bytes.
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "store/types.hpp"

namespace parley::store::sqlite {

std::string encode_chunk(const std::vector<MessageId>& ids);
// Appends the ids of `blob` to `out`. Throws std::runtime_error on a malformed blob (a
// corrupt database), which rolls back the batch that read it.
void decode_chunk(std::string_view blob, std::vector<MessageId>& out);

}  // namespace parley::store::sqlite
