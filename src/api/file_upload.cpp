// SPDX-License-Identifier: MIT
#include "api/file_upload.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/post.hpp>
#include <filesystem>

#include "api/file_api.hpp"
#include "hub/services.hpp"
#include "media/image.hpp"
#include "protocol/codes.hpp"
#include "store/store.hpp"
#include "util/ascii.hpp"
#include "util/clock.hpp"
#include "util/utf8.hpp"

namespace parley::api {
namespace code = protocol::code;
using protocol::code_response;
using protocol::HttpResponse;

namespace {

HttpResponse storage_failed() {
  return code_response(507, code::kInternal, "the file could not be stored; try again");
}

// A MIME type as the client claimed it, if it looks like one ("type/subtype", no parameters).
std::string plain_type(std::string_view t) {
  t = t.substr(0, t.find(';'));
  while (!t.empty() && t.back() == ' ') t.remove_suffix(1);
  if (t.size() > 100 || t.find('/') == std::string_view::npos) return "application/octet-stream";
  for (char c : t)
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '/' || c == '-' || c == '+' ||
          c == '.'))
      return "application/octet-stream";
  return util::ascii_lower(t);
}

// The thumbnail of an image's content, made unless one is there. Written aside, then renamed: a
// node sharing the folder never reads half of one. (The suffix stays .jpg: libvips picks the
// format by it.) Media pool.
bool ensure_thumb(FileApi& api, const std::string& image_path, const std::string& sha,
                  std::string& error) {
  std::string thumb = api.blobs().thumb_path(sha);
  if (std::filesystem::exists(thumb)) return true;
  std::string tmp = thumb.substr(0, thumb.size() - 4) + ".tmp" + std::to_string(util::mono_ms()) +
                    auth::random_hex(4) + ".jpg";
  bool made = media::make_thumbnail(image_path, tmp, FileApi::kThumbSide, error);
  std::error_code ec;
  if (made) std::filesystem::rename(tmp, thumb, ec);
  if (ec || !made) std::filesystem::remove(tmp, ec);
  return made && !ec;
}

struct Checked {
  store::FileRecord record;
  std::optional<HttpResponse> refusal;
};

// Media pool: the bytes are all on disk (synced); is it what it claims, and an image's size and
// thumbnail.
Checked check(FileApi& api, const media::BlobWriter::Done& done, const std::string& head,
              const std::string& claimed) {
  Checked c;
  std::string sniffed = media::sniff_image_type(head);
  bool claims_image = claimed.rfind("image/", 0) == 0;
  if (claims_image && sniffed.empty() && claimed != "image/svg+xml") {
    c.refusal = code_response(415, code::kNotAnImage,
                              "the file says it is an image but is not a JPEG, PNG, GIF or WebP");
    return c;
  }
  c.record.type = sniffed.empty() ? plain_type(claimed) : sniffed;
  if (!sniffed.empty()) {
    std::string error;
    auto info = media::inspect_image(done.temp_path, error);
    if (!info) {
      c.refusal = code_response(415, code::kNotAnImage, "not a readable image: " + error);
      return c;
    }
    c.record.width = info->width;
    c.record.height = info->height;
    c.record.thumb = ensure_thumb(api, done.temp_path, done.sha256, error);
  }
  return c;
}

}  // namespace

std::optional<std::string> clean_file_name(std::string_view header) {
  auto decoded = protocol::percent_decode(header, false);
  if (!decoded) return std::nullopt;
  return clean_name(std::move(*decoded));
}

std::optional<std::string> clean_name(std::string name) {
  auto slash = name.find_last_of("/\\");
  if (slash != std::string::npos) name.erase(0, slash + 1);
  if (name.empty() || name == "." || name == ".." || name.size() > 255 ||
      !util::is_valid_utf8(name) || util::has_control_chars(name) ||
      util::has_invisible_chars(name))
    return std::nullopt;
  return name;
}

UploadSink::UploadSink(FileApi& api, auth::TokenClaims who, std::string name,
                       std::string claimed_type, std::unique_ptr<media::BlobWriter> writer)
    : api_(api),
      who_(std::move(who)),
      name_(std::move(name)),
      claimed_(std::move(claimed_type)),
      out_(std::make_unique<UploadWriter>(api.pool(), std::move(writer))) {}

std::optional<HttpResponse> UploadSink::write(std::string_view chunk) {
  if (!out_->write(chunk)) return storage_failed();
  return std::nullopt;
}

void UploadSink::on_ready(std::function<void()> resume) {
  out_->on_ready(std::move(resume));
}

