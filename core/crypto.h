// Cryptographic primitives over libsodium: SHA-256, Ed25519 signatures with
// domain separation, X25519 sealed boxes, and key files.
//
// Signing rule: a signature never covers "some serialized message"; it covers
// SigningBytes(tag, body) where `tag` names what is being signed (for example
// "licenced/tx/v1") and `body` is the canonical encoding (core/encoding.h) of
// the fields listed in that type's documentation. See docs/encoding.md.
//
// All functions are thread-safe once Init() has returned OK.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace licenced::crypto {

constexpr size_t kPublicKeySize = 32;
constexpr size_t kSecretKeySize = 64;  // libsodium layout: seed || public key
constexpr size_t kSeedSize = 32;
constexpr size_t kSignatureSize = 64;

using PublicKey = std::array<uint8_t, kPublicKeySize>;
using Signature = std::array<uint8_t, kSignatureSize>;
using Seed = std::array<uint8_t, kSeedSize>;

// Initialises libsodium. Idempotent; call once at program start (tests and
// binaries do). Returns an error if libsodium cannot initialise.
Status Init();

Hash Sha256(ByteView data);

// Incremental SHA-256.
class Sha256Hasher {
 public:
  Sha256Hasher();
  Sha256Hasher& Update(ByteView data);
  Hash Final();

 private:
  alignas(16) std::array<uint8_t, 128> state_;  // OpenSSL SHA256_CTX
};

// An Ed25519 key pair. The secret key is wiped when the object is destroyed.
class KeyPair {
 public:
  // Fresh random key pair.
  static KeyPair Generate();
  // Deterministic key pair from a 32-byte seed (tests, simulator).
  static KeyPair FromSeed(const Seed& seed);

  KeyPair(const KeyPair&);
  KeyPair& operator=(const KeyPair&);
  ~KeyPair();

  const PublicKey& public_key() const { return public_key_; }
  // The 32-byte seed the secret key is derived from (what key files store).
  Seed seed() const;

  // Signs SigningBytes(tag, body).
  Signature Sign(std::string_view tag, ByteView body) const;
  // Signs raw bytes (RFC 8032 test vectors; do not use for protocol data).
  Signature SignRaw(ByteView message) const;

 private:
  KeyPair() = default;
  PublicKey public_key_{};
  std::array<uint8_t, kSecretKeySize> secret_key_{};
};

// "licenced/" never appears inside a tag; the tag is length-prefixed, so no
// (tag, body) pair can collide with another.
Bytes SigningBytes(std::string_view tag, ByteView body);

bool Verify(const PublicKey& key, std::string_view tag, ByteView body, const Signature& sig);
bool VerifyRaw(const PublicKey& key, ByteView message, const Signature& sig);

// Short printable id of a public key: first 8 bytes of SHA-256(key), hex.
std::string KeyId(const PublicKey& key);

// ---- Encryption to a department (X25519 sealed boxes) ----
using BoxPublicKey = std::array<uint8_t, 32>;

class BoxKeyPair {
 public:
  static BoxKeyPair Generate();
  static BoxKeyPair FromSeed(const Seed& seed);
  BoxKeyPair(const BoxKeyPair&);
  BoxKeyPair& operator=(const BoxKeyPair&);
  ~BoxKeyPair();

  const BoxPublicKey& public_key() const { return public_key_; }
  const std::array<uint8_t, 32>& secret_key() const { return secret_key_; }

 private:
  BoxKeyPair() = default;
  BoxPublicKey public_key_{};
  std::array<uint8_t, 32> secret_key_{};
};

// Anonymous encryption to `recipient`; only the holder of its secret key can open it.
Bytes SealedBoxEncrypt(const BoxPublicKey& recipient, ByteView plaintext);
Result<Bytes> SealedBoxDecrypt(const BoxKeyPair& recipient, ByteView ciphertext);

// ---- Key files ----
// A signing key file holds the Ed25519 seed, in clear or encrypted with a
// passphrase (crypto_pwhash argon2id + secretbox). Written with mode 0600; a
// file readable by group or others is refused on read. FILE.pub beside it holds
// the hex public key. Formats are documented in docs/keys.md.
Status WriteKeyFile(const std::string& path, const KeyPair& key,
                    const std::optional<std::string>& passphrase);
Result<KeyPair> ReadKeyFile(const std::string& path, const std::optional<std::string>& passphrase);
Status WritePublicKeyFile(const std::string& path, const PublicKey& key);
Result<PublicKey> ReadPublicKeyFile(const std::string& path);

}  // namespace licenced::crypto
