// Canonical binary encoding: the bytes that get hashed and signed.
//
// Protobuf serialization is not canonical across versions, so everything that
// is hashed or signed is encoded with this writer instead. Rules (see
// docs/encoding.md): unsigned integers are fixed-width big-endian; variable
// byte strings and strings are a u32 big-endian length followed by the bytes;
// fixed-size values (hashes, keys, signatures) are written raw; fields are
// written in the order the type's documentation lists them. There is no
// optional field and no padding, so every value has exactly one encoding.
//
// Writer and Reader are not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace licenced {

class Writer {
 public:
  Writer& U8(uint8_t v);
  Writer& U32(uint32_t v);
  Writer& U64(uint64_t v);
  // u32 length + bytes.
  Writer& Var(ByteView v);
  Writer& Str(std::string_view s) { return Var(AsBytes(s)); }
  // Raw bytes, no length (for fixed-size fields).
  Writer& Raw(ByteView v);

  const Bytes& bytes() const { return out_; }
  Bytes Take() { return std::move(out_); }

 private:
  Bytes out_;
};

// Reads what Writer wrote. After the first failed read (past the end, or a
// length larger than what remains) every read returns a zero value and ok()
// is false; check ok() or Finish() once at the end.
class Reader {
 public:
  explicit Reader(ByteView data) : data_(data) {}

  uint8_t U8();
  uint32_t U32();
  uint64_t U64();
  Bytes Var();
  std::string Str();
  // Exactly N raw bytes into a fixed array.
  template <size_t N>
  std::array<uint8_t, N> Fixed() {
    std::array<uint8_t, N> out{};
    if (!Need(N)) return out;
    std::copy(data_.begin() + pos_, data_.begin() + pos_ + N, out.begin());
    pos_ += N;
    return out;
  }

  bool ok() const { return ok_; }
  size_t remaining() const { return ok_ ? data_.size() - pos_ : 0; }
  // OK iff every read succeeded and all input was consumed. `what` names the
  // value being decoded in the error message.
  Status Finish(std::string_view what) const;

 private:
  bool Need(size_t n);

  ByteView data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace licenced
