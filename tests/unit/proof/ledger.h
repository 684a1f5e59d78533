// Test ledger for proof tests: the dev genesis, the real chaincode Engine
// executing signed transactions in blocks, RFC 9162 tx roots, the versioned
// state map (header h carries the root of the state after block h-1), and
// commit certificates signed by the dev validator keys. Everything a node
// would serve through GetTxProof / GetStateProof, in process. Not thread-safe.
#pragma once

#include <catch2/catch.hpp>

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "chaincode/engine.h"
#include "chaincode/licence_status.h"
#include "chaincode/state_view.h"
#include "client/prepare.h"
#include "consensus/block.h"
#include "consensus/messages.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/state_map.h"
#include "core/transaction.h"
#include "proof/bundle.h"

namespace licenced::proof::testing {

using json = nlohmann::json;

// Thursday 2026-11-26 10:00 in China (UTC+8).
inline constexpr uint64_t kStartMs = 1795658400000ULL;
inline constexpr uint64_t kMinuteMs = 60'000ULL;

struct TxResult {
  Hash id{};
  uint64_t height = 0;
  chaincode::TxOutcome outcome;
  json result() const { return json::parse(outcome.result_json); }
};

class TestLedger {
 public:
  explicit TestLedger(DevNetwork net = MakeDevNetwork())
      : net_(std::move(net)), engine_(net_.genesis), map_(nodes_) {
    prev_hash_ = net_.genesis.ComputeHash();
  }

  const DevNetwork& net() const { return net_; }
  const Genesis& genesis() const { return net_.genesis; }
  uint64_t height() const { return headers_.size(); }
  uint64_t now() const { return time_ms_; }
  void Advance(uint64_t ms) { time_ms_ += ms; }

  Transaction Tx(const crypto::KeyPair& key, const std::string& chaincode,
                 const std::string& method, const json& args) {
    Transaction tx;
    tx.network_id = net_.genesis.network_id;
    tx.chaincode = chaincode;
    tx.method = method;
    tx.args = ToBytes(ClientSide(chaincode, method, args).dump());
    tx.nonce = ++nonce_;
    tx.SignWith(key);
    return tx;
  }

  // What a client does before signing licence.issue: clear {"value","salt"}
  // fields become commitments (client/prepare.h); other args pass as given.
  json ClientSide(const std::string& chaincode, const std::string& method, const json& args) {
    if (chaincode != "licence" || method != "issue" || !args.is_object()) return args;
    auto p = client::PrepareIssueLicence(
        args, [](size_t n) { return Bytes(n, 0x42); }, time_ms_);
    return p.ok() ? p->args : args;
  }

  // Executes `txs` as the next block (rejected txs stay in the block, as in
  // the node) and commits it with a certificate of every validator.
  std::vector<TxResult> AddBlock(const std::vector<Transaction>& txs) {
    time_ms_ += kMinuteMs;
    uint64_t h = height() + 1;
    consensus::Block block;
    block.header.height = h;
    block.header.prev_hash = prev_hash_;
    block.header.timestamp_ms = time_ms_;
    block.header.state_root = root_;  // state after h-1
    block.header.proposer = static_cast<uint32_t>((h - 1) % net_.validator_keys.size());
    chaincode::OverlayView block_view(state_);
    std::vector<TxResult> results;
    for (size_t i = 0; i < txs.size(); ++i) {
      block.txs.push_back(txs[i].Encode());
      // Cast: OverlayView(const OverlayView&) would otherwise win and copy block_view.
      chaincode::OverlayView tx_view(static_cast<chaincode::StateView&>(block_view));
      chaincode::TxContext ctx{h, time_ms_, static_cast<uint32_t>(i), txs[i].Id()};
      TxResult r{txs[i].Id(), h, engine_.Execute(txs[i], ctx, tx_view)};
      if (r.outcome.status.ok()) tx_view.Commit();
      results.push_back(std::move(r));
    }
    block.header.tx_root = merkle::Root(block.txs);
    std::vector<state::StateChange> changes;
    for (const auto& [k, v] : block_view.writes()) changes.push_back({k, v});
    auto upd = map_.Update(h, changes);
    REQUIRE(upd.ok());
    nodes_.Apply(upd->node_writes);
    root_ = upd->root;
    roots_after_.push_back(root_);
    block_view.Commit();
    Hash hash = block.header.ComputeHash();
    consensus::CommitCertificate cert;
    cert.view = 0;
    cert.height = h;
    cert.block_hash = hash;
    for (uint32_t id = 0; id < net_.validator_keys.size(); ++id) {
      cert.signatures.emplace_back(
          id, net_.validator_keys[id].Sign(consensus::kCommitTag,
                                           consensus::CommitVoteBody(0, h, hash)));
    }
    for (size_t i = 0; i < txs.size(); ++i) tx_at_[txs[i].Id()] = {h, i};
    headers_.push_back(block.header);
    certs_.push_back(cert);
    blocks_.push_back(block);
    prev_hash_ = hash;
    return results;
  }

