// SPDX-License-Identifier: MIT
// One upload (POST /api/files): the body goes to a BlobWriter as it arrives, written on the
// media pool (UploadWriter: the connection thread only queues it); when it is in, the media pool
// checks it — an image must decode (and gets a thumbnail), the
// user's quota must hold it — and the store records it.
#pragma once
#include <memory>
#include <string>

#include "api/upload_writer.hpp"
#include "auth/token.hpp"
#include "media/blob_store.hpp"
#include "protocol/http_handler.hpp"
#include "protocol/multipart.hpp"

namespace parley::api {

class FileApi;

class UploadSink final : public protocol::BodySink {
 public:
  UploadSink(FileApi& api, auth::TokenClaims who, std::string name, std::string claimed_type,
             std::unique_ptr<media::BlobWriter> writer);

  std::optional<protocol::HttpResponse> write(std::string_view chunk) override;
  bool wants_more() const override { return out_ && out_->wants_more(); }
  void on_ready(std::function<void()> resume) override;
  void finish(protocol::Responder respond) override;
  void abort() override { out_.reset(); }  // the partial file goes with it

 private:
  FileApi& api_;
  auth::TokenClaims who_;
  std::string name_, claimed_;
  std::unique_ptr<UploadWriter> out_;
};

// A multipart/form-data upload (a plain HTML form): the form is read as it arrives and the bytes
// of its one file part go to an UploadSink made when that part's headers are in (its filename
// and Content-Type take the place of X-File-Name and the request's Content-Type). Text fields
// are skipped. Connection thread, like UploadSink.
class FormUploadSink final : public protocol::BodySink, protocol::MultipartReader::Handler {
 public:
  FormUploadSink(FileApi& api, auth::TokenClaims who, std::string boundary,
                 std::unique_ptr<media::BlobWriter> writer, std::int64_t max_file_bytes)
      : api_(api),
        who_(std::move(who)),
        reader_(std::move(boundary)),
        writer_(std::move(writer)),
        max_file_bytes_(max_file_bytes) {}

  std::optional<protocol::HttpResponse> write(std::string_view chunk) override;
  bool wants_more() const override { return !file_ || file_->wants_more(); }
  void on_ready(std::function<void()> resume) override;
  void finish(protocol::Responder respond) override;
  void abort() override {
    file_.reset();
    writer_.reset();
  }

 private:
  bool on_file(protocol::MultipartReader::FilePart part) override;
  bool on_data(std::string_view bytes) override;

  FileApi& api_;
  auth::TokenClaims who_;
  protocol::MultipartReader reader_;
  std::unique_ptr<media::BlobWriter> writer_;  // until the file part begins
  std::unique_ptr<UploadSink> file_;           // from then on
  std::int64_t max_file_bytes_, received_ = 0;
  std::optional<protocol::HttpResponse> refusal_;  // why a handler call stopped the reader
};

// The original name as a file name to show and to send back: the last path component, valid
// UTF-8 without control or invisible characters, at most 255 bytes; nullopt when nothing usable
// is left. clean_file_name takes the percent-encoded X-File-Name header.
std::optional<std::string> clean_name(std::string name);
std::optional<std::string> clean_file_name(std::string_view header);

}  // namespace parley::api
