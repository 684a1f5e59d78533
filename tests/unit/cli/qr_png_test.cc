// cli/qr_png.h: the zlib payload round trip, QR capacity, the PNG's structure
// and the terminal rendering.
#include "cli/qr_png.h"

#include <catch2/catch.hpp>

using namespace licenced;
using namespace licenced::cli;

namespace {

uint32_t U32At(const Bytes& b, size_t at) {
  return uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3];
}

Bytes Payload(size_t n) {
  Bytes p(n);
  for (size_t i = 0; i < n; ++i) p[i] = static_cast<uint8_t>(i * 7 + 3);
  return p;
}

}  // namespace

TEST_CASE("qr: zlib payload round-trips and refuses what is not one zlib stream") {
  Bytes in = Payload(5000);
  auto z = Compress(in);
  REQUIRE(z.ok());
  auto back = Inflate(*z);
  REQUIRE(back.ok());
  CHECK(*back == in);
  Bytes trailing = *z;
  trailing.push_back(0);
  CHECK(Inflate(trailing).status().code() == StatusCode::kInvalidArgument);
  CHECK(Inflate(AsBytes("not zlib")).status().code() == StatusCode::kInvalidArgument);
}

TEST_CASE("qr: a code holds up to 2953 bytes and its PNG has the quiet zone and scale") {
  auto small = EncodeQr(Payload(10));
  REQUIRE(small.ok());
  CHECK(small->version == 1);
  CHECK(small->width == 21);
  CHECK(EncodeQr(Payload(2953)).ok());
  CHECK(EncodeQr(Payload(2954)).status().code() == StatusCode::kInvalidArgument);

  auto png = QrPng(*small, 4);
  REQUIRE(png.ok());
  const Bytes signature = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  REQUIRE(png->size() > 33);
  CHECK(Bytes(png->begin(), png->begin() + 8) == signature);
  CHECK(U32At(*png, 8) == 13);  // IHDR length
  CHECK(std::string(png->begin() + 12, png->begin() + 16) == "IHDR");
  CHECK(U32At(*png, 16) == (21 + 8) * 4);  // width: modules + 2 x 4 quiet, 4 px each
  CHECK(U32At(*png, 20) == (21 + 8) * 4);
  CHECK(std::string(png->end() - 8, png->end() - 4) == "IEND");
}

TEST_CASE("qr: the terminal rendering has one line per two module rows") {
  auto qr = EncodeQr(Payload(10));
  REQUIRE(qr.ok());
  std::string text = QrTerminalText(*qr);
  size_t lines = 0;
  for (char c : text) lines += c == '\n';
  CHECK(lines == (21 + 4 + 1) / 2);  // 21 modules + 2 x 2 quiet, rounded up
  CHECK(text.back() == '\n');
}
