#include "core/data_integrity.h"

#include <sodium.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <cstring>

#include "core/canonical_json.h"

namespace licenced::data_integrity {
namespace {

using json = nlohmann::json;

constexpr char kBase58Alphabet[] = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";
constexpr uint8_t kEd25519PubCodec[] = {0xed, 0x01};  // multicodec ed25519-pub, varint
constexpr std::string_view kDidKeyPrefix = "did:key:";

// Civil date from days since 1970-01-01 and back (H. Hinnant's algorithms).
void CivilFromDays(int64_t z, int64_t& y, unsigned& m, unsigned& d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  d = doy - (153 * mp + 2) / 5 + 1;
  m = mp < 10 ? mp + 3 : mp - 9;
  y = static_cast<int64_t>(yoe) + era * 400 + (m <= 2);
}

int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

Result<std::string> JcsText(const json& j) { return Jcs(j); }

// SHA-256(JCS(proof options)) || SHA-256(JCS(document)).
Result<Bytes> HashData(const json& proof_options, const json& document) {
  LIC_ASSIGN_OR_RETURN(const std::string p, JcsText(proof_options));
  LIC_ASSIGN_OR_RETURN(const std::string d, JcsText(document));
  const Hash hp = crypto::Sha256(AsBytes(p));
  const Hash hd = crypto::Sha256(AsBytes(d));
  Bytes out(hp.begin(), hp.end());
  out.insert(out.end(), hd.begin(), hd.end());
  return out;
}

}  // namespace

// ---- encodings ----

std::string Base58btcEncode(ByteView data) {
  size_t zeros = 0;
  while (zeros < data.size() && data[zeros] == 0) ++zeros;
  std::vector<uint8_t> digits;  // base 58, least significant first
  for (size_t i = zeros; i < data.size(); ++i) {
    uint32_t carry = data[i];
    for (uint8_t& d : digits) {
      carry += static_cast<uint32_t>(d) << 8;
      d = static_cast<uint8_t>(carry % 58);
      carry /= 58;
    }
    while (carry > 0) {
      digits.push_back(static_cast<uint8_t>(carry % 58));
      carry /= 58;
    }
  }
  std::string out(zeros, '1');
  for (auto it = digits.rbegin(); it != digits.rend(); ++it) out.push_back(kBase58Alphabet[*it]);
  return out;
}

Result<Bytes> Base58btcDecode(std::string_view text) {
  size_t zeros = 0;
  while (zeros < text.size() && text[zeros] == '1') ++zeros;
  std::vector<uint8_t> bytes;  // base 256, least significant first
  for (size_t i = zeros; i < text.size(); ++i) {
    const char* p = std::strchr(kBase58Alphabet, text[i]);
    if (p == nullptr || text[i] == '\0') {
      return Status::InvalidArgument("base58btc: invalid character");
    }
    uint32_t carry = static_cast<uint32_t>(p - kBase58Alphabet);
    for (uint8_t& b : bytes) {
      carry += static_cast<uint32_t>(b) * 58;
      b = static_cast<uint8_t>(carry & 0xff);
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push_back(static_cast<uint8_t>(carry & 0xff));
      carry >>= 8;
    }
  }
  Bytes out(zeros, 0);
  out.insert(out.end(), bytes.rbegin(), bytes.rend());
  return out;
}

std::string Base64UrlEncode(ByteView data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_URLSAFE_NO_PADDING),
                  '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::strlen(out.c_str()));
  return out;
}

Result<Bytes> Base64UrlDecode(std::string_view text) {
  Bytes out(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument("not base64url (RFC 4648 §5, unpadded)");
  }
  out.resize(len);
  return out;
}

std::string DidKey(const crypto::PublicKey& key) {
  Bytes mc(std::begin(kEd25519PubCodec), std::end(kEd25519PubCodec));
  mc.insert(mc.end(), key.begin(), key.end());
  return std::string(kDidKeyPrefix) + "z" + Base58btcEncode(mc);
}

Result<crypto::PublicKey> PublicKeyFromDidKey(std::string_view did) {
  if (did.substr(0, kDidKeyPrefix.size()) != kDidKeyPrefix || did.size() <= kDidKeyPrefix.size() ||
      did[kDidKeyPrefix.size()] != 'z') {
    return Status::InvalidArgument("not a did:key with a base58btc key ('did:key:z...')");
  }
  LIC_ASSIGN_OR_RETURN(const Bytes mc, Base58btcDecode(did.substr(kDidKeyPrefix.size() + 1)));
  if (mc.size() != 2 + crypto::kPublicKeySize || mc[0] != kEd25519PubCodec[0] ||
      mc[1] != kEd25519PubCodec[1]) {
    return Status::InvalidArgument("the did:key is not an Ed25519 public key (0xed01 + 32 bytes)");
  }
  crypto::PublicKey key;
  std::copy(mc.begin() + 2, mc.end(), key.begin());
  if (DidKey(key) != did) return Status::InvalidArgument("the did:key is not canonical");
  return key;
}

std::string VerificationMethodId(const crypto::PublicKey& key) {
  const std::string did = DidKey(key);
  return did + "#" + did.substr(kDidKeyPrefix.size());
}