void UploadSink::finish(protocol::Responder respond) {
  // Once the last queued byte is written, on the media pool.
  out_->close([&api = api_, who = who_, name = name_, claimed = claimed_,
               respond = std::move(respond)](std::shared_ptr<media::BlobWriter> writer) {
    if (!writer) return respond(storage_failed());
    if (writer->size() == 0) return respond(code_response(400, code::kBadFormat, "an empty file"));
    std::string head = writer->head();
    auto done = writer->finish();
    if (!done) return respond(storage_failed());
    auto drop = [path = done->temp_path] {
      std::error_code ec;
      std::filesystem::remove(path, ec);
    };
    Checked c = check(api, *done, head, claimed);
    if (c.refusal) {
      drop();
      return respond(std::move(*c.refusal));
    }
    store::FileRecord rec = std::move(c.record);
    rec.id = auth::random_hex(10);
    rec.owner = who.uid;
    rec.sha256 = done->sha256;
    rec.name = name;
    rec.size = done->size;
    rec.created_ms = util::now_ms();
    hub::Services& svc = api.services();
    svc.store->file_usage(who.uid, [&api, &svc, rec = std::move(rec), done = *done, drop,
                                    respond](store::Result<std::int64_t> used) mutable {
      auto* bytes = std::get_if<std::int64_t>(&used);
      if (!bytes) {
        drop();
        return respond(code_response(503, code::kUnavailable, "store unavailable, try again"));
      }
      api.note_usage(rec.owner, *bytes);
      if (*bytes + rec.size > svc.config.limits.user_quota_bytes) {
        drop();
        return respond(code_response(413, code::kOverQuota, "your storage quota is full"));
      }
      if (!api.blobs().commit(done)) return respond(storage_failed());
      svc.store->create_file(rec, [&api, done, drop, respond](store::Result<store::FileRecord> r) {
        auto* f = std::get_if<store::FileRecord>(&r);
        if (!f) {
          drop();
          return respond(code_response(503, code::kUnavailable, "store unavailable"));
        }
        // Back to the media pool (a store thread must not block): a sweep of the same content
        // may have set the blob (or the thumbnail) aside between commit() and the record; the
        // record is stored now, so from here on no sweep takes them (api/file_sweeper.hpp).
        boost::asio::post(api.pool(), [&api, f = std::move(*f), done, respond] {
          std::string error;
          if (!api.blobs().settle(done) ||
              (f.thumb && !ensure_thumb(api, api.blobs().path(f.sha256), f.sha256, error)))
            return respond(storage_failed());
          api.note_usage(f.owner, api.known_usage(f.owner) + f.size);
          spdlog::info("file {} uploaded ({} bytes, {})", f.id, f.size, f.type);
          respond(protocol::json_response(
              200, "{\"code\":\"2000\",\"file\":" + store::file_json(f) + "}"));
        });
      });
    });
  });
}

std::optional<HttpResponse> FormUploadSink::write(std::string_view chunk) {
  switch (reader_.feed(chunk, *this)) {
    case protocol::MultipartReader::Status::kOk:
      return std::nullopt;
    case protocol::MultipartReader::Status::kStopped:
      return std::move(refusal_);
    case protocol::MultipartReader::Status::kError:
      break;
  }
  return code_response(400, code::kBadFormat, "bad multipart form: " + reader_.error());
}

bool FormUploadSink::on_file(protocol::MultipartReader::FilePart part) {
  auto name = clean_name(std::move(part.name));
  if (!name) {
    refusal_ = code_response(400, code::kBadFormat, "the form's file name is not usable");
    return false;
  }
  file_ = std::make_unique<UploadSink>(api_, who_, std::move(*name), std::move(part.type),
                                       std::move(writer_));
  return true;
}

bool FormUploadSink::on_data(std::string_view bytes) {
  received_ += std::int64_t(bytes.size());
  if (received_ > max_file_bytes_) {
    refusal_ =
        code_response(413, code::kTooLarge,
                      "file too large (at most " + std::to_string(max_file_bytes_) + " bytes)");
    return false;
  }
  refusal_ = file_->write(bytes);
  return !refusal_;
}

void FormUploadSink::on_ready(std::function<void()> resume) {
  if (file_) return file_->on_ready(std::move(resume));
  resume();
}

void FormUploadSink::finish(protocol::Responder respond) {
  if (reader_.finish() != protocol::MultipartReader::Status::kOk)
    return respond(code_response(400, code::kBadFormat, "bad multipart form: " + reader_.error()));
  file_->finish(std::move(respond));
}

}  // namespace parley::api
