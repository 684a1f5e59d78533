// StatusListPublisher: keeps the status lists of the node's own org current
// on the ledger, so that every node serves them (node/credential_service.h
// serves another org's list only while it equals the ledger and is valid).
//
// A list (purpose, number) is published, as a licence.publish_status_list
// transaction signed by the node's issuing key, when
//   - none is published yet, or its bits differ from the statuses proven at
//     the head (checked after start and after blocks that changed a status
//     of the org: the chaincode's licence_status_changed event);
//   - a status changed in a block that the published list does not cover
//     yet (its statusHeight is below that block; a list is of the certified
//     state after its block, so the list of the changing block covers it);
//   - the published list is older than `refresh_after` (lists are valid for
//     24 hours after their block).
// At most one publication per list is in flight; a refused or lost one is
// retried after `retry_after`.
//
// Thread-safe: OnBlock is called from the execution thread; the work runs on
// the publisher's own thread.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "core/crypto.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/transaction.h"
#include "proof/credential.h"

namespace licenced::node {

// How soon a pass that found no certified state yet is tried again.
inline constexpr uint64_t kRetrySoonMs = 200;

class StatusListPublisher {
 public:
  struct Ports {
    // The own org's list, signed, at the head.
    std::function<Result<nlohmann::json>(proof::vc::StatusPurpose, uint64_t)> build;
    // The newest published list at the head, or nullopt.
    std::function<Result<std::optional<nlohmann::json>>(proof::vc::StatusPurpose, uint64_t)>
        published;
    std::function<Result<uint64_t>()> list_count;
    // Hands a signed transaction to the node's submission path.
    std::function<void(Transaction)> submit;
    std::function<uint64_t()> now_ms;
  };
  struct Options {
    uint64_t refresh_after_ms = 12ull * 3600 * 1000;
    uint64_t retry_after_ms = 30'000;
    uint64_t check_interval_ms = 60'000;  // wakes this often to check refresh_after
  };

  StatusListPublisher(std::string network_id, crypto::KeyPair key, Ports ports, Options options);
  ~StatusListPublisher();

  void Start();
  void Stop();  // idempotent
  // After block `height` committed; `status_changed`: it changed a status of
  // one of the org's licences.
  void OnBlock(uint64_t height, bool status_changed);

  // One pass over the org's lists (the thread calls it; tests call it
  // directly). Returns how many publications it submitted.
  Result<size_t> PublishDue();

 private:
  struct InFlight {
    uint64_t status_height = 0;
    uint64_t deadline_ms = 0;
  };
  struct Pass {
    bool submitted = false;
    bool follow_up = false;  // a later block may make it due: pass again after the next
  };
  void Run();
  Result<Pass> PublishIfDue(proof::vc::StatusPurpose purpose, uint64_t list, bool check_bits,
                            uint64_t last_change);

  const std::string network_id_;
  const crypto::KeyPair key_;
  const Ports ports_;
  const Options options_;

  Mutex mu_;
  CondVar cv_;
  bool stop_ GUARDED_BY(mu_) = false;
  bool wake_ GUARDED_BY(mu_) = true;                 // run a pass now
  bool check_bits_ GUARDED_BY(mu_) = true;           // compare bits (after start, after a change)
  uint64_t last_change_height_ GUARDED_BY(mu_) = 0;  // newest block that changed a status
  bool follow_up_ GUARDED_BY(mu_) = true;            // pass after every block, not only on changes
  // Only the publisher's thread (or a test calling PublishDue) touches these.
  std::map<std::pair<int, uint64_t>, InFlight> in_flight_;  // by (purpose, list)
  uint64_t nonce_ = 0;
  std::thread thread_;
};

}  // namespace licenced::node
