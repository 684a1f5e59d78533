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

#include "consensus/block.h"
#include "node/executor.h"
#include "node/storage/block_store.h"
#include "node/storage/kv_store.h"

namespace licenced::node {

// A KvStore that forwards to `inner` with sync forced off. Thread-safe if
// `inner` is.
std::unique_ptr<storage::KvStore> MakeUnsyncedKvStore(std::unique_ptr<storage::KvStore> inner);

// The null-mode replacement of Executor::ExecuteBlock: tx records (OK for
// decodable txs of `network_id`, INVALID_ARGUMENT otherwise; duplicates keep
// their first record), the unchanged state root, block and certificate, in
// one BlockStore::Commit. REQUIRES: as Executor::ExecuteBlock.
Result<ExecutedBlock> ExecuteBlockNull(storage::BlockStore* store, const std::string& network_id,
                                       const Hash& state_root, const consensus::Block& block,
                                       const consensus::CommitCertificate& cert);

}  // namespace licenced::node
