// pbft-sim: runs the deterministic PBFT simulator over a range of seeds.
//
//   pbft-sim --seeds FROM:TO --replicas N [--byzantine K] [--profile NAME|all]
//            [--txs N] [--json] [--trace] [--unsafe-quorums] [--forgetful-votes]
//            [--stale-phases] [--unpersisted-prepared] [--unsafe-state-quorum]
//            [--unsafe-fetched-certificates]
//            [--order-ahead-window W]
//
// Seeds are inclusive. Prints runs, safety_violations, liveness_failures,
// committed_blocks_min/max, view_changes and votes_checked (distinct
// (replica, kind, view, height) signatures the equivocation checker saw),
// certified_roots_checked (honest state certificates checked against
// re-execution) and the runs per order-ahead window, and for every failing run
// its seed and the exact command that replays it. Exit code 1 on any violation.
#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "tests/sim/sim.h"

namespace {

int Usage() {
  std::fprintf(
      stderr,
      "usage: pbft-sim --seeds FROM:TO --replicas N [--byzantine K] "
      "[--profile NAME|all] [--txs N] [--json] [--trace] [--unsafe-quorums] [--forgetful-votes]\n"
      "       [--stale-phases] [--unpersisted-prepared] [--unsafe-state-quorum]\n"
      "       [--unsafe-fetched-certificates]\n"
      "       [--order-ahead-window W (default: chosen by the seed from 1 2 4 8)]\n"
      "profiles: clean lossy partition crash-restart crash-sync byzantine-primary "
      "byzantine-mixed byzantine-roots (default: all)\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using licenced::sim::RunResult;
  using licenced::sim::SimOptions;
  if (!licenced::crypto::Init().ok()) return 3;
  uint64_t from = 0, to = 99;
  SimOptions base;
  std::string profile = "all";
  bool json = false;
  std::vector<std::string> args(argv + 1, argv + argc);
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    auto next = [&]() -> const std::string* { return i + 1 < args.size() ? &args[++i] : nullptr; };
    if (a == "--seeds") {
      const std::string* v = next();
      if (!v) return Usage();
      size_t colon = v->find(':');
      if (colon == std::string::npos) {
        from = to = std::strtoull(v->c_str(), nullptr, 10);
      } else {
        from = std::strtoull(v->substr(0, colon).c_str(), nullptr, 10);
        to = std::strtoull(v->substr(colon + 1).c_str(), nullptr, 10);
      }
      if (to < from) return Usage();
    } else if (a == "--replicas") {
      const std::string* v = next();
      if (!v) return Usage();
      base.replicas = std::strtoul(v->c_str(), nullptr, 10);
      if (base.replicas < 1 || base.replicas > 64) return Usage();
    } else if (a == "--byzantine") {
      const std::string* v = next();
      if (!v) return Usage();
      base.byzantine = std::atoi(v->c_str());
    } else if (a == "--profile") {
      const std::string* v = next();
      if (!v) return Usage();
      profile = *v;
      if (profile != "all" && !licenced::sim::IsProfile(profile)) return Usage();
    } else if (a == "--txs") {
      const std::string* v = next();
      if (!v) return Usage();
      base.txs = std::strtoul(v->c_str(), nullptr, 10);
    } else if (a == "--json") {
      json = true;
    } else if (a == "--trace") {
      base.trace = true;
    } else if (a == "--unsafe-quorums") {
      base.unsafe_quorums = true;
    } else if (a == "--forgetful-votes") {
      base.forgetful_votes = true;
    } else if (a == "--stale-phases") {
      base.stale_phases = true;
    } else if (a == "--unpersisted-prepared") {
      base.unpersisted_prepared = true;
    } else if (a == "--unsafe-state-quorum") {
      base.unsafe_state_quorum = true;
    } else if (a == "--unsafe-fetched-certificates") {
      base.unsafe_fetched_certificates = true;
    } else if (a == "--order-ahead-window") {
      const std::string* v = next();
      if (!v) return Usage();
      base.order_ahead_window = std::strtoull(v->c_str(), nullptr, 10);
      if (base.order_ahead_window < 1 || base.order_ahead_window > 16) return Usage();
    } else if (a == "--restore-check-every") {
      const std::string* v = next();
      if (!v) return Usage();
      base.restore_check_every = std::strtoull(v->c_str(), nullptr, 10);
    } else {
      return Usage();
    }
  }
  size_t f = (base.replicas - 1) / 3;
  if (base.byzantine > static_cast<int>(f)) {
    std::fprintf(stderr, "pbft-sim: --byzantine %d exceeds f=%zu for n=%zu\n", base.byzantine, f,
                 base.replicas);
    return 2;
  }
  std::vector<std::string> profiles =
      profile == "all" ? licenced::sim::ProfileNames() : std::vector<std::string>{profile};

  uint64_t runs = 0, safety = 0, liveness = 0, vcs = 0, bmin = UINT64_MAX, bmax = 0, events = 0;
  uint64_t votes_checked = 0, certified_checked = 0;
  std::map<uint64_t, uint64_t> windows;  // order-ahead window -> runs
  nlohmann::json failures = nlohmann::json::array();
  for (const std::string& p : profiles) {
    for (uint64_t seed = from; seed <= to; ++seed) {
      SimOptions o = base;
      o.profile = p;
      RunResult r = licenced::sim::RunSimulation(o, seed);
      ++runs;
      events += r.events;
      votes_checked += r.votes_checked;
      certified_checked += r.certified_roots_checked;
      ++windows[r.order_ahead_window];
      vcs += r.view_changes;
      bmin = std::min(bmin, r.committed_blocks_min);
      bmax = std::max(bmax, r.committed_blocks_max);
      bool bad_safety = !r.safety_ok(), bad_live = !r.liveness_ok();
      if (bad_safety) ++safety;
      if (bad_live) ++liveness;
      if (bad_safety || bad_live) {
        std::string replay = "pbft-sim --seeds " + std::to_string(seed) + ":" +
                             std::to_string(seed) + " --replicas " + std::to_string(base.replicas) +
                             " --profile " + p;
        if (base.byzantine >= 0) replay += " --byzantine " + std::to_string(base.byzantine);
        if (base.txs != SimOptions().txs) replay += " --txs " + std::to_string(base.txs);
        if (base.unsafe_quorums) replay += " --unsafe-quorums";
        if (base.forgetful_votes) replay += " --forgetful-votes";
        if (base.stale_phases) replay += " --stale-phases";
        if (base.unpersisted_prepared) replay += " --unpersisted-prepared";
        if (base.unsafe_state_quorum) replay += " --unsafe-state-quorum";
        if (base.unsafe_fetched_certificates) replay += " --unsafe-fetched-certificates";
        if (base.order_ahead_window > 0) {
          replay += " --order-ahead-window " + std::to_string(base.order_ahead_window);
        }
        if (base.restore_check_every != SimOptions().restore_check_every) {
          replay += " --restore-check-every " + std::to_string(base.restore_check_every);
        }
        nlohmann::json v = nlohmann::json::array();
        for (const auto& x : r.violations) v.push_back(x.kind + ": " + x.detail);
        failures.push_back({{"seed", seed}, {"profile", p}, {"violations", v}, {"replay", replay}});
      }
      if (seed == UINT64_MAX) break;
    }
  }
  if (runs == 0) bmin = 0;
  nlohmann::json window_runs = nlohmann::json::object();
  for (const auto& [w, k] : windows) window_runs[std::to_string(w)] = k;
  if (json) {
    nlohmann::json out = {{"runs", runs},
                          {"replicas", base.replicas},
                          {"profiles", profiles},
                          {"safety_violations", safety},
                          {"liveness_failures", liveness},
                          {"committed_blocks_min", bmin},
                          {"committed_blocks_max", bmax},
                          {"view_changes", vcs},
                          {"events", events},
                          {"votes_checked", votes_checked},
                          {"certified_roots_checked", certified_checked},
                          {"runs_per_order_ahead_window", window_runs},
                          {"failures", failures}};
    std::printf("%s\n", out.dump(2).c_str());
  } else {
    std::printf("runs: %llu\n", static_cast<unsigned long long>(runs));
    std::printf("replicas: %zu\n", base.replicas);
    std::printf("profiles:");
    for (const auto& p : profiles) std::printf(" %s", p.c_str());
    std::printf("\nsafety_violations: %llu\n", static_cast<unsigned long long>(safety));
    std::printf("liveness_failures: %llu\n", static_cast<unsigned long long>(liveness));
    std::printf("committed_blocks_min: %llu\n", static_cast<unsigned long long>(bmin));
    std::printf("committed_blocks_max: %llu\n", static_cast<unsigned long long>(bmax));
    std::printf("view_changes: %llu\n", static_cast<unsigned long long>(vcs));
    std::printf("events: %llu\n", static_cast<unsigned long long>(events));
    std::printf("votes_checked: %llu\n", static_cast<unsigned long long>(votes_checked));
    std::printf("certified_roots_checked: %llu\n",
                static_cast<unsigned long long>(certified_checked));
    std::printf("runs_per_order_ahead_window: %s\n", window_runs.dump().c_str());
    for (const auto& fl : failures) {
      std::printf("FAIL seed=%llu profile=%s\n", fl["seed"].get<unsigned long long>(),
                  fl["profile"].get<std::string>().c_str());
      for (const auto& v : fl["violations"]) std::printf("  %s\n", v.get<std::string>().c_str());
      std::printf("  replay: %s\n", fl["replay"].get<std::string>().c_str());
    }
  }
  return safety + liveness == 0 ? 0 : 1;
}
