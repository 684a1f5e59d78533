#include "consensus/messages.h"

#include <set>
#include <string>

namespace licenced::consensus {
namespace {

// Reads a u32 count whose items take at least `min_item` bytes each.
Result<uint32_t> ReadCount(Reader& r, size_t min_item, std::string_view what) {
  uint32_t count = r.U32();
  if (!r.ok()) return Status::InvalidArgument(std::string(what) + ": truncated");
  if (count > r.remaining() / min_item) {
    return Status::InvalidArgument(std::string(what) + ": count " + std::to_string(count) +
                                   " exceeds the input");
  }
  return count;
}

// A nested signed message of an expected type.
Result<SignedMessage> ReadNested(Reader& r, MsgType expected, std::string_view what) {
  Bytes raw = r.Var();
  if (!r.ok()) return Status::InvalidArgument(std::string(what) + ": truncated");
  LIC_ASSIGN_OR_RETURN(SignedMessage m, SignedMessage::Decode(raw));
  if (m.type != expected) {
    return Status::InvalidArgument(std::string(what) + ": nested message has type " +
                                   MsgTypeName(m.type) + ", want " + MsgTypeName(expected));
  }
  return m;
}

constexpr size_t kMinSignedMessage = 1 + 4 + 4 + crypto::kSignatureSize;

}  // namespace

std::string_view TagFor(MsgType type) {
  switch (type) {
    case MsgType::kRequest:
      return "licenced/pbft/request/v1";
    case MsgType::kPrePrepare:
      return "licenced/pbft/preprepare/v2";  // v2: signs view || header only
    case MsgType::kPrepare:
      return "licenced/pbft/prepare/v1";
    case MsgType::kCommit:
      return kCommitTag;
    case MsgType::kCheckpoint:
      return "licenced/pbft/checkpoint/v1";
    case MsgType::kViewChange:
      return "licenced/pbft/viewchange/v1";
    case MsgType::kNewView:
      return "licenced/pbft/newview/v1";
    case MsgType::kStatus:
      return "licenced/pbft/status/v1";
    case MsgType::kRequestBatch:
      return "licenced/pbft/requestbatch/v1";
    case MsgType::kBlockRequest:
      return "licenced/pbft/blockrequest/v1";
    case MsgType::kBlockResponse:
      return "licenced/pbft/blockresponse/v1";
  }
  return "licenced/pbft/unknown";
}

const char* MsgTypeName(MsgType type) {
  switch (type) {
    case MsgType::kRequest:
      return "Request";
    case MsgType::kPrePrepare:
      return "PrePrepare";
    case MsgType::kPrepare:
      return "Prepare";
    case MsgType::kCommit:
      return "Commit";
    case MsgType::kCheckpoint:
      return "Checkpoint";
    case MsgType::kViewChange:
      return "ViewChange";
    case MsgType::kNewView:
      return "NewView";
    case MsgType::kStatus:
      return "Status";
    case MsgType::kRequestBatch:
      return "RequestBatch";
    case MsgType::kBlockRequest:
      return "BlockRequest";
    case MsgType::kBlockResponse:
      return "BlockResponse";
  }
  return "Unknown";
}

std::optional<Bytes> SignedPart(MsgType type, ByteView body) {
  if (type != MsgType::kPrePrepare) return Bytes(body.begin(), body.end());
  // view u64 | block var = (u32 length | header 116 | ...)
  constexpr size_t kHeaderAt = 8 + 4;
  if (body.size() < kHeaderAt + BlockHeader::kEncodedSize) return std::nullopt;
  Bytes out;
  out.reserve(8 + BlockHeader::kEncodedSize);
  out.insert(out.end(), body.begin(), body.begin() + 8);
  out.insert(out.end(), body.begin() + kHeaderAt,
             body.begin() + kHeaderAt + BlockHeader::kEncodedSize);
  return out;
}

SignedMessage SignedMessage::Sign(MsgType type, ReplicaId sender, Bytes body,
                                  const crypto::KeyPair& key) {
  SignedMessage m;
  m.type = type;
  m.sender = sender;
  if (type == MsgType::kPrePrepare) {
    auto part = SignedPart(type, body);
    m.signature = key.Sign(TagFor(type), part ? ByteView(*part) : ByteView(body));
  } else {
    m.signature = key.Sign(TagFor(type), body);
  }
  m.body = std::move(body);
  return m;
}

Bytes SignedMessage::Encode() const {
  Writer w;
  w.U8(static_cast<uint8_t>(type)).U32(sender).Var(body).Raw(signature);
  return w.Take();
}

Result<SignedMessage> SignedMessage::Decode(ByteView data) {
  if (data.size() > kMaxMessageBytes) return Status::InvalidArgument("message: too large");
  Reader r(data);
  SignedMessage m;
  uint8_t type = r.U8();
  m.sender = r.U32();
  m.body = r.Var();
  m.signature = r.Fixed<crypto::kSignatureSize>();
  LIC_RETURN_IF_ERROR(r.Finish("consensus message"));
  if (type < static_cast<uint8_t>(MsgType::kRequest) || type > kMaxMsgType) {
    return Status::InvalidArgument("consensus message: unknown type " + std::to_string(type));
  }
  m.type = static_cast<MsgType>(type);
  return m;
}

Status SignedMessage::Verify(const ValidatorSet& validators,
                             const SignatureVerifier& verify) const {
  if (sender >= validators.n()) {
    return Status::PermissionDenied("consensus message from unknown replica " +
                                    std::to_string(sender));
  }
  const crypto::PublicKey& key = validators.keys[sender];
  std::optional<Bytes> part;
  ByteView signed_part = body;
  if (type == MsgType::kPrePrepare) {
    part = SignedPart(type, body);
    if (!part) return Status::InvalidArgument("PrePrepare: body too short");
    signed_part = *part;
  }
  bool ok = verify ? verify(key, TagFor(type), signed_part, signature)
                   : crypto::Verify(key, TagFor(type), signed_part, signature);
  if (!ok) {
    return Status::PermissionDenied(std::string(MsgTypeName(type)) + " from replica " +
                                    std::to_string(sender) + ": bad signature");
  }
  return Status::Ok();
}

Bytes RequestMsg::Encode() const { return Writer().Var(tx).Take(); }

Result<RequestMsg> RequestMsg::Decode(ByteView body) {
  Reader r(body);
  RequestMsg m;
  m.tx = r.Var();
  LIC_RETURN_IF_ERROR(r.Finish("Request"));
  return m;
}

Bytes RequestBatchMsg::Encode() const {
  Writer w;
  w.U32(static_cast<uint32_t>(txs.size()));
  for (const Bytes& tx : txs) w.Var(tx);
  return w.Take();
}

Result<RequestBatchMsg> RequestBatchMsg::Decode(ByteView body) {
  if (body.size() > kMaxRequestBatchBytes) {
    return Status::InvalidArgument("RequestBatch: " + std::to_string(body.size()) +
                                   " bytes exceeds the limit");
  }
  Reader r(body);
  LIC_ASSIGN_OR_RETURN(uint32_t n, ReadCount(r, 4, "RequestBatch"));
  if (n == 0 || n > kMaxRequestBatchTxs) {
    return Status::InvalidArgument("RequestBatch: " + std::to_string(n) + " txs (want 1.." +
                                   std::to_string(kMaxRequestBatchTxs) + ")");
  }
  RequestBatchMsg m;
  m.txs.reserve(n);
  for (uint32_t i = 0; i < n; ++i) m.txs.push_back(r.Var());
  LIC_RETURN_IF_ERROR(r.Finish("RequestBatch"));
  return m;
}

Bytes BlockRequestMsg::Encode() const { return Writer().U64(height).Raw(block_hash).Take(); }

Result<BlockRequestMsg> BlockRequestMsg::Decode(ByteView body) {
  Reader r(body);
  BlockRequestMsg m;
  m.height = r.U64();
  m.block_hash = r.Fixed<32>();
  LIC_RETURN_IF_ERROR(r.Finish("BlockRequest"));
  return m;
}

Bytes BlockResponseMsg::Encode() const { return Writer().Var(block.Encode()).Take(); }

Result<BlockResponseMsg> BlockResponseMsg::Decode(ByteView body) {
  Reader r(body);
  Bytes block = r.Var();
  LIC_RETURN_IF_ERROR(r.Finish("BlockResponse"));
  BlockResponseMsg m;
  LIC_ASSIGN_OR_RETURN(m.block, Block::Decode(block));
  return m;
}

SignedMessage StripPrePrepare(const SignedMessage& m) {
  auto pp = PrePrepareMsg::Decode(m.body);
  if (!pp.ok() || pp->stripped()) return m;
  pp->block.txs.clear();
  SignedMessage out = m;
  out.body = pp->Encode();
  return out;
}

Bytes PrePrepareMsg::Encode() const { return Writer().U64(view).Var(block.Encode()).Take(); }

Result<PrePrepareMsg> PrePrepareMsg::Decode(ByteView body) {
  Reader r(body);
  PrePrepareMsg m;
  m.view = r.U64();
  Bytes block = r.Var();
  LIC_RETURN_IF_ERROR(r.Finish("PrePrepare"));
  LIC_ASSIGN_OR_RETURN(m.block, Block::Decode(block));
  return m;
}

Bytes VoteMsg::Encode() const { return CommitVoteBody(view, height, block_hash); }

Result<VoteMsg> VoteMsg::Decode(ByteView body) {
  Reader r(body);
  VoteMsg m;
  m.view = r.U64();
  m.height = r.U64();
  m.block_hash = r.Fixed<32>();
  LIC_RETURN_IF_ERROR(r.Finish("vote"));
  return m;
}

Bytes CheckpointMsg::Encode() const {
  return Writer().U64(height).Raw(block_hash).Raw(state_root).Take();
}

Result<CheckpointMsg> CheckpointMsg::Decode(ByteView body) {
  Reader r(body);
  CheckpointMsg m;
  m.height = r.U64();
  m.block_hash = r.Fixed<32>();
  m.state_root = r.Fixed<32>();
  LIC_RETURN_IF_ERROR(r.Finish("Checkpoint"));
  return m;
}

void PreparedCert::EncodeTo(Writer& w) const {
  w.Var(pre_prepare.Encode());
  w.U32(static_cast<uint32_t>(prepares.size()));
  for (const SignedMessage& p : prepares) w.Var(p.Encode());
}

Bytes PreparedCert::Encode() const {
  Writer w;
  EncodeTo(w);
  return w.Take();
}

namespace {
Result<PreparedCert> ReadPreparedCert(Reader& r) {
  PreparedCert c;
  LIC_ASSIGN_OR_RETURN(c.pre_prepare, ReadNested(r, MsgType::kPrePrepare, "prepared cert"));
  LIC_ASSIGN_OR_RETURN(uint32_t n, ReadCount(r, 4 + kMinSignedMessage, "prepared cert"));
  for (uint32_t i = 0; i < n; ++i) {
    LIC_ASSIGN_OR_RETURN(SignedMessage p, ReadNested(r, MsgType::kPrepare, "prepared cert"));
    c.prepares.push_back(std::move(p));
  }
  return c;
}
}  // namespace

Result<PreparedCert> PreparedCert::Decode(ByteView data) {
  Reader r(data);
  LIC_ASSIGN_OR_RETURN(PreparedCert c, ReadPreparedCert(r));
  LIC_RETURN_IF_ERROR(r.Finish("prepared cert"));
  return c;
}

Bytes ViewChangeMsg::Encode() const {
  Writer w;
  w.U64(new_view).U64(checkpoint.height).Raw(checkpoint.block_hash).Raw(checkpoint.state_root);
  w.U32(static_cast<uint32_t>(checkpoint_proof.size()));
  for (const SignedMessage& m : checkpoint_proof) w.Var(m.Encode());
  w.U32(static_cast<uint32_t>(prepared.size()));
  for (const PreparedCert& c : prepared) c.EncodeTo(w);
  return w.Take();
}

Result<ViewChangeMsg> ViewChangeMsg::Decode(ByteView body) {
  Reader r(body);
  ViewChangeMsg m;
  m.new_view = r.U64();
  m.checkpoint.height = r.U64();
  m.checkpoint.block_hash = r.Fixed<32>();
  m.checkpoint.state_root = r.Fixed<32>();
  LIC_ASSIGN_OR_RETURN(uint32_t np, ReadCount(r, 4 + kMinSignedMessage, "ViewChange proof"));
  for (uint32_t i = 0; i < np; ++i) {
    LIC_ASSIGN_OR_RETURN(SignedMessage c, ReadNested(r, MsgType::kCheckpoint, "ViewChange"));
    m.checkpoint_proof.push_back(std::move(c));
  }
  LIC_ASSIGN_OR_RETURN(uint32_t nc, ReadCount(r, 8 + kMinSignedMessage, "ViewChange prepared"));
  for (uint32_t i = 0; i < nc; ++i) {
    LIC_ASSIGN_OR_RETURN(PreparedCert c, ReadPreparedCert(r));
    m.prepared.push_back(std::move(c));
  }
  LIC_RETURN_IF_ERROR(r.Finish("ViewChange"));
  return m;
}

Bytes NewViewMsg::Encode() const {
  Writer w;
  w.U64(view).U32(static_cast<uint32_t>(view_changes.size()));
  for (const SignedMessage& m : view_changes) w.Var(m.Encode());
  w.U32(static_cast<uint32_t>(pre_prepares.size()));
  for (const SignedMessage& m : pre_prepares) w.Var(m.Encode());
  return w.Take();
}

Result<NewViewMsg> NewViewMsg::Decode(ByteView body) {
  Reader r(body);
  NewViewMsg m;
  m.view = r.U64();
  LIC_ASSIGN_OR_RETURN(uint32_t nv, ReadCount(r, 4 + kMinSignedMessage, "NewView"));
  for (uint32_t i = 0; i < nv; ++i) {
    LIC_ASSIGN_OR_RETURN(SignedMessage v, ReadNested(r, MsgType::kViewChange, "NewView"));
    m.view_changes.push_back(std::move(v));
  }
  LIC_ASSIGN_OR_RETURN(uint32_t np, ReadCount(r, 4 + kMinSignedMessage, "NewView"));
  for (uint32_t i = 0; i < np; ++i) {
    LIC_ASSIGN_OR_RETURN(SignedMessage p, ReadNested(r, MsgType::kPrePrepare, "NewView"));
    m.pre_prepares.push_back(std::move(p));
  }
  LIC_RETURN_IF_ERROR(r.Finish("NewView"));
  return m;
}

Bytes StatusMsg::Encode() const {
  return Writer()
      .U64(view)
      .U8(in_view_change ? 1 : 0)
      .U64(executed_height)
      .U64(stable_checkpoint)
      .Take();
}

Result<StatusMsg> StatusMsg::Decode(ByteView body) {
  Reader r(body);
  StatusMsg m;
  m.view = r.U64();
  uint8_t flag = r.U8();
  m.executed_height = r.U64();
  m.stable_checkpoint = r.U64();
  LIC_RETURN_IF_ERROR(r.Finish("Status"));
  if (flag > 1) return Status::InvalidArgument("Status: in_view_change must be 0 or 1");
  m.in_view_change = flag == 1;
  return m;
}

namespace {

Status VerifyNested(const ValidatorSet& vs, const SignedMessage& m, const SignatureVerifier& verify,
                    int depth);

Status VerifyViewChangeBody(const ValidatorSet& vs, ByteView body,
                            const SignatureVerifier& verify) {
  LIC_ASSIGN_OR_RETURN(ViewChangeMsg vc, ViewChangeMsg::Decode(body));
  for (const SignedMessage& c : vc.checkpoint_proof) LIC_RETURN_IF_ERROR(c.Verify(vs, verify));
  for (const PreparedCert& c : vc.prepared) {
    LIC_RETURN_IF_ERROR(c.pre_prepare.Verify(vs, verify));
    for (const SignedMessage& p : c.prepares) LIC_RETURN_IF_ERROR(p.Verify(vs, verify));
  }
  return Status::Ok();
}

Status VerifyNested(const ValidatorSet& vs, const SignedMessage& m, const SignatureVerifier& verify,
                    int depth) {
  LIC_RETURN_IF_ERROR(m.Verify(vs, verify));
  if (m.type == MsgType::kViewChange) return VerifyViewChangeBody(vs, m.body, verify);
  if (m.type == MsgType::kNewView && depth == 0) {
    LIC_ASSIGN_OR_RETURN(NewViewMsg nv, NewViewMsg::Decode(m.body));
    for (const SignedMessage& v : nv.view_changes) {
      LIC_RETURN_IF_ERROR(VerifyNested(vs, v, verify, depth + 1));
    }
    for (const SignedMessage& p : nv.pre_prepares) LIC_RETURN_IF_ERROR(p.Verify(vs, verify));
  }
  return Status::Ok();
}

}  // namespace

Status VerifyMessageSignatures(const ValidatorSet& validators, ByteView message,
                               const SignatureVerifier& verify) {
  LIC_ASSIGN_OR_RETURN(SignedMessage m, SignedMessage::Decode(message));
  return VerifyNested(validators, m, verify, 0);
}

Status VerifyMessageSignatures(const ValidatorSet& validators, const SignedMessage& message,
                               const SignatureVerifier& verify) {
  return VerifyNested(validators, message, verify, 0);
}

std::vector<Bytes> CarriedTxs(ByteView message) {
  auto m = SignedMessage::Decode(message);
  if (!m.ok()) return {};
  return CarriedTxs(*m);
}

std::vector<Bytes> CarriedTxs(const SignedMessage& message) {
  const SignedMessage* m = &message;
  switch (m->type) {
    case MsgType::kRequest: {
      auto r = RequestMsg::Decode(m->body);
      if (r.ok()) return {std::move(r->tx)};
      break;
    }
    case MsgType::kRequestBatch: {
      auto r = RequestBatchMsg::Decode(m->body);
      if (r.ok()) return std::move(r->txs);
      break;
    }
    case MsgType::kPrePrepare: {
      auto r = PrePrepareMsg::Decode(m->body);
      if (r.ok()) return std::move(r->block.txs);
      break;
    }
    case MsgType::kBlockResponse: {
      auto r = BlockResponseMsg::Decode(m->body);
      if (r.ok()) return std::move(r->block.txs);
      break;
    }
    default:
      break;
  }
  return {};
}

Bytes CheckpointProof::Encode() const {
  Writer w;
  w.Var(checkpoint.Encode()).U32(static_cast<uint32_t>(messages.size()));
  for (const SignedMessage& m : messages) w.Var(m.Encode());
  return w.Take();
}

Result<CheckpointProof> CheckpointProof::Decode(ByteView data) {
  Reader r(data);
  CheckpointProof p;
  Bytes ck = r.Var();
  LIC_ASSIGN_OR_RETURN(uint32_t n, ReadCount(r, 4 + kMinSignedMessage, "checkpoint proof"));
  for (uint32_t i = 0; i < n; ++i) {
    LIC_ASSIGN_OR_RETURN(SignedMessage m, ReadNested(r, MsgType::kCheckpoint, "checkpoint proof"));
    p.messages.push_back(std::move(m));
  }
  LIC_RETURN_IF_ERROR(r.Finish("checkpoint proof"));
  LIC_ASSIGN_OR_RETURN(p.checkpoint, CheckpointMsg::Decode(ck));
  return p;
}

Status VerifyStateCertificate(const ValidatorSet& validators, const CheckpointProof& proof,
                              const SignatureVerifier& verify) {
  const Bytes body = proof.checkpoint.Encode();
  std::set<ReplicaId> signers;
  for (const SignedMessage& m : proof.messages) {
    if (m.type != MsgType::kCheckpoint || m.body != body) {
      return Status::InvalidArgument("state certificate: a vote is for another state");
    }
    LIC_RETURN_IF_ERROR(m.Verify(validators, verify));
    if (!signers.insert(m.sender).second) {
      return Status::InvalidArgument("state certificate: duplicate signer " +
                                     std::to_string(m.sender));
    }
  }
  if (signers.size() < validators.quorum()) {
    return Status::InvalidArgument("state certificate: " + std::to_string(signers.size()) +
                                   " signers, " + std::to_string(validators.quorum()) + " needed");
  }
  return Status::Ok();
}

}  // namespace licenced::consensus
