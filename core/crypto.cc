#include "core/crypto.h"
#include "core/op_counters.h"

// SHA-256 is OpenSSL's low-level API: it picks the CPU's SHA extensions
// (or AVX2) at run time, about 5x libsodium's portable C on the hashes of
// the state map, transaction ids and Merkle trees, which were an eighth of a
// node's CPU. Signatures and boxes stay libsodium's. The low-level API is
// deprecated in OpenSSL 3 in favour of EVP, whose per-call provider lookup
// costs more than hashing the 64-100 bytes of a tree node.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>
#include <sodium.h>

#include <cstring>

#include "core/encoding.h"

namespace licenced::crypto {

static_assert(sizeof(SHA256_CTX) <= 128 && alignof(SHA256_CTX) <= 16);
static_assert(crypto_sign_PUBLICKEYBYTES == kPublicKeySize);
static_assert(crypto_sign_SECRETKEYBYTES == kSecretKeySize);
static_assert(crypto_sign_BYTES == kSignatureSize);
static_assert(crypto_box_PUBLICKEYBYTES == 32 && crypto_box_SECRETKEYBYTES == 32);

Status Init() {
  if (sodium_init() < 0) return Status::Internal("libsodium failed to initialise");
  return Status::Ok();
}

Hash Sha256(ByteView data) {
  Hash out;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  SHA256_Update(&ctx, data.data(), data.size());
  SHA256_Final(out.data(), &ctx);
  return out;
}

Sha256Hasher::Sha256Hasher() { SHA256_Init(reinterpret_cast<SHA256_CTX*>(state_.data())); }

Sha256Hasher& Sha256Hasher::Update(ByteView data) {
  SHA256_Update(reinterpret_cast<SHA256_CTX*>(state_.data()), data.data(), data.size());
  return *this;
}

Hash Sha256Hasher::Final() {
  Hash out;
  SHA256_Final(out.data(), reinterpret_cast<SHA256_CTX*>(state_.data()));
  return out;
}

KeyPair KeyPair::Generate() {
  KeyPair k;
  crypto_sign_keypair(k.public_key_.data(), k.secret_key_.data());
  return k;
}

KeyPair KeyPair::FromSeed(const Seed& seed) {
  KeyPair k;
  crypto_sign_seed_keypair(k.public_key_.data(), k.secret_key_.data(), seed.data());
  return k;
}

KeyPair::KeyPair(const KeyPair& o) = default;
KeyPair& KeyPair::operator=(const KeyPair& o) = default;
KeyPair::~KeyPair() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Seed KeyPair::seed() const {
  Seed s;
  crypto_sign_ed25519_sk_to_seed(s.data(), secret_key_.data());
  return s;
}

Signature KeyPair::Sign(std::string_view tag, ByteView body) const {
  return SignRaw(SigningBytes(tag, body));
}

Signature KeyPair::SignRaw(ByteView message) const {
  Signature sig;
  crypto_sign_detached(sig.data(), nullptr, message.data(), message.size(), secret_key_.data());
  return sig;
}

Bytes SigningBytes(std::string_view tag, ByteView body) {
  Writer w;
  w.Str(tag).Raw(body);
  return w.Take();
}

bool Verify(const PublicKey& key, std::string_view tag, ByteView body, const Signature& sig) {
  return VerifyRaw(key, SigningBytes(tag, body), sig);
}

bool VerifyRaw(const PublicKey& key, ByteView message, const Signature& sig) {
  CountOp(Op::kSignatureVerify);
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), key.data()) == 0;
}

std::string KeyId(const PublicKey& key) {
  Hash h = Sha256(key);
  return ToHex(ByteView(h.data(), 8));
}

BoxKeyPair BoxKeyPair::Generate() {
  BoxKeyPair k;
  crypto_box_keypair(k.public_key_.data(), k.secret_key_.data());
  return k;
}

BoxKeyPair BoxKeyPair::FromSeed(const Seed& seed) {
  BoxKeyPair k;
  crypto_box_seed_keypair(k.public_key_.data(), k.secret_key_.data(), seed.data());
  return k;
}

BoxKeyPair::BoxKeyPair(const BoxKeyPair&) = default;
BoxKeyPair& BoxKeyPair::operator=(const BoxKeyPair&) = default;
BoxKeyPair::~BoxKeyPair() { sodium_memzero(secret_key_.data(), secret_key_.size()); }

Bytes SealedBoxEncrypt(const BoxPublicKey& recipient, ByteView plaintext) {
  Bytes out(plaintext.size() + crypto_box_SEALBYTES);
  crypto_box_seal(out.data(), plaintext.data(), plaintext.size(), recipient.data());
  return out;
}

Result<Bytes> SealedBoxDecrypt(const BoxKeyPair& recipient, ByteView ciphertext) {
  if (ciphertext.size() < crypto_box_SEALBYTES) {
    return Status::InvalidArgument("sealed box is shorter than its overhead");
  }
  Bytes out(ciphertext.size() - crypto_box_SEALBYTES);
  if (crypto_box_seal_open(out.data(), ciphertext.data(), ciphertext.size(),
                           recipient.public_key().data(), recipient.secret_key().data()) != 0) {
    return Status::PermissionDenied("sealed box cannot be opened with this key");
  }
  return out;
}

}  // namespace licenced::crypto
