// licencectl bench: the performance benchmark (docs/performance.md).
//
// Measures, in one run: the machine's ceiling (Ed25519 verifications of real
// signed transactions per second on one core x cores / validators here);
// presentations verified per second and the bundle size at 10^6 txs; then,
// on a four-node network it starts (deploy/local-net up --dir TMP) or targets
// (--net DIR): committed tx/s over --duration in a closed loop and in an open
// loop at --rate, client-side latency percentiles, peak RSS per node, restart
// time and catch-up rate of a wiped node (optionally after loading 10^6 txs
// with --big), and with --null the same closed loop on a null-mode network
// (200-byte payloads, no signatures, no chaincode, no fsync), reported beside
// the real figures. Submissions go --submit-batch txs per SubmitTransactions
// call (1 = the one-call-per-tx SubmitTransaction path); a node's
// RESOURCE_EXHAUSTED is back-pressure (retried, counted in rejected_busy).
// JSON on stdout; a progress bar on stderr when a terminal.
#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "bench/bench.h"
#include "bench/commands.h"
#include "client/conn.h"

namespace licenced::bench {
using cli::CliContext;
using cli::CommandResult;
using client::CliError;
using client::GlobalOptions;
using client::kExitOk;
using client::kExitUsage;
using client::LoadSigningKey;
using client::NetTargets;
using client::NodeTarget;

namespace {

using bench::Json;
using Clock = std::chrono::steady_clock;

struct BenchOptions {
  double duration_s = 30;
  size_t concurrency = 512;
  double rate = 1000;
  size_t max_txs = 0;  // 0 = duration x 12,000
  bool null_mode = false;
  bool null_only = false;  // only the null-mode network (side-by-side runs with other systems)
  uint64_t order_ahead_window = 4;  // of the networks it generates
  bool big = false;
  uint64_t big_txs = 1'000'000;
  bool skip_network = false;
  bool skip_restart = false;
  bool keep = false;
  double ceiling_s = 3;
  double proof_s = 3;
  uint64_t ledger_txs = 1'000'000;
  size_t synthetic_keys = 200'000;
  std::string work_dir;  // where to create networks (default: a new dir under /tmp)
  double tx_timeout_s = 30;
  size_t submit_batch = 64;  // txs per SubmitTransactions call; 1 = SubmitTransaction per tx
  std::string workload = "enrol_clerk";  // or "flows": also the one-stop flows (bench_flows.cc)
  size_t flows_concurrency = 128;        // cases in flight
};

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

Json Target(double value, double limit, bool at_least) {
  bool met = at_least ? value >= limit : value <= limit;
  Json j;
  j["value"] = value;
  j[at_least ? "min" : "max"] = limit;
  j["met"] = met;
  j["by"] = at_least ? value / limit : limit / std::max(value, 1e-9);  // >= 1 when met
  return j;
}

struct Network {
  std::unique_ptr<bench::LocalNet> net;  // null when targeting --net without control
  std::string dir;
  std::vector<NodeTarget> targets;
  std::vector<crypto::KeyPair> keys;
  std::string network_id;
  bool owned = false;
};

Result<Network> OpenNetwork(const GlobalOptions& g, const std::string& dir, bool start,
                            double timeout_s, uint64_t window, bench::Progress& progress) {
  Network n;
  n.dir = dir;
  n.net = std::make_unique<bench::LocalNet>(bench::GuessRepo(), dir, bench::GuessBinDir());
  if (start) {
    progress.Update("network up", 0.1, dir);
    LIC_RETURN_IF_ERROR(n.net->Up(timeout_s, window));
    n.owned = true;
  }
  LIC_ASSIGN_OR_RETURN(n.targets, NetTargets(dir));
  for (const auto& t : n.targets) {
    GlobalOptions kg = g;
    kg.net = dir;
    kg.org = t.org;
    kg.key.clear();
    LIC_ASSIGN_OR_RETURN(auto key, LoadSigningKey(kg));
    n.keys.push_back(key);
  }
  // Wait until every node answers.
  auto t0 = Clock::now();
  while (true) {
    size_t up = 0;
    for (const auto& t : n.targets) {
      auto s = bench::QueryStatus(t, 3);
      if (s.up) {
        ++up;
        n.network_id = s.network_id;
      }
    }
    if (up == n.targets.size()) break;
    if (Since(t0) > timeout_s) {
      return Status::Unavailable(
          fmt::format("only {} of {} nodes of {} answer", up, n.targets.size(), dir));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
  return n;
}

uint64_t MaxHeight(const Network& n, std::optional<size_t> except = std::nullopt) {
  uint64_t h = 0;
  for (size_t i = 0; i < n.targets.size(); ++i) {
    if (except && *except == i) continue;
    h = std::max(h, bench::QueryStatus(n.targets[i], 3).height);
  }
  return h;
}

Result<bench::LoadFigures> Load(const Network& n, const BenchOptions& o, size_t concurrency,
                                double rate, double duration, size_t max_txs, bool null_payload,
                                const std::string& label, bench::Progress& progress) {
  bench::LoadSpec spec;
  spec.targets = n.targets;
  spec.network_id = n.network_id;
  spec.keys = n.keys;
  spec.null_payload = null_payload;
  spec.duration_s = duration;
  spec.concurrency = concurrency;
  spec.rate = rate;
  spec.max_txs = max_txs;
  spec.tx_timeout_s = o.tx_timeout_s;
  spec.submit_batch = o.submit_batch;
  progress.Update(label, 0, "pre-signing");
  spec.progress = [&](double f, const std::string& d) { progress.Update(label, f, d); };
  auto r = bench::RunLoad(spec);
  if (r.ok()) {
    progress.Done(label, fmt::format("{:.0f} committed tx/s, p50 {:.1f} ms, p99 {:.1f} ms",
                                     r->committed_tx_per_s, r->p50_ms, r->p99_ms));
  }
  return r;
}

// Both one-stop flows case after case (bench/bench_flows.cc), signed by the
// orgs' admin keys in the network directory.
Result<bench::FlowsFigures> Flows(const Network& n, const BenchOptions& o,
                                  bench::Progress& progress) {
  bench::FlowsSpec spec;
  spec.targets = n.targets;
  LIC_ASSIGN_OR_RETURN(spec.genesis, Genesis::LoadFile(n.dir + "/genesis.json"));
  for (const auto& org : spec.genesis.organisations) {
    auto key = crypto::ReadKeyFile(n.dir + "/" + org.id + "/admin.key", std::nullopt);
    if (key.ok()) spec.admins.emplace(org.id, *key);
  }
  spec.examples_dir = bench::GuessRepo() + "/examples";
  spec.duration_s = o.duration_s;
  spec.concurrency = o.flows_concurrency;
  spec.tx_timeout_s = o.tx_timeout_s;
  spec.progress = [&](double f, const std::string& d) { progress.Update("flows", f, d); };
  auto r = bench::RunFlows(spec);
  if (r.ok()) {
    progress.Done("flows", fmt::format("{:.1f} cases/s, {:.0f} committed tx/s, p50 {:.0f} ms",
                                       r->cases_per_s, r->committed_tx_per_s, r->p50_ms));
  }
  return r;
}

// CPU seconds used so far by each node of `n` (by org) and by this process.
std::map<std::string, double> CpuSeconds(const Network& n) {
  std::map<std::string, double> out;
  for (const auto& t : n.targets) {
    auto pid = n.net->Pid(t.org);
    if (pid) out[t.org] = bench::ReadCpuSeconds(*pid);
  }
  out[""] = bench::ReadCpuSeconds(0);
  return out;
}

// The CPU the nodes and the load generator spent per committed transaction
// between two CpuSeconds readings: steadier than tx/s on a shared machine,
// and what the throughput target is made of (2 cores / tx/s).
Json CpuPerTx(const std::map<std::string, double>& before,
              const std::map<std::string, double>& after, uint64_t committed) {
  double nodes = 0;
  for (const auto& [org, s] : after) {
    auto b = before.find(org);
    if (org.empty() || b == before.end() || b->second < 0 || s < 0) continue;
    nodes += s - b->second;
  }
  const double tx = static_cast<double>(std::max<uint64_t>(committed, 1));
  return {{"nodes_cpu_ms_per_tx", nodes * 1000 / tx},
          {"load_generator_cpu_ms_per_tx", (after.at("") - before.at("")) * 1000 / tx}};
}

Json Rss(const Network& n) {
  Json j = Json::object();
  uint64_t max_kib = 0;
  for (const auto& t : n.targets) {
    auto pid = n.net->Pid(t.org);
    if (!pid) continue;
    auto r = bench::ReadRss(*pid);
    j[t.org] = {
        {"pid", *pid}, {"vm_hwm_mib", r.hwm_kib / 1024.0}, {"vm_rss_mib", r.rss_kib / 1024.0}};
    max_kib = std::max(max_kib, r.hwm_kib);
  }
  j["max_vm_hwm_mib"] = max_kib / 1024.0;
  return j;
}

// Restart of node `i` (SIGTERM, start): seconds until it answers GetStatus
// again, and until it is back at the height the others had.
Result<Json> RestartAndCatchUp(Network& n, size_t i, uint64_t ledger_txs,
                               bench::Progress& progress) {
  const std::string org = n.targets[i].org;
  Json j;
  const uint64_t h = MaxHeight(n);
  j["org"] = org;
  j["height"] = h;
  j["ledger_txs"] = ledger_txs;
  progress.Update("restart", 0.2, org);
  LIC_RETURN_IF_ERROR(n.net->Stop(org, /*kill=*/false));
  auto t0 = Clock::now();
  LIC_RETURN_IF_ERROR(n.net->Start(org));
  double serving = -1, caught_up = -1;
  while (Since(t0) < 600) {
    auto s = bench::QueryStatus(n.targets[i], 2);
    if (s.up && serving < 0) serving = Since(t0);
    if (s.up && s.height >= h) {
      caught_up = Since(t0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  j["restart_serving_s"] = serving;
  j["restart_at_height_s"] = caught_up;
  // Catch-up of a wiped node (state transfer from its peers).
  progress.Update("catch-up", 0.5, org + " wiped");
  LIC_RETURN_IF_ERROR(n.net->Wipe(org));
  const uint64_t target = MaxHeight(n, i);
  auto t1 = Clock::now();
  LIC_RETURN_IF_ERROR(n.net->Start(org));
  double done = -1;
  uint64_t reached = 0;
  while (Since(t1) < 1800) {
    auto s = bench::QueryStatus(n.targets[i], 2);
    if (s.up) reached = s.height;
    progress.Update("catch-up",
                    0.5 + 0.5 * static_cast<double>(reached) / std::max<uint64_t>(target, 1),
                    fmt::format("{} at {} of {}", org, reached, target));
    if (s.up && s.height >= target) {
      done = Since(t1);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  j["catch_up_blocks"] = target;
  j["catch_up_s"] = done;
  j["catch_up_tx_per_s"] = done > 0 ? static_cast<double>(ledger_txs) / done : 0.0;
  j["catch_up_blocks_per_s"] = done > 0 ? static_cast<double>(target) / done : 0.0;
  if (done < 0)
    j["catch_up_note"] = fmt::format("reached {} of {} within the limit", reached, target);
  return j;
}

CommandResult RunBench(const GlobalOptions& g, const BenchOptions& o) {
  bench::Progress progress;
  Json out;
  const auto t_start = Clock::now();
  out["command"] = "licencectl bench";
  out["options"] = {{"duration_s", o.duration_s},
                    {"concurrency", o.concurrency},
                    {"rate", o.rate},
                    {"submit_batch", o.submit_batch},
                    {"null", o.null_mode},
                    {"big", o.big},
                    {"net", g.net.empty() ? "started" : g.net}};
  unsigned validators = 4;
  if (!g.net.empty()) {
    auto t = NetTargets(g.net);
    if (t.ok()) validators = static_cast<unsigned>(t->size());
  }

  progress.Update("ceiling", 0, "Ed25519 verify on one core");
  bench::MachineInfo m = bench::MeasureMachine(validators, o.ceiling_s);
  out["machine"] = {{"nproc", m.cores}, {"cpu_model", m.cpu_model}};
  out["order_ahead_window"] = o.order_ahead_window;
  out["ceiling"] = {{"ed25519_verify_per_s_one_core", m.ed25519_verify_per_s_one_core},
                    {"ed25519_sign_per_s_one_core", m.ed25519_sign_per_s_one_core},
                    {"cores", m.cores},
                    {"validators_on_machine", m.validators_here},
                    {"ceiling_tx_per_s", m.ceiling_tx_per_s}};
  progress.Done("ceiling", fmt::format("{:.0f} verify/s/core -> ceiling {:.0f} tx/s",
                                       m.ed25519_verify_per_s_one_core, m.ceiling_tx_per_s));

  progress.Update("proofs", 0, "presentations");
  auto pf = bench::MeasureProofs(o.proof_s, o.ledger_txs, 2000, o.ledger_txs, o.synthetic_keys);
  if (pf.ok()) {
    out["proofs"] = {{"presentations_verified_per_s_one_core", pf->presentations_per_s_one_core},
                     {"presentation_bytes", pf->presentation_bytes},
                     {"bundle_bytes_small_ledger", pf->bundle_bytes},
                     {"audit_path_hashes_small_ledger", pf->audit_path_hashes},
                     {"state_proof_bytes_small_ledger", pf->state_proof_bytes},
                     {"ledger_txs", pf->ledger_txs},
                     {"txs_per_block", pf->txs_per_block},
                     {"state_keys", pf->state_keys},
                     {"synthetic_state_keys", pf->synthetic_keys},
                     {"state_proof_depth_synthetic", pf->state_proof_depth_measured},
                     {"state_proof_bytes_synthetic", pf->state_proof_bytes_measured},
                     {"state_proof_bytes_at_state_keys", pf->state_proof_bytes_at_keys},
                     {"bundle_bytes_at_ledger", pf->bundle_bytes_at_ledger},
                     {"method", pf->method}};
    out["proofs"]["format"] = "v1 (the figures above); v2 and v3 below";
    out["proofs"]["v2"] = {
        {"presentations_verified_per_s_one_core_cold", pf->v2_presentations_per_s_cold},
        {"presentations_verified_per_s_one_core_warm_cache", pf->v2_presentations_per_s_warm},
        {"presentation_bytes", pf->v2_presentation_bytes},
        {"bundle_bytes_small_ledger", pf->v2_bundle_bytes},
        {"record_json_bytes", pf->record_json_bytes},
        {"record_compact_bytes", pf->v2_record_compact_bytes},
        {"state_proof_bytes_at_state_keys", pf->v2_state_proof_bytes_at_keys},
        {"bundle_bytes_at_ledger", pf->v2_bundle_bytes_at_ledger}};
    out["proofs"]["v3"] = {
        {"presentations_verified_per_s_one_core_cold", pf->v3_presentations_per_s_cold},
        {"presentations_verified_per_s_one_core_warm_cache", pf->v3_presentations_per_s_warm},
        {"presentation_bytes", pf->v3_presentation_bytes},
        {"bundle_bytes_small_ledger", pf->v3_bundle_bytes},
        {"bundle_bytes_at_ledger", pf->v3_bundle_bytes_at_ledger}};
    progress.Done("proofs",
                  fmt::format("v1 {:.0f} presentations/s, bundle {} B at 10^6 txs; v2 {:.0f}/s "
                              "cold, {:.0f}/s warm, bundle {} B; v3 {:.0f}/s cold, {:.0f}/s "
                              "warm, bundle {} B",
                              pf->presentations_per_s_one_core, pf->bundle_bytes_at_ledger,
                              pf->v2_presentations_per_s_cold, pf->v2_presentations_per_s_warm,
                              pf->v2_bundle_bytes_at_ledger, pf->v3_presentations_per_s_cold,
                              pf->v3_presentations_per_s_warm, pf->v3_bundle_bytes_at_ledger));
  } else {
    out["proofs"] = {{"error", pf.status().ToString()}};
    progress.Done("proofs", "failed: " + pf.status().ToString());
  }

  Json targets;
  targets["ceiling_ratio"] = nullptr;
  int rc = kExitOk;
  std::string base = o.work_dir;
  if (base.empty() && g.net.empty()) {
    char tmpl[] = "/tmp/licenced-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return CliError{kExitUsage, "cannot create a temporary directory"};
    base = tmpl;
  }
  if (!o.skip_network) {
    const std::string dir = g.net.empty() ? base + "/net" : g.net;
    if (!o.null_only) {
      auto n = OpenNetwork(g, dir, g.net.empty(), 120, o.order_ahead_window, progress);
      if (!n.ok()) {
        out["network_error"] = n.status().ToString();
        rc = kExitUsage;
      } else {
        const size_t max_txs = o.max_txs ? o.max_txs : static_cast<size_t>(o.duration_s * 12000);
        uint64_t ledger_txs = 0;
        Json real;
        const auto cpu_before = CpuSeconds(*n);
        auto closed =
            Load(*n, o, o.concurrency, 0, o.duration_s, max_txs, false, "closed loop", progress);
        if (closed.ok()) {
          real["closed_loop"] = closed->ToJson();
          real["closed_loop"]["cpu"] = CpuPerTx(cpu_before, CpuSeconds(*n), closed->committed);
          real["ratio_to_ceiling"] = closed->committed_tx_per_s / std::max(m.ceiling_tx_per_s, 1.0);
          ledger_txs += closed->committed;
          targets["committed_tx_per_s"] = Target(closed->committed_tx_per_s, 5000, true);
          targets["ceiling_ratio"] = Target(real["ratio_to_ceiling"].get<double>(), 0.45, true);
        } else {
          real["closed_loop"] = {{"error", closed.status().ToString()}};
        }
        auto open = Load(*n, o, 0, o.rate, o.duration_s, max_txs, false,
                         fmt::format("open loop {:.0f}/s", o.rate), progress);
        if (open.ok()) {
          real["open_loop"] = open->ToJson();
          ledger_txs += open->committed;
          if (std::abs(o.rate - 1000) < 1) {
            targets["p50_ms_at_1000"] = Target(open->p50_ms, 50, false);
            targets["p99_ms_at_1000"] = Target(open->p99_ms, 200, false);
          }
        } else {
          real["open_loop"] = {{"error", open.status().ToString()}};
        }
        if (o.workload == "flows") {
          auto flows = Flows(*n, o, progress);
          if (flows.ok()) {
            real["flows"] = flows->ToJson();
            ledger_txs += flows->committed;
            targets["flows_tx_per_s"] = Target(flows->committed_tx_per_s, 3000, true);
          } else {
            real["flows"] = {{"error", flows.status().ToString()}};
          }
        }
        if (o.big) {
          // Load until the ledger holds big_txs transactions (closed loop).
          const double est = closed.ok() ? std::max(closed->committed_tx_per_s, 100.0) : 1000;
          while (ledger_txs < o.big_txs) {
            const uint64_t left = o.big_txs - ledger_txs;
            const size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, 300'000));
            auto r =
                Load(*n, o, o.concurrency, 0, chunk / est * 3 + 30, chunk, false,
                     fmt::format("big {}k/{}k", ledger_txs / 1000, o.big_txs / 1000), progress);
            if (!r.ok() || r->committed == 0) break;
            ledger_txs += r->committed;
          }
          real["big_ledger_txs"] = ledger_txs;
        }
        real["rss"] = Rss(*n);
        targets["rss_mib_per_node"] =
            Target(real["rss"]["max_vm_hwm_mib"].get<double>(), 250, false);
        if (!o.skip_restart && n->owned) {
          // A backup (not replica 0, the first primary).
          auto rj = RestartAndCatchUp(*n, n->targets.size() - 1, ledger_txs, progress);
          if (rj.ok()) {
            real["restart"] = *rj;
            targets["restart_serving_s"] =
                Target((*rj)["restart_serving_s"].get<double>(), 5, false);
            targets["catch_up_tx_per_s"] =
                Target((*rj)["catch_up_tx_per_s"].get<double>(), 10000, true);
            if (ledger_txs < 1'000'000) {
              targets["restart_serving_s"]["note"] =
                  fmt::format("measured at {} txs, not 10^6 (use --big)", ledger_txs);
            }
          } else {
            real["restart"] = {{"error", rj.status().ToString()}};
          }
        }
        out["real"] = real;
        if (n->owned && !o.keep) (void)n->net->Down();
      }
    }

    if (o.null_mode && g.net.empty()) {
      // A second network, restarted with [bench] null_mode = true.
      Json nj;
      const std::string ndir = base + "/null-net";
      auto n0 = OpenNetwork(g, ndir, true, 120, o.order_ahead_window, progress);
      Status s = n0.ok() ? n0->net->Down() : n0.status();
      if (s.ok())
        s = bench::LocalNet(bench::GuessRepo(), ndir, bench::GuessBinDir()).SetNullMode(true);
      std::optional<Result<Network>> nn;
      if (s.ok()) {
        nn.emplace(OpenNetwork(g, ndir, true, 120, o.order_ahead_window, progress));
        if (!nn->ok()) s = nn->status();
      }
      if (!s.ok()) {
        nj["error"] = s.ToString();
      } else {
        Network& net = **nn;
        const size_t max_txs = o.max_txs ? o.max_txs : static_cast<size_t>(o.duration_s * 40000);
        auto r = Load(net, o, o.concurrency, 0, o.duration_s, max_txs, true, "null closed loop",
                      progress);
        if (r.ok()) {
          nj["closed_loop"] = r->ToJson();
          // Published figures of other systems on other hardware: context, not
          // a comparison measured here (docs/performance.md has a side-by-side run).
          nj["compare"] = {{"external_references", true},
                           {"note",
                            "figures published for other systems and setups, not measured "
                            "in this run; run them side by side with --null-only to compare"},
                           {"bft_smart_ops_per_s", 8000},
                           {"libhotstuff_cmds_per_s", 80000}};
        } else {
          nj["error"] = r.status().ToString();
        }
        nj["rss"] = Rss(net);
        if (!o.keep) (void)net.net->Down();
      }
      nj["note"] =
          "null mode: 200-byte payloads, no client signature checks, no chaincode, no fsync; "
          "consensus and transport only. Not the real figures.";
      out["null_mode"] = nj;
    } else if (o.null_mode) {
      out["null_mode"] = {{"error", "--null needs a network the bench starts itself (no --net)"}};
    }
  }
  out["targets"] = targets;
  out["elapsed_s"] = Since(t_start);
  if (!base.empty()) out["work_dir"] = base;
  std::cout << out.dump(2) << std::endl;
  return rc;
}

}  // namespace

void AddBenchCommands(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<BenchOptions>();
  auto* b = app.add_subcommand(
      "bench",
      "measure this machine's ceiling and a four-node network's throughput, latency, proofs, "
      "restart, catch-up and RSS (docs/performance.md); JSON on stdout");
  b->add_option("--duration", o->duration_s, "seconds of each load run (>= 30 for the record)")
      ->capture_default_str();
  b->add_option("--concurrency", o->concurrency, "closed loop: submissions outstanding")
      ->capture_default_str();
  b->add_option("--rate", o->rate, "open loop: tx/s offered (latency figures)")
      ->capture_default_str();
  b->add_option("--max-txs", o->max_txs, "pre-signed pool per run (default duration x 12000)");
  b->add_flag("--null", o->null_mode,
              "also run a null-mode network (200-byte payloads, no signatures, no chaincode, no "
              "fsync) and report it beside the real figures");
  b->add_option("--workload", o->workload,
                "enrol_clerk (the closed and open loops), or flows: also both one-stop flows case "
                "after case across the four nodes (real.flows: cases/s and tx/s)")
      ->check(CLI::IsMember({"enrol_clerk", "flows"}))
      ->capture_default_str();
  b->add_option("--flows-concurrency", o->flows_concurrency, "--workload flows: cases in flight")
      ->capture_default_str();
  b->add_flag("--null-only", o->null_only,
              "run only the null-mode network (besides the in-process ceiling and proof figures): "
              "for side-by-side runs with "
              "other systems");
  b->add_option("--order-ahead-window", o->order_ahead_window,
                "genesis consensus.order_ahead_window of the networks it generates")
      ->capture_default_str()
      ->check(CLI::Range(uint64_t{1}, uint64_t{64}));
  b->add_flag("--big", o->big, "load --big-txs transactions before the restart/catch-up figures");
  b->add_option("--big-txs", o->big_txs, "ledger size for --big")->capture_default_str();
  b->add_flag("--no-network", o->skip_network, "only the in-process figures (ceiling, proofs)");
  b->add_flag("--no-restart", o->skip_restart, "skip the restart and catch-up figures");
  b->add_flag("--keep", o->keep, "leave the networks running");
  b->add_option("--ceiling-seconds", o->ceiling_s, "seconds of the Ed25519 measurement")
      ->capture_default_str();
  b->add_option("--proof-seconds", o->proof_s, "seconds of the presentation loop")
      ->capture_default_str();
  b->add_option("--synthetic-keys", o->synthetic_keys,
                "keys in the synthetic state map for the proof size")
      ->capture_default_str();
  b->add_option("--work-dir", o->work_dir, "where to create networks (default: new dir in /tmp)");
  b->add_option("--tx-timeout", o->tx_timeout_s, "seconds each transaction may take")
      ->capture_default_str();
  b->add_option("--submit-batch", o->submit_batch,
                "transactions per SubmitTransactions call (1 = one SubmitTransaction per tx; "
                "the open loop sends one 10 ms tick of txs per call, at most this many)")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  b->callback([&ctx, o] {
    if (o->null_only) o->null_mode = true;
    ctx.run = [&ctx, o] { return RunBench(ctx.global, *o); };
  });
}

}  // namespace licenced::bench
