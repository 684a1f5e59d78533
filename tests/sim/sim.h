// Deterministic PBFT simulator: n replicas in one process over a simulated
// network and clock, driven by one seeded scheduler, so a seed replays exactly.
// Faults (drop, delay, reorder, duplicate, partitions, crash + restart losing
// unsynced writes, clock skew) and Byzantine behaviours are chosen by profile.
// After each run the checkers report agreement, validity, integrity and
// liveness violations; during it, any honest replica that signs two different
// pre-prepares, prepares or commits for one (view, height) (equivocation). Test-only code; not
// thread-safe (one run per call).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace licenced::sim {

struct SimOptions {
  size_t replicas = 4;
  // Byzantine replicas; -1 means the profile's default (f for the byzantine
  // profiles, 0 otherwise).
  int byzantine = -1;
  std::string profile = "clean";
  size_t txs = 24;
  bool unsafe_quorums = false;  // test-only broken rule (2f instead of 2f+1)
  // Test-only broken replicas: honest replicas whose vote record allows
  // everything, and whose persisted votes the host drops at each restart.
  bool forgetful_votes = false;
  // Test-only broken replicas: a view change leaves the slots' phases as they
  // were (the invariant checks catch it).
  bool stale_phases = false;
  // Test-only broken replicas: prepared certificates are never persisted (the
  // persist-then-restore check catches it).
  bool unpersisted_prepared = false;
  // Test-only broken replicas: a state is certified on one vote instead of
  // 2f+1 (the certified-root check catches it when a validator signs wrong
  // roots, as in the byzantine-roots profile).
  bool unsafe_state_quorum = false;
  // Test-only broken replicas: state certificates that come with fetched
  // blocks are taken without checking their votes (the certified-root check
  // catches it when a Byzantine peer serves forged ones).
  bool unsafe_fetched_certificates = false;
  // Genesis consensus.order_ahead_window of the run; 0 = chosen by the seed
  // from {1, 2, 4, 4, 8}.
  uint64_t order_ahead_window = 0;
  // The persist-then-restore check (Replica::CheckRestoresFrom) runs after
  // every this many inputs of each honest replica (0 = never).
  uint64_t restore_check_every = 1;
  bool trace = false;  // print every event (replays)
};

struct Violation {
  std::string kind;  // agreement, validity, integrity, equivocation, certified-root, liveness
  std::string detail;
  bool safety() const { return kind != "liveness"; }
};

struct RunResult {
  uint64_t seed = 0;
  std::vector<Violation> violations;
  uint64_t committed_blocks_min = 0;  // over honest replicas
  uint64_t committed_blocks_max = 0;
  uint64_t view_changes = 0;  // max over honest replicas
  uint64_t events = 0;
  uint64_t sim_time_ms = 0;
  // Distinct (replica, kind, view, height) pre-prepares, prepares and commits
  // of honest replicas that the equivocation checker saw.
  uint64_t votes_checked = 0;
  // State certificates of honest replicas checked against re-execution.
  uint64_t certified_roots_checked = 0;
  uint64_t order_ahead_window = 1;
  bool safety_ok() const;
  bool liveness_ok() const;
};

const std::vector<std::string>& ProfileNames();
bool IsProfile(const std::string& name);

RunResult RunSimulation(const SimOptions& options, uint64_t seed);

}  // namespace licenced::sim
