// A client transaction: a signed call of one chaincode method.
//
// Signed bytes (tag "licenced/tx/v1", see docs/encoding.md), in this order:
//   network_id (str), chaincode (str), method (str), args (var bytes),
//   submitter (32 raw bytes), nonce (u64).
// The transaction id is SHA-256 of those signed bytes, so the same call with
// the same nonce always has the same id (replays are detected by id).
#pragma once

#include <string>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace licenced {

inline constexpr std::string_view kTxSigningTag = "licenced/tx/v1";
// Upper bound on an encoded transaction; larger ones are rejected on decode.
inline constexpr size_t kMaxTransactionBytes = 256 * 1024;

struct Transaction {
  std::string network_id;  // genesis network name; stops replays across networks
  std::string chaincode;   // e.g. "identity", "licence", "workflow"
  std::string method;      // e.g. "enrol_clerk"
  Bytes args;              // method arguments, UTF-8 JSON
  crypto::PublicKey submitter{};
  uint64_t nonce = 0;
  crypto::Signature signature{};

  // The canonical body covered by the signature (without the tag).
  Bytes SigningBody() const;
  Hash Id() const;
  void SignWith(const crypto::KeyPair& key);
  bool VerifySignature() const;

  // Full encoding: SigningBody() followed by the 64-byte signature.
  Bytes Encode() const;
  static Result<Transaction> Decode(ByteView data);

  bool operator==(const Transaction&) const = default;
};

}  // namespace licenced
