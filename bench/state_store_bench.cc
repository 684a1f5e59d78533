// state-store-bench: what the state store costs per updated key (not a test).
//
// Drives the executor's state path with synthetic keys: values in kState, the
// authenticated state map's nodes in kStateNodes through the node's
// CachingStateNodeReader, one synced RocksDB write per batch (as per block),
// with the writes laid out exactly as node/executor.cc lays them out. Phases:
//   create   --keys inserts, --batch per write
//   random   --batches of 2,500 deletes + 2,500 inserts + 5,000 updates
//   zipf     --batches of 10,000 updates, keys zipf(0.99)-distributed
//   single   --singles writes of one updated key each
// and for each one prints updates/s, RocksDB entries and bytes written per
// updated key (the write batch: values, tree nodes, root), state-map node
// reads per update (what the map asks its reader) and RocksDB point reads
// per update (what reached the store), as one JSON object on stdout.
//
// Usage: state-store-bench [--keys N] [--batch N] [--batches N] [--singles N]
//                          [--value-bytes N] [--seed N] [--dir DIR]
//                          [--node-cache-mib N]
// --node-cache-mib bounds the node cache (default: the executor's).
// Without --dir a temporary dir is used and removed afterwards.
#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/peak_rss.h"

#include "core/encoding.h"
#include "core/op_counters.h"
#include "core/state_map.h"
#include "node/state_store.h"
#include "node/storage/rocks_kv_store.h"

// The operation counters' hook (core/op_counters.h): defined here, so the
// store's point reads are counted in this binary only.
namespace {
std::atomic<uint64_t> g_store_reads{0};
}  // namespace
extern "C" void licenced_count_op(int op) {
  if (op == static_cast<int>(licenced::Op::kStoreRead)) {
    g_store_reads.fetch_add(1, std::memory_order_relaxed);
  }
}

namespace {

using licenced::Bytes;
using licenced::ByteView;
using licenced::Result;
using licenced::Status;
using licenced::storage::Column;
using licenced::storage::RocksKvStore;
using licenced::storage::WriteBatch;
namespace state = licenced::state;
namespace node = licenced::node;
using Clock = std::chrono::steady_clock;

// Counts what the state map asks of its node reader.
class CountingReader final : public state::StateMapNodeReader {
 public:
  explicit CountingReader(const state::StateMapNodeReader& inner) : inner_(inner) {}
  Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                             uint64_t max_version) const override {
    ++reads_;
    return inner_.GetLatestNode(position, max_version);
  }
  Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const override {
    ++reads_;
    return inner_.GetNode(position, version);
  }
  uint64_t reads() const { return reads_; }

 private:
  const state::StateMapNodeReader& inner_;
  mutable uint64_t reads_ = 0;
};

struct Options {
  uint64_t keys = 100'000;
  size_t batch = 10'000;
  size_t batches = 5;
  size_t singles = 1'000;
  size_t value_bytes = 100;
  uint64_t seed = 1;
  std::string dir;
  size_t node_cache_bytes = node::CachingStateNodeReader::kDefaultMaxBytes;
};

struct PhaseTotals {
  uint64_t updates = 0;  // changed keys (inserts, updates and deletes)
  uint64_t writes = 0;   // RocksDB entries written (puts and deletes)
  uint64_t bytes = 0;    // their keys and values
  uint64_t node_reads = 0;
  uint64_t store_reads = 0;
  uint64_t batches = 0;
  double seconds = 0;

  nlohmann::json ToJson() const {
    auto per = [this](double v) { return updates == 0 ? 0.0 : v / static_cast<double>(updates); };
    return {{"updates", updates},
            {"batches", batches},
            {"seconds", seconds},
            {"updates_per_s", seconds > 0 ? static_cast<double>(updates) / seconds : 0.0},
            {"entries_written_per_key", per(static_cast<double>(writes))},
            {"bytes_written_per_key", per(static_cast<double>(bytes))},
            {"node_reads_per_update", per(static_cast<double>(node_reads))},
            {"store_reads_per_update", per(static_cast<double>(store_reads))}};
  }
};

std::string KeyName(uint64_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "bench/%012llu", static_cast<unsigned long long>(i));
  return buf;
}

class Bench {
 public:
  Bench(const Options& o, RocksKvStore* kv)
      : o_(o),
        kv_(kv),
        cache_(kv, o.node_cache_bytes),
        reader_(cache_),
        map_(reader_),
        rng_(o.seed) {}

