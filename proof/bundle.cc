#include "proof/bundle.h"

#include <algorithm>

#include <sodium.h>

#include <nlohmann/json.hpp>

#include "chaincode/licence_status.h"
#include "core/encoding.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "proof/record_codec.h"

namespace licenced::proof {
namespace {

using json = nlohmann::json;

// Reads a var field and fails if it is longer than `max`.
Bytes BoundedVar(Reader& r, size_t max, bool* too_long) {
  Bytes v = r.Var();
  if (v.size() > max) *too_long = true;
  return v;
}

void WriteCert(Writer& w, const consensus::CommitCertificate& c) { w.Var(c.Encode()); }

void EncodeBundleTo(Writer& w, const Bundle& b) {
  w.Str(kBundleMagic).Str(b.licence_id).Var(b.record);
  const TxInclusion& t = b.issuance;
  w.Var(t.tx).U64(t.index).U64(t.tree_size).U32(static_cast<uint32_t>(t.path.size()));
  for (const Hash& h : t.path) w.Raw(h);
  w.Raw(t.header.Encode());
  WriteCert(w, t.certificate);
  if (!b.status) {
    w.U8(0);
  } else {
    const StatusEvidence& s = *b.status;
    w.U8(1).Raw(s.header.Encode());
    WriteCert(w, s.certificate);
    w.Var(s.value).Var(s.proof.Encode());
  }
}

Status Bad(const std::string& what) { return Status::InvalidArgument("proof bundle: " + what); }

Result<consensus::BlockHeader> ReadHeader(Reader& r) {
  auto raw = r.Fixed<consensus::BlockHeader::kEncodedSize>();
  if (!r.ok()) return Bad("truncated header");
  return consensus::BlockHeader::Decode(raw);
}

Result<consensus::CommitCertificate> ReadCert(Reader& r) {
  bool too_long = false;
  Bytes raw = BoundedVar(r, kMaxCertificateBytes, &too_long);
  if (!r.ok()) return Bad("truncated certificate");
  if (too_long) return Bad("certificate too large");
  LIC_ASSIGN_OR_RETURN(auto cert, consensus::CommitCertificate::Decode(raw));
  if (cert.Encode() != raw) return Bad("certificate is not canonically encoded");
  return cert;
}

Result<Bundle> DecodeBundleFrom(Reader& r) {
  Bundle b;
  if (r.Str() != kBundleMagic || !r.ok()) return Bad("not a licenced/proof/bundle/v1");
  bool too_long = false;
  b.licence_id = r.Str();
  if (b.licence_id.size() > 200) too_long = true;
  for (char c : b.licence_id) {
    if (c < 0x21 || c > 0x7e) return Bad("licence id must be printable ASCII");
  }
  b.record = BoundedVar(r, kMaxRecordBytes, &too_long);
  TxInclusion& t = b.issuance;
  t.tx = BoundedVar(r, kMaxTransactionBytes, &too_long);
  t.index = r.U64();
  t.tree_size = r.U64();
  uint32_t n = r.U32();
  if (!r.ok()) return Bad("truncated");
  if (too_long) return Bad("a field exceeds its size limit");
  if (n > kMaxAuditPath) return Bad("audit path too long");
  t.path.reserve(n);
  for (uint32_t i = 0; i < n; ++i) t.path.push_back(r.Fixed<32>());
  LIC_ASSIGN_OR_RETURN(t.header, ReadHeader(r));
  LIC_ASSIGN_OR_RETURN(t.certificate, ReadCert(r));
  uint8_t has_status = r.U8();
  if (!r.ok()) return Bad("truncated");
  if (has_status > 1) return Bad("status presence flag must be 0 or 1");
  if (has_status == 1) {
    StatusEvidence s;
    LIC_ASSIGN_OR_RETURN(s.header, ReadHeader(r));
    LIC_ASSIGN_OR_RETURN(s.certificate, ReadCert(r));
    s.value = BoundedVar(r, kMaxStatusValueBytes, &too_long);
    Bytes proof = BoundedVar(r, kMaxStateProofBytes, &too_long);
    if (!r.ok()) return Bad("truncated status evidence");
    if (too_long) return Bad("a status field exceeds its size limit");
    LIC_ASSIGN_OR_RETURN(s.proof, state::StateProof::Decode(proof));
    b.status = std::move(s);
  }
  return b;
}

// ---- format v2 (docs/proof-format.md §3.2) ----

constexpr uint8_t kRecordRaw = 0;
constexpr uint8_t kRecordCompact = 1;
constexpr size_t kMaxCertSignatures = 1024;

void U16(Writer& w, uint16_t v) { w.U8(static_cast<uint8_t>(v >> 8)).U8(static_cast<uint8_t>(v)); }
uint16_t ReadU16(Reader& r) {
  uint16_t hi = r.U8();
  return static_cast<uint16_t>(hi << 8 | r.U8());
}

// The presence proof without its terminal: u16 depth || bitmap || non-empty siblings.
void WritePathOnly(Writer& w, const state::StateProof& p) {
  Bytes full = p.Encode();
  // Encode() = depth || bitmap || siblings || terminal (u8) [|| leaf 64]; drop the terminal.
  size_t terminal = p.leaf ? 1 + 64 : 1;
  w.Raw(ByteView(full).subspan(0, full.size() - terminal));
}

// v2 and v3 (§3.2, §3.3): the record, the header, the certificate of the
// format (v2: view and commit signatures; v3: state root and state votes), the
// status value and the presence proof's path.
void EncodeCompactBundleTo(Writer& w, const Bundle& b) {
  const bool v3 = b.format == kFormatV3;
  w.Str(v3 ? kBundleMagicV3 : kBundleMagicV2);
  auto compact = CompactRecord(b.record);
  if (compact.ok()) {
    w.U8(kRecordCompact).Var(*compact);
  } else {
    w.U8(kRecordRaw).Var(b.record);
  }
  static const StatusEvidence kNone{};
  static const StateVotes kNoVotes{};
  const StatusEvidence& s = b.status ? *b.status : kNone;
  w.Raw(s.header.Encode());
  const auto* signatures = &s.certificate.signatures;
  if (v3) {
    const StateVotes& votes = s.state ? *s.state : kNoVotes;
    w.Raw(votes.state_root);
    signatures = &votes.signatures;
  } else {
    w.U64(s.certificate.view);
  }
  U16(w, static_cast<uint16_t>(signatures->size()));
  for (const auto& [id, sig] : *signatures) {
    U16(w, static_cast<uint16_t>(id));
    w.Raw(sig);
  }
  w.Var(s.value);
  WritePathOnly(w, s.proof);
}

// u16 count || count x (u16 replica || raw64 signature), ids strictly ascending.
Status ReadSignatures(Reader& r, std::vector<std::pair<uint32_t, crypto::Signature>>* out) {
  uint16_t count = ReadU16(r);
  if (!r.ok()) return Bad("truncated certificate");
  if (count > kMaxCertSignatures) return Bad("certificate has too many signatures");
  for (uint16_t i = 0; i < count; ++i) {
    uint16_t id = ReadU16(r);
    crypto::Signature sig = r.Fixed<crypto::kSignatureSize>();
    if (!r.ok()) return Bad("truncated certificate");
    if (i > 0 && id <= out->back().first)
      return Bad("certificate replica ids must be strictly ascending");
    out->emplace_back(id, sig);
  }
  return Status::Ok();
}

// The "identifier" string of a raw JSON record ("" if none).
std::string RawRecordIdentifier(const Bytes& record) {
  json j = json::parse(record.begin(), record.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return "";
  auto it = j.find("identifier");
  if (it == j.end() || !it->is_string()) return "";
  return it->get<std::string>();
}

Status CheckLicenceId(const std::string& id) {
  if (id.empty() || id.size() > 200) return Bad("licence id empty or longer than 200 bytes");
  for (char c : id) {
    if (c < 0x21 || c > 0x7e) return Bad("licence id must be printable ASCII");
  }
  return Status::Ok();
}

Result<Bundle> DecodeCompactBundleFrom(Reader& r, uint8_t format) {
  Bundle b;
  b.format = format;
  uint8_t form = r.U8();
  bool too_long = false;
  Bytes rec = BoundedVar(r, kMaxRecordBytes, &too_long);
  if (!r.ok()) return Bad("truncated record");
  if (too_long) return Bad("record exceeds its size limit");
  if (form == kRecordCompact) {
    LIC_ASSIGN_OR_RETURN(ExpandedRecord e, ExpandRecord(rec));
    b.record = std::move(e.json);
    b.licence_id = std::move(e.identifier);
  } else if (form == kRecordRaw) {
    if (CompactRecord(rec).ok()) return Bad("a raw record that has a compact form");
    b.record = std::move(rec);
    b.licence_id = RawRecordIdentifier(b.record);
  } else {
    return Bad("record form must be 0 (raw) or 1 (compact)");
  }
  LIC_RETURN_IF_ERROR(CheckLicenceId(b.licence_id));
  StatusEvidence s;
  LIC_ASSIGN_OR_RETURN(s.header, ReadHeader(r));
  if (format == kFormatV3) {
    StateVotes votes;
    votes.state_root = r.Fixed<32>();
    LIC_RETURN_IF_ERROR(ReadSignatures(r, &votes.signatures));
    s.state = std::move(votes);
  } else {
    s.certificate.view = r.U64();
    s.certificate.height = s.header.height;
    s.certificate.block_hash = s.header.ComputeHash();
    LIC_RETURN_IF_ERROR(ReadSignatures(r, &s.certificate.signatures));
  }
  s.value = BoundedVar(r, kMaxStatusValueBytes, &too_long);
  uint16_t depth = ReadU16(r);
  if (!r.ok()) return Bad("truncated status evidence");
  if (too_long) return Bad("status value exceeds its size limit");
  if (depth > 256) return Bad("state proof depth above 256");
  Writer full;
  U16(full, depth);
  size_t bitmap_len = (depth + 7) / 8;
  size_t present = 0;
  Bytes bitmap(bitmap_len);
  for (size_t i = 0; i < bitmap_len; ++i) {
    bitmap[i] = r.U8();
    present += static_cast<size_t>(__builtin_popcount(bitmap[i]));
  }
  full.Raw(bitmap);
  for (size_t i = 0; i < present && r.ok(); ++i) full.Raw(r.Fixed<32>());
  if (!r.ok()) return Bad("truncated state proof");
  full.U8(1)
      .Raw(state::KeyHash(chaincode::LicenceStatusKey(b.licence_id)))
      .Raw(crypto::Sha256(s.value));
  LIC_ASSIGN_OR_RETURN(s.proof, state::StateProof::Decode(full.bytes()));
  b.status = std::move(s);
  return b;
}

void EncodePresentationBody(Writer& w, const Presentation& p) {
  w.Str(p.format() == kFormatV3   ? kPresentationMagicV3
        : p.format() == kFormatV2 ? kPresentationMagicV2
                                  : kPresentationMagic)
      .Var(p.bundle.Encode())
      .Str(p.challenge)
      .U64(p.created_at_ms);
  w.U32(static_cast<uint32_t>(p.disclosures.size()));
  for (const Disclosure& d : p.disclosures) w.Str(d.field).Str(d.value).Var(d.salt);
}

Status CheckDisclosures(const std::vector<Disclosure>& ds) {
  if (ds.size() > kMaxDisclosures) return Bad("too many disclosures");
  for (size_t i = 0; i < ds.size(); ++i) {
    const Disclosure& d = ds[i];
    if (d.field.empty() || d.field.size() > kMaxFieldBytes)
      return Bad("disclosed field name empty or too long");
    if (d.value.size() > kMaxValueBytes) return Bad("disclosed value too long: " + d.field);
    if (d.salt.size() > 64) return Bad("salt too long: " + d.field);
    if (i > 0 && !(ds[i - 1].field < d.field))
      return Bad("disclosures must be strictly ascending by field name");
  }
  return Status::Ok();
}

}  // namespace

Bytes Bundle::Encode() const {
  Writer w;
  if (format == kFormatV2 || format == kFormatV3) {
    EncodeCompactBundleTo(w, *this);
  } else {
    EncodeBundleTo(w, *this);
  }
  return w.Take();
}

Result<Bundle> Bundle::Decode(ByteView data) {
  Reader peek(data);
  std::string magic = peek.Str();
  if (peek.ok() && (magic == kBundleMagicV2 || magic == kBundleMagicV3)) {
    const uint8_t format = magic == kBundleMagicV3 ? kFormatV3 : kFormatV2;
    LIC_ASSIGN_OR_RETURN(Bundle b, DecodeCompactBundleFrom(peek, format));
    LIC_RETURN_IF_ERROR(peek.Finish(format == kFormatV3 ? "proof bundle v3" : "proof bundle v2"));
    return b;
  }
  Reader r(data);
  LIC_ASSIGN_OR_RETURN(Bundle b, DecodeBundleFrom(r));
  LIC_RETURN_IF_ERROR(r.Finish("proof bundle"));
  return b;
}

namespace {
// What the v2 and v3 encodings cannot carry: checked before a bundle is
// converted, so Encode never has to drop anything.
Status CheckCompactable(const Bundle& b, std::string_view format) {
  if (!b.status)
    return Status::InvalidArgument(std::string(format) + " bundle needs the status evidence");
  if (RawRecordIdentifier(b.record) != b.licence_id)
    return Status::InvalidArgument("the record's identifier is not " + b.licence_id);
  LIC_RETURN_IF_ERROR(CheckLicenceId(b.licence_id));
  const StatusEvidence& s = *b.status;
  if (!s.proof.leaf ||
      s.proof.leaf->key_hash != state::KeyHash(chaincode::LicenceStatusKey(b.licence_id)) ||
      s.proof.leaf->value_hash != crypto::Sha256(s.value)) {
    return Status::InvalidArgument("the state proof is not a presence proof of the status value");
  }
  return Status::Ok();
}

Status CheckSignatureList(const std::vector<std::pair<uint32_t, crypto::Signature>>& sigs) {
  for (size_t i = 0; i < sigs.size(); ++i) {
    if (sigs[i].first > 0xffff) return Status::InvalidArgument("replica id above 65535");
    if (i > 0 && sigs[i].first <= sigs[i - 1].first)
      return Status::InvalidArgument("replica ids must be strictly ascending");
  }
  if (sigs.size() > kMaxCertSignatures)
    return Status::InvalidArgument("certificate has too many signatures");
  return Status::Ok();
}
}  // namespace

Result<Bundle> ToV2(Bundle b) {
  LIC_RETURN_IF_ERROR(CheckCompactable(b, "a v2"));
  StatusEvidence& s = *b.status;
  if (s.certificate.height != s.header.height ||
      s.certificate.block_hash != s.header.ComputeHash()) {
    return Status::InvalidArgument("the status certificate is not for the status header");
  }
  LIC_RETURN_IF_ERROR(CheckSignatureList(s.certificate.signatures));
  s.state.reset();
  b.format = kFormatV2;
  b.issuance = TxInclusion{};
  return b;
}

Result<Bundle> ToV3(Bundle b) {
  LIC_RETURN_IF_ERROR(CheckCompactable(b, "a v3"));
  StatusEvidence& s = *b.status;
  if (!s.state) {
    return Status::InvalidArgument(
        "a v3 bundle needs the state certificate of the status block (the node gave none)");
  }
  LIC_RETURN_IF_ERROR(CheckSignatureList(s.state->signatures));
  s.certificate = consensus::CommitCertificate{};
  b.format = kFormatV3;
  b.issuance = TxInclusion{};
  return b;
}

Result<StateVotes> StateVotesFor(const consensus::CheckpointProof& certificate,
                                 const consensus::BlockHeader& header) {
  if (certificate.checkpoint.height != header.height ||
      certificate.checkpoint.block_hash != header.ComputeHash()) {
    return Status::InvalidArgument(
        "the state certificate is for block " + std::to_string(certificate.checkpoint.height) +
        ", not for the status header (block " + std::to_string(header.height) + ")");
  }
  const Bytes body = certificate.checkpoint.Encode();
  StateVotes out;
  out.state_root = certificate.checkpoint.state_root;
  for (const consensus::SignedMessage& m : certificate.messages) {
    if (m.type != consensus::MsgType::kCheckpoint || m.body != body) {
      return Status::InvalidArgument("the state certificate holds a vote for another state");
    }
    out.signatures.emplace_back(m.sender, m.signature);
  }
  std::sort(out.signatures.begin(), out.signatures.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  out.signatures.erase(std::unique(out.signatures.begin(), out.signatures.end(),
                                   [](const auto& a, const auto& b) { return a.first == b.first; }),
                       out.signatures.end());
  return out;
}

StateVotes TrimStateVotes(StateVotes votes, size_t keep) {
  if (keep > 0 && keep < votes.signatures.size()) votes.signatures.resize(keep);
  return votes;
}

Bytes Presentation::SigningBody() const {
  Writer w;
  EncodePresentationBody(w, *this);
  return w.Take();
}

Bytes Presentation::Encode() const {
  Writer w;
  EncodePresentationBody(w, *this);
  w.Raw(signature);
  return w.Take();
}

std::string_view Presentation::SigningTag() const {
  return format() == kFormatV3   ? kPresentationTagV3
         : format() == kFormatV2 ? kPresentationTagV2
                                 : kPresentationTag;
}

Result<Presentation> Presentation::Decode(ByteView data) {
  Reader r(data);
  Presentation p;
  std::string magic = r.Str();
  if (!r.ok() || (magic != kPresentationMagic && magic != kPresentationMagicV2 &&
                  magic != kPresentationMagicV3))
    return Bad("not a licenced/proof/presentation/v1, v2 or v3");
  const uint8_t format = magic == kPresentationMagicV3   ? kFormatV3
                         : magic == kPresentationMagicV2 ? kFormatV2
                                                         : kFormatV1;
  bool too_long = false;
  Bytes bundle = BoundedVar(r, 1024 * 1024, &too_long);
  p.challenge = r.Str();
  p.created_at_ms = r.U64();
  uint32_t n = r.U32();
  if (!r.ok()) return Bad("truncated presentation");
  if (too_long) return Bad("bundle too large");
  if (p.challenge.size() > kMaxChallengeBytes) return Bad("challenge too long");
  if (n > kMaxDisclosures) return Bad("too many disclosures");
  for (uint32_t i = 0; i < n; ++i) {
    Disclosure d;
    d.field = r.Str();
    d.value = r.Str();
    d.salt = r.Var();
    if (!r.ok()) return Bad("truncated disclosure");
    p.disclosures.push_back(std::move(d));
  }
  p.signature = r.Fixed<crypto::kSignatureSize>();
  LIC_RETURN_IF_ERROR(r.Finish("presentation"));
  LIC_RETURN_IF_ERROR(CheckDisclosures(p.disclosures));
  LIC_ASSIGN_OR_RETURN(p.bundle, Bundle::Decode(bundle));
  if (p.bundle.format != format) return Bad("the presentation and its bundle differ in format");
  return p;
}

uint64_t CanonicalTreeSize(uint64_t index, uint64_t tree_size, size_t path_len) {
  // The RFC 9162 verifier's left/right decisions for (index, size); sizes with
  // the same decisions form a contiguous range, so walk down while equal.
  auto shape = [&](uint64_t size, std::vector<uint8_t>* out) {
    out->clear();
    uint64_t fn = index, sn = size - 1;
    for (size_t i = 0; i < path_len; ++i) {
      if (sn == 0) return false;
      if ((fn & 1) == 1 || fn == sn) {
        out->push_back(1);
        if ((fn & 1) == 0) {
          while ((fn & 1) == 0 && fn != 0) {
            fn >>= 1;
            sn >>= 1;
          }
        }
      } else {
        out->push_back(0);
      }
      fn >>= 1;
      sn >>= 1;
    }
    return sn == 0;
  };
  std::vector<uint8_t> want, got;
  if (index >= tree_size || !shape(tree_size, &want)) return tree_size;
  uint64_t n = tree_size;
  // The range can be large for big blocks; step down by halving the gap first.
  uint64_t lo = index + 1;  // smallest candidate
  while (lo < n) {
    uint64_t mid = lo + (n - lo) / 2;
    if (shape(mid, &got) && got == want) {
      n = mid;
    } else {
      lo = mid + 1;
    }
  }
  return n;
}

consensus::CommitCertificate TrimCertificate(consensus::CommitCertificate cert, size_t keep) {
  if (keep > 0 && keep < cert.signatures.size()) cert.signatures.resize(keep);
  return cert;
}

Result<Presentation> Present(Bundle bundle, std::vector<Disclosure> disclosures,
                             std::string challenge, uint64_t created_at_ms,
                             const crypto::KeyPair& holder) {
  if (challenge.empty()) return Status::InvalidArgument("present: the challenge is empty");
  if (challenge.size() > kMaxChallengeBytes)
    return Status::InvalidArgument("present: the challenge is longer than 512 bytes");
  std::sort(disclosures.begin(), disclosures.end(),
            [](const Disclosure& a, const Disclosure& b) { return a.field < b.field; });
  LIC_RETURN_IF_ERROR(CheckDisclosures(disclosures));
  Presentation p;
  p.bundle = std::move(bundle);
  p.challenge = std::move(challenge);
  p.created_at_ms = created_at_ms;
  p.disclosures = std::move(disclosures);
  p.signature = holder.Sign(p.SigningTag(), p.SigningBody());
  return p;
}

std::string Base64Encode(ByteView data) {
  std::string out(sodium_base64_encoded_len(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), data.data(), data.size(),
                    sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);  // trailing NUL
  return out;
}

Result<Bytes> Base64Decode(std::string_view text) {
  Bytes out(text.size() / 4 * 3 + 3);
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), text.data(), text.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return Status::InvalidArgument("not valid base64 (RFC 4648, with padding)");
  }
  out.resize(len);
  return out;
}

std::string BundleToJson(const Bundle& b) {
  json j = json::object();
  j["format"] = "licenced-proof-bundle/v" + std::to_string(b.format);
  j["licence_id"] = b.licence_id;
  j["bundle"] = Base64Encode(b.Encode());
  // The copies beside the base64 are informational; never throw on non-UTF-8 input.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

namespace {
// `format` names the file format without its version ("licenced-proof-bundle");
// "/v1", "/v2" and "/v3" are accepted. *version gets the number.
Result<json> ParseFile(std::string_view text, std::string_view format, uint8_t* version) {
  json j = json::parse(text.begin(), text.end(), nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::InvalidArgument("not a JSON object");
  auto f = j.find("format");
  const std::string base(format);
  for (uint8_t v : {kFormatV1, kFormatV2, kFormatV3}) {
    if (f != j.end() && f->is_string() && *f == base + "/v" + std::to_string(v)) {
      *version = v;
      return j;
    }
  }
  return Status::InvalidArgument("\"format\" is not \"" + base + "/v3\", \"" + base +
                                 "/v2\" or \"" + base + "/v1\"");
}
}  // namespace

Result<Bundle> BundleFromJson(std::string_view text) {
  uint8_t version = 0;
  LIC_ASSIGN_OR_RETURN(json j, ParseFile(text, "licenced-proof-bundle", &version));
  auto d = j.find("bundle");
  if (d == j.end() || !d->is_string()) return Status::InvalidArgument("\"bundle\" missing");
  LIC_ASSIGN_OR_RETURN(Bytes raw, Base64Decode(d->get<std::string>()));
  LIC_ASSIGN_OR_RETURN(Bundle b, Bundle::Decode(raw));
  if (version != b.format)
    return Status::InvalidArgument("\"format\" does not match the bundle's own format");
  return b;
}

std::string PresentationToJson(const Presentation& p) {
  json j = json::object();
  j["format"] = "licenced-presentation/v" + std::to_string(p.format());
  j["licence_id"] = p.bundle.licence_id;
  j["challenge"] = p.challenge;
  j["presentation"] = Base64Encode(p.Encode());
  // The copies beside the base64 are informational; never throw on non-UTF-8 input.
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

Result<Presentation> PresentationFromJson(std::string_view text) {
  uint8_t version = 0;
  LIC_ASSIGN_OR_RETURN(json j, ParseFile(text, "licenced-presentation", &version));
  auto d = j.find("presentation");
  if (d == j.end() || !d->is_string()) return Status::InvalidArgument("\"presentation\" missing");
  LIC_ASSIGN_OR_RETURN(Bytes raw, Base64Decode(d->get<std::string>()));
  LIC_ASSIGN_OR_RETURN(Presentation p, Presentation::Decode(raw));
  if (version != p.format())
    return Status::InvalidArgument("\"format\" does not match the presentation's own format");
  return p;
}

Result<Presentation> PresentationFromFileBytes(ByteView file) {
  size_t i = 0;
  while (i < file.size() &&
         (file[i] == ' ' || file[i] == '\n' || file[i] == '\r' || file[i] == '\t'))
    ++i;
  if (i < file.size() && file[i] == '{') {
    return PresentationFromJson(
        std::string_view(reinterpret_cast<const char*>(file.data()), file.size()));
  }
  return Presentation::Decode(file);
}

}  // namespace licenced::proof
