#include "consensus/block.h"

#include <set>
#include <string>

#include "core/encoding.h"
#include "core/merkle.h"

namespace licenced::consensus {
namespace {

void WriteHeader(Writer& w, const BlockHeader& h) {
  w.U64(h.height)
      .Raw(h.prev_hash)
      .U64(h.timestamp_ms)
      .Raw(h.tx_root)
      .Raw(h.state_root)
      .U32(h.proposer);
}

BlockHeader ReadHeader(Reader& r) {
  BlockHeader h;
  h.height = r.U64();
  h.prev_hash = r.Fixed<32>();
  h.timestamp_ms = r.U64();
  h.tx_root = r.Fixed<32>();
  h.state_root = r.Fixed<32>();
  h.proposer = r.U32();
  return h;
}

}  // namespace

Bytes BlockHeader::Encode() const {
  Writer w;
  WriteHeader(w, *this);
  return w.Take();
}

Result<BlockHeader> BlockHeader::Decode(ByteView data) {
  Reader r(data);
  BlockHeader h = ReadHeader(r);
  LIC_RETURN_IF_ERROR(r.Finish("block header"));
  return h;
}

Hash BlockHeader::ComputeHash() const { return crypto::Sha256(Encode()); }

Bytes Block::Encode() const {
  Writer w;
  WriteHeader(w, header);
  w.U32(static_cast<uint32_t>(txs.size()));
  for (const Bytes& tx : txs) w.Var(tx);
  return w.Take();
}

Result<Block> Block::Decode(ByteView data) {
  if (data.size() > kMaxBlockBytes) return Status::InvalidArgument("block: too large");
  Reader r(data);
  Block b;
  b.header = ReadHeader(r);
  uint32_t count = r.U32();
  if (!r.ok()) return r.Finish("block");
  // Each tx takes at least 4 bytes, so a count larger than that is malformed.
  if (count > kMaxBlockTxs || count > r.remaining() / 4) {
    return Status::InvalidArgument("block: tx count " + std::to_string(count) + " too large");
  }
  b.txs.reserve(count);
  for (uint32_t i = 0; i < count && r.ok(); ++i) b.txs.push_back(r.Var());
  LIC_RETURN_IF_ERROR(r.Finish("block"));
  return b;
}

Status Block::CheckTxRoot() const {
  if (merkle::Root(txs) != header.tx_root) {
    return Status::Corruption("block " + std::to_string(header.height) +
                              ": tx_root does not match its transactions");
  }
  return Status::Ok();
}

Bytes CommitVoteBody(uint64_t view, uint64_t height, const Hash& block_hash) {
  Writer w;
  w.U64(view).U64(height).Raw(block_hash);
  return w.Take();
}

Bytes CommitCertificate::Encode() const {
  Writer w;
  w.U64(view).U64(height).Raw(block_hash).U32(static_cast<uint32_t>(signatures.size()));
  for (const auto& [id, sig] : signatures) w.U32(id).Raw(sig);
  return w.Take();
}

Result<CommitCertificate> CommitCertificate::Decode(ByteView data) {
  Reader r(data);
  CommitCertificate c;
  c.view = r.U64();
  c.height = r.U64();
  c.block_hash = r.Fixed<32>();
  uint32_t count = r.U32();
  if (!r.ok()) return r.Finish("commit certificate");
  if (count > r.remaining() / 68) {
    return Status::InvalidArgument("commit certificate: signature count too large");
  }
  for (uint32_t i = 0; i < count; ++i) {
    ReplicaId id = r.U32();
    crypto::Signature sig = r.Fixed<crypto::kSignatureSize>();
    if (!c.signatures.empty() && id <= c.signatures.back().first) {
      return Status::InvalidArgument("commit certificate: signer ids not strictly ascending");
    }
    c.signatures.emplace_back(id, sig);
  }
  LIC_RETURN_IF_ERROR(r.Finish("commit certificate"));
  return c;
}

Status CommitCertificate::Verify(const ValidatorSet& validators) const {
  return Verify(validators, SignatureVerifier());
}

Status CommitCertificate::Verify(const ValidatorSet& validators,
                                 const SignatureVerifier& verify) const {
  Bytes body = CommitVoteBody(view, height, block_hash);
  std::set<ReplicaId> seen;
  for (const auto& [id, sig] : signatures) {
    if (id >= validators.n()) {
      return Status::Corruption("commit certificate: unknown signer " + std::to_string(id));
    }
    if (!seen.insert(id).second) {
      return Status::Corruption("commit certificate: duplicate signer " + std::to_string(id));
    }
    bool ok = verify ? verify(validators.keys[id], kCommitTag, body, sig)
                     : crypto::Verify(validators.keys[id], kCommitTag, body, sig);
    if (!ok) {
      return Status::Corruption("commit certificate: bad signature of replica " +
                                std::to_string(id));
    }
  }
  if (seen.size() < validators.quorum()) {
    return Status::Corruption("commit certificate: " + std::to_string(seen.size()) +
                              " signatures, need " + std::to_string(validators.quorum()));
  }
  return Status::Ok();
}

}  // namespace licenced::consensus
