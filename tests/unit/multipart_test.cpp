// SPDX-License-Identifier: MIT
// protocol::MultipartReader: a form read in pieces of every size gives the same file bytes, and
// malformed or hostile forms end with an error, never more memory than a part's headers.
#include <gtest/gtest.h>

#include "protocol/multipart.hpp"

namespace parley::protocol {
namespace {

struct Collect : MultipartReader::Handler {
  std::vector<MultipartReader::FilePart> files;
  std::string data;
  std::size_t stop_after = std::string::npos;
  bool on_file(MultipartReader::FilePart part) override {
    files.push_back(std::move(part));
    return true;
  }
  bool on_data(std::string_view bytes) override {
    data.append(bytes);
    return data.size() < stop_after;
  }
};

const std::string kBoundary = "----WebKitFormBoundaryx7Qz";

std::string form(const std::string& file, const std::string& disposition_extra = "") {
  return "preamble to ignore\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhello\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a b.png\"" +
         disposition_extra + "\r\nContent-Type: image/png\r\n\r\n" + file + "\r\n--" + kBoundary +
         "--\r\nepilogue";
}

MultipartReader::Status read_in_pieces(const std::string& body, std::size_t piece, Collect& c,
                                       std::string* error = nullptr) {
  MultipartReader r(kBoundary);
  for (std::size_t at = 0; at < body.size(); at += piece) {
    auto s = r.feed(std::string_view(body).substr(at, piece), c);
    if (s != MultipartReader::Status::kOk) {
      if (error) *error = r.error();
      return s;
    }
  }
  auto s = r.finish();
  if (error) *error = r.error();
  return s;
}

TEST(Multipart, BoundaryFromContentType) {
  EXPECT_EQ(multipart_boundary("multipart/form-data; boundary=abc"), "abc");
  EXPECT_EQ(multipart_boundary("Multipart/Form-Data; charset=utf-8; boundary=\"a b:c\""), "a b:c");
  EXPECT_FALSE(multipart_boundary("multipart/form-data"));
  EXPECT_FALSE(multipart_boundary("multipart/mixed; boundary=abc"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"a\x01\""));
}

TEST(Multipart, TheFileComesOutWholeWhateverThePieceSizes) {
  // Bytes that look like parts of the delimiter, CRLFs and dashes inside the file.
  std::string file = "\r\n--" + kBoundary.substr(0, 10) + "\r\n\r\n--";
  file += std::string("\0\xff", 2) + std::string(5000, 'z') + "\r\n-";
  for (std::size_t piece : {1u, 2u, 3u, 7u, 31u, 32u, 33u, 1000u, 100000u}) {
    Collect c;
    ASSERT_EQ(read_in_pieces(form(file), piece, c), MultipartReader::Status::kOk) << piece;
    ASSERT_EQ(c.files.size(), 1u);
    EXPECT_EQ(c.files[0].name, "a b.png");
    EXPECT_EQ(c.files[0].type, "image/png");
    EXPECT_EQ(c.data, file) << piece;
  }
}

TEST(Multipart, ExtendedFileNameIsPreferred) {
  Collect c;
  ASSERT_EQ(read_in_pieces(form("x", "; filename*=UTF-8''%E6%88%AA%E5%9B%BE.png"), 5, c),
            MultipartReader::Status::kOk);
  EXPECT_EQ(c.files.at(0).name, "截图.png");
}

TEST(Multipart, MalformedFormsAreErrors) {
  auto error_of = [](const std::string& body) {
    Collect c;
    std::string e;
    EXPECT_EQ(read_in_pieces(body, 16, c, &e), MultipartReader::Status::kError) << body;
    return e;
  };
  EXPECT_EQ(error_of("no boundary at all"), "the form ended before its closing boundary");
  std::string cut = form("abc");
  EXPECT_EQ(error_of(cut.substr(0, cut.size() - 20)), "the form ended before its closing boundary");
  EXPECT_EQ(
      error_of("--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nx\r\n--" +
               kBoundary + "--"),
      "no file in the form");
  std::string two =
      "--" + kBoundary +
      "\r\nContent-Disposition: form-data; name=\"f\"; filename=\"a\"\r\n\r\nx\r\n--" + kBoundary +
      "\r\nContent-Disposition: form-data; name=\"g\"; filename=\"b\"\r\n\r\ny\r\n--" + kBoundary +
      "--";
  EXPECT_NE(error_of(two).find("more than one file"), std::string::npos);
  EXPECT_NE(error_of("--" + kBoundary + "\r\n" + std::string(20000, 'h')).find("too long"),
            std::string::npos);
  EXPECT_NE(error_of("--" + kBoundary + "\r\nno colon here\r\n\r\nx\r\n--" + kBoundary + "--")
                .find("malformed"),
            std::string::npos);
  EXPECT_NE(error_of("--" + kBoundary + "junk\r\n\r\n").find("malformed"), std::string::npos);
  EXPECT_NE(
      error_of("--" + kBoundary + "\r\nContent-Type: text/plain\r\n\r\nx\r\n--" + kBoundary + "--")
          .find("form-data"),
      std::string::npos);
}

TEST(Multipart, AHandlerCanStopTheReader) {
  Collect c;
  c.stop_after = 100;
  EXPECT_EQ(read_in_pieces(form(std::string(1000, 'q')), 50, c), MultipartReader::Status::kStopped);
  EXPECT_LT(c.data.size(), 1000u);
}

}  // namespace
}  // namespace parley::protocol
