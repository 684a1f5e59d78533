// Byzantine behaviours, one set for the daemon's test mode and the simulator
// (docs/testing.md "Byzantine node"). The replica itself stays honest: a
// ByzantineTransport sits between its host and the real transport (the
// daemon's peer links, the simulator's network) and rewrites, duplicates,
// adds or withholds what the peers see, validly framed and, where it matters,
// validly signed with the node's own validator key:
//   equivocate     as primary, one alternative block per (view, height) for
//                  every other peer, and votes for both stories;
//   double-vote    every Prepare/Commit also goes out with a conflicting
//                  block hash, signed;
//   absurd-view    every 8th send adds view changes, votes and a status for
//                  absurd views (near 2^62, near 2^64, or plausible but
//                  unjustified);
//   flood          many invalid messages (random bytes, truncated or
//                  bit-flipped copies, validly signed garbage bodies);
//   bad-signature  half of the messages with a corrupted signature;
//   silent         sends nothing and serves no fetch;
//   replay         re-sends its own old messages;
//   wrong-root     signs a wrong state root in every state vote (Checkpoint).
//
// The daemon's mode is never on by default: licenced accepts --test-byzantine
// only when the environment variable LICENCED_ALLOW_BYZANTINE=1 is set, and
// Create() checks it again.
//
// Not thread-safe: the host's owner calls it from its strand only.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "consensus/messages.h"
#include "core/crypto.h"
#include "core/status.h"
#include "node/host/replica_host.h"

namespace licenced::node {

inline constexpr const char* kAllowByzantineEnv = "LICENCED_ALLOW_BYZANTINE";

struct ByzantineModes {
  bool equivocate = false;
  bool double_vote = false;
  bool absurd_view = false;
  bool flood = false;
  bool bad_signature = false;
  bool silent = false;
  bool replay = false;
  bool wrong_root = false;
  bool any() const {
    return equivocate || double_vote || absurd_view || flood || bad_signature || silent || replay ||
           wrong_root;
  }
  std::string ToString() const;  // "equivocate,flood"
};

// Parses a comma-separated list of equivocate, double-vote, absurd-view,
// flood, bad-signature, silent, replay, wrong-root, or "all" (the first four). Unknown or
// empty names are an error naming them.
Result<ByzantineModes> ParseByzantineModes(std::string_view list);

// OK iff LICENCED_ALLOW_BYZANTINE=1 is set; otherwise an error that says why
// licenced refuses to start.
Status CheckByzantineAllowed();

class Byzantine {
 public:
  struct Options {
    ByzantineModes modes;
    consensus::ReplicaId self = 0;
    size_t validators = 0;
    uint64_t seed = 0;  // of its own random choices (the simulator's: from the run's seed)
    // Log the first and every 256th forgery of each kind (the daemon; its
    // e2e test reads the log).
    bool log = false;
  };
  // The daemon's: checks the environment, parses `modes` and logs a warning.
  // REQUIRES: self < validators.
  static Result<std::unique_ptr<Byzantine>> Create(std::string_view modes,
                                                   consensus::ReplicaId self, size_t validators,
                                                   const crypto::KeyPair& key);
  Byzantine(Options options, crypto::KeyPair key);

  // What peer `to` receives when the honest replica sends it `message`.
  std::vector<Bytes> Outgoing(consensus::ReplicaId to, const Bytes& message);
  // Called once per send or broadcast of the replica: what is broadcast
  // besides (absurd views).
  std::vector<Bytes> AfterSend();
  // Whether this node answers block fetches at all.
  bool AnswersFetch() const { return !options_.modes.silent; }

  const ByzantineModes& modes() const { return options_.modes; }
  consensus::ReplicaId self() const { return options_.self; }
  size_t validators() const { return options_.validators; }
  uint64_t forged_messages() const { return forged_; }

 private:
  Bytes SignBody(consensus::MsgType type, Bytes body);
  void Equivocate(size_t peer_index, const consensus::SignedMessage& m, const Bytes& message,
                  std::vector<Bytes>* out);
  void AddFlood(const Bytes& message, std::vector<Bytes>* out);
  void Note(const char* kind, uint64_t* counter);

  Options options_;
  crypto::KeyPair key_;
  std::mt19937_64 rng_;
  uint64_t sends_ = 0;
  uint64_t forged_ = 0;
  uint64_t equivocations_ = 0, double_votes_ = 0, absurd_views_ = 0, floods_ = 0,
           bad_signatures_ = 0, replays_ = 0, wrong_roots_ = 0;
  // Equivocation: (view, height) -> the original block hash, the alternative
  // pre-prepare and its block hash.
  struct Alternative {
    Hash original{};
    Hash alternative{};
    Bytes pre_prepare;
  };
  std::map<std::pair<uint64_t, uint64_t>, Alternative> alternatives_;
  std::deque<Bytes> sent_;  // replay: the last messages sent
};

// host::Transport decorator: every send and broadcast of the host passes
// through `behaviour` before `inner`. Both must outlive it.
class ByzantineTransport final : public host::Transport {
 public:
  ByzantineTransport(Byzantine* behaviour, host::Transport* inner)
      : behaviour_(behaviour), inner_(inner) {}
  void Send(consensus::ReplicaId to, const Bytes& message) override;
  void Broadcast(const Bytes& message) override;

 private:
  void SendTo(consensus::ReplicaId to, const Bytes& message);
  void AfterSend();

  Byzantine* behaviour_;
  host::Transport* inner_;
};

}  // namespace licenced::node