  json Ok(const TxResult& r) {
    INFO(r.outcome.status.ToString());
    REQUIRE(r.outcome.status.ok());
    return r.result();
  }
  json Ok(const crypto::KeyPair& key, const std::string& cc, const std::string& m,
          const json& args) {
    return Ok(AddBlock({Tx(key, cc, m, args)})[0]);
  }

  const consensus::BlockHeader& Header(uint64_t h) const { return headers_.at(h - 1); }
  const consensus::CommitCertificate& Cert(uint64_t h) const { return certs_.at(h - 1); }

  // What GetTxProof returns, as a TxInclusion (certificate trimmed to a quorum,
  // tree size canonical: what `licencectl proof export` writes).
  TxInclusion ProveTx(const Hash& id) const {
    auto [h, index] = tx_at_.at(id);
    const consensus::Block& b = blocks_.at(h - 1);
    std::vector<Hash> leaves;
    for (const Bytes& t : b.txs) leaves.push_back(merkle::LeafHash(t));
    TxInclusion t;
    t.tx = b.txs[index];
    t.index = index;
    t.path = merkle::InclusionProof(leaves, index);
    t.tree_size = CanonicalTreeSize(index, leaves.size(), t.path.size());
    t.header = b.header;
    t.certificate = TrimCertificate(Cert(h), Quorum());
    return t;
  }

  // Status evidence against the header of block `header_height` (state after
  // header_height - 1). REQUIRES: that block exists.
  StatusEvidence ProveStatus(const std::string& licence_id, uint64_t header_height) const {
    auto look = map_.GetWithProof(chaincode::LicenceStatusKey(licence_id), header_height - 1);
    REQUIRE(look.ok());
    REQUIRE(look->value.has_value());
    StatusEvidence s;
    s.header = Header(header_height);
    s.certificate = TrimCertificate(Cert(header_height), Quorum());
    s.value = *look->value;
    s.proof = look->proof;
    return s;
  }

  // The state certificate of block h as a proof carries it: the root of the
  // state after h and a quorum of validator state votes (lowest ids).
  StateVotes StateCertificate(uint64_t h) const {
    StateVotes votes;
    votes.state_root = roots_after_.at(h - 1);
    consensus::CheckpointMsg vote{h, Header(h).ComputeHash(), votes.state_root};
    for (uint32_t id = 0; id < Quorum(); ++id) {
      votes.signatures.emplace_back(
          id, net_.validator_keys[id].Sign(consensus::TagFor(consensus::MsgType::kCheckpoint),
                                           vote.Encode()));
    }
    return votes;
  }

  // Status evidence in the state after block h under its state certificate (v3).
  StatusEvidence ProveCertifiedStatus(const std::string& licence_id, uint64_t h) const {
    auto look = map_.GetWithProof(chaincode::LicenceStatusKey(licence_id), h);
    REQUIRE(look.ok());
    REQUIRE(look->value.has_value());
    StatusEvidence s;
    s.header = Header(h);
    s.state = StateCertificate(h);
    s.value = *look->value;
    s.proof = look->proof;
    return s;
  }

  // A v3 bundle proven in the state after the newest block (no block added:
  // the newest state is certified as soon as it is executed).
  Bundle ExportV3(const std::string& licence_id) const {
    Bundle b;
    b.licence_id = licence_id;
    b.record = Record(licence_id);
    b.status = ProveCertifiedStatus(licence_id, height());
    auto r = ToV3(std::move(b));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    return *r;
  }

  Bytes Record(const std::string& licence_id) const {
    auto v = state_.Get(chaincode::LicenceRecordKey(licence_id));
    REQUIRE(v.has_value());
    return *v;
  }

  // A bundle with the status proven at the newest header (adds an empty block
  // first so the newest state is in a header).
  Bundle Export(const std::string& licence_id) {
    AddBlock({});
    return ExportAt(licence_id, height());
  }
  Bundle ExportAt(const std::string& licence_id, uint64_t status_header) const {
    Bundle b;
    b.licence_id = licence_id;
    b.record = Record(licence_id);
    json rec = json::parse(ToString(b.record));
    auto tx_id = HashFromHex(rec["issuing_tx"].get<std::string>());
    REQUIRE(tx_id.ok());
    b.issuance = ProveTx(*tx_id);
    b.status = ProveStatus(licence_id, status_header);
    return b;
  }

  // The newest state (after the newest block).
  const chaincode::StateView& state() const { return state_; }

  size_t Quorum() const {
    consensus::ValidatorSet vs;
    for (const auto& k : net_.validator_keys) vs.keys.push_back(k.public_key());
    return vs.quorum();
  }

 private:
  DevNetwork net_;
  chaincode::Engine engine_;
  chaincode::MemStateView state_;
  state::MemStateNodeStore nodes_;
  state::StateMap map_;
  Hash root_{};
  std::vector<Hash> roots_after_;  // [h-1]: the root of the state after block h
  Hash prev_hash_{};
  uint64_t time_ms_ = kStartMs;
  uint64_t nonce_ = 0;
  std::vector<consensus::BlockHeader> headers_;
  std::vector<consensus::CommitCertificate> certs_;
  std::vector<consensus::Block> blocks_;
  std::map<Hash, std::pair<uint64_t, size_t>> tx_at_;
};

}  // namespace licenced::proof::testing
