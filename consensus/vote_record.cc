#include "consensus/vote_record.h"

namespace licenced::consensus {

VoteRecord::Verdict VoteRecord::Check(uint64_t view, uint64_t height, const Hash& digest) const {
  if (forgetful_) return Verdict::kNew;
  if (height <= floor_) return Verdict::kBelowFloor;
  auto it = entries_.find(height);
  if (it == entries_.end() || it->second.view < view) return Verdict::kNew;
  if (it->second.view > view) return Verdict::kConflict;  // views never go back
  return it->second.digest == digest ? Verdict::kSame : Verdict::kConflict;
}

void VoteRecord::Record(uint64_t view, uint64_t height, const Hash& digest) {
  if (forgetful_) return;
  entries_[height] = Entry{view, digest};
}

void VoteRecord::Restore(uint64_t height, Entry entry) {
  if (forgetful_ || height <= floor_) return;
  auto it = entries_.find(height);
  if (it == entries_.end() || it->second.view <= entry.view) entries_[height] = entry;
}

std::optional<VoteRecord::Entry> VoteRecord::Find(uint64_t height) const {
  auto it = entries_.find(height);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void VoteRecord::Forget(uint64_t height) {
  if (height <= floor_) return;
  entries_.erase(entries_.begin(), entries_.upper_bound(height));
  floor_ = height;
}

const char* VerdictName(VoteRecord::Verdict v) {
  switch (v) {
    case VoteRecord::Verdict::kNew:
      return "new";
    case VoteRecord::Verdict::kSame:
      return "same";
    case VoteRecord::Verdict::kConflict:
      return "conflict";
    case VoteRecord::Verdict::kBelowFloor:
      return "below the stable checkpoint";
  }
  return "?";
}

}  // namespace licenced::consensus
