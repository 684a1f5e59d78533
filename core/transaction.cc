#include "core/transaction.h"
#include "core/op_counters.h"

#include "core/encoding.h"

namespace licenced {

Bytes Transaction::SigningBody() const {
  Writer w;
  w.Str(network_id).Str(chaincode).Str(method).Var(args).Raw(submitter).U64(nonce);
  return w.Take();
}

Hash Transaction::Id() const {
  CountOp(Op::kTxIdHash);
  return crypto::Sha256(crypto::SigningBytes(kTxSigningTag, SigningBody()));
}

void Transaction::SignWith(const crypto::KeyPair& key) {
  submitter = key.public_key();
  signature = key.Sign(kTxSigningTag, SigningBody());
}

bool Transaction::VerifySignature() const {
  return crypto::Verify(submitter, kTxSigningTag, SigningBody(), signature);
}

Bytes Transaction::Encode() const {
  Writer w;
  w.Raw(SigningBody()).Raw(signature);
  return w.Take();
}

Result<Transaction> Transaction::Decode(ByteView data) {
  CountOp(Op::kTxDecode);
  if (data.size() > kMaxTransactionBytes) {
    return Status::InvalidArgument("transaction is larger than " +
                                   std::to_string(kMaxTransactionBytes) + " bytes");
  }
  Reader r(data);
  Transaction tx;
  tx.network_id = r.Str();
  tx.chaincode = r.Str();
  tx.method = r.Str();
  tx.args = r.Var();
  tx.submitter = r.Fixed<crypto::kPublicKeySize>();
  tx.nonce = r.U64();
  tx.signature = r.Fixed<crypto::kSignatureSize>();
  LIC_RETURN_IF_ERROR(r.Finish("transaction"));
  return tx;
}

}  // namespace licenced
