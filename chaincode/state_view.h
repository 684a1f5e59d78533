// The key-value view of ledger state that chaincode reads and writes.
//
// StateView is the interface the node implements over its state map; MemStateView
// is an in-memory implementation for tests and tools; OverlayView buffers the
// writes of one transaction over a base view so a rejected transaction leaves the
// base untouched (Commit() applies them, dropping the overlay discards them).
// None of these classes is thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"

namespace licenced::chaincode {

class StateView {
 public:
  virtual ~StateView() = default;
  virtual std::optional<Bytes> Get(std::string_view key) const = 0;
  virtual void Put(std::string_view key, Bytes value) = 0;
  virtual void Delete(std::string_view key) = 0;
  // Up to `limit` entries whose key starts with `prefix`, in ascending key order.
  virtual std::vector<std::pair<std::string, Bytes>> Scan(std::string_view prefix,
                                                          size_t limit) const = 0;
};

// Ordered in-memory state. Deleting a missing key is a no-op.
class MemStateView final : public StateView {
 public:
  std::optional<Bytes> Get(std::string_view key) const override;
  void Put(std::string_view key, Bytes value) override;
  void Delete(std::string_view key) override;
  std::vector<std::pair<std::string, Bytes>> Scan(std::string_view prefix,
                                                  size_t limit) const override;

  const std::map<std::string, Bytes, std::less<>>& entries() const { return entries_; }
  size_t size() const { return entries_.size(); }
  bool operator==(const MemStateView& other) const { return entries_ == other.entries_; }

 private:
  std::map<std::string, Bytes, std::less<>> entries_;
};

// Buffers writes over `base`. Reads see the buffered writes first.
// REQUIRES: `base` outlives the overlay and is not written while the overlay is live.
class OverlayView final : public StateView {
 public:
  explicit OverlayView(StateView& base) : base_(base) {}
  // `OverlayView inner(outer)` wraps `outer` (nested overlays); it must never
  // copy it, since a copy would share outer's base and bypass outer's buffer.
  explicit OverlayView(OverlayView& base) : base_(base) {}
  OverlayView(const OverlayView&) = delete;
  OverlayView& operator=(const OverlayView&) = delete;

  std::optional<Bytes> Get(std::string_view key) const override;
  void Put(std::string_view key, Bytes value) override;
  void Delete(std::string_view key) override;
  std::vector<std::pair<std::string, Bytes>> Scan(std::string_view prefix,
                                                  size_t limit) const override;

  // Buffered writes in key order; nullopt = delete. The node turns these into
  // state-map updates and a storage WriteBatch.
  const std::map<std::string, std::optional<Bytes>, std::less<>>& writes() const { return writes_; }
  // Applies the buffered writes to the base view and clears the buffer.
  void Commit();
  // Drops the buffered writes.
  void Discard() { writes_.clear(); }

 private:
  StateView& base_;
  std::map<std::string, std::optional<Bytes>, std::less<>> writes_;
};

}  // namespace licenced::chaincode
