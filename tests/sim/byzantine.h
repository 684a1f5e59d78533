// Byzantine behaviours for the simulator: a faulty replica runs the honest
// core, and its behaviour rewrites what the core sends. Test-only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "consensus/messages.h"
#include "core/crypto.h"

namespace licenced::sim {

enum class Behaviour {
  kEquivocate,    // primary: different blocks to different backups; votes for both
  kDoubleVote,    // prepares / commits for a second, made-up block hash
  kBadSignature,  // corrupts the signature of some messages
  kHugeView,      // view-changes and votes for absurd view numbers
  kSilent,        // sends nothing, answers no fetch
  kReplay,        // re-sends its own old messages
};

const char* BehaviourName(Behaviour b);

class Byzantine {
 public:
  Byzantine(Behaviour behaviour, consensus::ReplicaId self, size_t n, crypto::KeyPair key)
      : behaviour_(behaviour), self_(self), n_(n), key_(std::move(key)) {}

  Behaviour behaviour() const { return behaviour_; }
  // What actually goes to `to` when the honest core sends `message` to it.
  std::vector<Bytes> Outgoing(consensus::ReplicaId to, const Bytes& message, std::mt19937_64& rng);
  // Whether to answer a FetchBlocks, and whether to tamper with the answer.
  bool AnswersFetch() const { return behaviour_ != Behaviour::kSilent; }
  bool TampersFetch() const { return behaviour_ != Behaviour::kSilent; }

 private:
  consensus::SignedMessage Sign(consensus::MsgType type, Bytes body) const {
    return consensus::SignedMessage::Sign(type, self_, std::move(body), key_);
  }

  Behaviour behaviour_;
  consensus::ReplicaId self_;
  size_t n_;
  crypto::KeyPair key_;
  // Equivocation: (view, height) -> (original hash, alternative pre-prepare, alt hash).
  struct Alt {
    Hash original{};
    Hash alt{};
    Bytes alt_pp;
  };
  std::map<std::pair<uint64_t, uint64_t>, Alt> alts_;
  std::deque<Bytes> sent_;
};

}  // namespace licenced::sim