  // One block's worth of changes: values, the map's nodes and the root in one
  // synced write, then the cache learns the nodes (as the executor does).
  Status Commit(const std::vector<state::StateChange>& changes, PhaseTotals* t) {
    const uint64_t reads0 = reader_.reads();
    const uint64_t store0 = g_store_reads.load();
    const auto t0 = Clock::now();
    WriteBatch batch;
    for (const auto& c : changes) {
      if (c.value) {
        batch.Put(Column::kState, node::StateKey(c.key), *c.value);
      } else {
        batch.Delete(Column::kState, node::StateKey(c.key));
      }
    }
    auto update = map_.Update(++version_, changes);
    if (!update.ok()) return update.status();
    for (const auto& [key, value] : update->node_writes) {
      batch.Put(Column::kStateNodes, node::StateNodeStoreKey(key), value);
    }
    batch.Put(Column::kIndex, node::RootKey(version_),
              Bytes(update->root.begin(), update->root.end()));
    t->writes += batch.size();
    t->bytes += batch.ApproximateBytes();
    if (Status s = kv_->Write(batch, /*sync=*/true); !s.ok()) return s;
    cache_.Record(std::move(update->node_writes));
    t->seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    t->updates += changes.size();
    t->node_reads += reader_.reads() - reads0;
    t->store_reads += g_store_reads.load() - store0;
    ++t->batches;
    return Status::Ok();
  }

  Bytes Value() {
    Bytes v(o_.value_bytes);
    for (auto& b : v) b = static_cast<uint8_t>(rng_());
    return v;
  }

  // A live key chosen uniformly.
  uint64_t AnyLive() { return live_[rng_() % live_.size()]; }

  Result<PhaseTotals> Create() {
    PhaseTotals t;
    std::vector<state::StateChange> changes;
    for (uint64_t i = 0; i < o_.keys; ++i) {
      changes.push_back({KeyName(next_key_), Value()});
      live_.push_back(next_key_++);
      if (changes.size() == o_.batch || i + 1 == o_.keys) {
        if (Status s = Commit(changes, &t); !s.ok()) return s;
        changes.clear();
      }
    }
    return t;
  }

  // 2,500 deletes + 2,500 inserts + 5,000 updates per batch, distinct keys.
  Result<PhaseTotals> Random() {
    PhaseTotals t;
    for (size_t b = 0; b < o_.batches; ++b) {
      std::vector<state::StateChange> changes;
      std::unordered_set<uint64_t> touched;
      auto pick = [&]() {
        for (;;) {
          size_t at = rng_() % live_.size();
          if (touched.insert(live_[at]).second) return at;
        }
      };
      std::vector<size_t> deleted;
      for (int i = 0; i < 2500; ++i) {
        size_t at = pick();
        changes.push_back({KeyName(live_[at]), std::nullopt});
        deleted.push_back(at);
      }
      for (int i = 0; i < 5000; ++i) changes.push_back({KeyName(live_[pick()]), Value()});
      std::vector<uint64_t> inserted;
      for (int i = 0; i < 2500; ++i) {
        changes.push_back({KeyName(next_key_), Value()});
        inserted.push_back(next_key_++);
      }
      if (Status s = Commit(changes, &t); !s.ok()) return s;
      // The deleted keys' slots take the inserted ones.
      for (size_t i = 0; i < deleted.size(); ++i) live_[deleted[i]] = inserted[i];
    }
    return t;
  }

  // 10,000 updates per batch, the key's rank zipf(0.99) over the live keys.
  Result<PhaseTotals> Zipf() {
    PhaseTotals t;
    std::vector<double> cdf(live_.size());
    double sum = 0;
    for (size_t r = 0; r < cdf.size(); ++r) {
      sum += 1.0 / std::pow(static_cast<double>(r + 1), 0.99);
      cdf[r] = sum;
    }
    std::uniform_real_distribution<double> u(0, sum);
    for (size_t b = 0; b < o_.batches; ++b) {
      std::vector<state::StateChange> changes;
      std::unordered_set<uint64_t> touched;
      while (changes.size() < 10'000 && touched.size() < live_.size()) {
        size_t rank = std::lower_bound(cdf.begin(), cdf.end(), u(rng_)) - cdf.begin();
        uint64_t key = live_[std::min(rank, live_.size() - 1)];
        if (touched.insert(key).second) changes.push_back({KeyName(key), Value()});
      }
      if (Status s = Commit(changes, &t); !s.ok()) return s;
    }
    return t;
  }

