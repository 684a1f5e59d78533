#include "proof/record_codec.h"

#include <nlohmann/json.hpp>

#include "core/canonical_json.h"

namespace licenced::proof {
namespace {

using json = nlohmann::json;

enum Tag : uint8_t {
  kNull = 0x00,
  kFalse = 0x01,
  kTrue = 0x02,
  kUint = 0x03,
  kNegInt = 0x04,
  kString = 0x05,
  kHex32 = 0x06,
  kArray = 0x07,
  kObject = 0x08,
};

constexpr size_t kDictSize = std::size(kRecordKeyDictionary);
constexpr char kHexDigits[] = "0123456789abcdef";

Status Bad(const std::string& what) { return Status::InvalidArgument("compact record: " + what); }

bool IsLowerHex64(std::string_view s) {
  if (s.size() != 64) return false;
  for (char c : s) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

// Index + 1 of `key` in the dictionary, 0 if absent.
uint64_t DictCode(std::string_view key) {
  for (size_t i = 0; i < kDictSize; ++i) {
    if (kRecordKeyDictionary[i] == key) return i + 1;
  }
  return 0;
}

// JSON string text of `s` (docs/proof-format.md §3.2): the string escaping of
// core/canonical_json.h.
void AppendJsonString(Bytes& out, std::string_view s) {
  out.push_back('"');
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out.insert(out.end(), {'\\', '"'});
        break;
      case '\\':
        out.insert(out.end(), {'\\', '\\'});
        break;
      case 0x08:
        out.insert(out.end(), {'\\', 'b'});
        break;
      case 0x0c:
        out.insert(out.end(), {'\\', 'f'});
        break;
      case 0x0a:
        out.insert(out.end(), {'\\', 'n'});
        break;
      case 0x0d:
        out.insert(out.end(), {'\\', 'r'});
        break;
      case 0x09:
        out.insert(out.end(), {'\\', 't'});
        break;
      default:
        if (c < 0x20) {
          out.insert(out.end(), {'\\', 'u', '0', '0', static_cast<uint8_t>(kHexDigits[c >> 4]),
                                 static_cast<uint8_t>(kHexDigits[c & 15])});
        } else {
          out.push_back(c);
        }
    }
  }
  out.push_back('"');
}

void AppendDecimal(Bytes& out, uint64_t v) {
  std::string s = std::to_string(v);
  out.insert(out.end(), s.begin(), s.end());
}

// ---- expansion ----

class Expander {
 public:
  explicit Expander(ByteView in) : in_(in) {}

  Status Run(ExpandedRecord* out) {
    if (pos_ >= in_.size() || in_[pos_] != kObject) return Bad("the top level must be an object");
    LIC_RETURN_IF_ERROR(Value(0, &out->identifier));
    if (pos_ != in_.size()) return Bad("trailing bytes");
    out->json = std::move(out_);
    return Status::Ok();
  }

 private:
  Status Uvarint(uint64_t* v) {
    if (!GetUvarint(in_, &pos_, v)) return Bad("truncated or non-minimal LEB128 integer");
    return Status::Ok();
  }
  Status Text(std::string_view* s) {
    uint64_t len = 0;
    LIC_RETURN_IF_ERROR(Uvarint(&len));
    if (len > in_.size() - pos_) return Bad("truncated string");
    *s = std::string_view(reinterpret_cast<const char*>(in_.data() + pos_), len);
    pos_ += len;
    if (!IsWellFormedUtf8(*s)) return Bad("a string or key is not well-formed UTF-8");
    return Status::Ok();
  }
  Status Room() {
    if (out_.size() > kMaxExpandedRecordBytes) return Bad("expands to more than 64 KiB");
    return Status::Ok();
  }

