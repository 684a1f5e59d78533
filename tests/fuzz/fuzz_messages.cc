// Fuzz target: consensus/messages.h (every PBFT message a peer can send).
// The first byte picks the decoder: 0 SignedMessage and its typed body,
// 1 CheckpointProof (persisted; also as a state certificate), 2 PreparedCert.
// Invariants:
// Decode(x) ok => Encode(Decode(x)) == x at every level (envelope, body,
// nested messages, RequestBatch, BlockRequest, BlockResponse); Verify()
// against the fixed 4-validator set succeeds only for a known sender whose
// key produced exactly this signature, and never for the same message with
// another type, sender or signed part; a PrePrepare's signature survives
// StripPrePrepare (digest form) and covers its header; RequestBatch decoding
// never yields 0 or more than kMaxRequestBatchTxs txs; VerifyMessageSignatures
// ok implies Verify ok, and nested signatures all verify.
#include <set>

#include "consensus/messages.h"
#include "fuzz_common.h"

using namespace licenced;
using namespace licenced::consensus;

namespace {
const ValidatorSet& Validators() {
  static const ValidatorSet set = [] {
    ValidatorSet s;
    for (uint32_t i = 0; i < fuzz::kValidators; ++i)
      s.keys.push_back(fuzz::ValidatorKey(i).public_key());
    return s;
  }();
  return set;
}

void CheckSigned(const SignedMessage& m);

template <typename T>
void RoundTrip(const Bytes& body, const char* what) {
  auto v = T::Decode(body);
  if (v.ok()) FUZZ_CHECK(v->Encode() == body, std::string(what) + ": Encode(Decode(x)) != x");
}

void CheckSigned(const SignedMessage& m) {
  Bytes enc = m.Encode();
  auto again = SignedMessage::Decode(enc);
  FUZZ_CHECK(again.ok() && *again == m, "SignedMessage: decode of own encoding differs");
  if (m.Verify(Validators(), nullptr).ok()) {
    FUZZ_CHECK(m.sender < fuzz::kValidators, "SignedMessage: unknown sender verified");
    auto part = SignedPart(m.type, m.body);
    FUZZ_CHECK(part.has_value(), "SignedMessage: verified without a signed part");
    FUZZ_CHECK(fuzz::ValidatorKey(m.sender).Sign(TagFor(m.type), *part) == m.signature,
               "SignedMessage: accepted a signature the validator did not make");
    SignedMessage other = m;
    other.type = m.type == MsgType::kPrepare ? MsgType::kCommit : MsgType::kPrepare;
    FUZZ_CHECK(!other.Verify(Validators(), nullptr).ok(),
               "SignedMessage: verifies as another type");
    other = m;
    other.sender = (m.sender + 1) % fuzz::kValidators;
    FUZZ_CHECK(!other.Verify(Validators(), nullptr).ok(),
               "SignedMessage: verifies as another sender");
    other = m;
    if (m.type == MsgType::kPrePrepare) {
      other.body[12] ^= 1;  // first header byte (after view u64 and the u32 length)
    } else {
      other.body.push_back(0);
    }
    FUZZ_CHECK(!other.Verify(Validators(), nullptr).ok(),
               "SignedMessage: verifies with another signed part");
    if (m.type == MsgType::kPrePrepare && PrePrepareMsg::Decode(m.body).ok()) {
      SignedMessage stripped = StripPrePrepare(m);
      FUZZ_CHECK(stripped.Verify(Validators(), nullptr).ok(),
                 "PrePrepare: signature lost by stripping the txs");
      auto sp = PrePrepareMsg::Decode(stripped.body);
      FUZZ_CHECK(sp.ok() && sp->stripped(), "PrePrepare: stripped form does not decode");
      FUZZ_CHECK(sp->block.header == PrePrepareMsg::Decode(m.body)->block.header,
                 "PrePrepare: stripping changed the header");
    }
  }
  Bytes wire = m.Encode();
  if (VerifyMessageSignatures(Validators(), wire).ok()) {
    FUZZ_CHECK(m.Verify(Validators(), nullptr).ok(),
               "VerifyMessageSignatures ok but the envelope does not verify");
  }
  switch (m.type) {
    case MsgType::kRequest:
      RoundTrip<RequestMsg>(m.body, "Request");
      break;
    case MsgType::kPrePrepare:
      RoundTrip<PrePrepareMsg>(m.body, "PrePrepare");
      break;
    case MsgType::kPrepare:
    case MsgType::kCommit:
      RoundTrip<VoteMsg>(m.body, "Vote");
      break;
    case MsgType::kCheckpoint:
      RoundTrip<CheckpointMsg>(m.body, "Checkpoint");
      break;
    case MsgType::kViewChange: {
      RoundTrip<ViewChangeMsg>(m.body, "ViewChange");
      auto vc = ViewChangeMsg::Decode(m.body);
      if (vc.ok()) {
        for (const SignedMessage& c : vc->checkpoint_proof) CheckSigned(c);
        for (const PreparedCert& p : vc->prepared) {
          CheckSigned(p.pre_prepare);
          for (const SignedMessage& q : p.prepares) CheckSigned(q);
        }
      }
      break;
    }
    case MsgType::kNewView: {
      RoundTrip<NewViewMsg>(m.body, "NewView");
      auto nv = NewViewMsg::Decode(m.body);
      if (nv.ok()) {
        for (const SignedMessage& v : nv->view_changes) CheckSigned(v);
        for (const SignedMessage& p : nv->pre_prepares) CheckSigned(p);
      }
      break;
    }
    case MsgType::kStatus:
      RoundTrip<StatusMsg>(m.body, "Status");
      break;
    case MsgType::kRequestBatch: {
      RoundTrip<RequestBatchMsg>(m.body, "RequestBatch");
      auto rb = RequestBatchMsg::Decode(m.body);
      if (rb.ok()) {
        FUZZ_CHECK(!rb->txs.empty() && rb->txs.size() <= kMaxRequestBatchTxs,
                   "RequestBatch: tx count out of bounds");
        FUZZ_CHECK(m.body.size() <= kMaxRequestBatchBytes, "RequestBatch: oversize accepted");
        FUZZ_CHECK(CarriedTxs(m.Encode()) == rb->txs, "CarriedTxs differs from the batch");
      }
      break;
    }
    case MsgType::kBlockRequest:
      RoundTrip<BlockRequestMsg>(m.body, "BlockRequest");
      break;
    case MsgType::kBlockResponse:
      RoundTrip<BlockResponseMsg>(m.body, "BlockResponse");
      break;
  }
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  if (size == 0) return 0;
  uint8_t which = data[0] % 3;
  const Bytes input(data + 1, data + size);
  if (which == 0) {
    auto m = SignedMessage::Decode(input);
    if (!m.ok()) return 0;
    FUZZ_CHECK(m->Encode() == input, "SignedMessage: Encode(Decode(x)) != x");
    CheckSigned(*m);
  } else if (which == 1) {
    auto p = CheckpointProof::Decode(input);
    if (!p.ok()) return 0;
    FUZZ_CHECK(p->Encode() == input, "CheckpointProof: Encode(Decode(x)) != x");
    for (const SignedMessage& m : p->messages) CheckSigned(m);
    // As a state certificate: valid only with 2f+1 distinct validators that
    // each signed exactly this state.
    if (VerifyStateCertificate(Validators(), *p).ok()) {
      std::set<ReplicaId> signers;
      const Bytes body = p->checkpoint.Encode();
      for (const SignedMessage& m : p->messages) {
        FUZZ_CHECK(m.type == MsgType::kCheckpoint && m.body == body,
                   "state certificate: a vote for another state counted");
        FUZZ_CHECK(m.Verify(Validators(), nullptr).ok(),
                   "state certificate: an unverified vote counted");
        signers.insert(m.sender);
      }
      FUZZ_CHECK(signers.size() == p->messages.size() && signers.size() >= Validators().quorum(),
                 "state certificate: fewer than 2f+1 distinct signers");
    }
  } else {
    auto c = PreparedCert::Decode(input);
    if (!c.ok()) return 0;
    FUZZ_CHECK(c->Encode() == input, "PreparedCert: Encode(Decode(x)) != x");
    CheckSigned(c->pre_prepare);
    for (const SignedMessage& m : c->prepares) CheckSigned(m);
  }
  return 0;
}
