// Fuzz target: the proto -> domain conversions at the node's edge
// (node/rpc/convert.h) and the ledger records they render (node/state_store.h).
// Input: one selector byte, then the bytes of a serialized protobuf message
// (or of a stored record). Invariants:
//   - protobuf bytes that parse re-serialize to bytes that parse to the same
//     message;
//   - SubmitRequest -> Transaction: accepted iff the bytes are a canonical
//     transaction (Encode(result) == the bytes); rejected with
//     INVALID_ARGUMENT and a message that names the transaction;
//   - BlockWithCert -> (Block, CommitCertificate): accepted ones re-encode to
//     the exact bytes, the certificate is for this block and height, and
//     FillBlockInfo renders them consistently (height, hash, tx ids);
//   - tx id hex: accepted iff 64 hex digits; ToHex gives the lower-case input;
//     rejections name the field;
//   - TxRecord / EventRecord decode: Encode(Decode(x)) == x; TxRecordToProto
//     and EventToProto copy every field; an empty EventFilter matches all;
//   - every StatusCode maps to a gRPC code other than UNKNOWN, OK only for OK.
#include <algorithm>
#include <cctype>
#include <string>

#include "fuzz_common.h"
#include "node/rpc/convert.h"
#include "node/state_store.h"

using namespace licenced;
namespace v1 = licenced::v1;

namespace {

template <typename Msg>
bool ParseStable(const Bytes& raw, Msg* out) {
  if (!out->ParseFromArray(raw.data(), static_cast<int>(raw.size()))) return false;
  std::string again = out->SerializeAsString();
  Msg reparsed;
  FUZZ_CHECK(reparsed.ParseFromString(again), "protobuf: re-serialized message does not parse");
  FUZZ_CHECK(reparsed.SerializeAsString() == again, "protobuf: serialization not stable");
  return true;
}

bool SameBytes(const Bytes& a, const std::string& b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](uint8_t x, char y) {
           return x == static_cast<uint8_t>(y);
         });
}

bool Mentions(const Status& s, std::string_view word) {
  return s.message().find(word) != std::string::npos;
}

void CheckRejected(const Status& s, std::string_view word, const char* what) {
  FUZZ_CHECK(s.code() == StatusCode::kInvalidArgument,
             std::string(what) + ": not INVALID_ARGUMENT");
  FUZZ_CHECK(Mentions(s, word), std::string(what) + ": message does not name '" +
                                    std::string(word) + "': " + s.message());
  FUZZ_CHECK(node::ToGrpc(s).error_code() == grpc::StatusCode::INVALID_ARGUMENT,
             std::string(what) + ": gRPC code is not INVALID_ARGUMENT");
}

void Submit(const Bytes& raw) {
  v1::SubmitRequest req;
  if (!ParseStable(raw, &req)) return;
  auto tx = node::TransactionFromProto(req);
  if (!tx.ok()) {
    CheckRejected(tx.status(), "transaction", "SubmitRequest");
    return;
  }
  Bytes enc = tx->Encode();
  FUZZ_CHECK(SameBytes(enc, req.transaction()), "SubmitRequest: accepted non-canonical bytes");
  auto again = Transaction::Decode(enc);
  FUZZ_CHECK(again.ok() && *again == *tx, "Transaction: decode(encode(x)) != x");
  FUZZ_CHECK(again->Id() == tx->Id(), "Transaction: id changed by a round trip");
}

void BlockWithCert(const Bytes& raw) {
  v1::BlockWithCert item;
  if (!ParseStable(raw, &item)) return;
  auto r = node::BlockWithCertFromProto(item);
  if (!r.ok()) {
    CheckRejected(r.status(), "BlockWithCert", "BlockWithCert");
    return;
  }
  const auto& [block, cert] = *r;
  FUZZ_CHECK(SameBytes(block.Encode(), item.block()), "BlockWithCert: block not canonical");
  FUZZ_CHECK(SameBytes(cert.Encode(), item.certificate()), "BlockWithCert: cert not canonical");
  FUZZ_CHECK(cert.height == block.header.height, "BlockWithCert: certificate for another height");
  FUZZ_CHECK(cert.block_hash == block.ComputeHash(),
             "BlockWithCert: certificate for another block");
  FUZZ_CHECK(item.height() == 0 || item.height() == block.header.height,
             "BlockWithCert: height field disagrees");
  Genesis genesis;
  v1::BlockInfo info;
  Status s =
      node::FillBlockInfo(AsBytes(item.block()), AsBytes(item.certificate()), genesis, &info);
  FUZZ_CHECK(s.ok(), "FillBlockInfo rejects an accepted block: " + s.ToString());
  FUZZ_CHECK(info.height() == block.header.height, "BlockInfo: height");
  FUZZ_CHECK(info.hash_hex() == ToHex(block.ComputeHash()), "BlockInfo: hash");
  FUZZ_CHECK(static_cast<size_t>(info.tx_ids_hex_size()) == block.txs.size(), "BlockInfo: tx ids");
  FUZZ_CHECK(info.signatures() == cert.signatures.size(), "BlockInfo: signature count");
  FUZZ_CHECK(info.proposer_name().empty(), "BlockInfo: proposer name without validators");
}

