// licencectl bench: presentations verified per second on one core, and the
// proof bundle size at a ledger of 10^6 transactions, for proof formats v1, v2
// and v3 (v2 and v3 also with a warm certificate cache, labelled as such).
//
// A small in-process ledger (dev genesis, the real chaincode Engine, RFC 9162
// tx roots, the versioned state map, certificates signed by the dev validator
// keys) issues one licence; the bundle and presentation are built exactly as
// `licencectl proof export` / `present` build them (certificates trimmed to a
// quorum, canonical tree size), then verified in a loop with proof::Verifier.
// Sizes at 10^6 transactions: the bundle's fixed parts are measured; the audit
// path is ceil(log2(txs per block)) hashes; the state proof is measured on a
// synthetic state map (mean over sampled keys) and, when the synthetic map is
// smaller than the target, extrapolated by log2(target / synthetic) more
// sibling hashes.
#include <chrono>
#include <cmath>
#include <map>
#include <random>

#include <nlohmann/json.hpp>

#include "bench/bench.h"
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
#include "proof/record_codec.h"
#include "proof/verify.h"

namespace licenced::bench {
namespace {

using Clock = std::chrono::steady_clock;

// The in-process ledger. Not thread-safe.
class MiniLedger {
 public:
  MiniLedger() : net_(MakeDevNetwork()), engine_(net_.genesis), map_(nodes_) {
    prev_hash_ = net_.genesis.ComputeHash();
    for (const auto& k : net_.validator_keys) vs_.keys.push_back(k.public_key());
  }
  const Genesis& genesis() const { return net_.genesis; }
  const DevNetwork& net() const { return net_; }
  uint64_t now() const { return time_ms_; }
  uint64_t height() const { return blocks_.size(); }

  Transaction Tx(const crypto::KeyPair& key, const std::string& cc, const std::string& method,
                 const nlohmann::json& args) {
    Transaction tx;
    tx.network_id = net_.genesis.network_id;
    tx.chaincode = cc;
    tx.method = method;
    tx.args = ToBytes(args.dump());
    tx.submitter = key.public_key();
    tx.nonce = ++nonce_;
    tx.SignWith(key);
    return tx;
  }

  Result<std::vector<chaincode::TxOutcome>> AddBlock(const std::vector<Transaction>& txs) {
    time_ms_ += 60'000;
    const uint64_t h = height() + 1;
    consensus::Block block;
    block.header.height = h;
    block.header.prev_hash = prev_hash_;
    block.header.timestamp_ms = time_ms_;
    block.header.state_root = root_;
    block.header.proposer = static_cast<uint32_t>((h - 1) % vs_.keys.size());
    chaincode::OverlayView view(static_cast<chaincode::StateView&>(state_));
    std::vector<chaincode::TxOutcome> out;
    for (size_t i = 0; i < txs.size(); ++i) {
      block.txs.push_back(txs[i].Encode());
      chaincode::TxContext ctx{h, time_ms_, static_cast<uint32_t>(i), txs[i].Id()};
      out.push_back(engine_.Execute(txs[i], ctx, view));
      tx_at_[txs[i].Id()] = {h, i};
    }
    block.header.tx_root = merkle::Root(block.txs);
    std::vector<state::StateChange> changes;
    for (const auto& [k, v] : view.writes()) changes.push_back({k, v});
    LIC_ASSIGN_OR_RETURN(auto upd, map_.Update(h, changes));
    nodes_.Apply(upd.node_writes);
    root_ = upd.root;
    roots_after_.push_back(root_);
    view.Commit();
    const Hash hash = block.header.ComputeHash();
    consensus::CommitCertificate cert;
    cert.height = h;
    cert.block_hash = hash;
    for (uint32_t id = 0; id < net_.validator_keys.size(); ++id) {
      cert.signatures.emplace_back(
          id, net_.validator_keys[id].Sign(consensus::kCommitTag,
                                           consensus::CommitVoteBody(0, h, hash)));
    }
    blocks_.push_back(std::move(block));
    certs_.push_back(std::move(cert));
    prev_hash_ = hash;
    return out;
  }

