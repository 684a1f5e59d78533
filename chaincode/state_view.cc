#include "chaincode/state_view.h"

namespace licenced::chaincode {

std::optional<Bytes> MemStateView::Get(std::string_view key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  return it->second;
}

void MemStateView::Put(std::string_view key, Bytes value) {
  entries_.insert_or_assign(std::string(key), std::move(value));
}

void MemStateView::Delete(std::string_view key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) entries_.erase(it);
}

std::vector<std::pair<std::string, Bytes>> MemStateView::Scan(std::string_view prefix,
                                                              size_t limit) const {
  std::vector<std::pair<std::string, Bytes>> out;
  for (auto it = entries_.lower_bound(prefix); it != entries_.end() && out.size() < limit; ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    out.emplace_back(it->first, it->second);
  }
  return out;
}

std::optional<Bytes> OverlayView::Get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_.Get(key);
}

void OverlayView::Put(std::string_view key, Bytes value) {
  writes_.insert_or_assign(std::string(key), std::optional<Bytes>(std::move(value)));
}

void OverlayView::Delete(std::string_view key) {
  writes_.insert_or_assign(std::string(key), std::optional<Bytes>());
}

std::vector<std::pair<std::string, Bytes>> OverlayView::Scan(std::string_view prefix,
                                                             size_t limit) const {
  // Merge the base scan with the buffered writes. Deleted keys in the overlay may
  // hide base entries, so ask the base for enough to fill `limit` after hiding.
  size_t hidden = 0;
  for (auto it = writes_.lower_bound(prefix); it != writes_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    ++hidden;
  }
  size_t base_limit = limit > SIZE_MAX - hidden ? SIZE_MAX : limit + hidden;
  std::map<std::string, Bytes, std::less<>> merged;
  for (auto& [k, v] : base_.Scan(prefix, base_limit)) merged.emplace(std::move(k), std::move(v));
  for (auto it = writes_.lower_bound(prefix); it != writes_.end(); ++it) {
    if (it->first.compare(0, prefix.size(), prefix) != 0) break;
    if (it->second.has_value()) {
      merged.insert_or_assign(it->first, *it->second);
    } else {
      merged.erase(it->first);
    }
  }
  std::vector<std::pair<std::string, Bytes>> out;
  for (auto& [k, v] : merged) {
    if (out.size() >= limit) break;
    out.emplace_back(k, std::move(v));
  }
  return out;
}

void OverlayView::Commit() {
  for (auto& [k, v] : writes_) {
    if (v.has_value()) {
      base_.Put(k, std::move(*v));
    } else {
      base_.Delete(k);
    }
  }
  writes_.clear();
}

}  // namespace licenced::chaincode
