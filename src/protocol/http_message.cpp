// SPDX-License-Identifier: MIT
#include "protocol/http_message.hpp"

#include <algorithm>
#include <charconv>

#include "util/json_text.hpp"

namespace parley::protocol {
namespace {

bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool contains_token(std::string_view list, std::string_view token) {
  while (!list.empty()) {
    auto comma = list.find(',');
    auto item = list.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    list.remove_prefix(comma + 1);
  }
  return false;
}

bool is_tchar(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

HttpParseResult fail(int status, std::string text) {
  return {HttpParseStatus::kError, 0, status, std::move(text)};
}

std::string_view reason(int status) {
  switch (status) {
    case 101:
      return "Switching Protocols";
    case 200:
      return "OK";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 426:
      return "Upgrade Required";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 503:
      return "Service Unavailable";
    default:
      return "Unknown";
  }
}

}  // namespace

std::string_view HttpRequest::header(std::string_view lower_name) const {
  for (const auto& [k, v] : headers)
    if (k == lower_name) return v;
  return {};
}

std::optional<std::string> HttpRequest::query_param(std::string_view name) const {
  std::string_view q = query;
  while (!q.empty()) {
    auto amp = q.find('&');
    auto pair = q.substr(0, amp);
    auto eq = pair.find('=');
    auto key = percent_decode(pair.substr(0, eq), true);
    if (key && *key == name)
      return eq == std::string_view::npos ? std::string()
                                          : percent_decode(pair.substr(eq + 1), true);
    if (amp == std::string_view::npos) break;
    q.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view in, bool plus_is_space) {
  std::string out;
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      // Exactly two hex digits (from_chars alone would also take a sign).
      if (i + 2 >= in.size() || !std::isxdigit(static_cast<unsigned char>(in[i + 1])) ||
          !std::isxdigit(static_cast<unsigned char>(in[i + 2])))
        return std::nullopt;
      int v = 0;
      std::from_chars(in.data() + i + 1, in.data() + i + 3, v, 16);
      out += char(v);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return out;
}

HttpParseResult parse_http_request(std::string_view buf, HttpRequest& out,
                                   const HttpLimits& limits) {
  auto end = buf.find("\r\n\r\n");
  if (end == std::string_view::npos) {
    if (buf.size() > limits.max_header_bytes) return fail(431, "request header too large");
    return {};
  }
  if (end + 4 > limits.max_header_bytes) return fail(431, "request header too large");
  std::string_view head = buf.substr(0, end);

  auto line_end = head.find("\r\n");
  std::string_view line = head.substr(0, line_end);
  auto sp1 = line.find(' ');
  auto sp2 = line.rfind(' ');
  if (sp1 == std::string_view::npos || sp2 == sp1) return fail(400, "malformed request line");
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (method.empty() || !std::all_of(method.begin(), method.end(), is_tchar))
    return fail(400, "malformed method");
  if (target.empty() ||
      target.find_first_of(std::string_view(" \r\n\0", 4)) != std::string_view::npos)
    return fail(400, "malformed target");
  if (version == "HTTP/1.1") {
    out.minor_version = 1;
  } else if (version == "HTTP/1.0") {
    out.minor_version = 0;
  } else {
    return fail(400, "unsupported HTTP version");
  }
  out.method.assign(method);
  out.target.assign(target);
  auto qpos = target.find('?');
  auto decoded = percent_decode(target.substr(0, qpos), false);
  if (!decoded) return fail(400, "malformed path");
  out.path = std::move(*decoded);
  out.query = qpos == std::string_view::npos ? std::string() : std::string(target.substr(qpos + 1));

  out.headers.clear();
  std::string_view rest =
      line_end == std::string_view::npos ? std::string_view() : head.substr(line_end + 2);
  while (!rest.empty()) {
    auto e = rest.find("\r\n");
    std::string_view h = rest.substr(0, e);
    rest = e == std::string_view::npos ? std::string_view() : rest.substr(e + 2);
    // A proxy in front may end lines at a bare CR or LF where we do not (RFC 9112 §2.2): a
    // header hidden from one of us could smuggle a request. Refuse rather than guess.
    if (h.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos)
      return fail(400, "bare CR, LF or NUL in a header");
    auto colon = h.find(':');
    if (colon == std::string_view::npos || colon == 0) return fail(400, "malformed header");
    std::string_view name = h.substr(0, colon);
    if (!std::all_of(name.begin(), name.end(), is_tchar)) return fail(400, "malformed header");
    std::string_view value = h.substr(colon + 1);
    while (!value.empty() && (value.front() == ' ' || value.front() == '\t'))
      value.remove_prefix(1);
    while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
    std::string lname(name);
    for (auto& ch : lname) ch = char(std::tolower(static_cast<unsigned char>(ch)));
    out.headers.emplace_back(std::move(lname), std::string(value));
    if (out.headers.size() > 100) return fail(431, "too many headers");
  }

  std::string_view connection = out.header("connection");
  out.keep_alive = out.minor_version == 1 ? !contains_token(connection, "close")
                                          : contains_token(connection, "keep-alive");

  // Any Transfer-Encoding line, even an empty one before a "chunked" one.
  for (const auto& h : out.headers)
    if (h.first == "transfer-encoding")
      return fail(501, "chunked request bodies are not supported; send Content-Length");
  // Exactly one Content-Length of digits, or none: a proxy that reads another one of several
  // (even equal ones: some join them into "5, 5") or an empty one differently frames another
  // body, so nothing ambiguous is taken.
  std::size_t body_len = 0;
  int lengths = 0;
  for (const auto& [k, cl] : out.headers) {
    if (k != "content-length") continue;
    if (++lengths > 1) return fail(400, "more than one Content-Length");
    auto r = std::from_chars(cl.data(), cl.data() + cl.size(), body_len);
    if (cl.empty() || r.ec != std::errc() || r.ptr != cl.data() + cl.size())
      return fail(400, "malformed Content-Length");
  }
  if (limits.head_only) return {HttpParseStatus::kComplete, end + 4, 0, {}, true, body_len};
  if (body_len > limits.max_body_bytes) return fail(413, "request body too large");
  std::size_t total = end + 4 + body_len;
  if (buf.size() < total) return {HttpParseStatus::kNeedMore, 0, 0, {}, true, body_len};
  out.body.assign(buf.substr(end + 4, body_len));
  return {HttpParseStatus::kComplete, total, 0, {}, true, body_len};
}

std::string serialize_response(const HttpResponse& r, bool keep_alive, bool head_only) {
  std::string out;
  out.reserve(256 + r.body.size());
  out += "HTTP/1.1 ";
  out += std::to_string(r.status);
  out += ' ';
  out += reason(r.status);
  out += "\r\nServer: parley\r\nAccess-Control-Allow-Origin: *\r\n";
  if (r.status != 204 && r.status != 304) {
    out += "Content-Type: ";
    out += r.content_type;
    out += "\r\nContent-Length: ";
    out += std::to_string(r.source ? r.source->size() : r.body.size());
    out += "\r\n";
  }
  for (const auto& [k, v] : r.headers) {
    out += k;
    out += ": ";
    out += v;
    out += "\r\n";
  }
  out += keep_alive ? "Connection: keep-alive\r\n\r\n" : "Connection: close\r\n\r\n";
  if (!head_only && r.status != 204 && r.status != 304 && !r.source) out += r.body;
  return out;
}

HttpResponse json_response(int status, std::string body) {
  HttpResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

HttpResponse code_response(int status, std::string_view code, std::string_view msg) {
  std::string body = "{\"code\":";
  util::append_json_string(body, code);
  body += ",\"msg\":";
  util::append_json_string(body, msg);
  body += '}';
  return json_response(status, std::move(body));
}

}  // namespace parley::protocol
