// SPDX-License-Identifier: MIT
#include "protocol/multipart.hpp"

#include <vector>

#include "protocol/http_message.hpp"
#include "util/ascii.hpp"

namespace parley::protocol {
namespace {

// `; key=value; key="quoted \" value"` parameters after a header's first token, keys lower-case.
// Splits on ';' outside quotes.
std::vector<std::pair<std::string, std::string>> parameters(std::string_view v) {
  std::vector<std::pair<std::string, std::string>> out;
  std::size_t i = v.find(';');
  while (i != std::string_view::npos && i < v.size()) {
    ++i;
    std::size_t eq = v.find('=', i);
    if (eq == std::string_view::npos) break;
    std::string key = util::ascii_lower(util::trim_blanks(v.substr(i, eq - i)));
    std::size_t j = eq + 1;
    while (j < v.size() && (v[j] == ' ' || v[j] == '\t')) ++j;
    std::string value;
    if (j < v.size() && v[j] == '"') {
      for (++j; j < v.size() && v[j] != '"'; ++j) {
        if (v[j] == '\\' && j + 1 < v.size()) ++j;
        value += v[j];
      }
      i = v.find(';', j);
    } else {
      std::size_t end = v.find(';', j);
      value = std::string(
          util::trim_blanks(v.substr(j, end == std::string_view::npos ? v.npos : end - j)));
      i = end;
    }
    out.emplace_back(std::move(key), std::move(value));
  }
  return out;
}

// RFC 5987 `filename*=UTF-8''percent-encoded` (other charsets are not accepted).
std::optional<std::string> extended_value(std::string_view v) {
  auto q = v.find("''");
  if (q == std::string_view::npos || !util::iequals(v.substr(0, q), "utf-8")) return std::nullopt;
  return percent_decode(v.substr(q + 2), false);
}

}  // namespace

std::optional<std::string> multipart_boundary(std::string_view content_type) {
  std::string_view type = util::trim_blanks(content_type.substr(0, content_type.find(';')));
  if (!util::iequals(type, "multipart/form-data")) return std::nullopt;
  for (auto& [key, value] : parameters(content_type)) {
    if (key != "boundary") continue;
    if (value.empty() || value.size() > 70 || value.back() == ' ') return std::nullopt;
    for (char c : value)
      if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) > 0x7e)
        return std::nullopt;
    return value;
  }
  return std::nullopt;
}

// The body is read as if it began with CRLF, so the first delimiter looks like every other.
MultipartReader::MultipartReader(std::string boundary)
    : delimiter_("\r\n--" + std::move(boundary)), pending_("\r\n") {}

MultipartReader::Status MultipartReader::fail(std::string why) {
  state_ = State::kFailed;
  error_ = std::move(why);
  pending_.clear();
  return Status::kError;
}

MultipartReader::Status MultipartReader::feed(std::string_view chunk, Handler& handler) {
  if (state_ == State::kFailed) return Status::kError;
  if (state_ == State::kEpilogue) return Status::kOk;  // after the closing delimiter: ignored
  pending_.append(chunk);
  Status status = Status::kOk;
  while (step(handler, status)) {
    if (status != Status::kOk) return status;
  }
  return status;
}

bool MultipartReader::step(Handler& handler, Status& status) {
  switch (state_) {
    case State::kPreamble:
    case State::kBody: {
      std::size_t at = pending_.find(delimiter_);
      // Without a delimiter, all but its length - 1 bytes are certainly part data.
      std::size_t safe = at != std::string::npos ? at
                         : pending_.size() >= delimiter_.size()
                             ? pending_.size() - (delimiter_.size() - 1)
                             : 0;
      if (state_ == State::kBody && in_file_ && safe > 0 &&
          !handler.on_data(std::string_view(pending_).substr(0, safe))) {
        status = Status::kStopped;
        return true;
      }
      if (at == std::string::npos) {
        pending_.erase(0, safe);
        return false;
      }
      pending_.erase(0, at + delimiter_.size());
      in_file_ = false;
      state_ = State::kAfterDelimiter;
      return true;
    }
    case State::kAfterDelimiter: {
      if (pending_.size() < 2) return false;
      if (pending_.compare(0, 2, "--") == 0) {
        state_ = State::kEpilogue;
        pending_.clear();
        return false;
      }
      // Transport padding (spaces, tabs) may follow a delimiter before its CRLF.
      std::size_t crlf = pending_.find("\r\n");
      std::size_t pad = pending_.find_first_not_of(" \t");
      if (crlf == std::string::npos) {
        if (pad != std::string::npos || pending_.size() > 256) {
          status = fail("malformed boundary line");
          return true;
        }
        return false;
      }
      if (pad != crlf) {
        status = fail("malformed boundary line");
        return true;
      }
      pending_.erase(0, crlf + 2);
      state_ = State::kHeaders;
      return true;
    }
    case State::kHeaders: {
      // Headers end at an empty line; a part may have none (then the body starts at once).
      std::size_t end = pending_.compare(0, 2, "\r\n") == 0 ? 0 : pending_.find("\r\n\r\n");
      if (end == std::string::npos) {
        if (pending_.size() > kMaxHeaderBytes) {
          status = fail("a part's headers are too long");
          return true;
        }
        return false;
      }
      if (end > kMaxHeaderBytes) {
        status = fail("a part's headers are too long");
        return true;
      }
      status = on_headers(handler);
      return true;
    }
    case State::kEpilogue:
      pending_.clear();
      return false;
    case State::kFailed:
      return false;
  }
  return false;
}

// pending_ starts with the part's header lines up to an empty line.
MultipartReader::Status MultipartReader::on_headers(Handler& handler) {
  std::size_t end = pending_.compare(0, 2, "\r\n") == 0 ? 0 : pending_.find("\r\n\r\n") + 2;
  std::string_view block = std::string_view(pending_).substr(0, end);
  std::optional<std::string> filename, filename_ext;
  std::string type = "application/octet-stream";
  bool form_data = false;
  while (!block.empty()) {
    std::size_t eol = block.find("\r\n");
    std::string_view line = block.substr(0, eol);
    block.remove_prefix(eol + 2);
    std::size_t colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail("malformed part header");
    std::string_view name = util::trim_blanks(line.substr(0, colon)),
                     value = util::trim_blanks(line.substr(colon + 1));
    if (util::iequals(name, "content-disposition")) {
      form_data = util::iequals(util::trim_blanks(value.substr(0, value.find(';'))), "form-data");
      for (auto& [key, v] : parameters(value)) {
        if (key == "filename") filename = v;
        if (key == "filename*") filename_ext = extended_value(v);
      }
    } else if (util::iequals(name, "content-type")) {
      type = std::string(value);
    }
  }
  pending_.erase(0, end + 2);
  state_ = State::kBody;
  if (!form_data) return fail("a part without Content-Disposition: form-data");
  if (filename_ext) filename = filename_ext;
  // A browser sends an empty filename for a file input left empty: no file in it.
  if (!filename || filename->empty()) return Status::kOk;
  if (saw_file_) return fail("more than one file in the form; send one at a time");
  saw_file_ = in_file_ = true;
  if (!handler.on_file(FilePart{std::move(*filename), std::move(type)})) return Status::kStopped;
  return Status::kOk;
}

MultipartReader::Status MultipartReader::finish() {
  if (state_ == State::kFailed) return Status::kError;
  if (state_ != State::kEpilogue) return fail("the form ended before its closing boundary");
  if (!saw_file_) return fail("no file in the form");
  return Status::kOk;
}

}  // namespace parley::protocol
