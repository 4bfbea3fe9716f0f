// SPDX-License-Identifier: MIT
// Files: POST /api/files (an upload, streamed to disk as it arrives: BodySink), GET
// /api/files/{id} and /api/files/{id}/thumb (streamed from disk: BodySource; Range, ETag,
// never served as active content), GET /api/files/limits, POST /api/files/cookie (lets
// `<img src>` carry the token). The checks and the image work run on the media pool, never on a
// network thread. See docs/PROTOCOL.md "Files".
#pragma once
#include <boost/asio/thread_pool.hpp>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "auth/login_throttle.hpp"
#include "auth/token.hpp"
#include "media/blob_store.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/http_message.hpp"

namespace parley::hub {
struct Services;
}

namespace parley::api {

using protocol::Responder;

class FileApi {
 public:
  static constexpr int kThumbSide = 320;
  // What a multipart form may carry besides its file (part headers, text fields, boundaries).
  static constexpr std::int64_t kFormOverheadBytes = 64 * 1024;
  static constexpr const char* kCookie = "parley_files";

  FileApi(hub::Services& services, std::string files_dir);
  ~FileApi();  // waits for the media pool

  // POST /api/files: a sink, or a refusal at the head (bad token, too large, over quota, rate).
  std::unique_ptr<protocol::BodySink> open_upload(const protocol::HttpRequest& head,
                                                  std::optional<protocol::HttpResponse>& refusal);
  // Any other /api/files path; false if none.
  bool handle(const protocol::HttpRequest& req, Responder& respond);

  // The token of a request: w-token, Authorization: Bearer, or the files cookie.
  std::optional<auth::TokenClaims> authorize(const protocol::HttpRequest& req) const;
  // A signed link to file `id` (`?u=&g=&e=&s=`, auth/file_link.hpp): its reader as claims
  // holding only uid and gen; nullopt when absent, forged, expired or logged out.
  std::optional<auth::TokenClaims> link_reader(const protocol::HttpRequest& req,
                                               std::string_view id) const;
  // What the user's uploads keep (as last seen on this node), for the early quota check.
  void note_usage(std::int64_t uid, std::int64_t bytes);
  std::int64_t known_usage(std::int64_t uid) const;
  // The user's files were swept (any thread): the next upload asks the store again.
  void forget_usage(std::int64_t uid);

  hub::Services& services() { return svc_; }
  media::BlobStore& blobs() { return blobs_; }
  boost::asio::thread_pool& pool() { return pool_; }

 private:
  void download(const protocol::HttpRequest& req, const auth::TokenClaims& who, std::string id,
                bool thumb, Responder respond);
  void limits(const auth::TokenClaims& who, Responder respond);
  void cookie(const protocol::HttpRequest& req, const auth::TokenClaims& who, Responder respond);

  hub::Services& svc_;
  media::BlobStore blobs_;
  auth::LoginThrottle uploads_;  // uploads a minute per user
  mutable std::mutex mutex_;
  std::unordered_map<std::int64_t, std::int64_t> usage_;  // GUARDED_BY(mutex_)
  boost::asio::thread_pool pool_{2};                      // last: its jobs use the members above
};

}  // namespace parley::api
