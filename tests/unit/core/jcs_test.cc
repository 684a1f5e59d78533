// RFC 8785 JSON Canonicalization Scheme (core/canonical_json.h, Jcs): the
// RFC's own test vectors (section 3.2.2 sample, 3.2.3 member sorting,
// appendix B number serialisation), and what differs from CanonicalJson.
#include <catch2/catch.hpp>

#include <bit>
#include <cstdint>
#include <string>

#include "core/canonical_json.h"

using namespace licenced;
using json = nlohmann::json;

namespace {

std::string JcsOf(const json& j) {
  auto r = Jcs(j);
  REQUIRE(r.ok());
  return *r;
}

std::string JcsOfBits(uint64_t bits) { return JcsOf(json(std::bit_cast<double>(bits))); }

}  // namespace

TEST_CASE("jcs: RFC 8785 section 3.2.4 sample", "[jcs]") {
  // The input exactly as printed in the RFC (escapes, 1E30, 4.50, ...).
  const char* input = R"({
    "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
    "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
    "literals": [null, true, false]
  })";
  const std::string expected =
      "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],"
      "\"string\":\"\xe2\x82\xac$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}";
  CHECK(JcsOf(json::parse(input)) == expected);
}

TEST_CASE("jcs: RFC 8785 section 3.2.3 member order by UTF-16 code units", "[jcs]") {
  const char* input = R"({
    "\u20ac": "Euro Sign",
    "\r": "Carriage Return",
    "\ufb33": "Hebrew Letter Dalet With Dagesh",
    "1": "One",
    "\ud83d\ude00": "Emoji: Grinning Face",
    "\u0080": "Control",
    "\u00f6": "Latin Small Letter O With Diaeresis"
  })";
  const std::string out = JcsOf(json::parse(input));
  // Expected order: \r, 1, U+0080, U+00F6, U+20AC, U+1F600 (as D83D DE00), U+FB33.
  const std::string expected =
      "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\xc2\x80\":\"Control\","
      "\"\xc3\xb6\":\"Latin Small Letter O With Diaeresis\",\"\xe2\x82\xac\":\"Euro Sign\","
      "\"\xf0\x9f\x98\x80\":\"Emoji: Grinning Face\","
      "\"\xef\xac\xb3\":\"Hebrew Letter Dalet With Dagesh\"}";
  CHECK(out == expected);
}

TEST_CASE("jcs: RFC 8785 appendix B number serialisation", "[jcs]") {
  struct Vector {
    uint64_t bits;
    const char* text;
  };
  const Vector vectors[] = {
      {0x0000000000000000, "0"},
      {0x8000000000000000, "0"},
      {0x0000000000000001, "5e-324"},
      {0x8000000000000001, "-5e-324"},
      {0x7fefffffffffffff, "1.7976931348623157e+308"},
      {0xffefffffffffffff, "-1.7976931348623157e+308"},
      {0x4340000000000000, "9007199254740992"},
      {0xc340000000000000, "-9007199254740992"},
      {0x4430000000000000, "295147905179352830000"},
      {0x44b52d02c7e14af5, "9.999999999999997e+22"},
      {0x44b52d02c7e14af6, "1e+23"},
      {0x44b52d02c7e14af7, "1.0000000000000001e+23"},
      {0x444b1ae4d6e2ef4e, "999999999999999700000"},
      {0x444b1ae4d6e2ef4f, "999999999999999900000"},
      {0x444b1ae4d6e2ef50, "1e+21"},
      {0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"},
      {0x3eb0c6f7a0b5ed8d, "0.000001"},
      {0x41b3de4355555553, "333333333.3333332"},
      {0x41b3de4355555554, "333333333.33333325"},
      {0x41b3de4355555555, "333333333.3333333"},
      {0x41b3de4355555556, "333333333.3333334"},
      {0x41b3de4355555557, "333333333.33333343"},
      {0xbecbf647612f3696, "-0.0000033333333333333333"},
      {0x43143ff3c1cb0959, "1424953923781206.2"},
  };
  for (const Vector& v : vectors) {
    INFO(std::hex << v.bits);
    CHECK(JcsOfBits(v.bits) == v.text);
  }
}

TEST_CASE("jcs: NaN and infinities are refused", "[jcs]") {
  CHECK_FALSE(Jcs(json(std::bit_cast<double>(uint64_t{0x7fffffffffffffff}))).ok());
  CHECK_FALSE(Jcs(json(std::bit_cast<double>(uint64_t{0x7ff0000000000000}))).ok());
  CHECK_FALSE(Jcs(json::array({1, std::bit_cast<double>(uint64_t{0xfff0000000000000})})).ok());
}

TEST_CASE("jcs: integers are IEEE doubles, unlike CanonicalJson", "[jcs]") {
  // 2^53 + 1 is not a double: ECMAScript reads it as 2^53.
  CHECK(JcsOf(json::parse("9007199254740993")) == "9007199254740992");
  CHECK_FALSE(CanonicalJson(json::parse("9007199254740993")).ok());
  CHECK(JcsOf(json::parse("1.0")) == "1");
  CHECK(JcsOf(json::parse("-0.0")) == "0");
  CHECK(JcsOf(json::parse("1e21")) == "1e+21");
  CHECK(JcsOf(json::parse("123456789012345678901")) == "123456789012345680000");
  // Within CanonicalJson's domain the two agree byte for byte.
  const json v =
      json::parse(R"({"b":[1,-2,{"z":null,"a":"\u0001x"}],"a":true,"c":9007199254740991})");
  CHECK(JcsOf(v) == *CanonicalJson(v));
}

TEST_CASE("jcs: strings that are not UTF-8 are refused with their place", "[jcs]") {
  json v = {{"ok", "fine"}, {"bad", std::string("\xff")}};
  auto r = Jcs(v);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message().find("/bad") != std::string::npos);
}
