// SPDX-License-Identifier: MIT
#include "api/file_api.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>

#include "api/file_upload.hpp"
#include "auth/file_link.hpp"
#include "auth/revocations.hpp"
#include "hub/services.hpp"
#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/ascii.hpp"
#include "util/clock.hpp"

namespace parley::api {
namespace code = protocol::code;
using protocol::code_response;
using protocol::HttpRequest;
using protocol::HttpResponse;

namespace {

constexpr std::string_view kPrefix = "/api/files/";

HttpResponse not_found() {
  // The same answer whether it does not exist or is someone else's: nothing is learnt.
  return code_response(404, code::kNotFound, "no such file");
}

// A file read from `offset` for `length` bytes, as the socket takes it.
class FileSource final : public protocol::BodySource {
 public:
  FileSource(int fd, std::size_t offset, std::size_t length)
      : fd_(fd), offset_(offset), length_(length) {}
  ~FileSource() override { ::close(fd_); }
  std::size_t size() const override { return length_; }
  bool read(std::string& out, std::size_t max) override {
    std::size_t at = out.size();
    out.resize(at + max);
    ssize_t n = ::pread(fd_, out.data() + at, max, off_t(offset_));
    if (n <= 0) {
      out.resize(at);
      return false;
    }
    out.resize(at + std::size_t(n));
    offset_ += std::size_t(n);
    return true;
  }

