#include "core/canonical_json.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <utility>
#include <vector>

namespace licenced {
namespace {

using json = nlohmann::json;

constexpr char kHexDigits[] = "0123456789abcdef";

// Decodes well-formed UTF-8 `s` (checked before) into UTF-16 code units.
std::u16string Utf16Of(std::string_view s) {
  std::u16string out;
  out.reserve(s.size());
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    uint32_t cp = 0;
    size_t n = 0;
    if (b0 < 0x80) {
      cp = b0;
    } else if (b0 < 0xe0) {
      cp = b0 & 0x1f;
      n = 1;
    } else if (b0 < 0xf0) {
      cp = b0 & 0x0f;
      n = 2;
    } else {
      cp = b0 & 0x07;
      n = 3;
    }
    for (size_t k = 1; k <= n; ++k) cp = (cp << 6) | (static_cast<uint8_t>(s[i + k]) & 0x3f);
    i += n + 1;
    if (cp >= 0x10000) {
      cp -= 0x10000;
      out.push_back(static_cast<char16_t>(0xd800 + (cp >> 10)));
      out.push_back(static_cast<char16_t>(0xdc00 + (cp & 0x3ff)));
    } else {
      out.push_back(static_cast<char16_t>(cp));
    }
  }
  return out;
}

// ECMAScript Number::toString (ECMA-262 7.1.12.1) of a finite double: the
// shortest digits that round-trip (std::to_chars gives them), then the
// ECMAScript choice between plain and exponential notation. RFC 8785 3.2.2.3.
void AppendEcmaScriptNumber(double v, std::string& out) {
  if (v == 0) {  // +0 and -0
    out.push_back('0');
    return;
  }
  if (v < 0) {
    out.push_back('-');
    v = -v;
  }
  char buf[64];
  auto r = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::scientific);
  std::string_view sci(buf, static_cast<size_t>(r.ptr - buf));  // d[.ddd]e[+-]xx
  const size_t e_pos = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e_pos)) {
    if (c != '.') digits.push_back(c);
  }
  int exp10 = 0;
  std::from_chars(sci.data() + e_pos + (sci[e_pos + 1] == '+' ? 2 : 1), sci.data() + sci.size(),
                  exp10);
  const int k = static_cast<int>(digits.size());
  const int n = exp10 + 1;  // v = 0.digits * 10^n
  if (k <= n && n <= 21) {
    out += digits;
    out.append(static_cast<size_t>(n - k), '0');
  } else if (0 < n && n <= 21) {
    out.append(digits, 0, static_cast<size_t>(n));
    out.push_back('.');
    out.append(digits, static_cast<size_t>(n));
  } else if (-6 < n && n <= 0) {
    out += "0.";
    out.append(static_cast<size_t>(-n), '0');
    out += digits;
  } else {
    out.push_back(digits[0]);
    if (k > 1) {
      out.push_back('.');
      out.append(digits, 1);
    }
    out.push_back('e');
    out.push_back(n - 1 >= 0 ? '+' : '-');
    out += std::to_string(std::abs(n - 1));
  }
}

class CanonicalWriter {
 public:
  // `full`: RFC 8785 for every JSON number (IEEE doubles, ECMAScript
  // notation); otherwise only integers within +-(2^53-1) are accepted.
  explicit CanonicalWriter(bool full) : full_(full) {}

  Status Value(const json& j, size_t depth) {
    switch (j.type()) {
      case json::value_t::null:
        out_ += "null";
        return Status::Ok();
      case json::value_t::boolean:
        out_ += j.get<bool>() ? "true" : "false";
        return Status::Ok();
      case json::value_t::number_integer: {
        const int64_t v = j.get<int64_t>();
        if (full_) return Number(static_cast<double>(v));
        if (v > kMaxCanonicalJsonInteger || v < -kMaxCanonicalJsonInteger) {
          return Refuse("the integer " + std::to_string(v) + " is outside -(2^53-1)..2^53-1");
        }
        AppendDecimal(v);
        return Status::Ok();
      }
      case json::value_t::number_unsigned: {
        const uint64_t v = j.get<uint64_t>();
        if (full_) return Number(static_cast<double>(v));
        if (v > static_cast<uint64_t>(kMaxCanonicalJsonInteger)) {
          return Refuse("the integer " + std::to_string(v) + " is outside -(2^53-1)..2^53-1");
        }
        AppendDecimal(static_cast<int64_t>(v));
        return Status::Ok();
      }
      case json::value_t::number_float:
        if (full_) return Number(j.get<double>());
        return Refuse("a floating-point number (only integers are stored)");
      case json::value_t::string:
        return String(j.get_ref<const std::string&>());
      case json::value_t::array: {
        if (depth >= kMaxCanonicalJsonDepth) return Refuse("nested too deeply");
        out_.push_back('[');
        size_t i = 0;
        for (const json& e : j) {
          if (i > 0) out_.push_back(',');
          Status st = Value(e, depth + 1);
          if (!st.ok()) return At(std::to_string(i), std::move(st));
          ++i;
        }
        out_.push_back(']');
        return Status::Ok();
      }
      case json::value_t::object:
        return Object(j, depth);
      case json::value_t::binary:
        return Refuse("a binary value");
      case json::value_t::discarded:
        return Refuse("a discarded value");
    }
    return Refuse("an unknown value type");
  }

  Status Finish(Status st, std::string* out) {
    if (!st.ok()) {
      std::string pointer;
      for (auto it = path_.rbegin(); it != path_.rend(); ++it) pointer += "/" + *it;
      if (pointer.empty()) pointer = "(top level)";
      return Status::InvalidArgument("canonical JSON: at " + pointer + ": " + st.message());
    }
    *out = std::move(out_);
    return Status::Ok();
  }

