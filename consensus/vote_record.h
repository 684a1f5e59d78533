// The double-vote guard: which block this replica has endorsed at each height,
// in the latest view it signed anything for that height in. A pre-prepare, a
// prepare and a commit are all endorsements of one (view, height, digest), and
// the replica signs none of them without asking this record first
// (ReplicaCore::SignVote), so an honest replica never signs two different
// messages of one kind for one (view, height).
//
// The record is forgotten only below its floor, and nothing at or below the
// floor is ever signed again. The floor is the stable checkpoint: a quorum has
// executed every block up to it, so no vote there is needed, and the
// checkpoint proof is persisted before the forgotten entries are deleted, so
// a restart comes back with a floor at least as high.
//
// Not thread-safe (owned by the replica).
#pragma once

#include <cstdint>
#include <map>
#include <optional>

#include "core/bytes.h"

namespace licenced::consensus {

class VoteRecord {
 public:
  struct Entry {
    uint64_t view = 0;
    Hash digest{};
  };

  enum class Verdict {
    kNew,         // nothing signed for (view, height) yet: may sign, then Record
    kSame,        // already endorsed this digest at (view, height): may sign again
    kConflict,    // endorsed another digest at (view, height), or signed in a later view
    kBelowFloor,  // at or below the stable checkpoint: never signed again
  };

  // Whether signing an endorsement of `digest` at (view, height) contradicts
  // anything signed before.
  Verdict Check(uint64_t view, uint64_t height, const Hash& digest) const;

  // REQUIRES: Check(view, height, digest) == Verdict::kNew.
  void Record(uint64_t view, uint64_t height, const Hash& digest);

  // Restores an entry persisted by an earlier run (only the latest view is kept).
  void Restore(uint64_t height, Entry entry);

  // The entry for `height`, if any.
  std::optional<Entry> Find(uint64_t height) const;

  // Forgets the entries at or below `height` and raises the floor to it (the
  // floor never moves down).
  void Forget(uint64_t height);

  uint64_t floor() const { return floor_; }
  size_t size() const { return entries_.size(); }
  const std::map<uint64_t, Entry>& entries() const { return entries_; }

  // Test-only (ReplicaTestAccess): a deliberately broken guard that allows
  // everything and remembers nothing, to show the simulator's equivocation
  // checker catching a replica that forgets what it signed.
  void set_forgetful_for_testing(bool on) { forgetful_ = on; }
  bool forgetful_for_testing() const { return forgetful_; }

 private:
  std::map<uint64_t, Entry> entries_;  // height -> latest (view, digest) signed
  uint64_t floor_ = 0;
  bool forgetful_ = false;
};

const char* VerdictName(VoteRecord::Verdict v);

}  // namespace licenced::consensus
