// Simulator tests (label sim): a few hundred seeds per profile for n=4 and
// n=7, and proof that the checkers catch a deliberately broken quorum rule
// and a deliberately forgetful vote record.
// Every failure prints the seed and the pbft-sim command that replays it.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <string>

#include "tests/sim/sim.h"

namespace licenced::sim {
namespace {

// LICENCED_SIM_SEED_FRACTION=K runs only the first 1/K of each range. The
// sanitizer run sets it (deploy/test-sanitizers.sh): there the replica code
// carries libFuzzer's coverage instrumentation as well as ASan and a seed
// costs 5 to 7 times what it does in the release build, while what the
// sanitizers look for (memory and UB errors) shows on any seed that reaches
// the code; the release run keeps every seed for the protocol's invariants.
uint64_t SeedFraction() {
  const char* v = std::getenv("LICENCED_SIM_SEED_FRACTION");
  if (v == nullptr) return 1;
  const long k = std::strtol(v, nullptr, 10);
  return k >= 1 && k <= 1000 ? static_cast<uint64_t>(k) : 1;
}

// Runs seeds [from, to] (the first 1/SeedFraction() of them) and fails the
// test with replay commands on violations.
void RunSeeds(const std::string& profile, size_t n, uint64_t from, uint64_t to) {
  to = from + (to - from + 1) / SeedFraction() - 1;
  SimOptions o;
  o.profile = profile;
  o.replicas = n;
  uint64_t blocks = 0;
  for (uint64_t seed = from; seed <= to; ++seed) {
    RunResult r = RunSimulation(o, seed);
    blocks += r.committed_blocks_min;
    for (const Violation& v : r.violations) {
      FAIL_CHECK(v.kind << ": " << v.detail << "\n  replay: pbft-sim --seeds " << seed << ":"
                        << seed << " --replicas " << n << " --profile " << profile);
    }
  }
  CHECK(blocks > 0);
}

}  // namespace

TEST_CASE("sim clean n=4", "[sim]") { RunSeeds("clean", 4, 0, 199); }
TEST_CASE("sim clean n=7", "[sim]") { RunSeeds("clean", 7, 0, 99); }
TEST_CASE("sim lossy n=4", "[sim]") { RunSeeds("lossy", 4, 0, 199); }
TEST_CASE("sim lossy n=7", "[sim]") { RunSeeds("lossy", 7, 0, 99); }
TEST_CASE("sim partition n=4", "[sim]") { RunSeeds("partition", 4, 0, 199); }
TEST_CASE("sim partition n=7", "[sim]") { RunSeeds("partition", 7, 0, 99); }
TEST_CASE("sim crash-restart n=4", "[sim]") { RunSeeds("crash-restart", 4, 0, 199); }
TEST_CASE("sim crash-restart n=7", "[sim]") { RunSeeds("crash-restart", 7, 0, 99); }
TEST_CASE("sim byzantine-primary n=4", "[sim]") { RunSeeds("byzantine-primary", 4, 0, 199); }
TEST_CASE("sim byzantine-primary n=7", "[sim]") { RunSeeds("byzantine-primary", 7, 0, 99); }
TEST_CASE("sim byzantine-mixed n=4", "[sim]") { RunSeeds("byzantine-mixed", 4, 0, 199); }
TEST_CASE("sim byzantine-mixed n=7", "[sim]") { RunSeeds("byzantine-mixed", 7, 0, 99); }
TEST_CASE("sim byzantine-roots n=4", "[sim]") { RunSeeds("byzantine-roots", 4, 0, 199); }
TEST_CASE("sim byzantine-roots n=7", "[sim]") { RunSeeds("byzantine-roots", 7, 0, 99); }

TEST_CASE("sim certified-root check catches a state certified on one vote", "[sim]") {
  // With validators signing wrong roots, a replica that certifies a state on
  // one vote certifies a wrong one in some runs; the checker must say so.
  SimOptions o;
  o.profile = "byzantine-roots";
  o.unsafe_state_quorum = true;
  o.order_ahead_window = 4;
  int caught = 0;
  std::string detail;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    RunResult r = RunSimulation(o, seed);
    for (const Violation& v : r.violations) {
      if (v.kind == "certified-root") {
        ++caught;
        detail = v.detail;
        break;
      }
    }
  }
  INFO(detail);
  CHECK(caught > 0);
  // The same seeds with the 2f+1 rule: every certified root is right.
  o.unsafe_state_quorum = false;
  uint64_t checked = 0;
  for (uint64_t seed = 0; seed < 30; ++seed) {
    RunResult r = RunSimulation(o, seed);
    checked += r.certified_roots_checked;
    for (const Violation& v : r.violations) FAIL_CHECK(v.kind << ": " << v.detail);
  }
  CHECK(checked > 0);
}

TEST_CASE("sim certified-root check catches fetched state certificates taken unchecked", "[sim]") {
  // Byzantine peers answer fetches with forged state certificates (another
  // root under the same votes); a replica that takes them without checking
  // the votes certifies a wrong state in some runs, and the checker says so.
  SimOptions o;
  o.profile = "byzantine-roots";  // replicas that fall behind and fetch from Byzantine peers
  o.unsafe_fetched_certificates = true;
  int caught = 0;
  std::string detail;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    RunResult r = RunSimulation(o, seed);
    for (const Violation& v : r.violations) {
      if (v.kind == "certified-root") {
        ++caught;
        detail = v.detail;
        break;
      }
    }
  }
  INFO(detail);
  CHECK(caught > 0);
  // The same seeds with the votes checked: no violation.
  o.unsafe_fetched_certificates = false;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    RunResult r = RunSimulation(o, seed);
    for (const Violation& v : r.violations) FAIL_CHECK(v.kind << ": " << v.detail);
  }
}

