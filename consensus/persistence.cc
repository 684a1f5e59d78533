// Persistence: what a replica writes so that a restart never double votes,
// and how Create() restores it. Keys (all under "pbft/"):
//   pbft/view                 view u64, in_view_change u8
//   pbft/vote/<height:020>    view u64, block_hash 32, pre_prepare var (primary only, else empty)
//   pbft/prep/<height:020>    PreparedCert (the highest-view prepared certificate)
//   pbft/ckpt                 CheckpointProof of the stable checkpoint
#include <cinttypes>
#include <cstdio>
#include <string>

#include "consensus/replica_core.h"

namespace licenced::consensus {
namespace {

std::string HeightKey(std::string_view prefix, uint64_t height) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%020" PRIu64, height);
  return std::string(prefix) + buf;
}

Result<uint64_t> ParseHeight(std::string_view digits) {
  if (digits.size() != 20) return Status::Corruption("consensus: bad height in persisted key");
  uint64_t v = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return Status::Corruption("consensus: bad height in persisted key");
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

constexpr std::string_view kVotePrefix = "pbft/vote/";
constexpr std::string_view kPrepPrefix = "pbft/prep/";

}  // namespace

std::string VoteKey(uint64_t height) { return HeightKey(kVotePrefix, height); }
std::string PreparedKey(uint64_t height) { return HeightKey(kPrepPrefix, height); }

void ReplicaCore::PersistView() {
  Emit(Persist{std::string(kKeyView), Writer().U64(view_).U8(in_view_change_ ? 1 : 0).Take()});
}

Status ReplicaCore::Restore(const std::vector<std::pair<std::string, Bytes>>& persisted) {
  struct VoteRecord {
    uint64_t view;
    Hash digest;
    Bytes pp;
  };
  std::map<uint64_t, VoteRecord> votes;
  std::map<uint64_t, PreparedCert> preps;
  for (const auto& [key, value] : persisted) {
    if (value.empty()) continue;
    std::string_view k = key;
    if (k == kKeyView) {
      Reader r(value);
      view_ = r.U64();
      in_view_change_ = r.U8() == 1;
      LIC_RETURN_IF_ERROR(r.Finish("persisted view"));
    } else if (k == kKeyCheckpoint) {
      LIC_ASSIGN_OR_RETURN(CheckpointProof p, CheckpointProof::Decode(value));
      if (p.checkpoint.height > stable_.checkpoint.height) stable_ = std::move(p);
    } else if (k.starts_with(kVotePrefix)) {
      LIC_ASSIGN_OR_RETURN(uint64_t h, ParseHeight(k.substr(kVotePrefix.size())));
      Reader r(value);
      VoteRecord v;
      v.view = r.U64();
      v.digest = r.Fixed<32>();
      v.pp = r.Var();
      LIC_RETURN_IF_ERROR(r.Finish("persisted vote"));
      votes[h] = std::move(v);
    } else if (k.starts_with(kPrepPrefix)) {
      LIC_ASSIGN_OR_RETURN(uint64_t h, ParseHeight(k.substr(kPrepPrefix.size())));
      LIC_ASSIGN_OR_RETURN(PreparedCert c, PreparedCert::Decode(value));
      preps[h] = std::move(c);
    }
    // Unknown keys are ignored (written by a newer version).
  }
  uint64_t low = stable_.checkpoint.height;
  votes_.Forget(low);
  for (auto& [h, v] : votes) {
    persisted_heights_.insert(h);
    if (h <= low) continue;
    votes_.Restore(h, {v.view, v.digest});
    if (v.pp.empty() || v.view != view_ || in_view_change_ || h <= delivered_height_) continue;
    // We were the primary and sent this pre-prepare: restore it so it is
    // retransmitted rather than replaced by a different block.
    auto m = SignedMessage::Decode(v.pp);
    if (!m.ok()) continue;
    auto pp = PrePrepareMsg::Decode(m->body);
    if (!pp.ok() || pp->block.ComputeHash() != v.digest) continue;
    Slot& s = log_[h];
    s.phase = SlotPhase::kPrepareSent;  // our pre-prepare is our vote
    s.pp_view = view_;
    s.source = ProposalSource::kPrimary;
    s.digest = v.digest;
    s.block = std::move(pp->block);
    // Its txs' infos were not kept across the restart: tx_ids stays empty and
    // the delivery does not learn them (the executor's duplicate rule covers
    // a tx that comes back).
    s.pp_msg = *m;
  }
  for (auto& [h, c] : preps) {
    persisted_heights_.insert(h);
    if (h <= low) continue;
    auto pp = PrePrepareMsg::Decode(c.pre_prepare.body);
    if (!pp.ok()) continue;
    Slot& s = log_[h];
    s.pcert_view = pp->view;
    s.pcert_block = pp->block;
    s.pcert = std::move(c);
    if (pp->view == view_ && !in_view_change_ && h > delivered_height_) {
      // Prepared in the current view: re-send the same commit on the next tick.
      Hash digest = pp->block.ComputeHash();
      std::optional<SignedMessage> cm =
          SignVote(MsgType::kCommit, h, digest, VoteMsg{view_, h, digest}.Encode());
      if (!cm) continue;  // contradicts the vote record: keep only the certificate
      s.phase = SlotPhase::kCommitSent;
      s.pp_view = view_;
      s.digest = digest;
      s.block = std::move(pp->block);
      s.pp_msg = s.pcert->pre_prepare;  // tx infos unknown after a restart (above)
      s.commits[{view_, s.digest}][config_.self] = cm->signature;
      s.my_commit = cm->Encode();
    }
  }
  return Status::Ok();
}

}  // namespace licenced::consensus
