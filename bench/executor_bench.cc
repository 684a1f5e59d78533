// executor-bench: CPU cost of executing committed blocks (not a test).
//
// Executes --blocks blocks of --txs `identity.enrol_clerk` transactions (the
// `licencectl bench` workload: each writes a clerk record and an audit entry)
// through the node's real Executor over RocksDB in a fresh directory, with
// the node's database options and a synced commit per block, on one thread.
// Prints one JSON object: per slice of the ledger, the executor's CPU time
// and wall time per transaction, then the totals and peak RSS.
//
// It measures CPU time of the executing thread, so the figures hold on a busy
// machine; the wall figures include waiting for fsync and for a core.
//
// Usage: executor-bench [--dir DIR] [--blocks N] [--txs N] [--check-signatures]
//                       [--db-cache-mib N] [--write-buffer-mib N] [--slices N] [--reopen]
// --reopen: afterwards, close the database and time opening it again up to
// the first state proof at the head (the storage part of a node's restart).
// Without --check-signatures every tx counts as already verified by the
// node's TxVerifier (as in a running node, where the gRPC threads check it).
#include <stdlib.h>
#include <time.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "consensus/block.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "node/executor.h"
#include "node/storage/block_store.h"
#include "node/storage/rocks_kv_store.h"

namespace {

using namespace licenced;

double ThreadCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double ProcessCpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double PeakRssMib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024.0;
  }
  return 0;
}

struct Options {
  std::string dir;
  uint64_t blocks = 60;
  uint64_t txs = 2000;
  bool check_signatures = false;
  uint64_t db_cache_mib = 32;
  uint64_t slices = 6;
  uint64_t write_buffer_mib = 8;
  bool reopen = false;
};

bool ParseArgs(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> const char* { return i + 1 < argc ? argv[++i] : nullptr; };
    const char* v = nullptr;
    if (a == "--check-signatures") {
      o->check_signatures = true;
    } else if (a == "--reopen") {
      o->reopen = true;
    } else if (a == "--dir" && (v = next())) {
      o->dir = v;
    } else if (a == "--blocks" && (v = next())) {
      o->blocks = std::stoull(v);
    } else if (a == "--txs" && (v = next())) {
      o->txs = std::stoull(v);
    } else if (a == "--db-cache-mib" && (v = next())) {
      o->db_cache_mib = std::stoull(v);
    } else if (a == "--write-buffer-mib" && (v = next())) {
      o->write_buffer_mib = std::stoull(v);
    } else if (a == "--slices" && (v = next())) {
      o->slices = std::max<uint64_t>(1, std::stoull(v));
    } else {
      std::fprintf(stderr,
                   "usage: executor-bench [--dir DIR] [--blocks N] [--txs N] "
                   "[--check-signatures] [--db-cache-mib N] [--write-buffer-mib N] [--slices N] "
                   "[--reopen]\n");
      return false;
    }
  }
  return o->blocks > 0 && o->txs > 0;
}

// One block of enrol_clerk txs, signed by the org admins in turn.
consensus::Block MakeBlock(const DevNetwork& net, uint64_t height, uint64_t txs, uint64_t* nonce) {
  consensus::Block block;
  block.header.height = height;
  block.header.timestamp_ms = net.genesis.genesis_time_ms + height * 1000;
  std::vector<const crypto::KeyPair*> admins;
  for (const auto& v : net.genesis.validators) admins.push_back(&net.admin_keys.at(v.org));
  for (uint64_t i = 0; i < txs; ++i) {
    const crypto::KeyPair& key = *admins[i % admins.size()];
    Transaction tx;
    tx.network_id = net.genesis.network_id;
    tx.chaincode = "identity";
    tx.method = "enrol_clerk";
    tx.nonce = ++*nonce;
    const std::string name = fmt::format("exec-bench-{}", tx.nonce);
    const Hash clerk_key = crypto::Sha256(ToBytes(name));
    tx.args = ToBytes(fmt::format(R"({{"name":"{}","public_key":"{}","roles":["clerk"]}})", name,
                                  ToHex(clerk_key)));
    tx.submitter = key.public_key();
    tx.SignWith(key);
    block.txs.push_back(tx.Encode());
  }
  block.header.tx_root = merkle::Root(block.txs);
  return block;
}

struct Ledger {
  std::unique_ptr<storage::RocksKvStore> kv;
  std::unique_ptr<storage::BlockStore> store;
  std::unique_ptr<node::Executor> executor;
};

// Opens (or creates) the ledger in `dir` with the node's database options.
Result<Ledger> OpenLedger(const std::string& dir, const Options& o, const DevNetwork& net) {
  storage::RocksKvStore::Options db;
  db.block_cache_bytes = o.db_cache_mib << 20;
  db.write_buffer_bytes = o.write_buffer_mib << 20;
  db.total_write_buffer_bytes = std::max(db.total_write_buffer_bytes, 4 * db.write_buffer_bytes);
  Ledger l;
  LIC_ASSIGN_OR_RETURN(l.kv, storage::RocksKvStore::Open(dir + "/db", db));
  LIC_ASSIGN_OR_RETURN(l.store, storage::BlockStore::Open(l.kv.get(), net.genesis.ComputeHash()));
  l.executor = std::make_unique<node::Executor>(net.genesis, l.store.get());
  if (!o.check_signatures) {
    l.executor->SetSignatureCache([](const Hash&, const crypto::Signature&) { return true; });
  }
  return l;
}

