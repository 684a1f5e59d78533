#include "node/byzantine.h"

#include <cstdlib>
#include <cstring>
#include <variant>

#include <spdlog/spdlog.h>

namespace licenced::node {

using consensus::Broadcast;
using consensus::Effect;
using consensus::MsgType;
using consensus::ReplicaId;
using consensus::SendTo;
using consensus::SignedMessage;

namespace {

constexpr uint64_t kAbsurdView = uint64_t{1} << 62;
constexpr uint64_t kAbsurdEvery = 16;  // one absurd view change per this many sends

}  // namespace

std::string ByzantineModes::ToString() const {
  std::string s;
  auto add = [&s](bool on, const char* name) {
    if (!on) return;
    if (!s.empty()) s += ",";
    s += name;
  };
  add(equivocate, "equivocate");
  add(double_vote, "double-vote");
  add(absurd_view, "absurd-view");
  add(flood, "flood");
  return s;
}

Result<ByzantineModes> ParseByzantineModes(std::string_view list) {
  ByzantineModes m;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view name = list.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    if (name == "equivocate") {
      m.equivocate = true;
    } else if (name == "double-vote") {
      m.double_vote = true;
    } else if (name == "absurd-view") {
      m.absurd_view = true;
    } else if (name == "flood") {
      m.flood = true;
    } else if (name == "all") {
      m.equivocate = m.double_vote = m.absurd_view = m.flood = true;
    } else {
      return Status::InvalidArgument("--test-byzantine: unknown mode '" + std::string(name) +
                                     "' (expected a comma-separated list of equivocate, "
                                     "double-vote, absurd-view, flood, all)");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return m;
}

Status CheckByzantineAllowed() {
  const char* v = std::getenv(kAllowByzantineEnv);
  if (v == nullptr || std::strcmp(v, "1") != 0) {
    return Status::FailedPrecondition(
        std::string("--test-byzantine makes this node attack its own network and is for tests "
                    "only; refusing to start unless the environment sets ") +
        kAllowByzantineEnv + "=1");
  }
  return Status::Ok();
}

Result<std::unique_ptr<Byzantine>> Byzantine::Create(std::string_view modes, ReplicaId self,
                                                     size_t validators,
                                                     const crypto::KeyPair& key) {
  LIC_RETURN_IF_ERROR(CheckByzantineAllowed());
  LIC_ASSIGN_OR_RETURN(ByzantineModes m, ParseByzantineModes(modes));
  if (self >= validators) return Status::InvalidArgument("byzantine: self is not a validator");
  spdlog::warn("TEST-ONLY BYZANTINE MODE: this node sends forged messages ({})", m.ToString());
  return std::unique_ptr<Byzantine>(new Byzantine(m, self, validators, key));
}

Byzantine::Byzantine(ByzantineModes modes, ReplicaId self, size_t validators,
                     const crypto::KeyPair& key)
    : modes_(modes), self_(self), validators_(validators), key_(key), rng_(0x42b7u + self) {}

Bytes Byzantine::SignBody(MsgType type, Bytes body) {
  ++forged_;
  return SignedMessage::Sign(type, self_, std::move(body), key_).Encode();
}

void Byzantine::Note(const char* kind, uint64_t* counter) {
  if ((*counter)++ % 256 == 0) {
    spdlog::warn("byzantine: {} sent ({} so far, {} forged messages in all)", kind, *counter,
                 forged_);
  }
}

std::vector<Effect> Byzantine::Filter(std::vector<Effect> effects) {
  std::vector<Effect> out;
  out.reserve(effects.size());
  for (auto& e : effects) {
    if (auto* s = std::get_if<SendTo>(&e)) {
      if (s->to == self_ || s->to >= validators_) continue;
      size_t peer_index = s->to < self_ ? s->to : s->to - 1;
      Rewrite(s->to, s->message, peer_index, &out);
    } else if (auto* b = std::get_if<Broadcast>(&e)) {
      size_t peer_index = 0;
      for (ReplicaId to = 0; to < validators_; ++to) {
        if (to == self_) continue;
        Rewrite(to, b->message, peer_index++, &out);
      }
    } else {
      out.push_back(std::move(e));
      continue;
    }
    if (modes_.absurd_view && ++sends_ % kAbsurdEvery == 1) AddAbsurdViews(&out);
  }
  return out;
}

void Byzantine::Rewrite(ReplicaId to, const Bytes& message, size_t peer_index,
                        std::vector<Effect>* out) {
  bool replaced = false;
  auto sm = SignedMessage::Decode(message);
  if (sm.ok() && sm->sender == self_) {
    if (modes_.equivocate && sm->type == MsgType::kPrePrepare && peer_index % 2 == 1) {
      // Peers 0, 2, ... get the real proposal; 1, 3, ... another block at the
      // same (view, height), validly signed.
      auto pp = consensus::PrePrepareMsg::Decode(sm->body);
      if (pp.ok()) {
        pp->block.header.timestamp_ms += 1 + peer_index;
        out->push_back(SendTo{to, SignBody(MsgType::kPrePrepare, pp->Encode())});
        Note("equivocating pre-prepare", &equivocations_);
        replaced = true;
      }
    } else if (modes_.double_vote &&
               (sm->type == MsgType::kPrepare || sm->type == MsgType::kCommit)) {
      auto vote = consensus::VoteMsg::Decode(sm->body);
      if (vote.ok()) {
        consensus::VoteMsg other = *vote;
        Bytes seed(vote->block_hash.begin(), vote->block_hash.end());
        seed.push_back(static_cast<uint8_t>(to));
        other.block_hash = crypto::Sha256(seed);
        Bytes conflicting = SignBody(sm->type, other.Encode());
        Note("double vote", &double_votes_);
        if (peer_index % 2 == 1) {
          out->push_back(SendTo{to, conflicting});
          out->push_back(SendTo{to, message});
        } else {
          out->push_back(SendTo{to, message});
          out->push_back(SendTo{to, conflicting});
        }
        replaced = true;
      }
    }
  }
  if (!replaced) out->push_back(SendTo{to, message});
  if (modes_.flood) AddFlood(to, message, out);
}

void Byzantine::AddAbsurdViews(std::vector<Effect>* out) {
  Note("absurd view", &absurd_views_);
  consensus::ViewChangeMsg vc;
  vc.new_view = kAbsurdView + sends_;
  out->push_back(Broadcast{SignBody(MsgType::kViewChange, vc.Encode())});
  consensus::StatusMsg st;
  st.view = kAbsurdView + sends_;
  st.in_view_change = (sends_ / kAbsurdEvery) % 2 == 0;
  out->push_back(Broadcast{SignBody(MsgType::kStatus, st.Encode())});
  // A proposal and votes in the absurd view, signed.
  consensus::VoteMsg v;
  v.view = kAbsurdView + sends_;
  v.height = 1 + rng_() % 1000;
  rng_();
  out->push_back(Broadcast{SignBody(MsgType::kPrepare, v.Encode())});
  out->push_back(Broadcast{SignBody(MsgType::kCommit, v.Encode())});
}

void Byzantine::AddFlood(ReplicaId to, const Bytes& message, std::vector<Effect>* out) {
  Note("flood", &floods_);
  auto random_bytes = [this](size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng_());
    return b;
  };
  // Random bytes.
  out->push_back(SendTo{to, random_bytes(rng_() % 300)});
  // A truncated copy.
  if (!message.empty()) {
    out->push_back(SendTo{to, Bytes(message.begin(), message.begin() + rng_() % message.size())});
    // A copy with one bit flipped (bad signature or undecodable body).
    Bytes flipped = message;
    flipped[rng_() % flipped.size()] ^= static_cast<uint8_t>(1u << (rng_() % 8));
    out->push_back(SendTo{to, std::move(flipped)});
  }
  // A validly signed message of a random type whose body is garbage.
  auto type = static_cast<MsgType>(1 + rng_() % 8);
  out->push_back(SendTo{to, SignBody(type, random_bytes(rng_() % 120))});
  // Validly signed votes far beyond the watermarks.
  consensus::VoteMsg v;
  v.height = 1000000 + rng_() % 1000000000;
  Bytes h = random_bytes(32);
  std::memcpy(v.block_hash.data(), h.data(), 32);
  out->push_back(SendTo{to, SignBody(MsgType::kPrepare, v.Encode())});
  // A status claiming a huge executed height.
  consensus::StatusMsg st;
  st.executed_height = rng_() % 100000;
  out->push_back(SendTo{to, SignBody(MsgType::kStatus, st.Encode())});
}

}  // namespace licenced::node