void StoredBlock(const Bytes& raw) {
  // FillBlockInfo over stored bytes that may be corrupt: never crashes;
  // undecodable ones are reported as corruption.
  fuzz::Input in(raw.data(), raw.size());
  Bytes block = in.Blob();
  Bytes cert = in.Rest();
  Genesis genesis;
  v1::BlockInfo info;
  Status s = node::FillBlockInfo(block, cert, genesis, &info);
  if (!s.ok()) {
    FUZZ_CHECK(s.code() == StatusCode::kCorruption, "FillBlockInfo: not a corruption error");
    FUZZ_CHECK(Mentions(s, "stored"), "FillBlockInfo: message does not say what is corrupt");
    return;
  }
  auto b = consensus::Block::Decode(block);
  FUZZ_CHECK(b.ok() && info.hash_hex() == ToHex(b->ComputeHash()), "FillBlockInfo: hash");
}

void TxId(const Bytes& raw) {
  v1::GetTransactionRequest req;
  if (!ParseStable(raw, &req)) return;
  const std::string& hex = req.tx_id_hex();
  auto h = node::HashFromProtoHex(hex, "tx_id_hex");
  bool well_formed = hex.size() == 64 && std::all_of(hex.begin(), hex.end(), [](char c) {
                       return std::isxdigit(static_cast<unsigned char>(c)) != 0;
                     });
  FUZZ_CHECK(h.ok() == well_formed, "tx id: accepted iff 64 hex digits: '" + hex + "'");
  if (!h.ok()) {
    CheckRejected(h.status(), "tx_id_hex", "tx id");
    return;
  }
  std::string lower = hex;
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  FUZZ_CHECK(ToHex(*h) == lower, "tx id: hex round trip");
}

void Records(const Bytes& raw, bool event) {
  if (!event) {
    auto r = node::TxRecord::Decode(raw);
    if (!r.ok()) return;
    FUZZ_CHECK(r->Encode() == raw, "TxRecord: Encode(Decode(x)) != x");
    v1::TransactionInfo info;
    Hash id{};
    node::TxRecordToProto(id, *r, &info);
    FUZZ_CHECK(info.committed() && info.height() == r->height && info.index() == r->index &&
                   info.message() == r->message && info.result_json() == r->result_json,
               "TxRecordToProto: a field was not copied");
    FUZZ_CHECK(info.status() == node::CodeName(r->code), "TxRecordToProto: status name");
    return;
  }
  auto e = node::EventRecord::Decode(raw);
  if (!e.ok()) return;
  FUZZ_CHECK(e->Encode() == raw, "EventRecord: Encode(Decode(x)) != x");
  v1::Event out;
  node::EventToProto(*e, &out);
  FUZZ_CHECK(out.height() == e->height && out.kind() == e->kind &&
                 out.payload_json() == e->payload_json && out.tx_index() == e->tx_index &&
                 out.timestamp_ms() == e->timestamp_ms &&
                 static_cast<size_t>(out.orgs_size()) == e->orgs.size() &&
                 out.tx_id_hex() == ToHex(e->tx_id),
             "EventToProto: a field was not copied");
  FUZZ_CHECK(node::EventMatches(v1::EventFilter(), *e), "an empty filter must match every event");
  v1::EventFilter only_kind;
  only_kind.add_kinds(e->kind);
  FUZZ_CHECK(node::EventMatches(only_kind, *e), "a filter on the event's own kind must match");
  if (!e->orgs.empty()) {
    v1::EventFilter org;
    org.set_org(e->orgs.front());
    FUZZ_CHECK(node::EventMatches(org, *e), "a filter on an audience org must match");
  }
}

void Filter(const Bytes& raw) {
  fuzz::Input in(raw.data(), raw.size());
  Bytes f = in.Blob();
  v1::EventFilter filter;
  if (!ParseStable(f, &filter)) return;
  node::EventRecord e;
  e.kind = in.Str();
  for (uint32_t n = in.Pick(4); n > 0; --n) e.orgs.push_back(in.Str());
  bool m = node::EventMatches(filter, e);
  bool kind_ok = filter.kinds_size() == 0 || std::find(filter.kinds().begin(), filter.kinds().end(),
                                                       e.kind) != filter.kinds().end();
  bool org_ok = filter.org().empty() || e.orgs.empty() ||
                std::find(e.orgs.begin(), e.orgs.end(), filter.org()) != e.orgs.end();
  FUZZ_CHECK(m == (kind_ok && org_ok), "EventMatches disagrees with the documented rule");
}

void Codes() {
  for (int c = 0; c <= static_cast<int>(StatusCode::kInternal); ++c) {
    auto code = static_cast<StatusCode>(c);
    grpc::StatusCode g = node::ToGrpcCode(code);
    FUZZ_CHECK((g == grpc::StatusCode::OK) == (code == StatusCode::kOk), "ToGrpcCode: OK iff kOk");
    FUZZ_CHECK(g != grpc::StatusCode::UNKNOWN,
               "ToGrpcCode: UNKNOWN for " + std::string(StatusCodeName(code)));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  fuzz::Input in(data, size);
  uint8_t which = in.U8();
  Bytes rest = in.Rest();
  switch (which % 8) {
    case 0:
      Submit(rest);
      break;
    case 1:
      BlockWithCert(rest);
      break;
    case 2:
      StoredBlock(rest);
      break;
    case 3:
      TxId(rest);
      break;
    case 4:
      Records(rest, false);
      break;
    case 5:
      Records(rest, true);
      break;
    case 6:
      Filter(rest);
      break;
    default:
      Codes();
      break;
  }
  return 0;
}
