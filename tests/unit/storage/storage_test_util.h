// Helpers shared by the storage unit tests and the crash-test child program:
// temporary dirs, whole-store dumps, and a deterministic chain of commit
// records with an invariant checker ("every acknowledged block is complete,
// nothing above the head, never half a block").
//
// Not thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <tuple>
#include <vector>

#include "core/bytes.h"
#include "node/storage/block_store.h"
#include "node/storage/kv_store.h"

namespace licenced::storage::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents on
// destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Every (column, key, value) in the store, in column then key order.
using Dump = std::vector<std::tuple<Column, std::string, Bytes>>;
Dump DumpAll(KvStore& kv);

// The deterministic record for `height` of the test chain: a block and cert
// derived from the height, and extra writes:
//   kState "s/" + BE64(h) -> "value-<h>"      (one key per block)
//   kState "latest"       -> BE64(h)          (overwritten by every block)
//   kState "tmp/" + BE64(h) put, "tmp/" + BE64(h-1) deleted
//   kIndex "tx:" + BE64(h) -> "tx-<h>"
// `payload_bytes` pads the block (benchmarks use big blocks).
BlockStore::CommitRecord ChainRecord(uint64_t height, size_t payload_bytes = 64);
Hash ChainBlockHash(uint64_t height);

// Opens a BlockStore over `kv` and checks the chain invariants: Open
// succeeds; head >= min_head (nothing acknowledged lost); every height
// 1..head is complete (block, cert, hash index, extra writes) and the head
// pointer, "latest" and the "tmp/" keys agree with the head; nothing of any
// height above the head is present. Returns "" if all hold, else a
// description of the first violation. `head_out` receives the head.
std::string CheckChain(KvStore& kv, uint64_t min_head, uint64_t* head_out = nullptr);

}  // namespace licenced::storage::testing