  // `identifier`: non-null only for the top-level object.
  Status Value(size_t depth, std::string* identifier) {
    LIC_RETURN_IF_ERROR(Room());
    if (pos_ >= in_.size()) return Bad("truncated value");
    const uint8_t tag = in_[pos_++];
    switch (tag) {
      case kNull:
        out_.insert(out_.end(), {'n', 'u', 'l', 'l'});
        return Status::Ok();
      case kFalse:
        out_.insert(out_.end(), {'f', 'a', 'l', 's', 'e'});
        return Status::Ok();
      case kTrue:
        out_.insert(out_.end(), {'t', 'r', 'u', 'e'});
        return Status::Ok();
      case kUint: {
        uint64_t v = 0;
        LIC_RETURN_IF_ERROR(Uvarint(&v));
        AppendDecimal(out_, v);
        return Status::Ok();
      }
      case kNegInt: {
        uint64_t m = 0;
        LIC_RETURN_IF_ERROR(Uvarint(&m));
        if (m == 0 || m > (uint64_t{1} << 63))
          return Bad("negative integer magnitude out of range");
        out_.push_back('-');
        AppendDecimal(out_, m);
        return Status::Ok();
      }
      case kString: {
        std::string_view s;
        LIC_RETURN_IF_ERROR(Text(&s));
        if (IsLowerHex64(s)) return Bad("a 64-character lower-case hex string must use tag 0x06");
        AppendJsonString(out_, s);
        last_string_ = s;
        return Status::Ok();
      }
      case kHex32: {
        if (in_.size() - pos_ < 32) return Bad("truncated hex32");
        out_.push_back('"');
        for (size_t i = 0; i < 32; ++i) {
          out_.push_back(static_cast<uint8_t>(kHexDigits[in_[pos_ + i] >> 4]));
          out_.push_back(static_cast<uint8_t>(kHexDigits[in_[pos_ + i] & 15]));
        }
        out_.push_back('"');
        pos_ += 32;
        last_string_ = std::nullopt;
        return Status::Ok();
      }
      case kArray:
      case kObject: {
        if (depth + 1 > kMaxCompactRecordDepth) return Bad("nested too deeply");
        uint64_t n = 0;
        LIC_RETURN_IF_ERROR(Uvarint(&n));
        // Every element takes at least one byte (two for a member).
        if (n > in_.size() - pos_) return Bad("count larger than the input");
        out_.push_back(tag == kArray ? '[' : '{');
        std::string prev_key;
        for (uint64_t i = 0; i < n; ++i) {
          if (i > 0) out_.push_back(',');
          if (tag == kArray) {
            LIC_RETURN_IF_ERROR(Value(depth + 1, nullptr));
            continue;
          }
          uint64_t code = 0;
          LIC_RETURN_IF_ERROR(Uvarint(&code));
          std::string_view key;
          if (code == 0) {
            LIC_RETURN_IF_ERROR(Text(&key));
            if (DictCode(key) != 0) return Bad("a dictionary key written as text");
          } else if (code <= kDictSize) {
            key = kRecordKeyDictionary[code - 1];
          } else {
            return Bad("unknown dictionary key code");
          }
          if (i > 0 && !(std::string_view(prev_key) < key))
            return Bad("object keys must be strictly ascending (bytewise)");
          prev_key.assign(key);
          AppendJsonString(out_, key);
          out_.push_back(':');
          last_string_ = std::nullopt;
          LIC_RETURN_IF_ERROR(Value(depth + 1, nullptr));
          if (identifier != nullptr && key == "identifier" && last_string_ && out_.back() == '"') {
            *identifier = std::string(*last_string_);
          }
        }
        out_.push_back(tag == kArray ? ']' : '}');
        last_string_ = std::nullopt;
        return Room();
      }
      default:
        return Bad("unknown value tag " + std::to_string(tag));
    }
  }