  // What `licencectl proof export` assembles from GetTxProof + GetStateProof.
  Result<proof::Bundle> Export(const std::string& licence_id) {
    LIC_RETURN_IF_ERROR(AddBlock({}).status());  // newest state into a header
    proof::Bundle b;
    b.licence_id = licence_id;
    auto rec = state_.Get(chaincode::LicenceRecordKey(licence_id));
    if (!rec) return Status::NotFound("licence record " + licence_id);
    b.record = *rec;
    auto j = nlohmann::json::parse(ToString(b.record));
    LIC_ASSIGN_OR_RETURN(Hash tx_id, HashFromHex(j.at("issuing_tx").get<std::string>()));
    auto [h, index] = tx_at_.at(tx_id);
    const consensus::Block& blk = blocks_.at(h - 1);
    std::vector<Hash> leaves;
    for (const Bytes& t : blk.txs) leaves.push_back(merkle::LeafHash(t));
    b.issuance.tx = blk.txs[index];
    b.issuance.index = index;
    b.issuance.path = merkle::InclusionProof(leaves, index);
    b.issuance.tree_size = proof::CanonicalTreeSize(index, leaves.size(), b.issuance.path.size());
    b.issuance.header = blk.header;
    b.issuance.certificate = proof::TrimCertificate(certs_.at(h - 1), vs_.quorum());
    const uint64_t sh = height();
    LIC_ASSIGN_OR_RETURN(auto look,
                         map_.GetWithProof(chaincode::LicenceStatusKey(licence_id), sh - 1));
    if (!look.value) return Status::NotFound("licence status " + licence_id);
    proof::StatusEvidence s;
    s.header = blocks_.at(sh - 1).header;
    s.certificate = proof::TrimCertificate(certs_.at(sh - 1), vs_.quorum());
    s.value = *look.value;
    s.proof = look.proof;
    b.status = std::move(s);
    return b;
  }

  // What `licencectl proof export --format v3` assembles: the status in the
  // state after the newest block, under that block's state certificate (the
  // state votes of a quorum, lowest replica ids).
  Result<proof::Bundle> ExportV3(const std::string& licence_id) {
    const uint64_t h = height();
    LIC_ASSIGN_OR_RETURN(proof::Bundle b, Export(licence_id));
    LIC_ASSIGN_OR_RETURN(auto look, map_.GetWithProof(chaincode::LicenceStatusKey(licence_id), h));
    if (!look.value) return Status::NotFound("licence status " + licence_id);
    const consensus::BlockHeader& header = blocks_.at(h - 1).header;
    proof::StateVotes votes;
    votes.state_root = roots_after_.at(h - 1);
    const consensus::CheckpointMsg vote{h, header.ComputeHash(), votes.state_root};
    for (uint32_t id = 0; id < vs_.quorum(); ++id) {
      votes.signatures.emplace_back(
          id, net_.validator_keys[id].Sign(consensus::TagFor(consensus::MsgType::kCheckpoint),
                                           vote.Encode()));
    }
    proof::StatusEvidence s;
    s.header = header;
    s.state = std::move(votes);
    s.value = *look.value;
    s.proof = look.proof;
    b.status = std::move(s);
    return proof::ToV3(std::move(b));
  }

