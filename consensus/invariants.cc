// The replica's always-on invariants, checked after every input
// (Replica::Step). A violation means a bug in this replica: it halts rather
// than sign or send anything more (docs/consensus.md "Invariants").
#include <algorithm>
#include <map>
#include <string>
#include <utility>

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
  if (!pool_.consistent()) return Broken("pending requests out of order");
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

namespace {

// Height -> (view, digest) of the prepared certificates held above `low`.
std::map<uint64_t, std::pair<uint64_t, Hash>> PreparedAbove(const std::map<uint64_t, Slot>& log,
                                                            uint64_t low) {
  std::map<uint64_t, std::pair<uint64_t, Hash>> out;
  for (auto it = log.upper_bound(low); it != log.end(); ++it) {
    if (it->second.pcert)
      out[it->first] = {it->second.pcert_view, it->second.pcert_block.ComputeHash()};
  }
  return out;
}

std::string Entries(const std::map<uint64_t, std::pair<uint64_t, Hash>>& m) {
  std::string out;
  for (const auto& [h, e] : m) {
    if (!out.empty()) out += ", ";
    out += std::to_string(h) + "@v" + std::to_string(e.first);
  }
  return "{" + out + "}";
}

}  // namespace

Status ReplicaCore::CheckRestoreEquality(
    const std::vector<std::pair<std::string, Bytes>>& persisted) const {
  // Restore into a fresh core as Replica::Create does (what it restores does
  // not depend on the executed height or the recently committed ids).
  ReplicaConfig config = config_;
  config.recently_committed.clear();
  ReplicaCore restored(std::move(config), key_);
  restored.stable_.checkpoint.block_hash = config_.genesis_hash;
  restored.executed_height_ = restored.delivered_height_ = executed_height_;
  if (Status s = restored.Restore(persisted); !s.ok()) {
    return Broken("persist-then-restore: restore failed: " + s.ToString());
  }
  const std::string what = "persist-then-restore: ";
  if (restored.view_ != view_ || restored.in_view_change_ != in_view_change_) {
    return Broken(what + "view " + std::to_string(view_) + (in_view_change_ ? " (changing)" : "") +
                  " restores as " + std::to_string(restored.view_) +
                  (restored.in_view_change_ ? " (changing)" : ""));
  }
  if (!(restored.stable_.checkpoint == stable_.checkpoint)) {
    return Broken(what + "stable checkpoint " + std::to_string(stable_.checkpoint.height) +
                  " restores as " + std::to_string(restored.stable_.checkpoint.height));
  }
  const uint64_t low = LowWatermark();
  auto votes_above = [low](const VoteRecord& record) {
    std::map<uint64_t, std::pair<uint64_t, Hash>> out;
    for (auto it = record.entries().upper_bound(low); it != record.entries().end(); ++it) {
      out[it->first] = {it->second.view, it->second.digest};
    }
    return out;
  };
  if (!votes_.forgetful_for_testing()) {
    auto mine = votes_above(votes_);
    auto back = votes_above(restored.votes_);
    if (mine != back) {
      return Broken(what + "vote record " + Entries(mine) + " restores as " + Entries(back));
    }
  }
  auto mine = PreparedAbove(log_, low);
  auto back = PreparedAbove(restored.log_, low);
  if (mine != back) {
    return Broken(what + "prepared certificates " + Entries(mine) + " restore as " + Entries(back));
  }
  return Status::Ok();
}

}  // namespace licenced::consensus