TEST_CASE("sim order-ahead windows 1 and 8 both hold", "[sim]") {
  for (uint64_t w : {1, 8}) {
    SimOptions o;
    o.profile = "crash-restart";
    o.order_ahead_window = w;
    for (uint64_t seed = 0; seed < 40; ++seed) {
      RunResult r = RunSimulation(o, seed);
      CHECK(r.order_ahead_window == w);
      for (const Violation& v : r.violations) {
        FAIL_CHECK(v.kind << ": " << v.detail << "\n  replay: pbft-sim --seeds " << seed << ":"
                          << seed << " --profile crash-restart --order-ahead-window " << w);
      }
    }
  }
}

TEST_CASE("sim replays a seed exactly", "[sim]") {
  SimOptions o;
  o.profile = "lossy";
  RunResult a = RunSimulation(o, 42);
  RunResult b = RunSimulation(o, 42);
  CHECK(a.events == b.events);
  CHECK(a.sim_time_ms == b.sim_time_ms);
  CHECK(a.committed_blocks_max == b.committed_blocks_max);
  CHECK(a.view_changes == b.view_changes);
}

TEST_CASE("sim checkers catch commits on 2f instead of 2f+1", "[sim]") {
  // The broken rule (test-only) lets an equivocating primary get two
  // different blocks committed at one height.
  SimOptions o;
  o.profile = "byzantine-primary";
  o.unsafe_quorums = true;
  uint64_t caught_at = 0;
  for (uint64_t seed = 0; seed < 300 && caught_at == 0; ++seed) {
    RunResult r = RunSimulation(o, seed);
    for (const Violation& v : r.violations) {
      if (v.kind == "agreement") caught_at = seed + 1;
    }
  }
  INFO("seeds needed: " << caught_at);
  CHECK(caught_at > 0);
}

TEST_CASE("sim checker catches a replica that forgets what it signed", "[sim]") {
  // Broken replicas (test-only): the vote record allows everything and the
  // host drops the persisted votes at a restart, so a primary that crashes
  // after proposing proposes another block for the same (view, height).
  SimOptions o;
  o.profile = "crash-restart";
  o.forgetful_votes = true;
  uint64_t caught_at = 0;
  std::string detail;
  for (uint64_t seed = 0; seed < 300 && caught_at == 0; ++seed) {
    RunResult r = RunSimulation(o, seed);
    for (const Violation& v : r.violations) {
      if (v.kind == "equivocation") {
        caught_at = seed + 1;
        detail = v.detail;
      }
    }
  }
  INFO("seeds needed: " << caught_at << "; " << detail);
  CHECK(caught_at > 0);
}

TEST_CASE("sim equivocation checker sees every honest vote", "[sim]") {
  SimOptions o;
  o.profile = "clean";
  RunResult r = RunSimulation(o, 7);
  CHECK(r.safety_ok());
  // Four replicas, at least one block: a pre-prepare, three prepares and four commits.
  CHECK(r.committed_blocks_min > 0);
  CHECK(r.votes_checked >= 8 * r.committed_blocks_min);
}

TEST_CASE("sim with correct quorums has no agreement violation on the same seeds", "[sim]") {
  SimOptions o;
  o.profile = "byzantine-primary";
  for (uint64_t seed = 0; seed < 30; ++seed) {
    RunResult r = RunSimulation(o, seed);
    CHECK(r.safety_ok());
  }
}

TEST_CASE("sim invariant checks catch a view change that keeps the old phases", "[sim]") {
  // Broken replicas (test-only): after a view change a slot still counts as
  // prepared in the old view. The replica's invariant checks halt it, and the
  // simulator reports the invariant it broke.
  SimOptions o;
  o.profile = "crash-restart";
  o.stale_phases = true;
  uint64_t caught_at = 0;
  std::string detail;
  for (uint64_t seed = 0; seed < 300 && caught_at == 0; ++seed) {
    RunResult r = RunSimulation(o, seed);
    for (const Violation& v : r.violations) {
      if (v.kind == "invariant") {
        caught_at = seed + 1;
        detail = v.detail;
      }
    }
  }
  INFO("seeds needed: " << caught_at << "; " << detail);
  CHECK(caught_at > 0);
  CHECK_THAT(detail, Catch::Contains("consensus invariant violated"));
}

TEST_CASE("sim persist-then-restore check catches prepared certificates kept in memory only",
          "[sim]") {
  // Broken replicas (test-only): a prepared certificate is never persisted, so
  // a restart would forget it. The check after each input restores a replica
  // from what it wrote and reports the difference at the first prepare.
  SimOptions o;
  o.unpersisted_prepared = true;
  RunResult r = RunSimulation(o, 1);
  std::string detail;
  for (const Violation& v : r.violations) {
    if (v.kind == "invariant") detail = v.detail;
  }
  INFO(detail);
  CHECK_THAT(detail, Catch::Contains("persist-then-restore: prepared certificates"));
  // The same run with the rule intact has no violation.
  o.unpersisted_prepared = false;
  CHECK(RunSimulation(o, 1).violations.empty());
}

}  // namespace licenced::sim
