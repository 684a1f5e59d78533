// Shared helpers of the libFuzzer targets under tests/fuzz/ (see
// docs/testing.md): an input cursor, invariant checks that abort (so both
// libFuzzer and the corpus replay driver report them), and the fixed keys the
// targets and the seed generator share. Not thread-safe; one input at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/crypto.h"

// Every target defines this (the libFuzzer entry point).
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

// An invariant of the code under test; a violation aborts with a message.
#define FUZZ_CHECK(cond, what)                                                                   \
  do {                                                                                           \
    if (!(cond)) {                                                                               \
      std::fprintf(stderr, "FUZZ INVARIANT VIOLATED at %s:%d: %s\n  (%s)\n", __FILE__, __LINE__, \
                   std::string(what).c_str(), #cond);                                            \
      std::abort();                                                                              \
    }                                                                                            \
  } while (0)

namespace licenced::fuzz {

// Initialises libsodium once (aborts if it cannot).
inline void InitOnce() {
  static const bool ok = crypto::Init().ok();
  if (!ok) {
    std::fprintf(stderr, "crypto::Init failed\n");
    std::abort();
  }
}

// Reads fuzzer input front to back; past the end every read yields zeros /
// empty values (so any input is a valid program).
class Input {
 public:
  Input(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool empty() const { return pos_ >= size_; }
  size_t remaining() const { return size_ - pos_; }

  uint8_t U8() { return pos_ < size_ ? data_[pos_++] : 0; }
  uint16_t U16() { return static_cast<uint16_t>((U8() << 8) | U8()); }
  uint32_t U32() { return (static_cast<uint32_t>(U16()) << 16) | U16(); }
  uint64_t U64() { return (static_cast<uint64_t>(U32()) << 32) | U32(); }
  bool Bool() { return (U8() & 1) != 0; }
  // A value in [0, n) (n > 0).
  uint32_t Pick(uint32_t n) { return n == 0 ? 0 : U8() % n; }
  // Up to `n` bytes (fewer at the end of the input).
  Bytes Take(size_t n) {
    size_t k = n < remaining() ? n : remaining();
    Bytes out(data_ + pos_, data_ + pos_ + k);
    pos_ += k;
    return out;
  }
  // A u16 length followed by that many bytes.
  Bytes Blob() { return Take(U16()); }
  std::string Str() {
    Bytes b = Blob();
    return std::string(b.begin(), b.end());
  }
  Bytes Rest() { return Take(remaining()); }

 private:
  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
};

// Writes what Input reads (the seed generator builds inputs with it).
class InputWriter {
 public:
  InputWriter& U8(uint8_t v) {
    out_.push_back(v);
    return *this;
  }
  InputWriter& U16(uint16_t v) {
    return U8(static_cast<uint8_t>(v >> 8)).U8(static_cast<uint8_t>(v));
  }
  InputWriter& U32(uint32_t v) {
    return U16(static_cast<uint16_t>(v >> 16)).U16(static_cast<uint16_t>(v));
  }
  InputWriter& U64(uint64_t v) {
    return U32(static_cast<uint32_t>(v >> 32)).U32(static_cast<uint32_t>(v));
  }
  InputWriter& Blob(ByteView b) {
    U16(static_cast<uint16_t>(b.size()));
    out_.insert(out_.end(), b.begin(), b.begin() + (b.size() > 0xffff ? 0xffff : b.size()));
    return *this;
  }
  InputWriter& Str(std::string_view s) { return Blob(AsBytes(s)); }
  InputWriter& Raw(ByteView b) {
    out_.insert(out_.end(), b.begin(), b.end());
    return *this;
  }
  const Bytes& bytes() const { return out_; }

 private:
  Bytes out_;
};

// The fixed 4-validator set of the consensus targets: validator i has the
// key FromSeed({i, 'F', 'Z', 0...}).
inline crypto::KeyPair ValidatorKey(uint32_t i) {
  crypto::Seed seed{};
  seed[0] = static_cast<uint8_t>(i);
  seed[1] = 'F';
  seed[2] = 'Z';
  return crypto::KeyPair::FromSeed(seed);
}
inline constexpr uint32_t kValidators = 4;

}  // namespace licenced::fuzz
