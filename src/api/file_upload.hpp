// SPDX-License-Identifier: MIT
// One upload (POST /api/files): the body goes to a BlobWriter as it arrives (connection thread);
// when it is in, the media pool checks it — an image must decode (and gets a thumbnail), the
// user's quota must hold it — and the store records it.
#pragma once
#include <memory>
#include <string>

#include "auth/token.hpp"
#include "media/blob_store.hpp"
#include "protocol/http_handler.hpp"

namespace parley::api {

class FileApi;

class UploadSink final : public protocol::BodySink {
 public:
  UploadSink(FileApi& api, auth::TokenClaims who, std::string name, std::string claimed_type,
             std::unique_ptr<media::BlobWriter> writer)
      : api_(api),
        who_(std::move(who)),
        name_(std::move(name)),
        claimed_(std::move(claimed_type)),
        writer_(std::move(writer)) {}

  std::optional<protocol::HttpResponse> write(std::string_view chunk) override;
  void finish(protocol::Responder respond) override;
  void abort() override { writer_.reset(); }  // the partial file goes with it

 private:
  FileApi& api_;
  auth::TokenClaims who_;
  std::string name_, claimed_;
  std::unique_ptr<media::BlobWriter> writer_;
};

// The original name as a file name to show and to send back: the last path component of the
// percent-decoded X-File-Name, valid UTF-8 without control characters, at most 255 bytes;
// nullopt when nothing usable is left.
std::optional<std::string> clean_file_name(std::string_view header);

}  // namespace parley::api