std::string IsoTime(uint64_t ms) {
  const auto secs = static_cast<int64_t>(ms / 1000);
  int64_t y = 0;
  unsigned mo = 0, d = 0;
  CivilFromDays(secs / 86400, y, mo, d);
  const int64_t rem = secs % 86400;
  // core links no formatting library: snprintf (the year is at most 5 digits here).
  char buf[40];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02lld:%02lld:%02lld", static_cast<long long>(y),
                mo, d, static_cast<long long>(rem / 3600), static_cast<long long>(rem / 60 % 60),
                static_cast<long long>(rem % 60));
  std::string out = buf;
  if (ms % 1000 != 0) {
    std::snprintf(buf, sizeof buf, ".%03u", static_cast<unsigned>(ms % 1000));
    out += buf;
  }
  return out + "Z";
}

Result<uint64_t> ParseIsoTime(std::string_view t) {
  auto num = [&](size_t at, size_t len, unsigned& v) {
    if (at + len > t.size()) return false;
    auto r = std::from_chars(t.data() + at, t.data() + at + len, v);
    return r.ec == std::errc() && r.ptr == t.data() + at + len;
  };
  unsigned y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0, ms = 0;
  const bool base = t.size() >= 20 && num(0, 4, y) && t[4] == '-' && num(5, 2, mo) && t[7] == '-' &&
                    num(8, 2, d) && t[10] == 'T' && num(11, 2, h) && t[13] == ':' &&
                    num(14, 2, mi) && t[16] == ':' && num(17, 2, s);
  bool ok = base && ((t.size() == 20 && t[19] == 'Z') ||
                     (t.size() == 24 && t[19] == '.' && num(20, 3, ms) && t[23] == 'Z'));
  if (!ok || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 59) {
    return Status::InvalidArgument("expected a UTC time YYYY-MM-DDTHH:MM:SS[.mmm]Z");
  }
  const int64_t days = DaysFromCivil(y, mo, d);
  const uint64_t out =
      (static_cast<uint64_t>(days) * 86400 + h * 3600ull + mi * 60ull + s) * 1000 + ms;
  if (IsoTime(out) != t) return Status::InvalidArgument("not a valid calendar date");
  return out;
}

// ---- Data Integrity ----

Result<json> AddProof(json document, const crypto::KeyPair& key, uint64_t created_ms) {
  if (!document.is_object()) return Status::InvalidArgument("a credential is a JSON object");
  if (document.contains("proof"))
    return Status::InvalidArgument("the document already has a proof");
  json proof = {{"type", "DataIntegrityProof"},
                {"cryptosuite", kCryptosuite},
                {"created", IsoTime(created_ms / 1000 * 1000)},
                {"verificationMethod", VerificationMethodId(key.public_key())},
                {"proofPurpose", "assertionMethod"}};
  if (document.contains("@context")) proof["@context"] = document["@context"];
  LIC_ASSIGN_OR_RETURN(const Bytes data, HashData(proof, document));
  const crypto::Signature sig = key.SignRaw(data);
  proof["proofValue"] = "z" + Base58btcEncode(ByteView(sig.data(), sig.size()));
  document["proof"] = std::move(proof);
  return document;
}

Status VerifyProof(const json& secured, const crypto::PublicKey& key) {
  if (!secured.is_object() || !secured.contains("proof") || !secured["proof"].is_object()) {
    return Status::InvalidArgument("no proof object");
  }
  json proof = secured["proof"];
  json document = secured;
  document.erase("proof");
  auto field = [&](const char* name) -> std::string {
    return proof.contains(name) && proof[name].is_string() ? proof[name].get<std::string>() : "";
  };
  if (field("type") != "DataIntegrityProof" || field("cryptosuite") != kCryptosuite) {
    return Status::InvalidArgument("the proof is not a DataIntegrityProof with eddsa-jcs-2022");
  }
  if (field("proofPurpose") != "assertionMethod") {
    return Status::InvalidArgument("the proof's purpose is not assertionMethod");
  }
  if (field("verificationMethod") != VerificationMethodId(key)) {
    return Status::InvalidArgument("the proof's verification method is not the issuer's key");
  }
  if (field("created").empty() || !ParseIsoTime(field("created")).ok()) {
    return Status::InvalidArgument("the proof's created time is missing or malformed");
  }
  const std::string value = field("proofValue");
  if (value.empty() || value[0] != 'z') {
    return Status::InvalidArgument("the proofValue is not base58btc multibase");
  }
  auto sig_bytes = Base58btcDecode(std::string_view(value).substr(1));
  if (!sig_bytes.ok() || sig_bytes->size() != crypto::kSignatureSize) {
    return Status::InvalidArgument("the proofValue is not a 64-byte signature");
  }
  if (proof.contains("@context")) {
    const json pc =
        proof["@context"].is_array() ? proof["@context"] : json::array({proof["@context"]});
    const json dc = document.contains("@context") && document["@context"].is_array()
                        ? document["@context"]
                        : json::array({document.value("@context", json())});
    for (size_t i = 0; i < pc.size(); ++i) {
      if (i >= dc.size() || pc[i] != dc[i]) {
        return Status::InvalidArgument("the document's @context does not start with the proof's");
      }
    }
    document["@context"] = proof["@context"];
  }
  proof.erase("proofValue");
  LIC_ASSIGN_OR_RETURN(const Bytes data, HashData(proof, document));
  crypto::Signature sig;
  std::copy(sig_bytes->begin(), sig_bytes->end(), sig.begin());
  if (!crypto::VerifyRaw(key, data, sig)) {
    return Status::InvalidArgument("the proof's signature does not verify");
  }
  return Status::Ok();
}

}  // namespace licenced::data_integrity
