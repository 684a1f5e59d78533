// licencectl bench internals (docs/performance.md): the pieces cmd_bench.cc
// composes into one run. Each function measures one thing and returns plain
// figures; none of them fails for being slow. Not thread-safe unless noted.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "client/conn.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/status.h"

namespace licenced::bench {

using Json = nlohmann::ordered_json;

// Progress on stderr when it is a terminal ("[#####.....] label 42%"); silent
// otherwise. `fraction` in [0, 1].
class Progress {
 public:
  Progress();
  void Update(const std::string& label, double fraction, const std::string& detail = "");
  void Done(const std::string& label, const std::string& detail);

 private:
  bool tty_;
};

// ---- bench_machine.cc ----
struct MachineInfo {
  unsigned cores = 0;  // std::thread::hardware_concurrency
  std::string cpu_model;
  double ed25519_verify_per_s_one_core = 0;  // Transaction::VerifySignature on real txs
  double ed25519_sign_per_s_one_core = 0;
  unsigned validators_here = 4;
  // verify/s/core * cores / validators on this machine: the committed tx/s the
  // network could reach if checking each tx signature once per node were all it did.
  double ceiling_tx_per_s = 0;
};
MachineInfo MeasureMachine(unsigned validators_here, double seconds);
// VmHWM and VmRSS of a pid from /proc/<pid>/status, in KiB (0 if unreadable).
struct Rss {
  uint64_t hwm_kib = 0;
  uint64_t rss_kib = 0;
};
Rss ReadRss(int pid);
// CPU seconds (user + system) a process has used so far, from
// /proc/<pid>/stat; -1 if unreadable. pid 0: this process.
double ReadCpuSeconds(int pid);

// ---- bench_proof.cc ----
struct ProofFigures {
  double presentations_per_s_one_core = 0;
  size_t presentation_bytes = 0;
  size_t bundle_bytes = 0;  // as built in-process (small ledger)
  size_t audit_path_hashes = 0;
  size_t state_proof_bytes = 0;
  // At a ledger of `ledger_txs` transactions in blocks of `txs_per_block`,
  // with `state_keys` keys in the state map.
  uint64_t ledger_txs = 0;
  uint64_t txs_per_block = 0;
  uint64_t state_keys = 0;
  size_t synthetic_keys = 0;              // keys actually inserted in the synthetic map
  double state_proof_depth_measured = 0;  // mean depth at synthetic_keys
  double state_proof_bytes_measured = 0;  // mean encoded size at synthetic_keys
  double state_proof_bytes_at_keys = 0;   // at state_keys (measured or extrapolated)
  size_t bundle_bytes_at_ledger = 0;
  std::string method;
  // The same licence in proof format v2 (docs/proof-format.md §3.2); the v1
  // figures are the fields above.
  double v2_presentations_per_s_cold = 0;  // no certificate cache
  double v2_presentations_per_s_warm = 0;  // proof::CertificateCache warm (same status header)
  size_t v2_presentation_bytes = 0;
  size_t v2_bundle_bytes = 0;  // small ledger
  size_t record_json_bytes = 0;
  size_t v2_record_compact_bytes = 0;
  double v2_state_proof_bytes_at_keys = 0;
  size_t v2_bundle_bytes_at_ledger = 0;
  // Proof format v3 (§3.3): the status proven in the state after the newest
  // block under its state certificate (a quorum of state votes).
  double v3_presentations_per_s_cold = 0;
  double v3_presentations_per_s_warm = 0;
  size_t v3_presentation_bytes = 0;
  size_t v3_bundle_bytes = 0;  // small ledger
  size_t v3_bundle_bytes_at_ledger = 0;
};
Result<ProofFigures> MeasureProofs(double seconds, uint64_t ledger_txs, uint64_t txs_per_block,
                                   uint64_t state_keys, size_t synthetic_keys);

// ---- bench_load.cc ----
struct LoadSpec {
  std::vector<client::NodeTarget> targets;  // submissions go round-robin over these
  std::string network_id;
  std::vector<crypto::KeyPair> keys;  // one per target (that org's admin key)
  bool null_payload = false;          // 200-byte payload, no signature (null mode)
  double duration_s = 30;
  size_t concurrency = 0;  // closed loop: outstanding submissions
  double rate = 0;         // open loop: tx/s offered (concurrency then unbounded)
  size_t max_txs = 0;      // pre-signed pool size
  double tx_timeout_s = 30;
  // Transactions per call: 1 = one SubmitTransaction per tx; N > 1 = one
  // SubmitTransactions call per N txs (closed loop), or per the txs offered
  // in one 10 ms tick, at most N (open loop).
  size_t submit_batch = 1;
  std::function<void(double fraction, const std::string& detail)> progress;
};
struct LoadFigures {
  std::string mode;  // "closed" or "open"
  size_t concurrency = 0;
  double offered_rate = 0;
  double duration_s = 0;
  size_t submitted = 0;
  size_t committed = 0;  // committed (ok or rejected by chaincode)
  size_t committed_ok = 0;
  size_t failed = 0;  // errors and timeouts
  // RESOURCE_EXHAUSTED answers (node busy): back-pressure, not failures;
  // each was retried after a back-off (counted once per answer).
  size_t rejected_busy = 0;
  size_t unsent_at_end = 0;  // still in the client's send queue when the run ended
  size_t submit_batch = 1;   // as in LoadSpec
  size_t open_batch = 0;     // open loop: txs per call (one 10 ms tick, at most submit_batch)
  size_t calls = 0;          // RPCs made
  bool pool_exhausted = false;
  double committed_tx_per_s = 0;
  double p50_ms = 0, p95_ms = 0, p99_ms = 0, max_ms = 0, mean_ms = 0;
  double presign_s = 0;
  std::vector<std::string> first_errors;
  Json ToJson() const;
};
// Pre-signs the pool, then runs the load. Uses async gRPC (two completion
// queue threads), wait_for_commit on every submission. A tx answered
// RESOURCE_EXHAUSTED goes back to the front of the client's send queue and
// is sent again after a pause (20 ms doubling to 640 ms while answers stay
// busy), with fewer txs in calls at once (AIMD window), until its
// --tx-timeout, from the first attempt, has passed. Latency runs
// from the first attempt (open loop: from the tx's scheduled offer time) to
// its commit answer.
Result<LoadFigures> RunLoad(const LoadSpec& spec);

// ---- bench_flows.cc: --workload flows ----
struct FlowsSpec {
  std::vector<client::NodeTarget> targets;        // the validators' nodes (by org)
  Genesis genesis;                                // sealing to the departments
  std::map<std::string, crypto::KeyPair> admins;  // org -> admin key (signs every step)
  std::string examples_dir;                       // the application and outputs files
  double duration_s = 30;
  size_t concurrency = 64;  // cases in flight (one worker thread each)
  double tx_timeout_s = 30;
  std::function<void(double fraction, const std::string& detail)> progress;
  // Filled by RunFlows from examples_dir.
  nlohmann::json application;
  nlohmann::json newborn_application;
  std::map<std::string, nlohmann::json> outputs;
};
struct FlowsFigures {
  size_t concurrency = 0;
  double duration_s = 0;
  size_t cases_opened = 0, cases_completed = 0;
  size_t enterprise_completed = 0, newborn_completed = 0;
  double cases_per_s = 0;
  size_t committed = 0;  // committed transactions (each waited for)
  double committed_tx_per_s = 0;
  size_t failed = 0;
  size_t licences_issued = 0, suspended = 0, revoked = 0;
  double p50_ms = 0, p99_ms = 0, max_ms = 0;  // submit to commit, per transaction
  std::vector<std::string> first_errors;
  Json ToJson() const;
};
Result<FlowsFigures> RunFlows(const FlowsSpec& spec);

// ---- bench_net.cc ----
// Drives deploy/local-net for a network dir.
class LocalNet {
 public:
  LocalNet(std::string repo, std::string dir, std::string bin_dir);
  // `order_ahead_window`: of the network it generates if DIR has none.
  Status Up(double timeout_s, uint64_t order_ahead_window = 1);
  Status Down();
  Status Stop(const std::string& org, bool kill);
  Status Start(const std::string& org);
  Status Wipe(const std::string& org);
  std::vector<std::string> Orgs() const;
  std::optional<int> Pid(const std::string& org) const;
  const std::string& dir() const { return dir_; }
  // Appends/replaces "[bench] null_mode = true" in every node.toml.
  Status SetNullMode(bool on);

 private:
  Status Run(const std::vector<std::string>& args, double timeout_s) const;
  std::string repo_, dir_, bin_dir_;
};

struct NodeStatusLite {
  bool up = false;
  uint64_t height = 0;
  uint64_t view = 0;
  std::string network_id;
};
NodeStatusLite QueryStatus(const client::NodeTarget& t, double timeout_s);

// The repo root (for deploy/local-net) and the build dir holding licenced,
// guessed from this executable's path.
std::string GuessRepo();
std::string GuessBinDir();

}  // namespace licenced::bench
