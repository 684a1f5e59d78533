// Fuzz target: the PBFT replica (consensus/replica.h) driven by a fuzzer-
// chosen sequence of inputs: raw and well-signed messages of every type from
// the other three validators of a fixed 4-validator set (they may all be
// Byzantine: the harness signs whatever the fuzzer composes), timers,
// client requests, time, state-transfer answers and crash-restarts from the
// replica's own persisted state. The replica runs in the ReplicaHost the
// daemon runs (node/host/replica_host.h); this harness is its ports, and it
// executes delivered blocks at once, from inside the host's loop.
//
// Invariants (all local to the replica, so they hold whatever the others do):
//   - no crash, and a restart from what it persisted always succeeds;
//   - Deliver comes in height order, at most one block per height, ever
//     (also across restarts), with a certificate that verifies and a
//     prev_hash linking to the previous delivered block;
//   - every message it sends decodes, is signed by itself, is at most
//     kMaxMessageBytes, and it never signs two different Prepares, Commits or
//     PrePrepares for one (view, height), not even across restarts;
//   - a BlockResponse it sends carries a body matching its tx_root; a
//     RequestBatch it sends is within the batch bounds;
//   - messages reach the host as the daemon's edge hands them in: decoded,
//     carried txs inspected (valid iff they start with "tx"), and every other
//     one whose signatures VerifyMessageSignatures accepts marked as checked.
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <tuple>
#include <vector>

#include "consensus/messages.h"
#include "consensus/replica.h"
#include "core/encoding.h"
#include "core/merkle.h"
#include "fuzz_common.h"
#include "fuzz_replica.h"
#include "node/host/replica_host.h"
#include "tests/sim/equivocation_checker.h"

using namespace licenced;
using namespace licenced::consensus;

