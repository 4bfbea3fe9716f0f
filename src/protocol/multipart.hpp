// SPDX-License-Identifier: MIT
// multipart/form-data (RFC 7578) read as a stream, for uploads from plain HTML forms: the body is
// fed in pieces as it arrives and the bytes of the one file part come out as they pass, so
// memory stays bounded (a part's headers at most kMaxHeaderBytes, plus one delimiter's length
// held back in case it is split between pieces). Parts without a filename (text fields) are
// skipped; a second file part is an error. Not thread-safe: owned by one request.
#pragma once
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace parley::protocol {

// The boundary of a `multipart/form-data; boundary=...` Content-Type (quoted or not, 1..70
// characters as RFC 2046 allows); nullopt for any other type or a bad boundary.
std::optional<std::string> multipart_boundary(std::string_view content_type);

class MultipartReader {
 public:
  static constexpr std::size_t kMaxHeaderBytes = 8192;

  struct FilePart {
    std::string name;  // the filename parameter as sent (filename* preferred), not cleaned
    std::string type;  // the part's Content-Type ("application/octet-stream" when absent)
  };
  // Called as the stream is read: the file part begins (its headers), then its bytes in order.
  // Returning false from either stops the reader (feed answers kStopped).
  class Handler {
   public:
    virtual ~Handler() = default;
    virtual bool on_file(FilePart part) = 0;
    virtual bool on_data(std::string_view bytes) = 0;
  };

  enum class Status { kOk, kStopped, kError };

  explicit MultipartReader(std::string boundary);

  // The next bytes of the body. kError: malformed (error() says how); nothing more is read.
  Status feed(std::string_view chunk, Handler& handler);
  // The body is over: kOk only if the closing delimiter was seen and a file part was found.
  Status finish();
  const std::string& error() const { return error_; }
  bool saw_file() const { return saw_file_; }

 private:
  enum class State { kPreamble, kAfterDelimiter, kHeaders, kBody, kEpilogue, kFailed };
  Status fail(std::string why);
  // Consumes what it can of pending_; false when it needs more bytes.
  bool step(Handler& handler, Status& status);
  Status on_headers(Handler& handler);

  std::string delimiter_;  // "\r\n--" + boundary
  std::string pending_;    // bytes not consumed yet (bounded)
  State state_ = State::kPreamble;
  bool in_file_ = false;  // the current part is the file
  bool saw_file_ = false;
  std::string error_;
};

}  // namespace parley::protocol
