#include "node/byzantine.h"

#include <cstdlib>
#include <cstring>
#include <utility>

#include <spdlog/spdlog.h>

namespace licenced::node {

using consensus::MsgType;
using consensus::ReplicaId;
using consensus::SignedMessage;

namespace {

constexpr uint64_t kAbsurdView = uint64_t{1} << 62;
constexpr uint64_t kAbsurdEvery = 8;  // absurd views after one in this many sends
constexpr size_t kReplayMemory = 256;

struct ModeName {
  const char* name;
  bool ByzantineModes::*flag;
};
constexpr ModeName kModes[] = {
    {"equivocate", &ByzantineModes::equivocate},
    {"double-vote", &ByzantineModes::double_vote},
    {"absurd-view", &ByzantineModes::absurd_view},
    {"flood", &ByzantineModes::flood},
    {"bad-signature", &ByzantineModes::bad_signature},
    {"silent", &ByzantineModes::silent},
    {"replay", &ByzantineModes::replay},
    {"wrong-root", &ByzantineModes::wrong_root},
};

}  // namespace

std::string ByzantineModes::ToString() const {
  std::string s;
  for (const ModeName& m : kModes) {
    if (!(this->*m.flag)) continue;
    if (!s.empty()) s += ",";
    s += m.name;
  }
  return s;
}

Result<ByzantineModes> ParseByzantineModes(std::string_view list) {
  ByzantineModes modes;
  size_t start = 0;
  while (start <= list.size()) {
    size_t comma = list.find(',', start);
    std::string_view name = list.substr(
        start, comma == std::string_view::npos ? std::string_view::npos : comma - start);
    bool known = false;
    for (const ModeName& m : kModes) {
      if (name == m.name) modes.*m.flag = known = true;
    }
    if (name == "all") {
      modes.equivocate = modes.double_vote = modes.absurd_view = modes.flood = known = true;
    }
    if (!known) {
      return Status::InvalidArgument(
          "--test-byzantine: unknown mode '" + std::string(name) +
          "' (expected a comma-separated list of equivocate, double-vote, absurd-view, flood, "
          "bad-signature, silent, replay, wrong-root, all)");
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  return modes;
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
  Options o;
  o.modes = m;
  o.self = self;
  o.validators = validators;
  o.seed = 0x42b7u + self;
  o.log = true;
  return std::make_unique<Byzantine>(o, key);
}

Byzantine::Byzantine(Options options, crypto::KeyPair key)
    : options_(options), key_(std::move(key)), rng_(options.seed) {}

Bytes Byzantine::SignBody(MsgType type, Bytes body) {
  ++forged_;
  return SignedMessage::Sign(type, options_.self, std::move(body), key_).Encode();
}

void Byzantine::Note(const char* kind, uint64_t* counter) {
  if ((*counter)++ % 256 == 0 && options_.log) {
    spdlog::warn("byzantine: {} sent ({} so far, {} forged messages in all)", kind, *counter,
                 forged_);
  }
}

std::vector<Bytes> Byzantine::Outgoing(ReplicaId to, const Bytes& message) {
  const ByzantineModes& modes = options_.modes;
  if (modes.silent || to == options_.self || to >= options_.validators) return {};
  // Peers are told two stories: odd and even positions among the others.
  const size_t peer_index = to < options_.self ? to : to - 1;
  std::vector<Bytes> out;
  auto m = SignedMessage::Decode(message);
  bool replaced = false;
  if (m.ok() && m->sender == options_.self) {
    if (modes.equivocate && (m->type == MsgType::kPrePrepare || m->type == MsgType::kPrepare ||
                             m->type == MsgType::kCommit)) {
      size_t before = out.size();
      Equivocate(peer_index, *m, message, &out);
      replaced = out.size() != before;
    }
    if (modes.wrong_root && m->type == MsgType::kCheckpoint) {
      // The same wrong state to every peer: the lie most likely to gather
      // votes, were the quorum too small.
      auto vote = consensus::CheckpointMsg::Decode(m->body);
      if (vote.ok()) {
        consensus::CheckpointMsg wrong = *vote;
        Bytes seed(vote->state_root.begin(), vote->state_root.end());
        seed.push_back('!');
        wrong.state_root = crypto::Sha256(seed);
        out.push_back(SignBody(m->type, wrong.Encode()));
        Note("wrong state root", &wrong_roots_);
        replaced = true;
      }
    }
    if (!replaced && modes.double_vote &&
        (m->type == MsgType::kPrepare || m->type == MsgType::kCommit)) {
      auto vote = consensus::VoteMsg::Decode(m->body);
      if (vote.ok()) {
        consensus::VoteMsg other = *vote;
        Bytes seed(vote->block_hash.begin(), vote->block_hash.end());
        seed.push_back(static_cast<uint8_t>(to));
        other.block_hash = crypto::Sha256(seed);
        Bytes conflicting = SignBody(m->type, other.Encode());
        Note("double vote", &double_votes_);
        if (peer_index % 2 == 1) {
          out.push_back(std::move(conflicting));
          out.push_back(message);
        } else {
          out.push_back(message);
          out.push_back(std::move(conflicting));
        }
        replaced = true;
      }
    }
  }
  if (!replaced) {
    if (modes.bad_signature && m.ok() && rng_() % 2 == 0) {
      SignedMessage bad = *m;
      bad.signature[rng_() % bad.signature.size()] ^= 0x40;
      out.push_back(bad.Encode());
      Note("bad signature", &bad_signatures_);
    } else {
      out.push_back(message);
    }
  }
  if (modes.replay) {
    if (!sent_.empty() && rng_() % 3 == 0) {
      out.push_back(sent_[rng_() % sent_.size()]);
      Note("replayed message", &replays_);
    }
    sent_.push_back(message);
    if (sent_.size() > kReplayMemory) sent_.pop_front();
  }
  if (modes.flood) AddFlood(message, &out);
  return out;
}

void Byzantine::Equivocate(size_t peer_index, const SignedMessage& m, const Bytes& message,
                           std::vector<Bytes>* out) {
  const bool other_story = peer_index % 2 == 1;
  if (m.type == MsgType::kPrePrepare) {
    auto pp = consensus::PrePrepareMsg::Decode(m.body);
    if (!pp.ok()) return;
    auto key = std::make_pair(pp->view, pp->block.header.height);
    auto it = alternatives_.find(key);
    if (it == alternatives_.end()) {
      Alternative alt;
      alt.original = pp->block.ComputeHash();
      consensus::PrePrepareMsg other = *pp;
      other.block.header.timestamp_ms += 1;
      alt.alternative = other.block.ComputeHash();
      alt.pre_prepare = SignBody(MsgType::kPrePrepare, other.Encode());
      it = alternatives_.emplace(key, std::move(alt)).first;
    }
    out->push_back(other_story ? it->second.pre_prepare : message);
    if (other_story) Note("equivocating pre-prepare", &equivocations_);
    return;
  }
  auto vote = consensus::VoteMsg::Decode(m.body);
  if (!vote.ok()) return;
  auto it = alternatives_.find({vote->view, vote->height});
  if (it == alternatives_.end()) return;
  // Vote for the story this peer was told first, then for the other one.
  consensus::VoteMsg a = *vote, b = *vote;
  a.block_hash = it->second.original;
  b.block_hash = it->second.alternative;
  Bytes va = SignBody(m.type, a.Encode());
  Bytes vb = SignBody(m.type, b.Encode());
  out->push_back(other_story ? vb : va);
  out->push_back(other_story ? va : vb);
}

std::vector<Bytes> Byzantine::AfterSend() {
  std::vector<Bytes> out;
  if (options_.modes.silent || !options_.modes.absurd_view || ++sends_ % kAbsurdEvery != 1) {
    return out;
  }
  Note("absurd view", &absurd_views_);
  uint64_t view = kAbsurdView + sends_;
  switch (rng_() % 4) {
    case 0:
      view = ~uint64_t{0} - rng_() % 3;
      break;
    case 1:
      view = 50 + rng_() % 1000;  // plausible but unjustified
      break;
    default:
      break;
  }
  consensus::ViewChangeMsg vc;
  vc.new_view = view;
  out.push_back(SignBody(MsgType::kViewChange, vc.Encode()));
  consensus::StatusMsg st;
  st.view = view;
  st.in_view_change = (sends_ / kAbsurdEvery) % 2 == 0;
  out.push_back(SignBody(MsgType::kStatus, st.Encode()));
  // Votes in the absurd view, signed.
  consensus::VoteMsg v;
  v.view = view;
  v.height = 1 + rng_() % 1000;
  out.push_back(SignBody(MsgType::kPrepare, v.Encode()));
  out.push_back(SignBody(MsgType::kCommit, v.Encode()));
  return out;
}

void Byzantine::AddFlood(const Bytes& message, std::vector<Bytes>* out) {
  Note("flood", &floods_);
  auto random_bytes = [this](size_t n) {
    Bytes b(n);
    for (auto& x : b) x = static_cast<uint8_t>(rng_());
    return b;
  };
  // Random bytes.
  out->push_back(random_bytes(rng_() % 300));
  if (!message.empty()) {
    // A truncated copy.
    out->push_back(Bytes(message.begin(), message.begin() + rng_() % message.size()));
    // A copy with one bit flipped (bad signature or undecodable body).
    Bytes flipped = message;
    flipped[rng_() % flipped.size()] ^= static_cast<uint8_t>(1u << (rng_() % 8));
    out->push_back(std::move(flipped));
  }
  // A validly signed message of a random type whose body is garbage.
  auto type = static_cast<MsgType>(1 + rng_() % 8);
  out->push_back(SignBody(type, random_bytes(rng_() % 120)));
  // Validly signed votes far beyond the watermarks.
  consensus::VoteMsg v;
  v.height = 1000000 + rng_() % 1000000000;
  Bytes h = random_bytes(32);
  std::memcpy(v.block_hash.data(), h.data(), 32);
  out->push_back(SignBody(MsgType::kPrepare, v.Encode()));
  // A status claiming a random executed height.
  consensus::StatusMsg st;
  st.executed_height = rng_() % 100000;
  out->push_back(SignBody(MsgType::kStatus, st.Encode()));
}

void ByzantineTransport::SendTo(ReplicaId to, const Bytes& message) {
  for (const Bytes& m : behaviour_->Outgoing(to, message)) inner_->Send(to, m);
}

void ByzantineTransport::AfterSend() {
  for (const Bytes& m : behaviour_->AfterSend()) inner_->Broadcast(m);
}

void ByzantineTransport::Send(ReplicaId to, const Bytes& message) {
  SendTo(to, message);
  AfterSend();
}

void ByzantineTransport::Broadcast(const Bytes& message) {
  // Per peer: each may be told a different story.
  for (ReplicaId to = 0; to < behaviour_->validators(); ++to) {
    if (to != behaviour_->self()) SendTo(to, message);
  }
  AfterSend();
}

}  // namespace licenced::node
