// W3C Data Integrity proofs with the eddsa-jcs-2022 cryptosuite (RFC 8785
// JCS, SHA-256, Ed25519) and the encodings they use: base58btc and base64url
// multibase, Ed25519 did:key identifiers and the UTC time stamps of
// credentials. Here in core, below both, because the chaincode checks the
// proof of a status list an org publishes on the ledger and proof/credential.h
// builds and checks credentials with the same functions.
//
// Pure functions over plain values (no clock, no I/O); thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/status.h"

namespace licenced::data_integrity {

inline constexpr std::string_view kCryptosuite = "eddsa-jcs-2022";

// ---- encodings ----
std::string Base58btcEncode(ByteView data);
Result<Bytes> Base58btcDecode(std::string_view text);
std::string Base64UrlEncode(ByteView data);  // RFC 4648 §5, no padding
Result<Bytes> Base64UrlDecode(std::string_view text);
// "did:key:z6Mk..." (multicodec ed25519-pub 0xed01 + key, base58btc multibase).
std::string DidKey(const crypto::PublicKey& key);
Result<crypto::PublicKey> PublicKeyFromDidKey(std::string_view did);
// did + "#" + the key's multibase: the Multikey verification method id.
std::string VerificationMethodId(const crypto::PublicKey& key);
// UTC, "YYYY-MM-DDTHH:MM:SSZ" (".mmm" before the Z when ms % 1000 != 0).
std::string IsoTime(uint64_t ms);
// Inverse of IsoTime for the forms it writes; InvalidArgument otherwise.
Result<uint64_t> ParseIsoTime(std::string_view text);

// ---- Data Integrity, eddsa-jcs-2022 ----
// Adds `proof` (DataIntegrityProof, proofPurpose assertionMethod, created,
// verificationMethod = VerificationMethodId(key), @context = the document's)
// signed over SHA-256(JCS(proof options)) || SHA-256(JCS(document)).
// InvalidArgument if the document already has a proof or is not JCS-able.
Result<nlohmann::json> AddProof(nlohmann::json document, const crypto::KeyPair& key,
                                uint64_t created_ms);
// The checks a stock eddsa-jcs-2022 verifier makes: the proof's fields, its
// verification method is `key`'s, the document's @context starts with the
// proof's, the signature. InvalidArgument naming the first failure.
Status VerifyProof(const nlohmann::json& secured, const crypto::PublicKey& key);

}  // namespace licenced::data_integrity
