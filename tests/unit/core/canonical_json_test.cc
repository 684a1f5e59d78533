// Canonical JSON (core/canonical_json.h): the test vectors of docs/encoding.md
// byte for byte, RFC 8785 member order beyond the BMP, refusals, and equality
// with nlohmann::json::dump() for every value shaped like chaincode state.
#include "core/canonical_json.h"

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/bytes.h"

using namespace licenced;
using json = nlohmann::json;

namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

json Vectors() {
  return json::parse(
      ReadFile(std::string(LICENCED_SOURCE_DIR) + "/tests/unit/core/testdata/canonical-json.json"));
}

json InputOf(const json& v) {
  if (v.contains("input_string_hex")) {
    auto bytes = FromHex(v["input_string_hex"].get<std::string>());
    REQUIRE(bytes.ok());
    return json(ToString(*bytes));
  }
  const std::string& text = v["input"].get_ref<const std::string&>();
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  REQUIRE_FALSE(j.is_discarded());
  return j;
}

void AppendUtf8(std::string& s, uint32_t cp) {
  if (cp < 0x80) {
    s.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    s.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    s.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    s.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    s.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// Deterministic generator (std::mt19937_64 is fully specified; no
// std::*_distribution, whose output differs between standard libraries).
class Gen {
 public:
  explicit Gen(uint64_t seed) : rng_(seed) {}
  uint64_t Below(uint64_t n) { return rng_() % n; }
  bool OneIn(uint64_t n) { return Below(n) == 0; }

  uint32_t CodePoint(bool bmp_only) {
    switch (Below(bmp_only ? 5 : 6)) {
      case 0:
        return static_cast<uint32_t>(Below(0x20));  // control characters
      case 1:
      case 2:
        return static_cast<uint32_t>(0x20 + Below(0x60));  // printable ASCII and DEL
      case 3:
        return static_cast<uint32_t>(0x80 + Below(0xd800 - 0x80));
      case 4:
        return static_cast<uint32_t>(0xe000 + Below(0x2000));  // U+E000..U+FFFF
      default:
        return static_cast<uint32_t>(0x10000 + Below(0x100000));
    }
  }
  std::string Text(size_t max_len, bool bmp_only) {
    std::string s;
    for (size_t n = Below(max_len + 1); n > 0; --n) AppendUtf8(s, CodePoint(bmp_only));
    return s;
  }
  std::string AsciiName() {
    std::string s;
    for (size_t n = Below(13); n > 0; --n) s.push_back(static_cast<char>(0x20 + Below(0x5f)));
    return s;
  }

  // A value shaped like what the chaincode stores: objects with ASCII (here
  // also other BMP) names, integers within +-(2^53-1), strings, booleans, null.
  json StateValue(int depth) {
    const uint64_t kind = depth >= 4 ? Below(5) : Below(7);
    switch (kind) {
      case 0:
        return nullptr;
      case 1:
        return OneIn(2);
      case 2: {
        const uint64_t m = static_cast<uint64_t>(kMaxCanonicalJsonInteger);
        uint64_t mag = OneIn(4) ? m - Below(3) : (OneIn(2) ? Below(1000) : Below(m + 1));
        if (OneIn(2)) return json(mag);  // number_unsigned
        return json(OneIn(2) ? -static_cast<int64_t>(mag) : static_cast<int64_t>(mag));
      }
      case 3:
      case 4:
        return Text(24, /*bmp_only=*/false);
      case 5: {
        json a = json::array();
        for (size_t n = Below(5); n > 0; --n) a.push_back(StateValue(depth + 1));
        return a;
      }
      default: {
        json o = json::object();
        for (size_t n = Below(7); n > 0; --n) {
          o[OneIn(4) ? Text(6, /*bmp_only=*/true) : AsciiName()] = StateValue(depth + 1);
        }
        return o;
      }
    }
  }

 private:
  std::mt19937_64 rng_;
};

// Reference order of RFC 8785 section 3.2.3, computed without UTF-16: map each
// code point to where its first UTF-16 unit sorts (U+E000..U+FFFF above every
// surrogate pair) and compare those sequences.
std::vector<uint32_t> OrderKey(const std::string& s) {
  std::vector<uint32_t> key;
  for (size_t i = 0; i < s.size();) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    size_t n = b0 < 0x80 ? 0 : b0 < 0xe0 ? 1 : b0 < 0xf0 ? 2 : 3;
    uint32_t cp = n == 0 ? b0 : n == 1 ? (b0 & 0x1f) : n == 2 ? (b0 & 0x0f) : (b0 & 0x07);
    for (size_t k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3f);
    i += n + 1;
    key.push_back(cp >= 0xe000 && cp <= 0xffff ? cp + 0x200000 : cp);
  }
  return key;
}

}  // namespace

TEST_CASE("canonical JSON test vectors, byte for byte", "[core][canonical-json]") {
  const json vectors = Vectors()["vectors"];
  REQUIRE(vectors.size() >= 15);
  for (const json& v : vectors) {
    INFO(v["name"].get<std::string>());
    json input = InputOf(v);
    auto got = CanonicalJson(input);
    if (v.contains("output")) {
      REQUIRE(got.ok());
      const std::string want = v["output"];
      CHECK(ToHex(AsBytes(*got)) == ToHex(AsBytes(want)));
      // It parses back to the same value and is its own canonical form.
      json back = json::parse(*got, nullptr, false);
      CHECK(back == input);
      auto again = CanonicalJson(back);
      REQUIRE(again.ok());
      CHECK(*again == *got);
    } else {
      REQUIRE_FALSE(got.ok());
      CHECK(got.status().code() == StatusCode::kInvalidArgument);
      CHECK(got.status().message() == v["error"].get<std::string>());
    }
  }
}