 private:
  static Status Refuse(std::string why) { return Status::InvalidArgument(std::move(why)); }

  // Records one path segment (innermost first) while an error unwinds.
  Status At(std::string segment, Status st) {
    // RFC 6901 escaping of the segment; the message stays valid UTF-8.
    if (!IsWellFormedUtf8(segment)) segment = "(name not UTF-8)";
    std::string escaped;
    for (char c : segment) {
      if (c == '~') {
        escaped += "~0";
      } else if (c == '/') {
        escaped += "~1";
      } else {
        escaped.push_back(c);
      }
    }
    path_.push_back(std::move(escaped));
    return st;
  }

  Status Number(double v) {
    if (!std::isfinite(v)) return Refuse("a number that is not finite (NaN or infinity)");
    AppendEcmaScriptNumber(v, out_);
    return Status::Ok();
  }

  void AppendDecimal(int64_t v) {
    char buf[24];
    auto r = std::to_chars(buf, buf + sizeof(buf), v);
    out_.append(buf, r.ptr);
  }

  Status String(const std::string& s) {
    if (!IsWellFormedUtf8(s)) return Refuse("a string that is not well-formed UTF-8");
    AppendString(s);
    return Status::Ok();
  }

  void AppendString(std::string_view s) {
    out_.push_back('"');
    for (char ch : s) {
      const auto c = static_cast<unsigned char>(ch);
      switch (c) {
        case '"':
          out_ += "\\\"";
          break;
        case '\\':
          out_ += "\\\\";
          break;
        case 0x08:
          out_ += "\\b";
          break;
        case 0x09:
          out_ += "\\t";
          break;
        case 0x0a:
          out_ += "\\n";
          break;
        case 0x0c:
          out_ += "\\f";
          break;
        case 0x0d:
          out_ += "\\r";
          break;
        default:
          if (c < 0x20) {
            out_ += "\\u00";
            out_.push_back(kHexDigits[c >> 4]);
            out_.push_back(kHexDigits[c & 15]);
          } else {
            out_.push_back(ch);
          }
      }
    }
    out_.push_back('"');
  }

  Status Object(const json& j, size_t depth) {
    if (depth >= kMaxCanonicalJsonDepth) return Refuse("nested too deeply");
    struct Member {
      std::u16string order;
      const std::string* name;
      const json* value;
    };
    std::vector<Member> members;
    members.reserve(j.size());
    bool bmp_only = true;  // then UTF-8 byte order (nlohmann's) is UTF-16 order
    for (auto it = j.begin(); it != j.end(); ++it) {
      const std::string& name = it.key();
      if (!IsWellFormedUtf8(name)) {
        return At(name, Refuse("a member name that is not well-formed UTF-8"));
      }
      for (char c : name) {
        if (static_cast<unsigned char>(c) >= 0xf0) bmp_only = false;
      }
      members.push_back({{}, &name, &it.value()});
    }
    if (!bmp_only) {
      for (Member& m : members) m.order = Utf16Of(*m.name);
      std::sort(members.begin(), members.end(),
                [](const Member& a, const Member& b) { return a.order < b.order; });
    } else {
      std::sort(members.begin(), members.end(),
                [](const Member& a, const Member& b) { return *a.name < *b.name; });
    }
    out_.push_back('{');
    for (size_t i = 0; i < members.size(); ++i) {
      if (i > 0) out_.push_back(',');
      AppendString(*members[i].name);
      out_.push_back(':');
      Status st = Value(*members[i].value, depth + 1);
      if (!st.ok()) return At(*members[i].name, std::move(st));
    }
    out_.push_back('}');
    return Status::Ok();
  }

  bool full_;
  std::string out_;
  std::vector<std::string> path_;  // innermost segment first, filled on error
};

}  // namespace

bool IsWellFormedUtf8(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<uint8_t>(s[i]);
    size_t n = 0;
    uint8_t lo = 0x80, hi = 0xbf;
    if (b0 < 0x80) {
      ++i;
      continue;
    } else if (b0 >= 0xc2 && b0 <= 0xdf) {
      n = 1;
    } else if (b0 >= 0xe0 && b0 <= 0xef) {
      n = 2;
      if (b0 == 0xe0) lo = 0xa0;
      if (b0 == 0xed) hi = 0x9f;
    } else if (b0 >= 0xf0 && b0 <= 0xf4) {
      n = 3;
      if (b0 == 0xf0) lo = 0x90;
      if (b0 == 0xf4) hi = 0x8f;
    } else {
      return false;
    }
    if (s.size() - i - 1 < n) return false;
    for (size_t k = 1; k <= n; ++k) {
      const auto b = static_cast<uint8_t>(s[i + k]);
      if (b < (k == 1 ? lo : 0x80) || b > (k == 1 ? hi : 0xbf)) return false;
    }
    i += n + 1;
  }
  return true;
}

Result<std::string> CanonicalJson(const json& value) {
  CanonicalWriter w(/*full=*/false);
  std::string out;
  LIC_RETURN_IF_ERROR(w.Finish(w.Value(value, 0), &out));
  return out;
}

}  // namespace licenced

namespace licenced {

Result<std::string> Jcs(const json& value) {
  CanonicalWriter w(/*full=*/true);
  std::string out;
  LIC_RETURN_IF_ERROR(w.Finish(w.Value(value, 0), &out));
  return out;
}

}  // namespace licenced