 private:
  int fd_;
  std::size_t offset_, length_;
};

// Types a browser could run or render as a page are never sent as themselves.
bool is_active_type(std::string_view t) {
  for (std::string_view bad : {"text/html", "application/xhtml", "image/svg", "text/xml",
                               "application/xml", "text/javascript", "application/javascript",
                               "application/x-shockwave", "application/pdf", "multipart/"})
    if (t.substr(0, bad.size()) == bad) return true;
  return false;
}

bool is_image(std::string_view t) {
  return t == "image/jpeg" || t == "image/png" || t == "image/gif" || t == "image/webp";
}

// RFC 6266 / 5987: an ASCII fallback and the UTF-8 name.
std::string disposition(bool inline_ok, const std::string& name) {
  std::string ascii, encoded;
  static const char* hex = "0123456789ABCDEF";
  for (unsigned char c : name) {
    ascii += (c >= 0x20 && c < 0x7F && c != '"' && c != '\\') ? char(c) : '_';
    if (std::isalnum(c) || c == '.' || c == '-' || c == '_') {
      encoded += char(c);
    } else {
      encoded += '%';
      encoded += hex[c >> 4];
      encoded += hex[c & 15];
    }
  }
  return std::string(inline_ok ? "inline" : "attachment") + "; filename=\"" + ascii +
         "\"; filename*=UTF-8''" + encoded;
}

// "bytes=A-B", "bytes=A-", "bytes=-N" (one range); false when absent or several (the whole
// file then). `bad` when it cannot be satisfied.
bool parse_range(std::string_view h, std::size_t size, std::size_t& from, std::size_t& to,
                 bool& bad) {
  bad = false;
  if (h.substr(0, 6) != "bytes=" || h.find(',') != std::string_view::npos) return false;
  h.remove_prefix(6);
  auto dash = h.find('-');
  if (dash == std::string_view::npos) return bad = true, false;
  auto num = [](std::string_view s, std::size_t& v) {
    auto r = std::from_chars(s.data(), s.data() + s.size(), v);
    return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
  };
  std::string_view a = h.substr(0, dash), b = h.substr(dash + 1);
  std::size_t x = 0, y = 0;
  if (a.empty()) {
    if (!num(b, y) || y == 0 || size == 0) return bad = true, false;
    from = y >= size ? 0 : size - y;
    to = size - 1;
    return true;
  }
  if (!num(a, x) || x >= size) return bad = true, false;
  from = x;
  to = size - 1;
  if (!b.empty()) {
    if (!num(b, y) || y < x) return bad = true, false;
    to = std::min(y, size - 1);
  }
  return true;
}

}  // namespace

FileApi::FileApi(hub::Services& svc, std::string files_dir)
    : svc_(svc), blobs_(std::move(files_dir)), uploads_(svc.config.limits.uploads_per_minute) {
  blobs_.clear_tmp();
}

FileApi::~FileApi() {
  pool_.join();
}

void FileApi::note_usage(std::int64_t uid, std::int64_t bytes) {
  std::lock_guard lock(mutex_);
  usage_[uid] = bytes;
}

void FileApi::forget_usage(std::int64_t uid) {
  std::lock_guard lock(mutex_);
  usage_.erase(uid);
}

std::int64_t FileApi::known_usage(std::int64_t uid) const {
  std::lock_guard lock(mutex_);
  auto it = usage_.find(uid);
  return it == usage_.end() ? 0 : it->second;
}

std::optional<auth::TokenClaims> FileApi::authorize(const HttpRequest& req) const {
  std::string token(req.header("w-token"));
  if (token.empty()) {
    std::string_view a = req.header("authorization");
    if (a.substr(0, 7) == "Bearer ") token = a.substr(7);
  }
  if (token.empty()) {
    // Cookie: ...; parley_files=TOKEN; ...
    std::string_view c = req.header("cookie");
    std::string key = std::string(kCookie) + "=";
    for (std::size_t at = 0; at < c.size();) {
      while (at < c.size() && (c[at] == ' ' || c[at] == ';')) ++at;
      auto end = c.find(';', at);
      std::string_view part = c.substr(at, end == std::string_view::npos ? end : end - at);
      if (part.substr(0, key.size()) == key) token = part.substr(key.size());
      at = end == std::string_view::npos ? c.size() : end + 1;
    }
  }
  if (token.empty()) return std::nullopt;
  auto claims = svc_.tokens->verify(token, util::now_s());
  if (!claims || svc_.revocations->is_revoked(*claims)) return std::nullopt;
  return claims;
}

std::unique_ptr<protocol::BodySink> FileApi::open_upload(const HttpRequest& head,
                                                         std::optional<HttpResponse>& refusal) {
  auto who = authorize(head);
  if (!who) {
    refusal = code_response(401, code::kUnauthorized, "invalid or revoked token");
    return nullptr;
  }
  const auto& l = svc_.config.limits;
  std::size_t length = 0;
  std::string_view cl = head.header("content-length");
  std::from_chars(cl.data(), cl.data() + cl.size(), length);
  if (cl.empty()) {
    refusal = code_response(411, code::kBadFormat, "send the file with a Content-Length");
    return nullptr;
  }
  std::string_view type = head.header("content-type");
  std::optional<std::string> boundary;
  if (util::ascii_lower(type.substr(0, 10)) == "multipart/") {
    boundary = protocol::multipart_boundary(type);
    if (!boundary) {
      refusal = code_response(415, code::kBadFormat,
                              "send the file's bytes as the body, or a multipart/form-data form "
                              "with a boundary");
      return nullptr;
    }
  }
  // A form carries its file plus some headers and fields: allowed that much on top.
  const std::int64_t overhead = boundary ? kFormOverheadBytes : 0;
  if (std::int64_t(length) > l.max_file_bytes + overhead) {
    refusal =
        code_response(413, code::kTooLarge,
                      "file too large (at most " + std::to_string(l.max_file_bytes) + " bytes)");
    return nullptr;
  }
  if (known_usage(who->uid) + std::int64_t(length) - overhead > l.user_quota_bytes) {
    // This node's figure may be stale (another node's sweep freed some): the next try asks the
    // store, which decides.
    forget_usage(who->uid);
    refusal = code_response(413, code::kOverQuota, "your storage quota is full");
    return nullptr;
  }
  std::string key = std::to_string(who->uid);
  if (!uploads_.try_reserve(key, util::mono_ms())) {  // counts uploads, not failures
    refusal = code_response(429, code::kTooManyAttempts, "too many uploads; wait a minute");
    return nullptr;
  }
  std::optional<std::string> name = "file";
  if (!boundary && !head.header("x-file-name").empty())
    name = clean_file_name(head.header("x-file-name"));
  if (!name) {
    refusal = code_response(400, code::kBadFormat,
                            "X-File-Name must be a percent-encoded UTF-8 file name");
    return nullptr;
  }
  auto writer = blobs_.begin();
  if (!writer) {
    refusal = code_response(507, code::kInternal, "the files folder is not writable");
    return nullptr;
  }
  if (boundary)
    return std::make_unique<FormUploadSink>(*this, *who, std::move(*boundary), std::move(writer),
                                            l.max_file_bytes);
  return std::make_unique<UploadSink>(*this, *who, *name, std::string(type), std::move(writer));
}

bool FileApi::handle(const HttpRequest& req, Responder& respond) {
  const std::string& p = req.path;
  bool get = req.method == "GET" || req.method == "HEAD";
  if (p.rfind(kPrefix, 0) != 0) return false;
  std::string rest = p.substr(kPrefix.size());
  bool thumb = rest.size() > 6 && rest.substr(rest.size() - 6) == "/thumb";
  std::string id = thumb ? rest.substr(0, rest.size() - 6) : rest;
  bool download_path = get && !id.empty() && id.size() <= 64 && id.find('/') == std::string::npos &&
                       id != "limits" && id != "cookie";
  auto who = authorize(req);
  if (!who && download_path) who = link_reader(req, id);
  if (!who) {
    respond(code_response(401, code::kUnauthorized, "invalid or revoked token"));
    return true;
  }
  if (rest == "limits" && get) return limits(*who, std::move(respond)), true;
  if (rest == "cookie" && req.method == "POST") return cookie(req, *who, std::move(respond)), true;
  if (!download_path) return false;
  download(req, *who, std::move(id), thumb, std::move(respond));
  return true;
}

std::optional<auth::TokenClaims> FileApi::link_reader(const HttpRequest& req,
                                                      std::string_view id) const {
  auto u = req.query_param("u"), g = req.query_param("g"), e = req.query_param("e"),
       s = req.query_param("s");
  if (!u || !g || !e || !s) return std::nullopt;
  auto r = svc_.file_links->reader(id, {*u, *g, *e, *s}, util::now_s());
  if (!r) return std::nullopt;
  auth::TokenClaims claims;
  claims.uid = r->uid;
  claims.gen = r->gen;
  if (svc_.revocations->is_revoked(claims)) return std::nullopt;  // logged out everywhere
  return claims;
}

void FileApi::limits(const auth::TokenClaims& who, Responder respond) {
  svc_.store->file_usage(who.uid, [this, uid = who.uid, respond = std::move(respond)](auto r) {
    auto* used = std::get_if<std::int64_t>(&r);
    if (!used) return respond(code_response(503, code::kUnavailable, "store unavailable"));
    note_usage(uid, *used);
    const auto& l = svc_.config.limits;
    respond(protocol::json_response(
        200, "{\"code\":\"2000\",\"max_file_bytes\":" + std::to_string(l.max_file_bytes) +
                 ",\"quota_bytes\":" + std::to_string(l.user_quota_bytes) +
                 ",\"used_bytes\":" + std::to_string(*used) + "}"));
  });
}

void FileApi::cookie(const HttpRequest& req, const auth::TokenClaims& who, Responder respond) {
  std::string token(req.header("w-token"));
  std::string_view a = req.header("authorization");
  if (token.empty() && a.substr(0, 7) == "Bearer ") token = a.substr(7);
  if (token.empty())
    return respond(code_response(400, code::kBadFormat, "send the token in w-token"));
  HttpResponse r = code_response(200, code::kOk, "ok");
  std::int64_t age = std::max<std::int64_t>(0, who.exp - util::now_s());
  r.headers.emplace_back("Set-Cookie", std::string(kCookie) + "=" + token +
                                           "; Path=/api/files; HttpOnly; SameSite=Strict; "
                                           "Max-Age=" +
                                           std::to_string(age) +
                                           (svc_.config.tls_cert.empty() ? "" : "; Secure"));
  respond(std::move(r));
}

void FileApi::download(const HttpRequest& req, const auth::TokenClaims& who, std::string id,
                       bool thumb, Responder respond) {
  std::string range(req.header("range")), etag_in(req.header("if-none-match"));
  svc_.store->readable_file(
      who.uid, std::move(id), [this, thumb, range, etag_in, respond = std::move(respond)](auto r) {
        auto* f = std::get_if<store::FileRecord>(&r);
        if (!f) {
          if (std::get<store::StoreError>(r) == store::StoreError::kNotFound)
            return respond(not_found());
          return respond(code_response(503, code::kUnavailable, "store unavailable"));
        }
        if (thumb && !f->thumb) return respond(not_found());
        if (!media::is_sha256_hex(f->sha256)) return respond(not_found());
        std::string path = thumb ? blobs_.thumb_path(f->sha256) : blobs_.path(f->sha256);
        int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
        if (fd < 0) return respond(not_found());
        off_t end = ::lseek(fd, 0, SEEK_END);
        std::size_t size = end < 0 ? 0 : std::size_t(end);
        std::string type = thumb ? "image/jpeg" : f->type;
        std::string etag = "\"" + f->sha256 + (thumb ? "-t" : "") + "\"";
        HttpResponse resp;
        resp.content_type = is_active_type(type) ? "application/octet-stream" : type;
        resp.headers = {{"ETag", etag},
                        {"Cache-Control", "private, max-age=31536000, immutable"},
                        {"X-Content-Type-Options", "nosniff"},
                        {"Content-Security-Policy", "sandbox; default-src 'none'"},
                        {"Accept-Ranges", "bytes"},
                        {"Content-Disposition", disposition(thumb || is_image(type), f->name)}};
        if (!etag_in.empty() && etag_in == etag) {
          ::close(fd);
          resp.status = 304;
          return respond(std::move(resp));
        }
        std::size_t from = 0, to = size ? size - 1 : 0;
        bool bad = false;
        bool ranged = parse_range(range, size, from, to, bad);
        if (bad) {
          ::close(fd);
          HttpResponse r416 = code_response(416, code::kBadFormat, "range not satisfiable");
          r416.headers.emplace_back("Content-Range", "bytes */" + std::to_string(size));
          return respond(std::move(r416));
        }
        if (ranged) {
          resp.status = 206;
          resp.headers.emplace_back("Content-Range", "bytes " + std::to_string(from) + "-" +
                                                         std::to_string(to) + "/" +
                                                         std::to_string(size));
        }
        resp.source = std::make_shared<FileSource>(fd, from, size ? to - from + 1 : 0);
        respond(std::move(resp));
      });
}

}  // namespace parley::api
