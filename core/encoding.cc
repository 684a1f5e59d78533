#include "core/encoding.h"

namespace licenced {

Writer& Writer::U8(uint8_t v) {
  out_.push_back(v);
  return *this;
}

Writer& Writer::U32(uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}

Writer& Writer::U64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out_.push_back(static_cast<uint8_t>(v >> shift));
  return *this;
}

Writer& Writer::Var(ByteView v) {
  U32(static_cast<uint32_t>(v.size()));
  return Raw(v);
}

Writer& Writer::Raw(ByteView v) {
  out_.insert(out_.end(), v.begin(), v.end());
  return *this;
}

bool Reader::Need(size_t n) {
  if (!ok_ || data_.size() - pos_ < n) {
    ok_ = false;
    return false;
  }
  return true;
}

uint8_t Reader::U8() {
  if (!Need(1)) return 0;
  return data_[pos_++];
}

uint32_t Reader::U32() {
  if (!Need(4)) return 0;
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = v << 8 | data_[pos_++];
  return v;
}

uint64_t Reader::U64() {
  if (!Need(8)) return 0;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = v << 8 | data_[pos_++];
  return v;
}

Bytes Reader::Var() {
  uint32_t n = U32();
  if (!Need(n)) return {};
  Bytes out(data_.begin() + pos_, data_.begin() + pos_ + n);
  pos_ += n;
  return out;
}

std::string Reader::Str() {
  Bytes b = Var();
  return std::string(b.begin(), b.end());
}

Status Reader::Finish(std::string_view what) const {
  if (!ok_) return Status::InvalidArgument(std::string(what) + ": truncated or malformed encoding");
  if (pos_ != data_.size()) {
    return Status::InvalidArgument(std::string(what) + ": " + std::to_string(data_.size() - pos_) +
                                   " unexpected trailing bytes");
  }
  return Status::Ok();
}

}  // namespace licenced
