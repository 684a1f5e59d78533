// Crash tests of BlockStore through FaultInjectingKvStore.
//
// A scenario commits blocks 1..kHeights; before each block the replica
// persists a vote (ConsensusLog, synced) and the node writes an unsynced
// scratch key. For every write index of that scenario and every fault kind
// (failed write, crash mid-batch, crash before sync, crash after sync, disk
// failing for good) the fault is injected, the "process" restarts
// (SimulateCrash, new BlockStore over the same store) and we check:
//   - every commit that returned OK is fully present (block, cert, hash
//     index, extra writes, head), and so is every acknowledged vote;
//   - a commit that failed left no trace; the head is complete and nothing
//     of a higher block exists (never half a block);
//   - the chain can be continued after the restart.
// A deliberately non-atomic committer shows that the checks catch half
// blocks.
#include <catch2/catch.hpp>

#include <functional>
#include <set>

#include "node/storage/block_store.h"
#include "node/storage/consensus_log.h"
#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"
#include "node/storage/rocks_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace licenced::storage {
namespace {

using testing::ChainRecord;
using testing::CheckChain;
using Fault = FaultInjectingKvStore::Fault;
using Committer = std::function<Status(const BlockStore::CommitRecord&)>;
// Makes a committer over `kv` (called again after every restart).
using CommitterFactory = std::function<Committer(KvStore& kv)>;

constexpr uint64_t kHeights = 6;

Committer RealCommitter(KvStore& kv) {
  auto store = BlockStore::Open(&kv);
  REQUIRE(store.ok());
  std::shared_ptr<BlockStore> shared(std::move(store).value());
  return [shared](const BlockStore::CommitRecord& r) { return shared->Commit(r); };
}

// WRONG on purpose: block, cert and extra writes in one synced write, the
// head pointer and index in a second one.
Committer SplitCommitter(KvStore& kv) {
  return [&kv](const BlockStore::CommitRecord& r) {
    WriteBatch first;
    first.Put(Column::kBlocks, HeightKey(r.height), Bytes(r.block));
    first.Put(Column::kCerts, HeightKey(r.height), Bytes(r.cert));
    first.Append(r.extra);
    LIC_RETURN_IF_ERROR(kv.Write(first, true));
    WriteBatch second;
    std::string index_key(BlockStore::kHashIndexPrefix);
    index_key.append(reinterpret_cast<const char*>(r.block_hash.data()), r.block_hash.size());
    second.Put(Column::kIndex, index_key, ToBytes(HeightKey(r.height)));
    Bytes head = ToBytes(HeightKey(r.height));
    head.insert(head.end(), r.block_hash.begin(), r.block_hash.end());
    second.Put(Column::kMeta, std::string(BlockStore::kHeadKey), head);
    return kv.Write(second, true);
  };
}

struct Outcome {
  uint64_t acked_height = 0;       // highest commit that returned OK
  std::set<uint64_t> acked_votes;  // ConsensusLog puts that returned OK
  bool stopped = false;            // crashed or the disk kept failing
  std::string violation;           // first invariant broken while running
};

// Runs heights from `first` to kHeights over `fi`; stops at a crash or at a
// write that fails twice in a row.
Outcome RunScenario(FaultInjectingKvStore& fi, KvStore& base, const CommitterFactory& factory,
                    uint64_t first) {
  Outcome out;
  out.acked_height = first - 1;
  Committer commit = factory(fi);
  ConsensusLog log(&fi);
  for (uint64_t h = first; h <= kHeights && !out.stopped; ++h) {
    int failures = 0;
    auto failed = [&](const Status& s) {
      REQUIRE(s.code() == StatusCode::kIoError);
      if (fi.crashed() || ++failures >= 2) out.stopped = true;
      return !out.stopped;  // retry?
    };
    for (;;) {
      Status s = log.Put("vote/" + HeightKey(h), ToBytes("vote-" + std::to_string(h)));
      if (s.ok()) {
        out.acked_votes.insert(h);
        break;
      }
      if (!failed(s)) break;
    }
    if (out.stopped) break;
    // Unsynced scratch write: may be lost, must never matter.
    Status scratch = fi.Put(Column::kMeta, "scratch", ToBytes(std::to_string(h)), false);
    if (!scratch.ok() && !failed(scratch)) break;
    for (;;) {
      Status s = commit(ChainRecord(h));
      if (s.ok()) {
        out.acked_height = h;
        break;
      }
      // The failed commit must have left no trace, right now.
      if (out.violation.empty()) {
        std::string v = CheckChain(base, out.acked_height);
        if (!v.empty()) out.violation = "after failed commit of " + std::to_string(h) + ": " + v;
      }
      if (!failed(s)) break;
    }
  }
  return out;
}

// Injects `fault` at write `index` (or FailWritesAfter(index) if
// `disk_dies`), runs, restarts, and returns the first violated invariant.
std::string CrashAt(KvStore& base, const CommitterFactory& factory, uint64_t index,
                    std::optional<Fault> fault) {
  FaultInjectingKvStore fi(&base);
  if (fault) {
    fi.InjectAt(index, *fault);
  } else {
    fi.FailWritesAfter(index);
  }
  Outcome out = RunScenario(fi, base, factory, 1);
  if (!out.violation.empty()) return out.violation;

  // Restart.
  if (!fi.SimulateCrash().ok()) return "SimulateCrash failed";
  fi.ResetFaults();
  uint64_t head = 0;
  std::string v = CheckChain(base, out.acked_height, &head);
  if (!v.empty()) return "after restart: " + v;
  const bool may_be_ahead = fault == Fault::kCrashAfterSync;
  if (head != out.acked_height && !(may_be_ahead && head == out.acked_height + 1)) {
    return "after restart: head " + std::to_string(head) + " but acknowledged " +
           std::to_string(out.acked_height);
  }
  for (uint64_t h : out.acked_votes) {
    auto vote = base.Get(Column::kConsensus, "vote/" + HeightKey(h));
    if (!vote.ok() || !*vote) return "acknowledged vote " + std::to_string(h) + " lost";
  }
  // The restarted node can continue the chain.
  Outcome resumed = RunScenario(fi, base, factory, head + 1);
  if (!resumed.violation.empty()) return "after resume: " + resumed.violation;
  if (resumed.acked_height != kHeights) return "could not resume the chain after restart";
  v = CheckChain(base, kHeights);
  return v.empty() ? "" : "after resume: " + v;
}

uint64_t CountWrites(const CommitterFactory& factory) {
  MemKvStore base;
  FaultInjectingKvStore fi(&base);
  Outcome out = RunScenario(fi, base, factory, 1);
  REQUIRE(out.acked_height == kHeights);
  return fi.write_count();
}

const char* FaultName(std::optional<Fault> f) {
  if (!f) return "disk fails for good";
  switch (*f) {
    case Fault::kFailWrite:
      return "failed write";
    case Fault::kCrashMidBatch:
      return "crash mid-batch";
    case Fault::kCrashBeforeSync:
      return "crash before sync";
    case Fault::kCrashAfterSync:
      return "crash after sync";
  }
  return "?";
}

const std::vector<std::optional<Fault>> kAllFaults = {Fault::kFailWrite, Fault::kCrashMidBatch,
                                                      Fault::kCrashBeforeSync,
                                                      Fault::kCrashAfterSync, std::nullopt};

TEST_CASE("storage: BlockStore survives a fault at every write of a commit sequence",
          "[storage][crash]") {
  const uint64_t writes = CountWrites(RealCommitter);
  CHECK(writes == 3 * kHeights);
  size_t scenarios = 0;
  for (const auto& fault : kAllFaults) {
    for (uint64_t index = 0; index <= writes; ++index) {
      INFO(FaultName(fault) << " at write " << index);
      MemKvStore base;
      CHECK(CrashAt(base, RealCommitter, index, fault) == "");
      ++scenarios;
    }
  }
  CHECK(scenarios == kAllFaults.size() * (writes + 1));
}

TEST_CASE("storage: BlockStore over RocksDB survives a crash at every write",
          "[storage][crash][rocks]") {
  const uint64_t writes = CountWrites(RealCommitter);
  for (const auto& fault :
       {Fault::kCrashMidBatch, Fault::kCrashBeforeSync, Fault::kCrashAfterSync}) {
    for (uint64_t index = 0; index < writes; ++index) {
      INFO(FaultName(fault) << " at write " << index);
      testing::TempDir dir;
      auto rocks = RocksKvStore::Open(dir.path());
      REQUIRE(rocks.ok());
      CHECK(CrashAt(**rocks, RealCommitter, index, fault) == "");
    }
  }
}

TEST_CASE("storage: The crash checks catch a non-atomic block commit", "[storage][crash]") {
  // Guards the test above against checks that cannot fail.
  const uint64_t writes = CountWrites(SplitCommitter);
  size_t caught = 0;
  for (const auto& fault : kAllFaults) {
    for (uint64_t index = 0; index <= writes; ++index) {
      MemKvStore base;
      if (!CrashAt(base, SplitCommitter, index, fault).empty()) ++caught;
    }
  }
  CHECK(caught > 0);
}

}  // namespace
}  // namespace licenced::storage
