// Canonical encoding (core/encoding.h): exact bytes, round trips, and strict
// rejection of truncated input and trailing bytes.
#include <catch2/catch.hpp>

#include <random>

#include "core/encoding.h"

namespace licenced {
namespace {

TEST_CASE("encoding: exact big-endian and length-prefixed bytes", "[encoding]") {
  Writer w;
  w.U8(0xab).U32(0x01020304).U64(0x0102030405060708ULL).Str("hi").Var(Bytes{}).Raw(Bytes{9, 8});
  Bytes want{0xab, 1, 2, 3, 4, 1, 2, 3, 4, 5, 6, 7, 8, 0, 0, 0, 2, 'h', 'i', 0, 0, 0, 0, 9, 8};
  CHECK(w.bytes() == want);
}

TEST_CASE("encoding: round trip of every field type including extremes", "[encoding]") {
  std::mt19937_64 rng(12345);
  for (int iter = 0; iter < 500; ++iter) {
    uint8_t a = static_cast<uint8_t>(rng());
    uint32_t b = iter == 0 ? 0xffffffffu : static_cast<uint32_t>(rng());
    uint64_t c = iter == 0 ? ~uint64_t{0} : iter == 1 ? 0 : rng();
    Bytes var(rng() % 300);
    for (auto& x : var) x = static_cast<uint8_t>(rng());
    std::string str(rng() % 50, 'x');
    Hash fixed;
    for (auto& x : fixed) x = static_cast<uint8_t>(rng());

    Writer w;
    w.U8(a).U32(b).U64(c).Var(var).Str(str).Raw(fixed);
    Bytes enc = w.Take();
    Reader r(enc);
    CHECK(r.U8() == a);
    CHECK(r.U32() == b);
    CHECK(r.U64() == c);
    CHECK(r.Var() == var);
    CHECK(r.Str() == str);
    CHECK(r.Fixed<32>() == fixed);
    REQUIRE(r.Finish("test value").ok());

    // Every strict prefix is rejected as truncated.
    for (size_t len = 0; len < enc.size(); len += 1 + len / 8) {
      Reader t(ByteView(enc.data(), len));
      t.U8();
      t.U32();
      t.U64();
      t.Var();
      t.Str();
      t.Fixed<32>();
      REQUIRE_FALSE(t.Finish("test value").ok());
    }
    // Any trailing byte is rejected.
    Bytes longer = enc;
    longer.push_back(0);
    Reader t(longer);
    t.U8();
    t.U32();
    t.U64();
    t.Var();
    t.Str();
    t.Fixed<32>();
    Status s = t.Finish("test value");
    REQUIRE_FALSE(s.ok());
    CHECK(s.message().find("trailing") != std::string::npos);
  }
}

TEST_CASE("encoding: a length larger than the input fails without allocating", "[encoding]") {
  Bytes enc{0xff, 0xff, 0xff, 0xff, 1, 2, 3};
  Reader r(enc);
  CHECK(r.Var().empty());
  CHECK_FALSE(r.ok());
  CHECK(r.remaining() == 0);
  // Once failed, later reads return zero values and the reader stays failed.
  CHECK(r.U64() == 0);
  CHECK(r.U8() == 0);
  Status s = r.Finish("thing");
  CHECK(s.code() == StatusCode::kInvalidArgument);
  CHECK(s.message().find("thing") != std::string::npos);
}

TEST_CASE("encoding: empty input reads nothing and finishes ok", "[encoding]") {
  Reader r(ByteView{});
  CHECK(r.Finish("empty").ok());
  CHECK(r.U8() == 0);
  CHECK_FALSE(r.Finish("empty").ok());
}

}  // namespace
}  // namespace licenced
