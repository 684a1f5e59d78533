// The compact record encoding of proof bundles v2: exact round trips of real
// records, one encoding per text (non-canonical inputs refused), texts without
// a compact form, LEB128.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"
#include "proof/record_codec.h"

using namespace licenced;
using namespace licenced::proof;
using json = nlohmann::json;

namespace {

Bytes Compact(const std::string& text) {
  auto c = CompactRecord(AsBytes(text));
  INFO(text << ": " << c.status().ToString());
  REQUIRE(c.ok());
  auto e = ExpandRecord(*c);
  REQUIRE(e.ok());
  CHECK(ToString(e->json) == text);
  return *c;
}

bool Expands(const Bytes& c) { return ExpandRecord(c).ok(); }

}  // namespace

TEST_CASE("record codec: nlohmann-dumped records round-trip exactly", "[proof][codec]") {
  json rec = {
      {"identifier", "1.2.156.3005.2.BL.11370100EGG603UWCM.20260000001.001.2"},
      {"holder_key", std::string(64, 'a')},
      {"commitments", {{"address", std::string(64, '0')}, {"x-custom", "v"}}},
      {"public_fields", {{"registered_capital", 1000000}, {"list", {1, -2, true, false, nullptr}}}},
      {"issued_height", 3},
      {"replaces", ""},
      {"escapes", std::string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f \xc3\xa9 \xe4\xb8\xad")},
      {"big", UINT64_MAX},
      {"min", INT64_MIN},
      {"HEX-upper", std::string(64, 'A')},
      {"hex-63", std::string(63, 'b')}};
  std::string text = rec.dump();
  Bytes c = Compact(text);
  CHECK(c.size() < text.size());
  auto e = ExpandRecord(c);
  REQUIRE(e.ok());
  CHECK(e->identifier == "1.2.156.3005.2.BL.11370100EGG603UWCM.20260000001.001.2");
  CHECK(Compact("{}") == Bytes{0x08, 0x00});
}

TEST_CASE("record codec: texts without a compact form", "[proof][codec]") {
  for (std::string text :
       {"[1,2]", "\"s\"", "{\"a\":1.5}", "{\"a\": 1}", "{ }", "{\"b\":1,\"a\":2}",
        "{\"a\":1,\"a\":2}", "{\"a\":\"\\u00e9\"}", "{\"a\":\"\\/\"}", "{\"a\":-0}", "{\"a\":01}",
        "not json", "", "{\"a\":[[[[[[[[[1]]]]]]]]]}"}) {
    INFO(text);
    CHECK_FALSE(CompactRecord(AsBytes(text)).ok());
  }
}

TEST_CASE("record codec: every text has one encoding (non-canonical inputs refused)",
          "[proof][codec]") {
  // {"identifier": "x"} is 08 01 06 05 01 'x' (dictionary key 6 = "identifier").
  CHECK(Compact("{\"identifier\":\"x\"}") == Bytes{0x08, 0x01, 0x06, 0x05, 0x01, 'x'});
  // The same key written as text.
  Bytes literal = {0x08, 0x01, 0x00, 0x0a};
  for (char ch : std::string("identifier")) literal.push_back(static_cast<uint8_t>(ch));
  literal.insert(literal.end(), {0x05, 0x01, 'x'});
  CHECK_FALSE(Expands(literal));
  // Non-minimal LEB128 count; unknown dictionary code; unknown tag; trailing byte.
  CHECK_FALSE(Expands({0x08, 0x81, 0x00, 0x06, 0x05, 0x01, 'x'}));
  CHECK_FALSE(Expands({0x08, 0x01, 0x7f, 0x05, 0x01, 'x'}));
  CHECK_FALSE(Expands({0x08, 0x01, 0x06, 0x09}));
  CHECK_FALSE(Expands({0x08, 0x00, 0x00}));
  // Not an object at the top.
  CHECK_FALSE(Expands({0x07, 0x00}));
  // Keys out of order or repeated.
  CHECK(Expands({0x08, 0x02, 0x01, 0x00, 0x02, 0x00}));
  CHECK_FALSE(Expands({0x08, 0x02, 0x02, 0x00, 0x01, 0x00}));
  CHECK_FALSE(Expands({0x08, 0x02, 0x01, 0x00, 0x01, 0x00}));
  // 64 lower-case hex characters must use the hex32 tag.
  Bytes hex_text = {0x08, 0x01, 0x05, 0x05, 0x40};
  hex_text.insert(hex_text.end(), 64, 'a');
  CHECK_FALSE(Expands(hex_text));
  // Negative zero; malformed UTF-8 in a string.
  CHECK_FALSE(Expands({0x08, 0x01, 0x06, 0x04, 0x00}));
  CHECK_FALSE(Expands({0x08, 0x01, 0x06, 0x05, 0x02, 0xc0, 0x80}));
  CHECK_FALSE(Expands({0x08, 0x01, 0x06, 0x05, 0x03, 0xed, 0xa0, 0x80}));
}

TEST_CASE("record codec: LEB128 is minimal and bounded", "[proof][codec]") {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{127}, uint64_t{128}, uint64_t{300},
                     uint64_t{1} << 63, UINT64_MAX}) {
    Bytes b;
    PutUvarint(b, v);
    size_t pos = 0;
    uint64_t got = 0;
    REQUIRE(GetUvarint(b, &pos, &got));
    CHECK(got == v);
    CHECK(pos == b.size());
  }
  size_t pos = 0;
  uint64_t v = 0;
  CHECK_FALSE(GetUvarint(Bytes{0x80, 0x00}, &pos, &v));
  pos = 0;
  CHECK_FALSE(
      GetUvarint(Bytes{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}, &pos, &v));
  pos = 0;
  CHECK_FALSE(GetUvarint(Bytes{0x80}, &pos, &v));
}

TEST_CASE("record codec: canonical JSON records", "[proof][codec]") {
  // ASCII names: canonical JSON is the bytewise order, so the record compacts.
  json rec = {{"identifier", "x"}, {"public_fields", {{"a", 1}, {"B", "\xc3\xa9"}}}};
  auto text = CanonicalJson(rec);
  REQUIRE(text.ok());
  Compact(*text);
  // A name above U+FFFF sorts before U+E000 in canonical JSON (UTF-16 order),
  // after it bytewise: no compact form, the bundle carries the record raw.
  json mixed = {{"identifier", "x"},
                {"public_fields", {{"\xee\x80\x80", 1}, {"\xf0\x9f\x98\x80", 2}}}};
  auto canonical = CanonicalJson(mixed);
  REQUIRE(canonical.ok());
  CHECK(*canonical != mixed.dump());
  CHECK_FALSE(CompactRecord(AsBytes(*canonical)).ok());
  Compact(mixed.dump());
}