  Result<PhaseTotals> Single() {
    PhaseTotals t;
    for (size_t i = 0; i < o_.singles; ++i) {
      if (Status s = Commit({{KeyName(AnyLive()), Value()}}, &t); !s.ok()) return s;
    }
    return t;
  }

 private:
  Options o_;
  RocksKvStore* kv_;
  node::CachingStateNodeReader cache_;
  CountingReader reader_;
  state::StateMap map_;
  std::mt19937_64 rng_;
  uint64_t version_ = 0;
  uint64_t next_key_ = 0;
  std::vector<uint64_t> live_;
};

uint64_t DirBytes(const std::string& dir) {
  uint64_t total = 0;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (e.is_regular_file(ec)) total += e.file_size(ec);
  }
  return total;
}

int Usage() {
  std::fprintf(stderr,
               "usage: state-store-bench [--keys N] [--batch N] [--batches N] [--singles N] "
               "[--value-bytes N] [--seed N] [--dir DIR] [--node-cache-mib N]\n");
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (i + 1 >= argc) return Usage();
    std::string v = argv[++i];
    char* end = nullptr;
    uint64_t n = std::strtoull(v.c_str(), &end, 10);
    bool numeric = end != v.c_str() && *end == '\0';
    if (a == "--dir") {
      o.dir = v;
    } else if (!numeric) {
      return Usage();
    } else if (a == "--keys" && n > 0) {
      o.keys = n;
    } else if (a == "--batch" && n > 0) {
      o.batch = n;
    } else if (a == "--batches") {
      o.batches = n;
    } else if (a == "--singles") {
      o.singles = n;
    } else if (a == "--value-bytes" && n > 0) {
      o.value_bytes = n;
    } else if (a == "--seed") {
      o.seed = n;
    } else if (a == "--node-cache-mib") {
      o.node_cache_bytes = static_cast<size_t>(n) << 20;
    } else {
      return Usage();
    }
  }
  if (o.keys < 20'000 && o.batches > 0) {
    std::fprintf(stderr, "state-store-bench: --keys must be >= 20000 for the random batches\n");
    return 2;
  }
  bool temp = o.dir.empty();
  if (temp) {
    char tmpl[] = "/tmp/state-store-bench-XXXXXX";
    if (!mkdtemp(tmpl)) return 1;
    o.dir = tmpl;
  }
  nlohmann::json out;
  {
    auto kv = RocksKvStore::Open(o.dir);
    if (!kv.ok()) {
      std::fprintf(stderr, "state-store-bench: %s\n", kv.status().ToString().c_str());
      return 1;
    }
    Bench bench(o, kv->get());
    out["options"] = {{"keys", o.keys},
                      {"batch", o.batch},
                      {"batches", o.batches},
                      {"singles", o.singles},
                      {"value_bytes", o.value_bytes},
                      {"seed", o.seed},
                      {"node_cache_mib", o.node_cache_bytes >> 20}};
    struct Phase {
      const char* name;
      Result<PhaseTotals> (Bench::*run)();
    };
    for (Phase p : {Phase{"create", &Bench::Create}, Phase{"random", &Bench::Random},
                    Phase{"zipf", &Bench::Zipf}, Phase{"single", &Bench::Single}}) {
      auto r = (bench.*p.run)();
      if (!r.ok()) {
        std::fprintf(stderr, "state-store-bench: %s: %s\n", p.name, r.status().ToString().c_str());
        return 1;
      }
      out[p.name] = r->ToJson();
      std::fprintf(stderr,
                   "state-store-bench: %s: %.0f updates/s, %.1f entries and %.0f B per key\n",
                   p.name, out[p.name]["updates_per_s"].get<double>(),
                   out[p.name]["entries_written_per_key"].get<double>(),
                   out[p.name]["bytes_written_per_key"].get<double>());
    }
  }
  out["db_bytes_on_disk"] = DirBytes(o.dir);
  out["peak_rss_kib"] = licenced::bench::PeakRssKib();
  if (temp) std::filesystem::remove_all(o.dir);
  std::printf("%s\n", out.dump(2).c_str());
  return 0;
}
