// The chaincode engine: executes signed transactions against a state view and
// answers read-only queries. Deterministic: its only inputs are the genesis,
// the transaction, the TxContext (block height and block time agreed by
// consensus) and the state view; no clock, no randomness, no I/O.
//
// Chaincodes and methods (arguments are UTF-8 JSON; see docs/chaincode.md):
//   identity:   enrol_clerk, suspend_clerk, restore_clerk, remove_clerk, rotate_key
//   licence:    issue, suspend, restore, revoke, cancel, renew
//   workflow:   open_case, claim, complete, reject
//   governance: propose, approve
// Queries: case, cases, task, inbox, licence, licences, licence_status,
//   clerk, clerks, audit, sealed, flows, proposal, proposals, governance, validators.
//
// Every rejection returns a typed Status (PermissionDenied, InvalidArgument,
// FailedPrecondition, AlreadyExists, NotFound) and leaves `state` untouched:
// Execute() buffers writes in its own OverlayView and commits them to `state`
// only on success. The node may still wrap `state` in an overlay of its own.
//
// Engine is immutable after construction; Execute/Query are thread-safe as
// long as the state views passed in are not shared between threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "chaincode/state_view.h"
#include "core/bytes.h"
#include "core/genesis.h"
#include "core/status.h"
#include "core/transaction.h"

namespace licenced::chaincode {

struct TxContext {
  uint64_t height = 0;         // block height (>= 1)
  uint64_t block_time_ms = 0;  // block header timestamp
  uint32_t tx_index = 0;       // position in the block
  Hash tx_id{};                // Transaction::Id()
  // The host already checked tx.signature (e.g. the node's TxVerifier did, once
  // per node): Execute skips its own check. Default false: Execute verifies.
  bool signature_verified = false;
};

struct Event {
  std::string kind;               // e.g. "task_ready", "licence_issued"
  std::vector<std::string> orgs;  // audiences (inboxes); empty = everyone
  std::string payload_json;
};

struct TxOutcome {
  Status status;            // !status.ok() => no writes kept, no events
  std::string result_json;  // "{}" at least on success
  std::vector<Event> events;
};

class Engine {
 public:
  explicit Engine(Genesis genesis);

  TxOutcome Execute(const Transaction& tx, const TxContext& ctx, StateView& state) const;

  // Read-only; `now_ms` decides "overdue" and "expired" (pass the latest block time).
  Result<std::string> Query(std::string_view method, std::string_view args_json,
                            const StateView& state, uint64_t now_ms) const;

  const Genesis& genesis() const { return genesis_; }

 private:
  Genesis genesis_;
};

}  // namespace licenced::chaincode
