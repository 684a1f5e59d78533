// Test-only access to Replica internals: the deliberately broken quorum rule
// and vote record used to show that the simulator's checkers catch safety
// bugs. Only tests include this header; production code cannot switch them on.
#pragma once

#include "consensus/replica.h"
#include "consensus/replica_core.h"

namespace licenced::consensus {

class ReplicaTestAccess {
 public:
  // Prepared with 2f-1 prepares and committed with 2f commits instead of 2f and 2f+1.
  static void SetUnsafeQuorums(Replica& replica, bool on) { replica.core_->unsafe_quorums_ = on; }
  // A replica whose vote record allows everything and keeps nothing (what it
  // restored at Create stays; a host that also drops the persisted votes
  // makes it forget across restarts too).
  static void SetForgetfulVotes(Replica& replica, bool on) {
    replica.core_->votes_.set_forgetful_for_testing(on);
  }
  // A view change that leaves every slot in its phase of the old view (the
  // invariant checks halt such a replica).
  static void SetStalePhases(Replica& replica, bool on) {
    replica.core_->stale_phases_for_testing_ = on;
  }
  // Prepared certificates kept in memory only, never persisted.
  static void SetUnpersistedPrepared(Replica& replica, bool on) {
    replica.core_->unpersisted_prepared_for_testing_ = on;
  }
  // State certified on one vote instead of 2f+1.
  static void SetUnsafeStateQuorum(Replica& replica, bool on) {
    replica.core_->unsafe_state_quorum_for_testing_ = on;
  }
  // Fetched state certificates taken without checking their votes.
  static void SetUnsafeFetchedCertificates(Replica& replica, bool on) {
    replica.core_->unsafe_fetched_certificates_for_testing_ = on;
  }
  static const ReplicaCore& Core(const Replica& replica) { return *replica.core_; }
  static ReplicaCore& MutableCore(Replica& replica) { return *replica.core_; }
};

}  // namespace licenced::consensus