TEST_CASE("docs/encoding.md lists every tested vector", "[core][canonical-json]") {
  const std::string doc = ReadFile(std::string(LICENCED_SOURCE_DIR) + "/docs/encoding.md");
  const size_t section = doc.find("## Canonical JSON (state values)");
  REQUIRE(section != std::string::npos);
  const std::string text = doc.substr(section);
  const json vectors = Vectors()["vectors"];  // a copy: the range must outlive the loop
  for (const json& v : vectors) {
    INFO(v["name"].get<std::string>());
    CHECK(text.find(v["name"].get<std::string>()) != std::string::npos);
    const std::string in = v[v.contains("input") ? "input" : "input_string_hex"].get<std::string>();
    CHECK(text.find(in) != std::string::npos);
    const std::string out = v[v.contains("output") ? "output" : "error"].get<std::string>();
    CHECK(text.find(out) != std::string::npos);
  }
}

TEST_CASE("canonical JSON equals dump() for every value shaped like chaincode state",
          "[core][canonical-json]") {
  Gen g(20261126);
  size_t non_ascii = 0;
  for (int i = 0; i < 20000; ++i) {
    json v = g.StateValue(0);
    const std::string dumped = v.dump();
    auto got = CanonicalJson(v);
    INFO(dumped);
    REQUIRE(got.ok());
    REQUIRE(*got == dumped);
    // Read back from state and written again: still the same bytes.
    auto again = CanonicalJson(json::parse(dumped));
    REQUIRE(again.ok());
    REQUIRE(*again == dumped);
    if (std::any_of(dumped.begin(), dumped.end(), [](char c) { return c & 0x80; })) ++non_ascii;
  }
  CHECK(non_ascii > 1000);
}

TEST_CASE("member names are ordered by UTF-16 code units, not bytes", "[core][canonical-json]") {
  Gen g(8785);
  size_t differs_from_dump = 0;
  for (int i = 0; i < 3000; ++i) {
    json o = json::object();
    for (size_t n = 1 + g.Below(6); n > 0; --n) o[g.Text(3, /*bmp_only=*/false)] = n;
    auto got = CanonicalJson(o);
    REQUIRE(got.ok());
    // The members come back in the written order when parsed into an
    // order-preserving JSON object.
    nlohmann::ordered_json back = nlohmann::ordered_json::parse(*got);
    std::vector<std::string> names;
    for (auto it = back.begin(); it != back.end(); ++it) names.push_back(it.key());
    REQUIRE(names.size() == o.size());
    for (size_t k = 1; k < names.size(); ++k) {
      INFO(ToHex(AsBytes(names[k - 1])) << " before " << ToHex(AsBytes(names[k])));
      REQUIRE(OrderKey(names[k - 1]) < OrderKey(names[k]));
    }
    if (*got != o.dump()) ++differs_from_dump;
  }
  CHECK(differs_from_dump > 100);  // the generator does reach the case that differs

  // The smallest case: U+E000 (EE 80 80) sorts after U+10000 (F0 90 80 80).
  json o = {{"\xee\x80\x80", 1}, {"\xf0\x90\x80\x80", 2}};
  CHECK(o.dump() == "{\"\xee\x80\x80\":1,\"\xf0\x90\x80\x80\":2}");
  CHECK(*CanonicalJson(o) == "{\"\xf0\x90\x80\x80\":2,\"\xee\x80\x80\":1}");
  // Below U+E000 the two orders agree: U+D7FF (ED 9F BF) before U+10000.
  json p = {{"\xf0\x90\x80\x80", 2}, {"\xed\x9f\xbf", 1}};
  CHECK(*CanonicalJson(p) == p.dump());
}

TEST_CASE("canonical JSON refuses without throwing", "[core][canonical-json]") {
  // DEL and other non-control ASCII stay verbatim.
  CHECK(*CanonicalJson(json("\x7f~")) == "\"\x7f~\"");
  // Not UTF-8 in a member name, with the place named.
  json bad_name = {{"ok", {{"\xc0\xaf", 1}}}};
  auto r = CanonicalJson(bad_name);
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().message() ==
        "canonical JSON: at /ok/(name not UTF-8): a member name that is not well-formed UTF-8");
  // Truncated sequences and code points above U+10FFFF.
  for (const char* s : {"\xe2\x82", "\xf4\x90\x80\x80", "\xf8\x88\x80\x80\x80", "\x80"}) {
    CHECK_FALSE(CanonicalJson(json(std::string(s))).ok());
  }
  CHECK(CanonicalJson(json("\xf4\x8f\xbf\xbf")).ok());  // U+10FFFF
  // Pointer segments are escaped as RFC 6901 says.
  auto slash = CanonicalJson(json{{"a/b~c", 0.5}});
  REQUIRE_FALSE(slash.ok());
  CHECK_THAT(slash.status().message(), Catch::StartsWith("canonical JSON: at /a~1b~0c: "));
  // Nesting: kMaxCanonicalJsonDepth arrays are fine, one more is refused.
  json deep = json::array();
  for (size_t i = 1; i < kMaxCanonicalJsonDepth; ++i) deep = json::array({deep});
  CHECK(CanonicalJson(deep).ok());
  auto deeper = CanonicalJson(json::array({deep}));
  REQUIRE_FALSE(deeper.ok());
  CHECK_THAT(deeper.status().message(), Catch::EndsWith(": nested too deeply"));
  // Binary and discarded values have no JSON text.
  CHECK_FALSE(CanonicalJson(json::binary({1, 2})).ok());
  CHECK_FALSE(CanonicalJson(json(json::value_t::discarded)).ok());
  // Floats are refused whatever their value.
  for (double d : {0.0, -0.0, 1.0, 1e300}) CHECK_FALSE(CanonicalJson(json(d)).ok());
}
