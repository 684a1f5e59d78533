#include "tests/sim/byzantine.h"

namespace licenced::sim {

using consensus::MsgType;
using consensus::SignedMessage;

const char* BehaviourName(Behaviour b) {
  switch (b) {
    case Behaviour::kEquivocate:
      return "equivocate";
    case Behaviour::kDoubleVote:
      return "double-vote";
    case Behaviour::kBadSignature:
      return "bad-signature";
    case Behaviour::kHugeView:
      return "huge-view";
    case Behaviour::kSilent:
      return "silent";
    case Behaviour::kReplay:
      return "replay";
  }
  return "?";
}

std::vector<Bytes> Byzantine::Outgoing(consensus::ReplicaId to, const Bytes& message,
                                       std::mt19937_64& rng) {
  auto m = SignedMessage::Decode(message);
  if (!m.ok()) return {message};
  // Peers are split in two groups that are told different stories.
  bool group_b = (to % 2) == 1;
  switch (behaviour_) {
    case Behaviour::kSilent:
      return {};
    case Behaviour::kBadSignature: {
      if (rng() % 2 == 0) return {message};
      SignedMessage bad = *m;
      bad.signature[rng() % bad.signature.size()] ^= 0x40;
      return {bad.Encode()};
    }
    case Behaviour::kReplay: {
      std::vector<Bytes> out{message};
      if (!sent_.empty() && rng() % 3 == 0) out.push_back(sent_[rng() % sent_.size()]);
      sent_.push_back(message);
      if (sent_.size() > 256) sent_.pop_front();
      return out;
    }
    case Behaviour::kHugeView: {
      std::vector<Bytes> out{message};
      if (rng() % 3 == 0) {
        uint64_t huge = (uint64_t{1} << 40) + rng() % 1000;
        if (rng() % 3 == 0) huge = ~uint64_t{0} - rng() % 3;
        if (rng() % 3 == 0) huge = 50 + rng() % 1000;  // plausible but unjustified
        consensus::ViewChangeMsg vc;
        vc.new_view = huge;
        out.push_back(Sign(MsgType::kViewChange, vc.Encode()).Encode());
        consensus::VoteMsg vote{huge, 1 + rng() % 8, Hash{}};
        out.push_back(Sign(MsgType::kPrepare, vote.Encode()).Encode());
        out.push_back(Sign(MsgType::kCommit, vote.Encode()).Encode());
        consensus::StatusMsg st{huge, true, 1u << 30, 1u << 30};
        out.push_back(Sign(MsgType::kStatus, st.Encode()).Encode());
      }
      return out;
    }
    case Behaviour::kDoubleVote: {
      if (m->type != MsgType::kPrepare && m->type != MsgType::kCommit) return {message};
      auto vote = consensus::VoteMsg::Decode(m->body);
      if (!vote.ok() || !group_b) return {message};
      vote->block_hash[0] ^= 0xff;
      return {message, Sign(m->type, vote->Encode()).Encode()};
    }
    case Behaviour::kEquivocate: {
      if (m->type == MsgType::kPrePrepare) {
        auto pp = consensus::PrePrepareMsg::Decode(m->body);
        if (!pp.ok()) return {message};
        auto key = std::make_pair(pp->view, pp->block.header.height);
        auto it = alts_.find(key);
        if (it == alts_.end()) {
          Alt alt;
          alt.original = pp->block.ComputeHash();
          consensus::PrePrepareMsg other = *pp;
          other.block.header.timestamp_ms += 1;
          alt.alt = other.block.ComputeHash();
          alt.alt_pp = Sign(MsgType::kPrePrepare, other.Encode()).Encode();
          it = alts_.emplace(key, std::move(alt)).first;
        }
        return {group_b ? it->second.alt_pp : message};
      }
      if (m->type == MsgType::kPrepare || m->type == MsgType::kCommit) {
        auto vote = consensus::VoteMsg::Decode(m->body);
        if (!vote.ok()) return {message};
        auto it = alts_.find({vote->view, vote->height});
        if (it == alts_.end()) return {message};
        // Vote for the story this peer was told (and the other one too).
        consensus::VoteMsg a = *vote, b = *vote;
        a.block_hash = it->second.original;
        b.block_hash = it->second.alt;
        Bytes va = Sign(m->type, a.Encode()).Encode();
        Bytes vb = Sign(m->type, b.Encode()).Encode();
        return group_b ? std::vector<Bytes>{vb, va} : std::vector<Bytes>{va, vb};
      }
      return {message};
    }
  }
  return {message};
}

}  // namespace licenced::sim
