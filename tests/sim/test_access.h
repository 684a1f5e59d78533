// Test-only access to Replica internals: the deliberately broken quorum rule
// used to show that the simulator's checkers catch safety bugs. Only tests
// include this header; production code cannot switch the rule on.
#pragma once

#include "consensus/replica.h"
#include "consensus/replica_core.h"

namespace licenced::consensus {

class ReplicaTestAccess {
 public:
  // Prepared with 2f-1 prepares and committed with 2f commits instead of 2f and 2f+1.
  static void SetUnsafeQuorums(Replica& replica, bool on) { replica.core_->unsafe_quorums_ = on; }
  static const ReplicaCore& Core(const Replica& replica) { return *replica.core_; }
  static ReplicaCore& MutableCore(Replica& replica) { return *replica.core_; }
};

}  // namespace licenced::consensus