  ByteView in_;
  size_t pos_ = 0;
  Bytes out_;
  std::optional<std::string_view> last_string_;  // the text of the last string value read
};

// ---- compaction ----

Status EncodeValue(const json& j, size_t depth, Bytes& out) {
  switch (j.type()) {
    case json::value_t::null:
      out.push_back(kNull);
      return Status::Ok();
    case json::value_t::boolean:
      out.push_back(j.get<bool>() ? kTrue : kFalse);
      return Status::Ok();
    case json::value_t::number_unsigned:
      out.push_back(kUint);
      PutUvarint(out, j.get<uint64_t>());
      return Status::Ok();
    case json::value_t::number_integer: {
      int64_t v = j.get<int64_t>();
      if (v >= 0) {
        out.push_back(kUint);
        PutUvarint(out, static_cast<uint64_t>(v));
      } else {
        out.push_back(kNegInt);
        PutUvarint(out, static_cast<uint64_t>(-(v + 1)) + 1);
      }
      return Status::Ok();
    }
    case json::value_t::string: {
      const std::string& s = j.get_ref<const std::string&>();
      if (IsLowerHex64(s)) {
        out.push_back(kHex32);
        for (size_t i = 0; i < 64; i += 2) {
          auto nib = [](char c) { return c <= '9' ? c - '0' : c - 'a' + 10; };
          out.push_back(static_cast<uint8_t>(nib(s[i]) << 4 | nib(s[i + 1])));
        }
      } else {
        out.push_back(kString);
        PutUvarint(out, s.size());
        out.insert(out.end(), s.begin(), s.end());
      }
      return Status::Ok();
    }
    case json::value_t::array:
    case json::value_t::object: {
      if (depth + 1 > kMaxCompactRecordDepth) return Bad("nested too deeply");
      out.push_back(j.is_array() ? kArray : kObject);
      PutUvarint(out, j.size());
      if (j.is_array()) {
        for (const json& e : j) LIC_RETURN_IF_ERROR(EncodeValue(e, depth + 1, out));
      } else {
        for (auto it = j.begin(); it != j.end(); ++it) {
          uint64_t code = DictCode(it.key());
          PutUvarint(out, code);
          if (code == 0) {
            PutUvarint(out, it.key().size());
            out.insert(out.end(), it.key().begin(), it.key().end());
          }
          LIC_RETURN_IF_ERROR(EncodeValue(it.value(), depth + 1, out));
        }
      }
      return Status::Ok();
    }
    default:
      return Bad("floating-point and binary values have no compact form");
  }
}

}  // namespace

void PutUvarint(Bytes& out, uint64_t v) {
  while (v >= 0x80) {
    out.push_back(static_cast<uint8_t>(v | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<uint8_t>(v));
}

bool GetUvarint(ByteView in, size_t* pos, uint64_t* v) {
  uint64_t r = 0;
  for (size_t i = 0; i < 10; ++i) {
    if (*pos >= in.size()) return false;
    const uint8_t b = in[(*pos)++];
    if (i == 9 && b > 1) return false;  // more than 64 bits
    r |= static_cast<uint64_t>(b & 0x7f) << (7 * i);
    if ((b & 0x80) == 0) {
      if (i > 0 && b == 0) return false;  // non-minimal: a trailing zero group
      *v = r;
      return true;
    }
  }
  return false;
}

Result<Bytes> CompactRecord(ByteView json_text) {
  if (json_text.size() > kMaxExpandedRecordBytes) return Bad("record larger than 64 KiB");
  json j = json::parse(json_text.begin(), json_text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Bad("not a JSON object");
  Bytes out;
  LIC_RETURN_IF_ERROR(EncodeValue(j, 0, out));
  // Only texts that are exactly the expansion of their encoding have a compact form.
  auto back = ExpandRecord(out);
  if (!back.ok()) return back.status();
  if (back->json.size() != json_text.size() ||
      !std::equal(back->json.begin(), back->json.end(), json_text.begin())) {
    return Bad("the text is not in canonical compact JSON form");
  }
  return out;
}

Result<ExpandedRecord> ExpandRecord(ByteView compact) {
  ExpandedRecord r;
  LIC_RETURN_IF_ERROR(Expander(compact).Run(&r));
  return r;
}

}  // namespace licenced::proof
