// storage-bench: a micro benchmark of BlockStore over RocksDB (not a test).
//
// Commits --blocks blocks, each carrying --txs transactions of --tx-bytes
// bytes (the block body) and as many state entries of the same size in the
// commit's extra batch, every commit one synced write. Prints one JSON
// object: commits/s, tx/s, MB/s, commit latency percentiles, peak RSS.
//
// Usage: storage-bench [--dir DIR] [--blocks N] [--txs N] [--tx-bytes N]
// Without --dir a temporary dir is used and removed afterwards.
#include <stdlib.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bench/peak_rss.h"

#include "node/storage/block_store.h"
#include "node/storage/rocks_kv_store.h"

namespace {

using licenced::Bytes;
using licenced::Hash;
using namespace licenced::storage;

int Usage(const char* argv0) {
  std::fprintf(stderr, "usage: %s [--dir DIR] [--blocks N] [--txs N] [--tx-bytes N]\n", argv0);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string dir;
  uint64_t blocks = 100;
  uint64_t txs = 2000;
  uint64_t tx_bytes = 300;
  for (int i = 1; i < argc; ++i) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) return Usage(argv[0]);
    const char* value = argv[++i];
    if (flag == "--dir") {
      dir = value;
    } else if (flag == "--blocks") {
      blocks = std::strtoull(value, nullptr, 10);
    } else if (flag == "--txs") {
      txs = std::strtoull(value, nullptr, 10);
    } else if (flag == "--tx-bytes") {
      tx_bytes = std::strtoull(value, nullptr, 10);
    } else {
      return Usage(argv[0]);
    }
  }
  if (blocks == 0) return Usage(argv[0]);

  bool remove_dir = false;
  if (dir.empty()) {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "storage-bench-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return 1;
    }
    dir = pattern;
    remove_dir = true;
  }

  int exit_code = 0;
  {
    auto kv = RocksKvStore::Open(dir);
    if (!kv.ok()) {
      std::fprintf(stderr, "%s\n", kv.status().ToString().c_str());
      return 1;
    }
    auto store = BlockStore::Open(kv->get());
    if (!store.ok()) {
      std::fprintf(stderr, "%s\n", store.status().ToString().c_str());
      return 1;
    }
    std::mt19937_64 rng(42);
    auto random_bytes = [&rng](size_t n) {
      Bytes out(n);
      for (size_t i = 0; i < n; i += 8) {
        uint64_t r = rng();
        std::memcpy(out.data() + i, &r, std::min<size_t>(8, n - i));
      }
      return out;
    };

    std::vector<double> latencies_ms;
    uint64_t bytes_written = 0;
    double total_seconds = 0;
    const uint64_t first = (*store)->head_height() + 1;
    for (uint64_t h = first; h < first + blocks; ++h) {
      BlockStore::CommitRecord record;
      record.height = h;
      for (uint64_t t = 0; t < txs; ++t) {
        Bytes tx = random_bytes(tx_bytes);
        record.block.insert(record.block.end(), tx.begin(), tx.end());
        Bytes key = random_bytes(32);
        record.extra.Put(Column::kState, std::string(key.begin(), key.end()),
                         random_bytes(tx_bytes));
      }
      Bytes hash = random_bytes(32);
      std::copy(hash.begin(), hash.end(), record.block_hash.begin());
      record.cert = random_bytes(3 * 100);
      bytes_written += record.block.size() + record.cert.size() + record.extra.ApproximateBytes();

      const auto start = std::chrono::steady_clock::now();
      licenced::Status s = (*store)->Commit(record);
      const double seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
      if (!s.ok()) {
        std::fprintf(stderr, "commit %llu: %s\n", static_cast<unsigned long long>(h),
                     s.ToString().c_str());
        exit_code = 1;
        break;
      }
      total_seconds += seconds;
      latencies_ms.push_back(seconds * 1000);
    }
    if (!latencies_ms.empty()) {
      std::vector<double> sorted = latencies_ms;
      std::sort(sorted.begin(), sorted.end());
      auto pct = [&sorted](double p) {
        return sorted[std::min(sorted.size() - 1, static_cast<size_t>(p * sorted.size()))];
      };
      const double n = static_cast<double>(latencies_ms.size());
      nlohmann::json out = {
          {"benchmark", "storage block commit (RocksDB, synced)"},
          {"blocks", latencies_ms.size()},
          {"txs_per_block", txs},
          {"tx_bytes", tx_bytes},
          {"state_entries_per_block", txs},
          {"seconds_in_commit", total_seconds},
          {"commits_per_sec", n / total_seconds},
          {"tx_per_sec", n * static_cast<double>(txs) / total_seconds},
          {"mb_per_sec", static_cast<double>(bytes_written) / total_seconds / 1e6},
          {"commit_ms_p50", pct(0.50)},
          {"commit_ms_p99", pct(0.99)},
          {"commit_ms_max", sorted.back()},
          {"peak_rss_mib", static_cast<double>(licenced::bench::PeakRssKib()) / 1024},
      };
      std::printf("%s\n", out.dump(2).c_str());
    }
  }
  if (remove_dir) std::filesystem::remove_all(dir);
  return exit_code;
}
