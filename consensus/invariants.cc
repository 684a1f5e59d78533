// The replica's always-on invariants, checked after every input
// (Replica::Step). A violation means a bug in this replica: it halts rather
// than sign or send anything more (docs/consensus.md "Invariants").
#include <algorithm>
#include <string>

#include "consensus/replica_core.h"

namespace licenced::consensus {

namespace {

Status Broken(const std::string& what) { return Status::Internal(what); }

std::string At(uint64_t h) { return "slot " + std::to_string(h) + ": "; }

}  // namespace

Status ReplicaCore::CheckInvariants() const {
  const size_t n = config_.validators.n();
  const size_t f = config_.validators.f();
  // Quorums: any two commit quorums share a correct replica.
  if (!unsafe_quorums_) {
    if (n < 3 * f + 1) return Broken("n=" + std::to_string(n) + " < 3f+1");
    if (PrepareQuorum() != 2 * f || CommitQuorum() != 2 * f + 1) {
      return Broken("quorum sizes " + std::to_string(PrepareQuorum()) + "/" +
                    std::to_string(CommitQuorum()) + " are not 2f/2f+1 for f=" + std::to_string(f));
    }
    if (2 * CommitQuorum() < n + f + 1) return Broken("commit quorums need not intersect");
  }
  // Heights: execution follows delivery; the watermarks are ordered and the
  // vote record forgets nothing above the stable checkpoint.
  if (executed_height_ > delivered_height_) {
    return Broken("executed height " + std::to_string(executed_height_) +
                  " is above delivered height " + std::to_string(delivered_height_));
  }
  if (LowWatermark() >= HighWatermark()) return Broken("low watermark is not below the high one");
  if (votes_.floor() > LowWatermark()) {
    return Broken("vote record floor " + std::to_string(votes_.floor()) +
                  " is above the stable checkpoint " + std::to_string(LowWatermark()));
  }
  if (pending_.size() != pending_order_.size()) return Broken("pending requests out of order");
  if (!log_.empty()) {
    if (log_.begin()->first <= LowWatermark()) {
      return Broken(At(log_.begin()->first) + "kept at or below the stable checkpoint " +
                    std::to_string(LowWatermark()));
    }
    // Votes are taken only within the watermarks; a delivered block (state
    // transfer) may lie beyond them.
    if (log_.rbegin()->first > std::max(HighWatermark(), delivered_height_)) {
      return Broken(At(log_.rbegin()->first) + "beyond the high watermark " +
                    std::to_string(HighWatermark()) + " and not delivered");
    }
  }
  // Slot phases: only the current view's pre-prepares, every vote this
  // replica cast is in its vote record, a prepared slot holds its certificate.
  for (const auto& [h, s] : log_) {
    if (!s.has_pp()) continue;
    const char* phase = SlotPhaseName(s.phase);
    if (in_view_change_) return Broken(At(h) + phase + " during a view change");
    if (s.pp_view != view_) {
      return Broken(At(h) + phase + " for view " + std::to_string(s.pp_view) + " in view " +
                    std::to_string(view_));
    }
    if (s.voted() && h > votes_.floor() && !votes_.forgetful_for_testing()) {
      auto entry = votes_.Find(h);
      if (!entry || entry->view != view_ || entry->digest != s.digest) {
        return Broken(At(h) + phase + " but the vote record does not hold that vote");
      }
    }
    if (s.prepared() && (!s.pcert || s.pcert_view != view_ || !s.my_commit)) {
      return Broken(At(h) + phase + " without its prepared certificate and commit");
    }
  }
  return Status::Ok();
}

}  // namespace licenced::consensus
