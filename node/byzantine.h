// Test-only Byzantine fault mode of licenced (docs/testing.md "Byzantine node").
//
// A Byzantine filter sits between the node's honest replica and its peer
// links: Node::RunEffects passes every outgoing SendTo/Broadcast through
// Filter(), which rewrites, duplicates or adds messages, all validly framed
// and (where it matters) validly signed with this node's own validator key:
//   equivocate   as primary, different pre-prepares to different peers (the
//                block timestamp altered, re-signed);
//   double-vote  every Prepare/Commit also goes out with a conflicting block
//                hash, signed;
//   absurd-view  view-change and status messages for views near 2^62;
//   flood        many invalid messages (random bytes, truncated or bit-flipped
//                copies, validly signed garbage bodies) with valid framing.
// The replica itself stays honest; only what the peers see is Byzantine.
//
// It is never on by default: licenced accepts --test-byzantine only when the
// environment variable LICENCED_ALLOW_BYZANTINE=1 is set, and Create()
// checks it again.
//
// Not thread-safe: the node calls it from its strand only.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/messages.h"
#include "consensus/replica.h"
#include "core/crypto.h"
#include "core/status.h"

namespace licenced::node {

inline constexpr const char* kAllowByzantineEnv = "LICENCED_ALLOW_BYZANTINE";

struct ByzantineModes {
  bool equivocate = false;
  bool double_vote = false;
  bool absurd_view = false;
  bool flood = false;
  bool any() const { return equivocate || double_vote || absurd_view || flood; }
  std::string ToString() const;  // "equivocate,flood"
};

// Parses a comma-separated list of equivocate, double-vote, absurd-view,
// flood (or "all"). Unknown or empty names are an error naming them.
Result<ByzantineModes> ParseByzantineModes(std::string_view list);

// OK iff LICENCED_ALLOW_BYZANTINE=1 is set; otherwise an error that says why
// licenced refuses to start.
Status CheckByzantineAllowed();

class Byzantine {
 public:
  // REQUIRES: self < validators.
  static Result<std::unique_ptr<Byzantine>> Create(std::string_view modes,
                                                   consensus::ReplicaId self, size_t validators,
                                                   const crypto::KeyPair& key);

  // Rewrites the outgoing messages of one effect vector; every other effect
  // keeps its place (a Persist still precedes the sends that follow it).
  std::vector<consensus::Effect> Filter(std::vector<consensus::Effect> effects);

  const ByzantineModes& modes() const { return modes_; }
  uint64_t forged_messages() const { return forged_; }

 private:
  Byzantine(ByzantineModes modes, consensus::ReplicaId self, size_t validators,
            const crypto::KeyPair& key);

  // Appends what peer `to` receives instead of (or besides) `message`.
  void Rewrite(consensus::ReplicaId to, const Bytes& message, size_t peer_index,
               std::vector<consensus::Effect>* out);
  void AddAbsurdViews(std::vector<consensus::Effect>* out);
  void AddFlood(consensus::ReplicaId to, const Bytes& message, std::vector<consensus::Effect>* out);
  Bytes SignBody(consensus::MsgType type, Bytes body);
  // Logs the first and every 256th forgery of a kind (tests check the log).
  void Note(const char* kind, uint64_t* counter);

  ByzantineModes modes_;
  consensus::ReplicaId self_;
  size_t validators_;
  crypto::KeyPair key_;
  std::mt19937_64 rng_;
  uint64_t sends_ = 0;
  uint64_t forged_ = 0;
  uint64_t equivocations_ = 0;
  uint64_t double_votes_ = 0;
  uint64_t absurd_views_ = 0;
  uint64_t floods_ = 0;
};

}  // namespace licenced::node
