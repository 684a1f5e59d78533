// Crypto primitives: RFC 8032 Ed25519 known answers, domain-separated
// signing, SHA-256 known answers, sealed boxes.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "core/crypto.h"

namespace licenced::crypto {
namespace {

template <size_t N>
std::array<uint8_t, N> Fixed(std::string_view hex) {
  auto b = FromHex(hex);
  REQUIRE(b.ok());
  REQUIRE(b->size() == N);
  std::array<uint8_t, N> out;
  std::copy(b->begin(), b->end(), out.begin());
  return out;
}

TEST_CASE("crypto: RFC 8032 section 7.1 Ed25519 test vectors", "[crypto]") {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) +
                   "/tests/unit/core/testdata/rfc8032-ed25519.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  nlohmann::json v = nlohmann::json::parse(ss.str());
  size_t checked = 0;
  for (const auto& tc : v["vectors"]) {
    INFO(tc["name"].get<std::string>());
    KeyPair key = KeyPair::FromSeed(Fixed<kSeedSize>(tc["secret_key"].get<std::string>()));
    PublicKey want_public = Fixed<kPublicKeySize>(tc["public_key"].get<std::string>());
    Signature want_sig = Fixed<kSignatureSize>(tc["signature"].get<std::string>());
    Bytes message = *FromHex(tc["message"].get<std::string>());
    CHECK(key.public_key() == want_public);
    CHECK(key.seed() == Fixed<kSeedSize>(tc["secret_key"].get<std::string>()));
    CHECK(key.SignRaw(message) == want_sig);
    CHECK(VerifyRaw(want_public, message, want_sig));
    // Any flipped bit in the signature or message fails verification.
    Signature bad_sig = want_sig;
    bad_sig[checked % kSignatureSize] ^= 0x01;
    CHECK_FALSE(VerifyRaw(want_public, message, bad_sig));
    Bytes bad_msg = message;
    bad_msg.push_back(0x00);
    CHECK_FALSE(VerifyRaw(want_public, bad_msg, want_sig));
    ++checked;
  }
  CHECK(checked == 5);
}

TEST_CASE("crypto: signatures are domain separated by tag", "[crypto]") {
  KeyPair key = KeyPair::FromSeed(Seed{7});
  Bytes body = ToBytes("the same body");
  Signature sig = key.Sign("licenced/tx/v1", body);
  CHECK(Verify(key.public_key(), "licenced/tx/v1", body, sig));
  CHECK_FALSE(Verify(key.public_key(), "licenced/tx/v2", body, sig));
  CHECK_FALSE(Verify(key.public_key(), "licenced/commit/v1", body, sig));
  CHECK_FALSE(Verify(key.public_key(), "", body, sig));
  // The tag is not simply concatenated: moving bytes between tag and body changes the signed bytes.
  CHECK(SigningBytes("ab", ToBytes("c")) != SigningBytes("a", ToBytes("bc")));
  CHECK_FALSE(Verify(key.public_key(), "licenced/tx/v", ToBytes("1the same body"), sig));
  // Signing bytes are u32 big-endian tag length, tag, body.
  Bytes want{0, 0, 0, 2, 'a', 'b', 'c'};
  CHECK(SigningBytes("ab", ToBytes("c")) == want);
  // A raw signature over the body alone is not a tagged signature.
  CHECK_FALSE(VerifyRaw(key.public_key(), body, sig));
  // Another key's signature does not verify.
  KeyPair other = KeyPair::FromSeed(Seed{8});
  CHECK_FALSE(Verify(other.public_key(), "licenced/tx/v1", body, sig));
}

TEST_CASE("crypto: generated keys are distinct and round-trip through their seed", "[crypto]") {
  KeyPair a = KeyPair::Generate();
  KeyPair b = KeyPair::Generate();
  CHECK(a.public_key() != b.public_key());
  CHECK(KeyPair::FromSeed(a.seed()).public_key() == a.public_key());
  CHECK(KeyId(a.public_key()).size() == 16);
}

TEST_CASE("crypto: SHA-256 known answers", "[crypto]") {
  CHECK(ToHex(Sha256(ByteView())) ==
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  CHECK(ToHex(Sha256(AsBytes("abc"))) ==
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  CHECK(ToHex(Sha256(AsBytes("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"))) ==
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  std::string million(1000000, 'a');
  CHECK(ToHex(Sha256(AsBytes(million))) ==
        "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  // The incremental hasher agrees with the one-shot hash however the input is split.
  Sha256Hasher h;
  for (size_t i = 0; i < million.size(); i += 997) {
    h.Update(AsBytes(std::string_view(million).substr(i, 997)));
  }
  CHECK(ToHex(h.Final()) == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

TEST_CASE("crypto: sealed box round trip, other keys and tampering rejected", "[crypto]") {
  BoxKeyPair dept = BoxKeyPair::Generate();
  BoxKeyPair other = BoxKeyPair::Generate();
  Bytes plaintext = ToBytes("{\"name\":\"Zhang San\",\"id\":\"110101199003074578\"}");
  Bytes sealed = SealedBoxEncrypt(dept.public_key(), plaintext);
  CHECK(sealed.size() > plaintext.size());
  auto opened = SealedBoxDecrypt(dept, sealed);
  REQUIRE(opened.ok());
  CHECK(*opened == plaintext);
  // Each encryption is randomised.
  CHECK(SealedBoxEncrypt(dept.public_key(), plaintext) != sealed);
  // Wrong recipient.
  auto wrong = SealedBoxDecrypt(other, sealed);
  CHECK_FALSE(wrong.ok());
  CHECK(wrong.status().code() == StatusCode::kPermissionDenied);
  // Any flipped byte.
  for (size_t i = 0; i < sealed.size(); ++i) {
    Bytes bad = sealed;
    bad[i] ^= 0x20;
    REQUIRE_FALSE(SealedBoxDecrypt(dept, bad).ok());
  }
  // Truncated below the overhead.
  CHECK_FALSE(SealedBoxDecrypt(dept, ByteView(sealed.data(), 10)).ok());
  // Deterministic box keys from a seed.
  CHECK(BoxKeyPair::FromSeed(Seed{1}).public_key() == BoxKeyPair::FromSeed(Seed{1}).public_key());
  CHECK(BoxKeyPair::FromSeed(Seed{1}).public_key() != BoxKeyPair::FromSeed(Seed{2}).public_key());
}

}  // namespace
}  // namespace licenced::crypto