 private:
  DevNetwork net_;
  chaincode::Engine engine_;
  chaincode::MemStateView state_;
  state::MemStateNodeStore nodes_;
  state::StateMap map_;
  consensus::ValidatorSet vs_;
  Hash root_{};
  Hash prev_hash_{};
  uint64_t time_ms_ = 1795658400000ULL;
  uint64_t nonce_ = 0;
  std::vector<consensus::Block> blocks_;
  std::vector<consensus::CommitCertificate> certs_;
  std::vector<Hash> roots_after_;  // the state root after each block
  std::map<Hash, std::pair<uint64_t, size_t>> tx_at_;
};

Status CheckOk(const Result<std::vector<chaincode::TxOutcome>>& r) {
  LIC_RETURN_IF_ERROR(r.status());
  for (const auto& o : *r) LIC_RETURN_IF_ERROR(o.status);
  return Status::Ok();
}

// Mean encoded state proof size and depth over `samples` present keys of a
// synthetic map of `keys` keys (values of 40 bytes, like licence status values).
void MeasureSyntheticStateProofs(size_t keys, ProofFigures* f) {
  state::MemStateNodeStore nodes;
  state::StateMap map(nodes);
  std::mt19937_64 rng(42);
  const size_t kBatch = 50'000;
  uint64_t version = 0;
  for (size_t done = 0; done < keys; done += kBatch) {
    std::vector<state::StateChange> changes;
    for (size_t i = done; i < std::min(keys, done + kBatch); ++i) {
      changes.push_back({"lic/status/synthetic-" + std::to_string(i), Bytes(40, 0x11)});
    }
    auto upd = map.Update(++version, changes);
    if (!upd.ok()) return;
    nodes.Apply(upd->node_writes);
  }
  const size_t samples = 2000;
  double bytes = 0, depth = 0;
  for (size_t s = 0; s < samples; ++s) {
    auto p = map.Prove("lic/status/synthetic-" + std::to_string(rng() % keys), version);
    if (!p.ok()) return;
    bytes += static_cast<double>(p->Encode().size());
    depth += p->depth;
  }
  f->synthetic_keys = keys;
  f->state_proof_bytes_measured = bytes / samples;
  f->state_proof_depth_measured = depth / samples;
}

}  // namespace

Result<ProofFigures> MeasureProofs(double seconds, uint64_t ledger_txs, uint64_t txs_per_block,
                                   uint64_t state_keys, size_t synthetic_keys) {
  ProofFigures f;
  MiniLedger ledger;
  const crypto::KeyPair& admin = ledger.net().admin_keys.at("market");
  crypto::KeyPair clerk = crypto::KeyPair::FromSeed(DevSeed("clerk", "market/bench-licensing"));
  crypto::KeyPair holder = crypto::KeyPair::FromSeed(DevSeed("holder", "bench"));
  LIC_RETURN_IF_ERROR(CheckOk(ledger.AddBlock({ledger.Tx(admin, "identity", "enrol_clerk",
                                                         {{"name", "bench-licensing"},
                                                          {"public_key", ToHex(clerk.public_key())},
                                                          {"roles", {"licensing"}}})})));
  // A few filler blocks of enrolments so the tree has more than one leaf per block.
  std::vector<Transaction> block;
  for (int i = 0; i < 7; ++i) {
    block.push_back(ledger.Tx(admin, "identity", "enrol_clerk",
                              {{"name", "filler-" + std::to_string(i)},
                               {"public_key", ToHex(crypto::KeyPair::Generate().public_key())},
                               {"roles", {"clerk"}}}));
  }
  const Bytes salt(16, 0x5a);
  block.insert(
      block.begin() + 3,
      ledger.Tx(
          clerk, "licence", "issue",
          {{"type", "BL"},
           {"holder_key", ToHex(holder.public_key())},
           {"holder_code_type", "none"},
           {"jurisdiction", "370102"},
           {"commitments",
            {{"trade_name", client::CommitmentHex("trade_name", "Bench Tea House", salt)}}}}));
  auto r = ledger.AddBlock(block);
  LIC_RETURN_IF_ERROR(CheckOk(r));
  auto res = nlohmann::json::parse((*r)[3].result_json);
  const std::string licence_id = res.at("identifier").get<std::string>();
  LIC_ASSIGN_OR_RETURN(proof::Bundle b, ledger.Export(licence_id));
  LIC_ASSIGN_OR_RETURN(proof::Presentation p,
                       proof::Present(b, {{"trade_name", "Bench Tea House", salt}},
                                      "bench-challenge", ledger.now(), holder));
  const Bytes enc = p.Encode();
  LIC_ASSIGN_OR_RETURN(proof::Bundle b2, proof::ToV2(b));
  LIC_ASSIGN_OR_RETURN(proof::Presentation p2,
                       proof::Present(b2, {{"trade_name", "Bench Tea House", salt}},
                                      "bench-challenge", ledger.now(), holder));
  const Bytes enc2 = p2.Encode();
  LIC_ASSIGN_OR_RETURN(proof::Bundle b3, ledger.ExportV3(licence_id));
  LIC_ASSIGN_OR_RETURN(proof::Presentation p3,
                       proof::Present(b3, {{"trade_name", "Bench Tea House", salt}},
                                      "bench-challenge", ledger.now(), holder));
  const Bytes enc3 = p3.Encode();
  proof::Verifier verifier(ledger.genesis());
  // Presentations verified per second on this thread, optionally with a
  // certificate cache (warmed by the first verification).
  auto rate = [&](const Bytes& presentation, proof::CertificateCache* cache) -> Result<double> {
    proof::VerifyOptions opts;
    opts.challenge = "bench-challenge";
    opts.now_ms = ledger.now();
    opts.cache = cache;
    auto first = verifier.VerifyEncoded(presentation, opts);
    if (!first.valid())
      return Status::Internal("bench presentation did not verify: " + first.ToJson());
    size_t n = 0;
    auto t0 = Clock::now();
    double el = 0;
    do {
      for (int i = 0; i < 16; ++i) {
        if (!verifier.VerifyEncoded(presentation, opts).valid()) {
          return Status::Internal("bench presentation stopped verifying");
        }
      }
      n += 16;
      el = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (el < seconds);
    return static_cast<double>(n) / el;
  };
  LIC_ASSIGN_OR_RETURN(f.presentations_per_s_one_core, rate(enc, nullptr));
  LIC_ASSIGN_OR_RETURN(f.v2_presentations_per_s_cold, rate(enc2, nullptr));
  proof::CertificateCache cache;
  LIC_ASSIGN_OR_RETURN(f.v2_presentations_per_s_warm, rate(enc2, &cache));
  LIC_ASSIGN_OR_RETURN(f.v3_presentations_per_s_cold, rate(enc3, nullptr));
  proof::CertificateCache cache3;
  LIC_ASSIGN_OR_RETURN(f.v3_presentations_per_s_warm, rate(enc3, &cache3));
  f.v3_presentation_bytes = enc3.size();
  f.v3_bundle_bytes = b3.Encode().size();
  f.v2_presentation_bytes = enc2.size();
  f.v2_bundle_bytes = b2.Encode().size();
  f.record_json_bytes = b2.record.size();
  LIC_ASSIGN_OR_RETURN(Bytes compact, proof::CompactRecord(b2.record));
  f.v2_record_compact_bytes = compact.size();
  f.presentation_bytes = enc.size();
  f.bundle_bytes = b.Encode().size();
  f.audit_path_hashes = b.issuance.path.size();
  f.state_proof_bytes = b.status->proof.Encode().size();

  // Size at the target ledger.
  f.ledger_txs = ledger_txs;
  f.txs_per_block = std::max<uint64_t>(1, txs_per_block);
  f.state_keys = state_keys;
  MeasureSyntheticStateProofs(synthetic_keys, &f);
  const size_t path_at =
      static_cast<size_t>(std::ceil(std::log2(static_cast<double>(f.txs_per_block))));
  double extra_levels = 0;
  if (f.synthetic_keys > 0 && state_keys > f.synthetic_keys) {
    extra_levels =
        std::log2(static_cast<double>(state_keys) / static_cast<double>(f.synthetic_keys));
  }
  // Each extra level adds one non-empty sibling (32 bytes) and about 1/8 bitmap byte.
  f.state_proof_bytes_at_keys = f.state_proof_bytes_measured + extra_levels * (32 + 1.0 / 8);
  const double at = static_cast<double>(f.bundle_bytes) -
                    static_cast<double>(f.audit_path_hashes * 32 + f.state_proof_bytes) +
                    static_cast<double>(path_at * 32) + f.state_proof_bytes_at_keys;
  f.bundle_bytes_at_ledger = static_cast<size_t>(std::ceil(at));
  // v2 carries no audit path, and its state proof leaves out the terminal
  // byte and the leaf (key hash and value hash are implied): 65 bytes less.
  f.v2_state_proof_bytes_at_keys = f.state_proof_bytes_at_keys - 65;
  const double at2 = static_cast<double>(f.v2_bundle_bytes) -
                     static_cast<double>(f.state_proof_bytes - 65) + f.v2_state_proof_bytes_at_keys;
  f.v2_bundle_bytes_at_ledger = static_cast<size_t>(std::ceil(at2));
  // v3 encodes its state proof as v2 does.
  const double at3 = static_cast<double>(f.v3_bundle_bytes) -
                     static_cast<double>(b3.status->proof.Encode().size() - 65) +
                     f.v2_state_proof_bytes_at_keys;
  f.v3_bundle_bytes_at_ledger = static_cast<size_t>(std::ceil(at3));
  f.method = extra_levels > 0
                 ? "fixed parts measured on an in-process ledger; audit path = ceil(log2(txs per "
                   "block)) hashes; state proof measured on a synthetic map of " +
                       std::to_string(f.synthetic_keys) + " keys and extrapolated by log2(" +
                       std::to_string(state_keys) + "/" + std::to_string(f.synthetic_keys) +
                       ") sibling hashes"
                 : "fixed parts measured on an in-process ledger; audit path = ceil(log2(txs per "
                   "block)) hashes; state proof measured on a synthetic map of " +
                       std::to_string(f.synthetic_keys) + " keys";
  return f;
}

}  // namespace licenced::bench
