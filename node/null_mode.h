// Null mode ([bench] null_mode = true in node.toml): a benchmark-only setting
// for comparing the consensus and transport layers with other BFT engines
// doing the same work (docs/performance.md). In null mode a node
//   - does not check client transaction signatures (decode and network id only),
//   - does not run chaincode: every decodable transaction of this network is
//     recorded as OK with no state writes (the state root never changes),
//   - never fsyncs (every KvStore write is unsynced: blocks and the consensus log),
// and otherwise runs the normal PBFT replica, peer transport and client API.
// NEVER use it for a real network: it gives up client authentication,
// chaincode rules and crash safety. The real figures come from normal mode.
#pragma once

#include <memory>

#include "node/storage/kv_store.h"

namespace licenced::node {

// A KvStore that forwards to `inner` with sync forced off. Thread-safe if
// `inner` is.
std::unique_ptr<storage::KvStore> MakeUnsyncedKvStore(std::unique_ptr<storage::KvStore> inner);

// Null-mode execution is Executor(genesis, store, /*null_mode=*/true)
// (node/executor.h): the normal block loop without chaincode.

}  // namespace licenced::node
