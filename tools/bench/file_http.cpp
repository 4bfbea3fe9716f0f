// SPDX-License-Identifier: MIT
#include "file_http.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "client/socket.hpp"

namespace parley::bench {
namespace {

constexpr int kTimeoutMs = 60000;           // no progress for this long: the transfer failed
constexpr std::size_t kChunk = 256 * 1024;  // bytes per send / recv

void set_send_timeout(int fd) {
  timeval tv{kTimeoutMs / 1000, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

// Up to `cap` bytes into `out`; 0 when the server closed. Throws on time-out or error.
std::size_t recv_some(int fd, char* out, std::size_t cap) {
  pollfd p{fd, POLLIN, 0};
  for (;;) {
    int r = ::poll(&p, 1, kTimeoutMs);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) throw std::runtime_error("timeout waiting for the server");
    if (r < 0) throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    break;
  }
  ssize_t n;
  do n = ::recv(fd, out, cap, 0);
  while (n < 0 && errno == EINTR);
  if (n < 0 && errno == ECONNRESET) return 0;
  if (n < 0) throw std::runtime_error(std::string("recv: ") + std::strerror(errno));
  return std::size_t(n);
}

struct Head {
  int status = 0;
  bool has_length = false;
  std::uint64_t length = 0;
  std::string body_start;  // body bytes that came with the head
};

Head read_head(int fd) {
  std::string buf;
  char tmp[16384];
  std::size_t end;
  while ((end = buf.find("\r\n\r\n")) == std::string::npos) {
    if (buf.size() > 65536) throw std::runtime_error("answer head too large");
    std::size_t n = recv_some(fd, tmp, sizeof tmp);
    if (n == 0) throw std::runtime_error("connection closed before the answer");
    buf.append(tmp, n);
  }
  std::string head = buf.substr(0, end);
  for (auto& c : head) c = char(std::tolower(static_cast<unsigned char>(c)));
  if (head.size() < 12 || head.compare(0, 5, "http/") != 0)
    throw std::runtime_error("malformed HTTP answer");
  Head h;
  h.status = std::stoi(head.substr(9, 3));
  std::size_t cl = head.find("\r\ncontent-length:");
  if (cl != std::string::npos) {
    h.has_length = true;
    h.length = std::stoull(head.substr(cl + 17));
  }
  h.body_start = buf.substr(end + 4);
  return h;
}

// The rest of a small body (a JSON answer).
std::string read_small_body(int fd, Head& h) {
  std::string body = std::move(h.body_start);
  char tmp[16384];
  while (!h.has_length || body.size() < h.length) {
    std::size_t n = recv_some(fd, tmp, sizeof tmp);
    if (n == 0) break;
    body.append(tmp, n);
  }
  return body;
}

std::string request_head(const std::string& method, const std::string& target,
                         const std::string& host, std::uint16_t port, const std::string& token) {
  return method + " " + target + " HTTP/1.1\r\nHost: " + host + ":" + std::to_string(port) +
         "\r\nConnection: close\r\nw-token: " + token + "\r\n";
}

}  // namespace

std::uint64_t Payload::word(std::uint64_t k) const {
  // splitmix64 of (seed, k)
  std::uint64_t z = seed_ + (k + 1) * 0x9E3779B97F4A7C15ull;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

void Payload::fill(std::uint64_t offset, char* out, std::size_t n) const {
  while (n > 0) {
    std::uint64_t w = word(offset / 8);
    std::size_t skip = offset % 8, take = std::min<std::size_t>(8 - skip, n);
    char bytes[8];
    std::memcpy(bytes, &w, 8);
    std::memcpy(out, bytes + skip, take);
    out += take;
    offset += take;
    n -= take;
  }
}

bool Payload::matches(std::uint64_t offset, const char* data, std::size_t n) const {
  char expected[16384];
  while (n > 0) {
    std::size_t take = std::min(n, sizeof expected);
    fill(offset, expected, take);
    if (std::memcmp(expected, data, take) != 0) return false;
    offset += take;
    data += take;
    n -= take;
  }
  return true;
}

Transfer upload_file(const std::string& host, std::uint16_t port, const std::string& token,
                     const std::string& name, const Payload& payload, std::uint64_t size) {
  Transfer t;
  try {
    auto s = client::Socket::connect(host, port);
    set_send_timeout(s.fd());
    s.send_all(request_head("POST", "/api/files", host, port, token) +
               "Content-Type: application/octet-stream\r\nX-File-Name: " + name +
               "\r\nContent-Length: " + std::to_string(size) + "\r\n\r\n");
    std::vector<char> buf(kChunk);
    std::string send_error;
    try {
      while (t.bytes < size) {
        std::size_t n = std::size_t(std::min<std::uint64_t>(kChunk, size - t.bytes));
        payload.fill(t.bytes, buf.data(), n);
        s.send_all({buf.data(), n});
        t.bytes += n;
      }
    } catch (const std::exception& e) {
      send_error = e.what();  // the server may have refused early: read its answer
    }
    Head h = read_head(s.fd());
    t.status = h.status;
    std::string body = read_small_body(s.fd(), h);
    if (t.status != 200) {
      t.error = "upload: HTTP " + std::to_string(t.status) + " " + body.substr(0, 200);
      return t;
    }
    if (!send_error.empty()) {
      t.error = "upload: " + send_error;
      return t;
    }
    boost::system::error_code ec;
    auto v = boost::json::parse(body, ec);
    const boost::json::value* file = nullptr;
    if (!ec && v.is_object()) file = v.as_object().if_contains("file");
    const boost::json::value* id =
        file && file->is_object() ? file->as_object().if_contains("id") : nullptr;
    const boost::json::value* sz =
        file && file->is_object() ? file->as_object().if_contains("size") : nullptr;
    if (!id || !id->is_string()) {
      t.error = "upload: no file id in " + body.substr(0, 200);
      return t;
    }
    if (!sz || !sz->is_int64() || std::uint64_t(sz->as_int64()) != size) {
      t.error = "upload: the answer's size is not " + std::to_string(size);
      return t;
    }
    t.id = std::string(id->as_string());
  } catch (const std::exception& e) {
    t.error = std::string("upload: ") + e.what();
  }
  return t;
}

Transfer download_file(const std::string& host, std::uint16_t port, const std::string& token,
                       const std::string& id, const Payload& payload, std::uint64_t size) {
  Transfer t;
  t.id = id;
  try {
    auto s = client::Socket::connect(host, port);
    s.send_all(request_head("GET", "/api/files/" + id, host, port, token) + "\r\n");
    Head h = read_head(s.fd());
    t.status = h.status;
    if (t.status != 200) {
      t.error = "download: HTTP " + std::to_string(t.status) + " " +
                read_small_body(s.fd(), h).substr(0, 200);
      return t;
    }
    if (!h.has_length || h.length != size) {
      t.error = "download: Content-Length is not " + std::to_string(size);
      return t;
    }
    auto check = [&](const char* data, std::size_t n) {
      n = std::size_t(std::min<std::uint64_t>(n, size - t.bytes));
      if (!t.mismatch && !payload.matches(t.bytes, data, n)) t.mismatch = true;
      t.bytes += n;
    };
    check(h.body_start.data(), h.body_start.size());
    std::vector<char> buf(kChunk);
    while (t.bytes < size) {
      std::size_t n = recv_some(s.fd(), buf.data(), buf.size());
      if (n == 0) break;
      check(buf.data(), n);
    }
    if (t.bytes < size)
      t.error = "download: the body ended after " + std::to_string(t.bytes) + " bytes";
    else if (t.mismatch)
      t.error = "download: the bytes differ from the upload's";
  } catch (const std::exception& e) {
    t.error = std::string("download: ") + e.what();
  }
  return t;
}

}  // namespace parley::bench