// Executes o.blocks more blocks on top of the ledger's head; fills `out`.
Status ExecuteBlocks(const Options& o, const DevNetwork& net, Ledger& ledger, nlohmann::json* out) {
  nlohmann::json slices = nlohmann::json::array();
  const uint64_t per_slice = std::max<uint64_t>(1, o.blocks / o.slices);
  const uint64_t first = ledger.store->head_height() + 1;
  double slice_cpu = 0, slice_wall = 0, total_cpu = 0, total_wall = 0, making_cpu = 0;
  uint64_t slice_txs = 0, nonce = (first - 1) * o.txs, rejected = 0;
  const double process_cpu0 = ProcessCpuSeconds();
  for (uint64_t h = first; h < first + o.blocks; ++h) {
    const double make0 = ThreadCpuSeconds();
    consensus::Block block = MakeBlock(net, h, o.txs, &nonce);
    making_cpu += ThreadCpuSeconds() - make0;
    consensus::CommitCertificate cert;
    cert.height = h;
    cert.block_hash = block.header.ComputeHash();
    const double cpu0 = ThreadCpuSeconds();
    const auto wall0 = std::chrono::steady_clock::now();
    auto r = ledger.executor->ExecuteBlock(block, cert, /*sync=*/true);
    const double cpu = ThreadCpuSeconds() - cpu0;
    const double wall =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - wall0).count();
    if (!r.ok())
      return Status::Internal("block " + std::to_string(h) + ": " + r.status().ToString());
    for (const auto& tx : r->txs) rejected += tx.record.code == StatusCode::kOk ? 0 : 1;
    slice_cpu += cpu;
    slice_wall += wall;
    slice_txs += o.txs;
    total_cpu += cpu;
    total_wall += wall;
    if ((h - first + 1) % per_slice == 0 || h + 1 == first + o.blocks) {
      const double n = static_cast<double>(slice_txs);
      slices.push_back({{"ledger_txs_after", h * o.txs},
                        {"txs", slice_txs},
                        {"cpu_us_per_tx", slice_cpu / n * 1e6},
                        {"wall_us_per_tx", slice_wall / n * 1e6}});
      std::fprintf(stderr, "executor-bench: %llu txs: %.0f us CPU/tx, %.0f us wall/tx\n",
                   static_cast<unsigned long long>(h * o.txs), slice_cpu / n * 1e6,
                   slice_wall / n * 1e6);
      slice_cpu = slice_wall = 0;
      slice_txs = 0;
    }
  }
  const double n = static_cast<double>(o.blocks * o.txs);
  // Everything the process spent except signing the blocks' txs: the
  // executor plus RocksDB's flushes and compactions on its own threads.
  const double process_cpu = ProcessCpuSeconds() - process_cpu0 - making_cpu;
  *out = {
      {"command", "executor-bench"},
      {"first_height", first},
      {"blocks", o.blocks},
      {"txs_per_block", o.txs},
      {"signatures_checked_by_executor", o.check_signatures},
      {"db_cache_mib", o.db_cache_mib},
      {"write_buffer_mib", o.write_buffer_mib},
      {"rejected", rejected},
      {"slices", slices},
      {"cpu_us_per_tx", total_cpu / n * 1e6},
      {"process_cpu_us_per_tx", process_cpu / n * 1e6},
      {"wall_us_per_tx", total_wall / n * 1e6},
      {"tx_per_s_one_core", total_cpu > 0 ? n / total_cpu : 0},
  };
  return Status::Ok();
}

// Closes the ledger and times opening it again up to a state proof at the
// head: the storage part of a node's restart.
Status TimeReopen(const std::string& dir, const Options& o, const DevNetwork& net, Ledger& ledger,
                  nlohmann::json* out) {
  ledger = Ledger{};
  const auto t0 = std::chrono::steady_clock::now();
  LIC_ASSIGN_OR_RETURN(ledger, OpenLedger(dir, o, net));
  const uint64_t head = ledger.store->head_height();
  LIC_ASSIGN_OR_RETURN(Hash root, ledger.executor->HeadStateRoot());
  LIC_ASSIGN_OR_RETURN(auto lookup,
                       ledger.executor->state_map().GetWithProof("identity/org/market", head));
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  (*out)["reopen"] = {{"head_height", head},
                      {"ledger_txs", head * o.txs},
                      {"seconds_to_first_proof", s},
                      {"state_root", ToHex(root)},
                      {"proof_depth", lookup.proof.depth}};
  return Status::Ok();
}

int Run(const Options& o) {
  DevNetwork net = MakeDevNetwork();
  const bool temp = o.dir.empty();
  std::string dir = o.dir;
  if (temp) {
    char tmpl[] = "/tmp/executor-bench-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = tmpl;
  }
  Status s = [&]() -> Status {
    LIC_ASSIGN_OR_RETURN(Ledger ledger, OpenLedger(dir, o, net));
    nlohmann::json out;
    LIC_RETURN_IF_ERROR(ExecuteBlocks(o, net, ledger, &out));
    if (o.reopen) LIC_RETURN_IF_ERROR(TimeReopen(dir, o, net, ledger, &out));
    out["peak_rss_mib"] = PeakRssMib();
    std::printf("%s\n", out.dump(1).c_str());
    return Status::Ok();
  }();
  if (temp) std::filesystem::remove_all(dir);
  if (!s.ok()) {
    std::fprintf(stderr, "executor-bench: %s\n", s.ToString().c_str());
    return 1;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  if (!ParseArgs(argc, argv, &o)) return 2;
  if (!licenced::crypto::Init().ok()) {
    std::fprintf(stderr, "executor-bench: libsodium failed to initialise\n");
    return 1;
  }
  return Run(o);
}