namespace {

constexpr TimeMs kT0 = 1'800'000'000'000;
constexpr uint64_t kCheckpointInterval = 4;

Hash GenesisHash() { return crypto::Sha256(AsBytes("fuzz-genesis")); }
Hash GenesisRoot() { return crypto::Sha256(AsBytes("fuzz-root")); }

struct Keys {
  std::vector<crypto::KeyPair> keys;
  ValidatorSet validators;
  Keys() {
    for (uint32_t i = 0; i < fuzz::kValidators; ++i) {
      keys.push_back(fuzz::ValidatorKey(i));
      validators.keys.push_back(keys.back().public_key());
    }
  }
};
const Keys& K() {
  static const Keys* k = new Keys();
  return *k;
}

TxInfo InspectFuzzTx(ByteView tx) {
  return TxInfo{crypto::Sha256(tx), tx.size() >= 2 && tx[0] == 't' && tx[1] == 'x'};
}

// The edge: bytes that do not decode are dropped there, as the daemon does.
std::optional<InboundMessage> FuzzInbound(ReplicaId from, ByteView bytes, bool checked) {
  auto m = SignedMessage::Decode(bytes);
  if (!m.ok()) return std::nullopt;
  InboundMessage in{from, std::move(*m), checked, {}};
  for (const Bytes& tx : CarriedTxs(in.envelope)) in.txs.push_back(InspectFuzzTx(tx));
  return in;
}

struct Proposal {
  uint64_t view;
  uint64_t height;
  Hash hash;
  SignedMessage pre_prepare;
};

class Harness final : public host::Transport,
                      public host::TimerPort,
                      public host::ExecutionQueue,
                      public host::BlockFetcher,
                      public host::ConsensusLogPort,
                      public host::Clock {
 public:
  explicit Harness(uint32_t self) : self_(self) {
    hashes_.push_back(GenesisHash());
    roots_.push_back(GenesisRoot());
    timestamps_.push_back(kT0 - 1000);
    Boot();
  }

  void Run(fuzz::Input& in) {
    for (int step = 0; step < 256 && !in.empty(); ++step) {
      uint8_t op = fuzz::OpOf(in.U8());
      if (std::getenv("FUZZ_TRACE")) {
        std::fprintf(stderr, "op %d (executed %llu, view %llu, now %llu)\n", op,
                     static_cast<unsigned long long>(executed()),
                     static_cast<unsigned long long>(host_->replica().view()),
                     static_cast<unsigned long long>(now_ - kT0));
      }
      switch (op) {
        case fuzz::kRawMessage: {
          ReplicaId from = in.Pick(4);
          Bytes raw = in.Blob();
          Feed(from, raw, false);
          break;
        }
        case fuzz::kSignedBody: {
          uint8_t t = in.U8();
          // Bytes < 8 keep their old meaning (types 1..8); others reach 9..11.
          MsgType type = static_cast<MsgType>(t < 8 ? 1 + t : 1 + t % kMaxMsgType);
          ReplicaId sender = Other(in.U8());
          Bytes body = in.Blob();
          Send(SignedMessage::Sign(type, sender, body, K().keys[sender]));
          break;
        }
        case fuzz::kPrePrepare:
          OpPrePrepare(in);
          break;
        case fuzz::kVote: {
          bool commit = in.Bool();
          ReplicaId sender = Other(in.U8());
          uint64_t view = View(in.U8());
          uint64_t height = executed() + 1 + in.Pick(3);
          Hash hash = PickHash(in.U8());
          Send(SignedMessage::Sign(commit ? MsgType::kCommit : MsgType::kPrepare, sender,
                                   CommitVoteBody(view, height, hash), K().keys[sender]));
          break;
        }
        case fuzz::kVoteBurst: {
          if (proposals_.empty()) {
            in.U8();
            in.U8();
            break;
          }
          uint8_t pick = in.U8();
          const Proposal p =
              proposals_[pick == 0xff ? proposals_.size() - 1 : pick % proposals_.size()];
          uint8_t which = in.U8() % 4;
          for (MsgType t : {MsgType::kPrepare, MsgType::kCommit}) {
            if (t == MsgType::kPrepare && !(which & 1)) continue;
            if (t == MsgType::kCommit && !(which & 2)) continue;
            for (ReplicaId s = 0; s < fuzz::kValidators; ++s) {
              if (s == self_) continue;
              Send(
                  SignedMessage::Sign(t, s, CommitVoteBody(p.view, p.height, p.hash), K().keys[s]));
            }
          }
          break;
        }
        case fuzz::kCheckpoint: {
          uint8_t who = in.U8();
          CheckpointMsg c = PickCheckpoint(in.U8());
          if (in.Bool()) c.state_root[0] ^= 1;
          for (ReplicaId s : Senders(who)) {
            Send(SignedMessage::Sign(MsgType::kCheckpoint, s, c.Encode(), K().keys[s]));
          }
          break;
        }
        case fuzz::kViewChange: {
          uint8_t who = in.U8();
          uint64_t view = View(in.U8()) + 1;
          uint8_t prepared = in.U8();
          for (ReplicaId s : Senders(who)) Send(MakeViewChange(s, view, prepared));
          break;
        }
        case fuzz::kNewView:
          OpNewView(in);
          break;
        case fuzz::kTimer: {
          uint8_t pick = in.U8();
          if (timers_.empty()) break;
          auto it = timers_.begin();
          std::advance(it, pick % timers_.size());
          auto [id, armed] = *it;
          timers_.erase(it);
          now_ = std::max(now_, armed.first);
          host_->OnTimer(id, armed.second);
          break;
        }
        case fuzz::kRequest: {
          Bytes tx = in.Blob();
          tx.insert(tx.begin(), 't');
          tx.insert(tx.begin() + 1, 'x');
          Hash id = crypto::Sha256(tx);
          host_->OnRequest(std::move(tx), id);
          break;
        }
        case fuzz::kAdvance:
          now_ += in.U16();
          break;
        case fuzz::kFetched:
          OpFetched(in);
          break;
        case fuzz::kRestart:
          Boot();
          break;
        case fuzz::kRequestBatch: {
          ReplicaId sender = Other(in.U8());
          RequestBatchMsg batch;
          uint8_t ntx = in.U8() % 9;
          for (uint8_t i = 0; i < ntx; ++i) {
            Bytes tx = in.Blob();
            tx.insert(tx.begin(), {'t', 'x'});
            batch.txs.push_back(std::move(tx));
          }
          Send(SignedMessage::Sign(MsgType::kRequestBatch, sender, batch.Encode(),
                                   K().keys[sender]));
          break;
        }
        case fuzz::kBlockRequest: {
          ReplicaId sender = Other(in.U8());
          uint8_t pick = in.U8();
          bool wrong = in.Bool();
          BlockRequestMsg req{executed() + 1, PickHash(pick)};
          if (!proposals_.empty()) {
            const Proposal& p = proposals_[pick % proposals_.size()];
            req = {p.height, p.hash};
          }
          if (wrong) req.block_hash[0] ^= 1;
          Send(SignedMessage::Sign(MsgType::kBlockRequest, sender, req.Encode(), K().keys[sender]));
          break;
        }
        case fuzz::kBlockResponse: {
          ReplicaId sender = Other(in.U8());
          uint8_t pick = in.U8();
          uint8_t corrupt = in.U8();
          if (proposals_.empty()) break;
          auto pp = PrePrepareMsg::Decode(proposals_[pick % proposals_.size()].pre_prepare.body);
          if (!pp.ok()) break;
          BlockResponseMsg resp{std::move(pp->block)};
          if ((corrupt & 1) && !resp.block.txs.empty()) resp.block.txs[0].push_back('!');
          if (corrupt & 2) resp.block.header.timestamp_ms += 1;
          Send(SignedMessage::Sign(MsgType::kBlockResponse, sender, resp.Encode(),
                                   K().keys[sender]));
          break;
        }
        case fuzz::kVerified: {
          ReplicaId from = in.Pick(4);
          Bytes raw = in.Blob();
          Feed(from, raw, VerifyMessageSignatures(K().validators, raw).ok());
          break;
        }
        case fuzz::kStatus: {
          ReplicaId sender = Other(in.U8());
          StatusMsg st;
          st.view = View(in.U8());
          st.in_view_change = in.Bool();
          st.executed_height = executed() + in.Pick(8);
          st.stable_checkpoint = (st.executed_height / kCheckpointInterval) * kCheckpointInterval;
          Send(SignedMessage::Sign(MsgType::kStatus, sender, st.Encode(), K().keys[sender]));
          break;
        }
      }
    }
  }

  // One line about how far the input got (FUZZ_VERBOSE=1, for seed work).
  void Report() const {
    if (std::getenv("FUZZ_VERBOSE") == nullptr) return;
    std::fprintf(stderr, "replica %u: executed %llu, view %llu, stable %llu, sent votes %zu\n",
                 self_, static_cast<unsigned long long>(executed()),
                 static_cast<unsigned long long>(host_->replica().view()),
                 static_cast<unsigned long long>(host_->replica().stable_checkpoint()),
                 equivocation_.size());
  }

 private:
  uint64_t executed() const { return hashes_.size() - 1; }

  ReplicaConfig Config() const {
    ReplicaConfig c;
    c.validators = K().validators;
    c.self = self_;
    c.max_batch_txs = 4;
    c.max_batch_wait = 5;
    c.checkpoint_interval = kCheckpointInterval;
    c.watermark_window = 16;
    c.view_change_timeout = 1000;
    c.max_clock_skew = 1000;
    c.status_interval = 250;
    c.genesis_hash = GenesisHash();
    c.genesis_time_ms = kT0 - 1000;
    c.executed_block_timestamp = timestamps_.back();
    // What a restarted host reads from its store: the last blocks' txs.
    const size_t keep = std::min<size_t>(committed_.size(), c.committed_id_window);
    c.recently_committed.assign(committed_.end() - static_cast<std::ptrdiff_t>(keep),
                                committed_.end());
    return c;
  }

  void Boot() {
    host_.reset();
    timers_.clear();
    fetches_.clear();
    std::vector<std::pair<std::string, Bytes>> p(persisted_.begin(), persisted_.end());
    auto r =
        Replica::Create(Config(), K().keys[self_], p, executed(), hashes_.back(), roots_.back());
    FUZZ_CHECK(r.ok(),
               "Replica::Create from its own persisted state failed: " + r.status().ToString());
    host::HostPorts ports;
    ports.transport = this;
    ports.timers = this;
    ports.execution = this;
    ports.fetcher = this;
    ports.log = this;
    ports.clock = this;
    host_ = std::make_unique<host::ReplicaHost>(std::move(r).value(), ports, host::HostOptions{});
    last_delivered_ = executed();
    host_->Start();
  }

  ReplicaId Other(uint8_t pick) const {
    ReplicaId s = pick % (fuzz::kValidators - 1);
    return s >= self_ ? s + 1 : s;
  }
  std::vector<ReplicaId> Senders(uint8_t who) const {
    if (who < 4 * 16) return {Other(who)};
    std::vector<ReplicaId> all;
    for (ReplicaId s = 0; s < fuzz::kValidators; ++s) {
      if (s != self_) all.push_back(s);
    }
    if (who % 2 == 1) all.pop_back();  // only 2f: one short of a quorum with self
    return all;
  }
  // Mostly views near the replica's; sometimes absurd ones.
  uint64_t View(uint8_t pick) const {
    if (pick == 0xff) return UINT64_MAX - 1;
    if (pick == 0xfe) return 1ull << 40;
    return host_->replica().view() + (pick % 4);
  }
  Hash PickHash(uint8_t pick) const {
    std::vector<Hash> pool = hashes_;
    for (const Proposal& p : proposals_) pool.push_back(p.hash);
    if (pick % 8 == 7) return crypto::Sha256(Bytes{pick});
    return pool[pick % pool.size()];
  }
  CheckpointMsg PickCheckpoint(uint8_t pick) const {
    uint64_t n = executed() / kCheckpointInterval;
    uint64_t h = n == 0 ? 0 : (pick % (n + 1)) * kCheckpointInterval;
    if (pick == 0xff) h = executed() + kCheckpointInterval;
    CheckpointMsg c;
    c.height = h;
    // A checkpoint at h carries the state root after executing h.
    c.block_hash = h <= executed() ? hashes_[h] : PickHash(pick);
    c.state_root = h <= executed() ? roots_[h] : crypto::Sha256(Bytes{pick});
    return c;
  }

  void OpPrePrepare(fuzz::Input& in) {
    uint64_t view = View(in.U8());
    uint64_t height = executed() + 1 + in.Pick(3);
    Block b;
    uint8_t ntx = in.U8() % 5;
    for (uint8_t i = 0; i < ntx; ++i) {
      Bytes tx = in.Blob();
      tx.insert(tx.begin(), {'t', 'x'});
      b.txs.push_back(std::move(tx));
    }
    uint8_t corrupt = in.U8();
    ReplicaId primary = static_cast<ReplicaId>(view % fuzz::kValidators);
    ReplicaId sender = primary == self_ || (corrupt & 0x10) ? Other(corrupt) : primary;
    b.header.height = height;
    b.header.prev_hash = height - 1 <= executed() ? hashes_[height - 1] : PickHash(corrupt);
    b.header.timestamp_ms = std::max(now_, timestamps_.back() + 1);
    b.header.tx_root = merkle::Root(b.txs);
    b.header.state_root = roots_.back();
    b.header.proposer = sender;
    if (corrupt & 0x01) b.header.tx_root[0] ^= 1;
    if (corrupt & 0x02) b.header.state_root[0] ^= 1;
    if (corrupt & 0x04) b.header.timestamp_ms = timestamps_.back();
    if (corrupt & 0x08) b.header.prev_hash[0] ^= 1;
    PrePrepareMsg pp{view, b};
    SignedMessage m =
        SignedMessage::Sign(MsgType::kPrePrepare, sender, pp.Encode(), K().keys[sender]);
    proposals_.push_back({view, height, b.ComputeHash(), m});
    if (proposals_.size() > 32) proposals_.erase(proposals_.begin());
    Send(m);
  }

  SignedMessage MakeViewChange(ReplicaId sender, uint64_t view, uint8_t prepared) {
    ViewChangeMsg vc;
    vc.new_view = view;
    vc.checkpoint.height = 0;
    vc.checkpoint.block_hash = GenesisHash();
    vc.checkpoint.state_root = GenesisRoot();
    uint64_t stable = host_->replica().stable_checkpoint();
    if (stable > 0 && stable <= executed() && (prepared & 0x80)) {
      vc.checkpoint.height = stable;
      vc.checkpoint.block_hash = hashes_[stable];
      vc.checkpoint.state_root = roots_[stable];
      for (ReplicaId s = 0; s < fuzz::kValidators; ++s) {
        if (s == self_) continue;
        vc.checkpoint_proof.push_back(
            SignedMessage::Sign(MsgType::kCheckpoint, s, vc.checkpoint.Encode(), K().keys[s]));
      }
    }
    if ((prepared & 0x40) && !proposals_.empty()) {
      const Proposal& p = proposals_[prepared % proposals_.size()];
      if (p.height > vc.checkpoint.height) {
        PreparedCert cert;
        cert.pre_prepare = StripPrePrepare(p.pre_prepare);  // digests, not bodies
        ReplicaId primary = static_cast<ReplicaId>(p.view % fuzz::kValidators);
        for (ReplicaId s = 0; s < fuzz::kValidators && cert.prepares.size() < 2; ++s) {
          if (s == primary) continue;
          cert.prepares.push_back(SignedMessage::Sign(
              MsgType::kPrepare, s, CommitVoteBody(p.view, p.height, p.hash), K().keys[s]));
        }
        vc.prepared.push_back(std::move(cert));
      }
    }
    SignedMessage m =
        SignedMessage::Sign(MsgType::kViewChange, sender, vc.Encode(), K().keys[sender]);
    view_changes_[view][sender] = m;
    return m;
  }

  void OpNewView(fuzz::Input& in) {
    uint64_t view = View(in.U8()) + 1;
    uint8_t flags = in.U8();
    ReplicaId primary = static_cast<ReplicaId>(view % fuzz::kValidators);
    if (primary == self_) return;
    NewViewMsg nv;
    nv.view = view;
    std::map<ReplicaId, SignedMessage>& vcs = view_changes_[view];
    for (ReplicaId s = 0; s < fuzz::kValidators; ++s) {
      if (s != self_ && vcs.count(s) == 0) MakeViewChange(s, view, flags);
    }
    for (auto& [s, m] : vcs) {
      if (nv.view_changes.size() < 3) nv.view_changes.push_back(m);
    }
    if ((flags & 1) && !proposals_.empty()) {
      const Proposal& p = proposals_[(flags >> 1) % proposals_.size()];
      auto pp = PrePrepareMsg::Decode(p.pre_prepare.body);
      if (pp.ok()) {
        pp->view = view;
        pp->block.header.proposer = primary;
        if (!(flags & 0x20)) pp->block.txs.clear();  // NewViews carry digests
        nv.pre_prepares.push_back(
            SignedMessage::Sign(MsgType::kPrePrepare, primary, pp->Encode(), K().keys[primary]));
      }
    }
    Send(SignedMessage::Sign(MsgType::kNewView, primary, nv.Encode(), K().keys[primary]));
  }

  // Answers the oldest FetchBlocks with a chain extension certified by the
  // three other validators (they may be lying: the replica only has their
  // signatures to go by).
  void OpFetched(fuzz::Input& in) {
    uint8_t n = in.U8() % 4;
    uint8_t corrupt = in.U8();
    if (fetches_.empty()) return;
    fetches_.erase(fetches_.begin());
    std::vector<std::pair<Block, CommitCertificate>> blocks;
    std::vector<CheckpointProof> state_certificates;
    Hash prev = hashes_.back();
    Hash root = roots_.back();
    uint64_t ts = std::max(now_, timestamps_.back() + 1);
    for (uint8_t i = 0; i < n; ++i) {
      Block b;
      b.txs.push_back(ToBytes("tx-fetched-" + std::to_string(executed() + 1 + i)));
      b.header.height = executed() + 1 + i;
      b.header.prev_hash = prev;
      b.header.timestamp_ms = ts + i;
      b.header.tx_root = merkle::Root(b.txs);
      b.header.state_root = root;
      b.header.proposer = Other(i);
      if ((corrupt & 1) && i == n - 1) b.header.tx_root[0] ^= 1;
      CommitCertificate cert;
      cert.view = host_->replica().view();
      cert.height = b.header.height;
      cert.block_hash = b.ComputeHash();
      for (ReplicaId s = 0; s < fuzz::kValidators; ++s) {
        if (s == self_) continue;
        if ((corrupt & 2) && cert.signatures.size() == 2) break;
        cert.signatures.emplace_back(
            s,
            K().keys[s].Sign(kCommitTag, CommitVoteBody(cert.view, cert.height, cert.block_hash)));
      }
      prev = cert.block_hash;
      root = crypto::Sha256(Writer().Raw(root).Raw(prev).Take());
      if (corrupt & 4) {
        // The block's state certificate came along: votes of the three
        // others on a state (any root: they may be lying), one short or one
        // vote for another root when asked.
        CheckpointProof sc;
        sc.checkpoint = {b.header.height, cert.block_hash,
                         (corrupt & 32) ? root : PickHash(corrupt)};
        for (ReplicaId s = 0; s < fuzz::kValidators; ++s) {
          if (s == self_) continue;
          if ((corrupt & 8) && sc.messages.size() == 2) break;
          CheckpointMsg vote = sc.checkpoint;
          if ((corrupt & 16) && sc.messages.empty()) vote.state_root[0] ^= 1;
          sc.messages.push_back(
              SignedMessage::Sign(MsgType::kCheckpoint, s, vote.Encode(), K().keys[s]));
        }
        state_certificates.push_back(std::move(sc));
      }
      blocks.emplace_back(std::move(b), std::move(cert));
    }
    std::vector<TxInfo> txs;
    for (const auto& [b, c] : blocks) {
      for (const Bytes& tx : b.txs) txs.push_back(InspectFuzzTx(tx));
    }
    host_->OnFetched(std::move(blocks), std::move(txs), std::move(state_certificates));
  }

  // Every other well-signed message comes in marked as checked, as from a
  // host that checks signatures off the strand.
  void Send(const SignedMessage& m) {
    Bytes wire = m.Encode();
    Feed(m.sender, wire, (++sends_ & 1) == 0 && VerifyMessageSignatures(K().validators, wire).ok());
  }
  void Feed(ReplicaId from, ByteView wire, bool checked) {
    if (auto in = FuzzInbound(from, wire, checked)) host_->OnMessage(std::move(*in));
  }

  void CheckOutgoing(const Bytes& bytes) {
    auto m = SignedMessage::Decode(bytes);
    FUZZ_CHECK(m.ok(), "replica sent an undecodable message: " + m.status().ToString());
    FUZZ_CHECK(bytes.size() <= kMaxMessageBytes, "replica sent an oversize message");
    // The one message a replica relays unchanged is the NewView that installed
    // its view (consensus/view_change.cc answers a late ViewChange with it); it
    // stays signed by that view's primary. Everything else is its own.
    FUZZ_CHECK(m->sender == self_ || m->type == MsgType::kNewView,
               "replica sent a message as another sender (type " +
                   std::to_string(static_cast<int>(m->type)) + ", sender " +
                   std::to_string(m->sender) + ")");
    FUZZ_CHECK(m->Verify(K().validators, nullptr).ok(), "replica sent a badly signed message");
    // The simulator's checker: two different pre-prepares, prepares or
    // commits for one (view, height), also inside a NewView or ViewChange.
    if (auto v = equivocation_.Observe(self_, bytes)) FUZZ_CHECK(false, *v);
    if (m->type == MsgType::kPrepare || m->type == MsgType::kCommit) {
      auto v = VoteMsg::Decode(m->body);
      FUZZ_CHECK(v.ok(), "replica sent an undecodable vote");
    } else if (m->type == MsgType::kPrePrepare) {
      auto pp = PrePrepareMsg::Decode(m->body);
      FUZZ_CHECK(pp.ok(), "replica sent an undecodable PrePrepare");
      Hash h = pp->block.ComputeHash();
      // A view-0 block is built by this replica alone, so its tx_root must be
      // right. In later views the new primary re-proposes blocks carried by
      // prepared certificates; the harness signs as all three other validators
      // (more than f Byzantine), so such a certificate can be forged and the
      // block is outside what PBFT promises for this replica.
      FUZZ_CHECK(pp->view > 0 || pp->block.CheckTxRoot().ok(),
                 "replica proposed a block with a wrong tx_root");
      proposals_.push_back({pp->view, pp->block.header.height, h, *m});
      if (proposals_.size() > 32) proposals_.erase(proposals_.begin());
    } else if (m->type == MsgType::kBlockResponse) {
      auto r = BlockResponseMsg::Decode(m->body);
      FUZZ_CHECK(r.ok() && !r->block.txs.empty() && r->block.CheckTxRoot().ok(),
                 "replica served a block body that does not match its tx_root");
    } else if (m->type == MsgType::kRequestBatch) {
      auto r = RequestBatchMsg::Decode(m->body);
      FUZZ_CHECK(r.ok(), "replica sent an undecodable or oversize RequestBatch");
    } else if (m->type == MsgType::kViewChange) {
      auto vc = ViewChangeMsg::Decode(m->body);
      FUZZ_CHECK(vc.ok(), "replica sent an undecodable ViewChange");
      for (const PreparedCert& c : vc->prepared) {
        auto pp = PrePrepareMsg::Decode(c.pre_prepare.body);
        FUZZ_CHECK(pp.ok() && pp->stripped(), "replica sent a ViewChange carrying a block body");
      }
      view_changes_[vc->new_view][self_] = *m;
    }
  }

  // ---- the host's ports
  void Send(ReplicaId to, const Bytes& message) override {
    FUZZ_CHECK(to < fuzz::kValidators, "SendTo an unknown replica");
    CheckOutgoing(message);
  }
  void Broadcast(const Bytes& message) override { CheckOutgoing(message); }
  void Arm(TimerId id, uint64_t generation, TimeMs deadline) override {
    timers_[id] = {deadline, generation};
  }
  void Cancel(TimerId id) override { timers_.erase(id); }
  bool Fetch(ReplicaId peer, uint64_t from, uint64_t to) override {
    FUZZ_CHECK(peer < fuzz::kValidators && peer != self_, "FetchBlocks from a bad peer");
    fetches_.push_back(FetchBlocks{peer, from, to});
    return true;
  }
  Status Write(const std::vector<std::pair<std::string, Bytes>>& batch) override {
    for (const auto& [key, value] : batch) {
      if (value.empty()) {
        persisted_.erase(key);
      } else {
        persisted_[key] = value;
      }
    }
    return Status::Ok();
  }
  Status Sync() override { return Status::Ok(); }
  TimeMs Now() override { return now_; }
  void Enqueue(Deliver d) override { OnDeliver(d); }
  // The input holds every validator key, so it may certify any state and
  // halt this replica's execution; a certificate must still be genuine.
  void Certified(consensus::Certified c) override {
    FUZZ_CHECK(consensus::VerifyStateCertificate(K().validators, c.certificate).ok(),
               "Certified: state certificate does not verify");
  }
  void HaltExecution(const consensus::HaltExecution&) override {}

  void OnDeliver(const Deliver& d) {
    const uint64_t h = d.block.header.height;
    const Hash hash = d.block.ComputeHash();
    FUZZ_CHECK(h == last_delivered_ + 1 && h == executed() + 1,
               "Deliver out of order: height " + std::to_string(h) + " after " +
                   std::to_string(last_delivered_));
    auto [it, fresh] = delivered_.emplace(h, hash);
    FUZZ_CHECK(fresh || it->second == hash,
               "two different blocks delivered at height " + std::to_string(h));
    FUZZ_CHECK(d.cert.height == h && d.cert.block_hash == hash,
               "Deliver: certificate is for another block");
    FUZZ_CHECK(d.cert.Verify(K().validators).ok(), "Deliver: certificate does not verify");
    // Not checked: tx_root. A backup that refused a pre-prepare (bad tx_root,
    // state_root or timestamp) still delivers it once 2f+1 others commit it;
    // in the f-fault model those include f+1 honest replicas that checked it.
    FUZZ_CHECK(d.block.header.prev_hash == hashes_.back(), "Deliver: prev_hash does not link");
    last_delivered_ = h;
    // Execute at once, like the node.
    Hash root = crypto::Sha256(Writer().Raw(roots_.back()).Raw(hash).Take());
    consensus::CommittedBlockTxs ids{h, {}};
    for (const Bytes& tx : d.block.txs) ids.ids.push_back(crypto::Sha256(tx));
    committed_.push_back(std::move(ids));
    hashes_.push_back(hash);
    roots_.push_back(root);
    timestamps_.push_back(d.block.header.timestamp_ms);
    host_->OnExecuted(h, hash, root);  // from inside the host's loop
  }

  const uint32_t self_;
  std::unique_ptr<host::ReplicaHost> host_;
  TimeMs now_ = kT0;
  std::map<std::string, Bytes> persisted_;
  std::vector<Hash> hashes_;  // [h] = hash of executed block h (0: genesis)
  std::vector<Hash> roots_;   // [h] = state root after executing h
  std::vector<TimeMs> timestamps_;
  std::vector<consensus::CommittedBlockTxs> committed_;    // [h-1] = txs of block h
  std::map<TimerId, std::pair<TimeMs, uint64_t>> timers_;  // deadline, generation
  std::vector<FetchBlocks> fetches_;
  std::vector<Proposal> proposals_;
  std::map<uint64_t, std::map<ReplicaId, SignedMessage>> view_changes_;
  testing::EquivocationChecker equivocation_;  // kept across restarts
  std::map<uint64_t, Hash> delivered_;
  uint64_t last_delivered_ = 0;
  uint64_t sends_ = 0;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  fuzz::Input in(data, size);
  Harness h(in.U8() % fuzz::kValidators);
  h.Run(in);
  h.Report();
  return 0;
}
