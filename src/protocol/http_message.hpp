// SPDX-License-Identifier: MIT
// A small, strict HTTP/1.1 request parser and response writer. parley's HTTP surface is a JSON
// API plus static files, so the parser accepts only what that needs: Content-Length bodies (no
// chunked uploads), bounded header and body sizes, and it never reads past one request.
#pragma once
#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace parley::protocol {

struct HttpRequest {
  std::string method;
  std::string target;  // as sent: path plus optional ?query
  std::string path;    // percent-decoded path
  std::string query;   // raw query string, without '?'
  int minor_version = 1;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  bool keep_alive = true;

  // Value of header `lower_name`, or empty.
  std::string_view header(std::string_view lower_name) const;
  // Decoded value of query parameter `name`.
  std::optional<std::string> query_param(std::string_view name) const;
};

enum class HttpParseStatus { kComplete, kNeedMore, kError };

struct HttpParseResult {
  HttpParseStatus status = HttpParseStatus::kNeedMore;
  std::size_t consumed = 0;    // bytes of `buf` the complete request used
  int error_status = 0;        // HTTP status to answer with on kError (400, 413, 431, 501...)
  std::string error;           // human text for the error body
  bool head_complete = false;  // kNeedMore: the head is in, the body is not (yet)
  std::size_t body_length = 0;  // Content-Length (0 without one); set once the head is in
};

struct HttpLimits {
  std::size_t max_header_bytes = 8192;
  std::size_t max_body_bytes = 64 * 1024;
  // Stop after the head: kComplete with `consumed` = the head's bytes and `body_length` set,
  // the body neither read nor limited (a body the handler streams, see BodySink).
  bool head_only = false;
};

// Parses one request from the start of `buf` into `out`.
HttpParseResult parse_http_request(std::string_view buf, HttpRequest& out,
                                   const HttpLimits& limits);

// Percent-decoding; '+' becomes a space when `plus_is_space`. nullopt on a bad escape.
std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space);

// A response body read piece by piece as the socket drains (a file download), instead of held
// whole in `HttpResponse::body`. Read on the connection's thread.
class BodySource {
 public:
  virtual ~BodySource() = default;
  virtual std::size_t size() const = 0;  // bytes it will give in all
  // Appends up to `max` next bytes to `out`; false on a read error (the connection is closed).
  virtual bool read(std::string& out, std::size_t max) = 0;
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // extra headers
  std::shared_ptr<BodySource> source;  // set: the body (Content-Length = its size), not `body`
};

// Status line, CORS and length headers, extra headers and body.
std::string serialize_response(const HttpResponse& r, bool keep_alive, bool head_only = false);

// {"code":..,"msg":..} with the given HTTP status.
HttpResponse json_response(int status, std::string body);
HttpResponse code_response(int status, std::string_view code, std::string_view msg);

}  // namespace parley::protocol
