// Seed corpus generator: writes small valid inputs for every fuzz target
// under OUT_DIR/<target>/ (a real signed transaction, block, certificate,
// every consensus message type, a genesis, state proofs, a node config,
// application files, chaincode and replica op sequences). The committed
// corpus in tests/fuzz/corpus/ is its output:
//   fuzz_seedgen tests/fuzz/corpus
// Deterministic: the same sources always give the same files.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include <nlohmann/json.hpp>

#include "chaincode/engine.h"
#include "chaincode/licence_status.h"
#include "chaincode/state_view.h"
#include "client/prepare.h"
#include "consensus/messages.h"
#include "core/encoding.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/state_map.h"
#include "core/transaction.h"
#include "fuzz_chaincode.h"
#include "fuzz_common.h"
#include "fuzz_proof.h"
#include "fuzz_replica.h"
#include "fuzz_state_proof.h"
#include "proof/bundle.h"
#include "proof/record_codec.h"

using namespace licenced;
using namespace licenced::consensus;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

fs::path g_out;
std::string g_src;

void Write(const std::string& target, const std::string& name, ByteView data) {
  fs::path dir = g_out / target;
  fs::create_directories(dir);
  std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}
void Write(const std::string& target, const std::string& name, std::string_view text) {
  Write(target, name, AsBytes(text));
}
Bytes Prefixed(uint8_t first, ByteView rest) {
  Bytes b{first};
  b.insert(b.end(), rest.begin(), rest.end());
  return b;
}
std::string ReadSource(const std::string& rel) {
  std::ifstream in(g_src + "/" + rel);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

Transaction MakeTx(const crypto::KeyPair& key, std::string chaincode, std::string method,
                   std::string args, uint64_t nonce) {
  Transaction tx;
  tx.network_id = "licenced-local";
  tx.chaincode = std::move(chaincode);
  tx.method = std::move(method);
  tx.args = ToBytes(args);
  tx.nonce = nonce;
  tx.SignWith(key);
  return tx;
}

SignedMessage Sign(MsgType t, ReplicaId s, Bytes body) {
  return SignedMessage::Sign(t, s, std::move(body), fuzz::ValidatorKey(s));
}

Block MakeBlock(uint64_t height, int ntx) {
  Block b;
  for (int i = 0; i < ntx; ++i)
    b.txs.push_back(
        MakeTx(fuzz::ValidatorKey(0), "identity", "enrol_clerk", "{}", height * 10 + i).Encode());
  b.header.height = height;
  b.header.prev_hash = crypto::Sha256(AsBytes("prev"));
  b.header.timestamp_ms = 1'800'000'000'000 + height;
  b.header.tx_root = merkle::Root(b.txs);
  b.header.state_root = crypto::Sha256(AsBytes("state"));
  b.header.proposer = static_cast<ReplicaId>(height % 4);
  return b;
}

CommitCertificate MakeCert(uint64_t view, const Block& b) {
  CommitCertificate c;
  c.view = view;
  c.height = b.header.height;
  c.block_hash = b.ComputeHash();
  for (ReplicaId s : {0u, 1u, 3u}) {
    c.signatures.emplace_back(
        s, fuzz::ValidatorKey(s).Sign(kCommitTag, CommitVoteBody(view, c.height, c.block_hash)));
  }
  return c;
}

void Encoding() {
  Writer w;
  w.U8(7)
      .U32(70000)
      .U64(1ull << 40)
      .Var(ToBytes("var bytes"))
      .Str("a string")
      .Raw(crypto::Sha256(AsBytes("x")));
  Bytes in{6, 0, 1, 2, 3, 4, 5};
  in.insert(in.end(), w.bytes().begin(), w.bytes().end());
  Write("fuzz_encoding", "all-ops", in);
  Bytes trunc{3, 3, 3, 3, 0, 0, 0, 9, 'a', 'b'};
  Write("fuzz_encoding", "truncated-var", trunc);
}

void Transactions() {
  DevNetwork net = MakeDevNetwork();
  Transaction a = MakeTx(net.admin_keys.at("market"), "identity", "enrol_clerk",
                         R"({"name":"window-1","public_key":"00","roles":["window"]})", 1);
  Write("fuzz_transaction", "enrol-clerk", a.Encode());
  Transaction b =
      MakeTx(net.admin_keys.at("health"), "licence", "revoke", R"({"identifier":"x"})", 2);
  Write("fuzz_transaction", "licence-revoke", b.Encode());
  Transaction c = MakeTx(fuzz::ValidatorKey(2), "", "", "", 0);
  Write("fuzz_transaction", "empty-fields", c.Encode());
}

void StateProofs() {
  fuzz::ProofFixture fx;
  state::StateMap map(fx.store);
  for (uint32_t i = 0; i < fuzz::kProofKeys; ++i) {
    auto p = map.Prove(fuzz::ProofKey(i), 1);
    if (!p.ok()) std::abort();
    Bytes in{static_cast<uint8_t>(i), static_cast<uint8_t>(i < fuzz::kPresentKeys ? 1 : 0)};
    Bytes enc = p->Encode();
    in.insert(in.end(), enc.begin(), enc.end());
    Write("fuzz_state_proof", "key-" + std::to_string(i), in);
  }
}

void GenesisFiles() {
  DevNetwork net = MakeDevNetwork();
  Write("fuzz_genesis", "dev-network.json", net.genesis.ToJson());
  Genesis g = net.genesis;
  g.holidays.clear();
  g.licence_types.resize(1);
  Write("fuzz_genesis", "small.json", g.ToJson());
  g.governance.approval_threshold = 4;
  g.governance.proposal_ttl_blocks = 50;
  Write("fuzz_genesis", "governance.json", g.ToJson());
}

void Blocks() {
  Block b = MakeBlock(5, 3);
  Write("fuzz_block", "header", Prefixed(0, b.header.Encode()));
  Write("fuzz_block", "block-3tx", Prefixed(1, b.Encode()));
  Write("fuzz_block", "block-empty", Prefixed(1, MakeBlock(1, 0).Encode()));
  Write("fuzz_block", "cert", Prefixed(2, MakeCert(2, b).Encode()));
}

void Messages() {
  Block b = MakeBlock(3, 2);
  Hash h = b.ComputeHash();
  auto msg = [](const std::string& name, const SignedMessage& m) {
    Write("fuzz_messages", name, Prefixed(0, m.Encode()));
  };
  msg("request", Sign(MsgType::kRequest, 1, RequestMsg{b.txs[0]}.Encode()));
  SignedMessage pp = Sign(MsgType::kPrePrepare, 1, PrePrepareMsg{1, b}.Encode());
  msg("preprepare", pp);
  SignedMessage prep2 = Sign(MsgType::kPrepare, 2, VoteMsg{1, 3, h}.Encode());
  SignedMessage prep3 = Sign(MsgType::kPrepare, 3, VoteMsg{1, 3, h}.Encode());
  msg("prepare", prep2);
  msg("commit", Sign(MsgType::kCommit, 0, VoteMsg{1, 3, h}.Encode()));
  CheckpointMsg ck{4, h, crypto::Sha256(AsBytes("root4"))};
  std::vector<SignedMessage> ck_msgs;
  for (ReplicaId s : {0u, 1u, 2u}) ck_msgs.push_back(Sign(MsgType::kCheckpoint, s, ck.Encode()));
  msg("checkpoint", ck_msgs[0]);
  // View changes and new views carry pre-prepares by digest (no txs).
  PreparedCert cert{StripPrePrepare(pp), {prep2, prep3}};
  ViewChangeMsg vc;
  vc.new_view = 2;
  vc.checkpoint = ck;
  vc.checkpoint_proof = ck_msgs;
  vc.prepared = {cert};
  SignedMessage vcm = Sign(MsgType::kViewChange, 3, vc.Encode());
  msg("viewchange", vcm);
  NewViewMsg nv;
  nv.view = 2;
  nv.view_changes = {vcm, Sign(MsgType::kViewChange, 0, vc.Encode()),
                     Sign(MsgType::kViewChange, 1, vc.Encode())};
  Block header_only = b;
  header_only.txs.clear();
  nv.pre_prepares = {Sign(MsgType::kPrePrepare, 2, PrePrepareMsg{2, header_only}.Encode())};
  msg("newview", Sign(MsgType::kNewView, 2, nv.Encode()));
  msg("requestbatch", Sign(MsgType::kRequestBatch, 2, RequestBatchMsg{b.txs}.Encode()));
  msg("blockrequest", Sign(MsgType::kBlockRequest, 3, BlockRequestMsg{3, h}.Encode()));
  msg("blockresponse", Sign(MsgType::kBlockResponse, 0, BlockResponseMsg{b}.Encode()));
  msg("status", Sign(MsgType::kStatus, 0, StatusMsg{3, true, 17, 16}.Encode()));
  Write("fuzz_messages", "checkpoint-proof", Prefixed(1, CheckpointProof{ck, ck_msgs}.Encode()));
  Write("fuzz_messages", "prepared-cert", Prefixed(2, cert.Encode()));
}

void Configs() {
  Write("fuzz_config", "node.toml", R"(node_id = "market-0"
org = "market"
data_dir = "/var/lib/licenced/market"
genesis = "../genesis.json"
log_level = "info"

[listen]
peer = "127.0.0.1:7001"
client = "[::1]:7101"
http = "localhost:7201"

[keys]
validator_key = "validator.key"
tls_ca = "/etc/licenced/ca.pem"
tls_cert = "tls.pem"
tls_key = "tls-key.pem"

[consensus]
max_batch_txs = 2000
max_batch_wait_ms = 5
checkpoint_interval = 32
view_change_timeout_ms = 2000
watermark_window = 64
max_clock_skew_ms = 5000

[limits]
max_message_bytes = 16777216
peer_queue_messages = 10000
mempool_max = 100000
verify_threads = 2
grpc_threads = 0
)");
  Write("fuzz_config", "hostport", "[2001:db8::1]:65535");
}

void Applications() {
  for (const char* f : {"enterprise-application.json", "newborn-application.json"}) {
    Write("fuzz_application", f, ReadSource(std::string("examples/") + f));
  }
}

// ---- chaincode op sequences ----
class ChaincodeScript {
 public:
  ChaincodeScript& Tx(const std::string& org, const std::string& name, uint8_t cc,
                      const std::string& method, const std::string& args) {
    const auto& signers = fuzz::Signers();
    uint8_t idx = 0;
    for (size_t i = 0; i < signers.size(); ++i) {
      if (signers[i].org == org && signers[i].name == name) idx = static_cast<uint8_t>(i);
    }
    w_.U8(fuzz::kOpTx).U8(idx).U8(cc).Str(method).Str(args).U16(30);
    return *this;
  }
  ChaincodeScript& Query(const std::string& method, const std::string& args) {
    w_.U8(fuzz::kOpQuery).Str(method).Str(args);
    return *this;
  }
  ChaincodeScript& Enrol(const std::string& org, const std::string& name, const std::string& role) {
    crypto::KeyPair k = fuzz::SignerKey({org, name});
    json args = {{"name", name}, {"public_key", ToHex(k.public_key())}, {"roles", {role}}};
    return Tx(org, "", 0, "enrol_clerk", args.dump());
  }
  const Bytes& bytes() const { return w_.bytes(); }

 private:
  fuzz::InputWriter w_;
};

void Chaincode() {
  DevNetwork net = MakeDevNetwork();
  uint8_t salt = 0;
  client::RandomBytes random = [&salt](size_t n) { return Bytes(n, ++salt); };
  auto step = [](const std::string& file, const std::string& task) {
    json a = json::parse(ReadSource("examples/" + file));
    a["task_id"] = task;
    return a.dump();
  };

  ChaincodeScript ent;
  ent.Enrol("market", "window-1", "window")
      .Enrol("market", "approver-1", "clerk")
      .Enrol("police", "seal-desk-1", "clerk")
      .Enrol("police", "Jinan Seal Engraving Co.", "engraver")
      .Enrol("social", "employer-desk-1", "clerk")
      .Enrol("tax", "taxpayer-desk-1", "clerk")
      .Enrol("bank", "Qilu Bank Hi-tech branch", "clerk");
  auto ent_case = client::PrepareOpenCase(
      net.genesis, ReadSource("examples/enterprise-application.json"), random, fuzz::kChaincodeT0);
  if (!ent_case.ok()) std::abort();
  const std::string id = "ENT-2026-000001";
  ent.Tx("market", "window-1", 2, "open_case", ent_case->args.dump())
      .Query("inbox", R"({"org":"market"})")
      .Tx("market", "approver-1", 2, "complete",
          step("enterprise-business_licence.json", id + "/business_licence"))
      .Tx("police", "seal-desk-1", 2, "complete",
          step("enterprise-seal_filing.json", id + "/seal_filing"))
      .Tx("police", "Jinan Seal Engraving Co.", 2, "complete",
          step("enterprise-seal_engraving.json", id + "/seal_engraving"))
      .Tx("social", "employer-desk-1", 2, "complete",
          step("enterprise-social_security.json", id + "/social_security"))
      .Tx("tax", "taxpayer-desk-1", 2, "complete",
          step("enterprise-taxpayer.json", id + "/taxpayer"))
      .Tx("bank", "Qilu Bank Hi-tech branch", 2, "complete",
          step("enterprise-bank_account.json", id + "/bank_account"))
      .Query("case", R"({"case_id":"ENT-2026-000001"})")
      .Query("licences", "{}")
      .Query("audit", R"({"case_id":"ENT-2026-000001"})");
  Write("fuzz_chaincode", "enterprise-flow", ent.bytes());

  ChaincodeScript nb;
  nb.Enrol("health", "maternity-window", "window")
      .Enrol("health", "Shandong Provincial Hospital", "clerk")
      .Enrol("police", "household-desk-1", "clerk")
      .Enrol("social", "insurance-desk-1", "clerk");
  auto nb_case = client::PrepareOpenCase(
      net.genesis, ReadSource("examples/newborn-application.json"), random, fuzz::kChaincodeT0);
  if (!nb_case.ok()) std::abort();
  // The police client's household registration: only the ID number's
  // commitment and tag, and the number sealed on to social.
  json police_box = json::object();
  for (const char* f : {"sex", "birth_time", "household_address_code"}) {
    police_box[f] = nb_case->secrets[f];
  }
  auto hr = client::PrepareHouseholdRegistration(
      net.genesis, "NBR-2026-000001/household_registration", police_box, "370102202611240028",
      random, fuzz::kChaincodeT0);
  if (!hr.ok()) std::abort();
  nb.Tx("health", "maternity-window", 2, "open_case", nb_case->args.dump())
      .Tx("health", "Shandong Provincial Hospital", 2, "complete",
          step("newborn-birth_certificate.json", "NBR-2026-000001/birth_certificate"))
      .Tx("health", "Shandong Provincial Hospital", 2, "complete",
          step("newborn-vaccination.json", "NBR-2026-000001/vaccination"))
      .Query("inbox", R"({"org":"police"})")
      .Tx("police", "household-desk-1", 2, "complete", hr->args.dump())
      .Tx("social", "insurance-desk-1", 2, "complete",
          step("newborn-medical_insurance.json", "NBR-2026-000001/medical_insurance"))
      .Tx("social", "insurance-desk-1", 3, "ping", "{}")
      .Query("licences", "{}");
  Write("fuzz_chaincode", "newborn-open", nb.bytes());

  ChaincodeScript misc;
  misc.Enrol("market", "window-1", "window")
      .Tx("market", "", 0, "suspend_clerk", R"({"public_key":"00"})")
      .Tx("police", "", 1, "issue", R"({"type_code":"BL","holder":"x"})")
      .Tx("market", "window-1", 3, "x", "{}")
      .Query("clerks", R"({"org":"market"})")
      .Query("flows", "{}");
  Write("fuzz_chaincode", "misc", misc.bytes());

  // Governance: a member org added (three approvals), issuer rights and
  // holidays changed, an admin key replaced, a clerk's key rotated, refusals.
  auto hex_key = [](const std::string& name) {
    return ToHex(crypto::KeyPair::FromSeed(DevSeed("fuzz-governance", name)).public_key());
  };
  auto propose = [](const std::string& kind, const json& change) {
    return json{{"kind", kind}, {"change", change}}.dump();
  };
  ChaincodeScript gov;
  gov.Enrol("market", "window-1", "window")
      .Tx("market", "", 4, "propose",
          propose("add_org", {{"id", "housing"},
                              {"name", "Housing Bureau"},
                              {"admin_keys", {hex_key("housing")}},
                              {"encryption_key", hex_key("housing-enc")}}))
      .Tx("health", "", 4, "approve", R"({"proposal":1})")
      .Tx("market", "", 4, "approve", R"({"proposal":1})")
      .Tx("police", "", 4, "approve", R"({"proposal":1})")
      .Tx("social", "", 4, "approve", R"({"proposal":1})")
      .Tx("tax", "", 4, "approve", R"({"proposal":1})")
      .Tx("social", "", 4, "propose",
          propose("set_issuers", {{"type", "SSC"}, {"issuer_orgs", {"social", "health"}}}))
      .Tx("market", "", 4, "approve", R"({"proposal":2})")
      .Tx("tax", "", 4, "approve", R"({"proposal":2})")
      .Tx("market", "", 4, "propose", propose("set_holidays", {{"holidays", {"2026-11-27"}}}))
      .Tx("police", "", 4, "propose",
          propose("replace_admin_key",
                  {{"org", "bank"},
                   {"old_key", ToHex(fuzz::SignerKey({"bank", ""}).public_key())},
                   {"new_key", hex_key("bank-2")}}))
      .Tx("social", "", 4, "approve", R"({"proposal":4})")
      .Tx("tax", "", 4, "approve", R"({"proposal":4})")
      .Tx("bank", "", 3, "ping", "{}")
      .Tx("tax", "", 4, "propose", propose("remove_validator", {{"name", "tax-0"}}))
      .Tx("tax", "", 4, "propose", propose("set_threshold", {{"approval_threshold", 4}}))
      .Tx("market", "window-1", 0, "rotate_key", json{{"new_public_key", hex_key("w2")}}.dump())
      .Tx("market", "window-1", 3, "ping", "{}")
      .Query("proposals", "{}")
      .Query("proposal", R"({"proposal":1})")
      .Query("governance", "{}")
      .Query("validators", "{}");
  Write("fuzz_chaincode", "governance", gov.bytes());
}

// ---- replica op sequences (see fuzz_replica.h) ----
void Replica() {
  using namespace fuzz;
  // Backup (self 1) in view 0: pre-prepare from replica 0, prepares and
  // commits from the others, five blocks (a checkpoint at 4), then a
  // checkpoint quorum.
  {
    InputWriter w;
    w.U8(1);
    for (int i = 0; i < 5; ++i) {
      w.U8(kPrePrepare).U8(0).U8(0).U8(1).Str("tx-" + std::to_string(i)).U8(0);
      w.U8(kVoteBurst).U8(0xff).U8(3);
      w.U8(kAdvance).U16(20);
    }
    w.U8(kCheckpoint).U8(0x40).U8(1).U8(0);
    w.U8(kTimer).U8(0);
    Write("fuzz_replica", "backup-normal-case", w.bytes());
  }
  // The same with a restart in the middle and a duplicate pre-prepare.
  {
    InputWriter w;
    w.U8(2);
    w.U8(kPrePrepare).U8(0).U8(0).U8(2).Str("tx-a").Str("tx-b").U8(0);
    w.U8(kVoteBurst).U8(0xff).U8(1);
    w.U8(kRestart);
    w.U8(kVoteBurst).U8(0xff).U8(2);
    w.U8(kPrePrepare).U8(0).U8(0).U8(1).Str("tx-c").U8(0);
    w.U8(kRestart);
    w.U8(kVoteBurst).U8(0xff).U8(3);
    Write("fuzz_replica", "backup-restart", w.bytes());
  }
  // Primary (self 0): requests, batch timer, then votes on its own proposal.
  {
    InputWriter w;
    w.U8(0);
    w.U8(kRequest).Str("req-1").U8(kRequest).Str("req-2");
    w.U8(kAdvance).U16(10);
    w.U8(kTimer).U8(0);  // the batch timer (lowest id)
    w.U8(kVoteBurst).U8(0xff).U8(3);
    w.U8(kRequest).Str("req-3");
    w.U8(kAdvance).U16(10);
    w.U8(kTimer).U8(0);
    w.U8(kVoteBurst).U8(0xff).U8(3);
    Write("fuzz_replica", "primary-proposes", w.bytes());
  }
  // View change: timeouts, view-changes from the others, a new view with a
  // carried-over pre-prepare, then votes in the new view.
  {
    InputWriter w;
    w.U8(1);
    w.U8(kPrePrepare).U8(0).U8(0).U8(1).Str("tx-vc").U8(0);
    w.U8(kVoteBurst).U8(0).U8(1);
    w.U8(kRequest).Str("pending");
    w.U8(kAdvance).U16(1500);
    for (int i = 0; i < 3; ++i) w.U8(kTimer).U8(static_cast<uint8_t>(i));
    w.U8(kViewChange).U8(0x40).U8(0).U8(0x40);
    w.U8(kNewView).U8(0).U8(1);
    w.U8(kVoteBurst).U8(1).U8(3);
    w.U8(kStatus).U8(0).U8(1).U8(0).U8(2);
    Write("fuzz_replica", "view-change", w.bytes());
  }
  // State transfer: a status from far ahead, then fetched certified blocks.
  {
    InputWriter w;
    w.U8(3);
    w.U8(kCheckpoint).U8(0x40).U8(0xff).U8(0);
    w.U8(kStatus).U8(1).U8(0).U8(0).U8(7);
    w.U8(kAdvance).U16(300);
    for (int i = 0; i < 3; ++i) w.U8(kTimer).U8(static_cast<uint8_t>(i));
    w.U8(kFetched).U8(3).U8(0);
    w.U8(kFetched).U8(2).U8(1);
    Write("fuzz_replica", "state-transfer", w.bytes());
  }
  // Batched requests from the others, then the primary (self 0) proposes;
  // block bodies asked for and offered (right and corrupted).
  {
    InputWriter w;
    w.U8(0);
    w.U8(OpByte(kRequestBatch)).U8(1).U8(3).Str("b-1").Str("b-2").Str("b-3");
    w.U8(OpByte(kRequestBatch)).U8(2).U8(2).Str("b-3").Str("b-4");
    w.U8(kAdvance).U16(10);
    w.U8(kTimer).U8(0);
    w.U8(kVoteBurst).U8(0xff).U8(1);
    w.U8(OpByte(kBlockRequest)).U8(1).U8(0).U8(0);
    w.U8(OpByte(kBlockRequest)).U8(2).U8(0).U8(1);
    w.U8(OpByte(kBlockResponse)).U8(1).U8(0).U8(1);
    w.U8(kVoteBurst).U8(0xff).U8(2);
    Write("fuzz_replica", "request-batches", w.bytes());
  }
  // View change whose new view names a block by digest only; the body comes
  // later in a BlockResponse (first a corrupted one).
  {
    InputWriter w;
    w.U8(2);
    w.U8(kPrePrepare).U8(0).U8(0).U8(1).Str("tx-digest").U8(0);
    w.U8(kVoteBurst).U8(0).U8(1);
    w.U8(kAdvance).U16(1500);
    for (int i = 0; i < 3; ++i) w.U8(kTimer).U8(static_cast<uint8_t>(i));
    w.U8(kViewChange).U8(0x40).U8(0).U8(0x40);
    w.U8(kNewView).U8(0).U8(1);
    w.U8(OpByte(kBlockResponse)).U8(0).U8(0).U8(1);
    w.U8(OpByte(kBlockResponse)).U8(0).U8(0).U8(0);
    w.U8(kVoteBurst).U8(1).U8(3);
    Write("fuzz_replica", "body-by-digest", w.bytes());
  }
  // A well-signed message handed in as already checked.
  {
    InputWriter w;
    w.U8(1);
    SignedMessage rb =
        SignedMessage::Sign(MsgType::kRequestBatch, 2,
                            RequestBatchMsg{{ToBytes("tx-verified")}}.Encode(), ValidatorKey(2));
    w.U8(OpByte(kVerified)).U8(2).Blob(rb.Encode());
    w.U8(OpByte(kVerified)).U8(3).Blob(rb.Encode());  // wrong peer: dropped
    Write("fuzz_replica", "verified-message", w.bytes());
  }
  // Garbage: raw bytes and signed junk bodies of every type.
  {
    InputWriter w;
    w.U8(1);
    w.U8(kRawMessage).U8(0).Str("not a message");
    for (uint8_t t = 0; t < 8; ++t) w.U8(kSignedBody).U8(t).U8(t).Str("junk");
    for (uint8_t t = 8; t < 11; ++t) w.U8(kSignedBody).U8(t).U8(t).Str("junk");
    w.U8(kVote).U8(1).U8(0).U8(0xff).U8(0).U8(7);
    Write("fuzz_replica", "junk", w.bytes());
  }
}

// ---- proof bundles: a licence issued on a tiny in-process ledger ----
class MiniLedger {
 public:
  MiniLedger() : engine_(net_.genesis), map_(nodes_) { prev_ = net_.genesis.ComputeHash(); }
  const DevNetwork& net() const { return net_; }

  // Executes `txs` as the next block; returns the results.
  std::vector<chaincode::TxOutcome> Add(const std::vector<Transaction>& txs) {
    time_ += 60'000;
    Block b;
    b.header.height = blocks_.size() + 1;
    b.header.prev_hash = prev_;
    b.header.timestamp_ms = time_;
    b.header.state_root = root_;
    chaincode::OverlayView block_view(state_);
    std::vector<chaincode::TxOutcome> out;
    for (size_t i = 0; i < txs.size(); ++i) {
      b.txs.push_back(txs[i].Encode());
      chaincode::OverlayView tx_view(static_cast<chaincode::StateView&>(block_view));
      chaincode::TxContext ctx{b.header.height, time_, static_cast<uint32_t>(i), txs[i].Id()};
      out.push_back(engine_.Execute(txs[i], ctx, tx_view));
      if (out.back().status.ok()) tx_view.Commit();
    }
    b.header.tx_root = merkle::Root(b.txs);
    std::vector<state::StateChange> changes;
    for (const auto& [k, v] : block_view.writes()) changes.push_back({k, v});
    auto upd = map_.Update(b.header.height, changes);
    if (!upd.ok()) std::abort();
    nodes_.Apply(upd->node_writes);
    root_ = upd->root;
    block_view.Commit();
    CommitCertificate cert;
    cert.height = b.header.height;
    cert.block_hash = b.ComputeHash();
    for (uint32_t id = 0; id < 3; ++id) {
      cert.signatures.emplace_back(
          id, net_.validator_keys[id].Sign(kCommitTag,
                                           CommitVoteBody(0, cert.height, cert.block_hash)));
    }
    prev_ = cert.block_hash;
    blocks_.push_back(b);
    certs_.push_back(cert);
    return out;
  }
  Transaction Tx(const crypto::KeyPair& k, const std::string& cc, const std::string& m,
                 const json& args) {
    return MakeTx(k, cc, m, args.dump(), ++nonce_);
  }

  // A v3 bundle: the status in the state after the newest block under that
  // block's state certificate (three validators' state votes).
  proof::Bundle ExportV3(const std::string& id) const {
    proof::Bundle bundle;
    bundle.licence_id = id;
    bundle.record = *state_.Get(chaincode::LicenceRecordKey(id));
    const uint64_t h = blocks_.size();
    auto look = map_.GetWithProof(chaincode::LicenceStatusKey(id), h);
    if (!look.ok() || !look->value) std::abort();
    proof::StatusEvidence s;
    s.header = blocks_[h - 1].header;
    proof::StateVotes votes;
    votes.state_root = root_;
    const Bytes vote = consensus::CheckpointMsg{h, s.header.ComputeHash(), root_}.Encode();
    for (uint32_t v = 0; v < 3; ++v) {
      votes.signatures.emplace_back(
          v, net_.validator_keys[v].Sign(consensus::TagFor(consensus::MsgType::kCheckpoint), vote));
    }
    s.state = votes;
    s.value = *look->value;
    s.proof = look->proof;
    bundle.status = s;
    auto v3 = proof::ToV3(std::move(bundle));
    if (!v3.ok()) std::abort();
    return *v3;
  }

  proof::Bundle Export(const std::string& id, size_t issued_height, size_t index) {
    proof::Bundle bundle;
    bundle.licence_id = id;
    bundle.record = *state_.Get(chaincode::LicenceRecordKey(id));
    const Block& b = blocks_[issued_height - 1];
    std::vector<Hash> leaves;
    for (const Bytes& t : b.txs) leaves.push_back(merkle::LeafHash(t));
    proof::TxInclusion& t = bundle.issuance;
    t.tx = b.txs[index];
    t.index = index;
    t.path = merkle::InclusionProof(leaves, index);
    t.tree_size = proof::CanonicalTreeSize(index, leaves.size(), t.path.size());
    t.header = b.header;
    t.certificate = certs_[issued_height - 1];
    uint64_t h = blocks_.size();
    auto look = map_.GetWithProof(chaincode::LicenceStatusKey(id), h - 1);
    if (!look.ok() || !look->value) std::abort();
    proof::StatusEvidence s;
    s.header = blocks_[h - 1].header;
    s.certificate = certs_[h - 1];
    s.value = *look->value;
    s.proof = look->proof;
    bundle.status = s;
    return bundle;
  }

 private:
  DevNetwork net_ = MakeDevNetwork();
  chaincode::Engine engine_;
  chaincode::MemStateView state_;
  state::MemStateNodeStore nodes_;
  state::StateMap map_;
  Hash root_{};
  Hash prev_{};
  uint64_t time_ = fuzz::kProofNowMs - 3'600'000ULL;
  uint64_t nonce_ = 0;
  std::vector<Block> blocks_;
  std::vector<CommitCertificate> certs_;
};

void Proofs() {
  MiniLedger l;
  crypto::KeyPair licensing = fuzz::SignerKey({"market", "licensing-1"});
  crypto::KeyPair holder = crypto::KeyPair::FromSeed(DevSeed("holder", "fuzz"));
  const crypto::KeyPair& admin = l.net().admin_keys.at("market");
  auto r = l.Add({l.Tx(admin, "identity", "enrol_clerk",
                       {{"name", "licensing-1"},
                        {"public_key", ToHex(licensing.public_key())},
                        {"roles", {"licensing"}}})});
  if (!r[0].status.ok()) std::abort();
  Bytes salt(16, 0x5a);
  json issue = {
      {"type", "BL"},
      {"holder_key", ToHex(holder.public_key())},
      {"holder_code_type", "none"},
      {"jurisdiction", "370102"},
      {"commitments",
       {{"trade_name", client::CommitmentHex("trade_name", "Quanyong Tea House", salt)}}}};
  r = l.Add(
      {l.Tx(admin, "identity", "enrol_clerk",
            {{"name", "x"}, {"public_key", ToHex(holder.public_key())}, {"roles", {"clerk"}}}),
       l.Tx(licensing, "licence", "issue", issue)});
  if (!r[1].status.ok()) {
    std::fprintf(stderr, "seedgen: licence.issue failed: %s\n", r[1].status.ToString().c_str());
    std::abort();
  }
  std::string id = json::parse(r[1].result_json)["identifier"].get<std::string>();
  l.Add({});
  proof::Bundle b = l.Export(id, 2, 1);
  auto p = proof::Present(b, {{"trade_name", "Quanyong Tea House", salt}},
                          std::string(fuzz::kProofChallenge), fuzz::kProofNowMs, holder);
  if (!p.ok()) std::abort();
  Write("fuzz_proof", "bundle", Prefixed(fuzz::kProofBundleBytes, b.Encode()));
  Write("fuzz_proof", "presentation", Prefixed(fuzz::kProofPresentationBytes, p->Encode()));
  Write("fuzz_proof", "bundle.json",
        Prefixed(fuzz::kProofBundleJson, AsBytes(proof::BundleToJson(b))));
  Write("fuzz_proof", "presentation.json",
        Prefixed(fuzz::kProofPresentationFile, AsBytes(proof::PresentationToJson(*p))));
  proof::Bundle nostatus = b;
  nostatus.status.reset();
  Write("fuzz_proof", "bundle-no-status", Prefixed(fuzz::kProofBundleBytes, nostatus.Encode()));
  // Format v2: the same licence, its presentation and files; the compact
  // record and the record's JSON text for the codec kinds.
  auto b2 = proof::ToV2(b);
  if (!b2.ok()) std::abort();
  auto p2 = proof::Present(*b2, {{"trade_name", "Quanyong Tea House", salt}},
                           std::string(fuzz::kProofChallenge), fuzz::kProofNowMs, holder);
  if (!p2.ok()) std::abort();
  Write("fuzz_proof", "bundle-v2", Prefixed(fuzz::kProofBundleBytes, b2->Encode()));
  Write("fuzz_proof", "presentation-v2", Prefixed(fuzz::kProofPresentationBytes, p2->Encode()));
  Write("fuzz_proof", "bundle-v2.json",
        Prefixed(fuzz::kProofBundleJson, AsBytes(proof::BundleToJson(*b2))));
  Write("fuzz_proof", "presentation-v2.json",
        Prefixed(fuzz::kProofPresentationFile, AsBytes(proof::PresentationToJson(*p2))));
  // Format v3: the same licence in the state after the newest block, under
  // a valid state certificate.
  const proof::Bundle b3 = l.ExportV3(id);
  auto p3 = proof::Present(b3, {{"trade_name", "Quanyong Tea House", salt}},
                           std::string(fuzz::kProofChallenge), fuzz::kProofNowMs, holder);
  if (!p3.ok()) std::abort();
  Write("fuzz_proof", "bundle-v3", Prefixed(fuzz::kProofBundleBytes, b3.Encode()));
  Write("fuzz_proof", "presentation-v3", Prefixed(fuzz::kProofPresentationBytes, p3->Encode()));
  Write("fuzz_proof", "bundle-v3.json",
        Prefixed(fuzz::kProofBundleJson, AsBytes(proof::BundleToJson(b3))));
  Write("fuzz_proof", "presentation-v3.json",
        Prefixed(fuzz::kProofPresentationFile, AsBytes(proof::PresentationToJson(*p3))));
  auto compact = proof::CompactRecord(b.record);
  if (!compact.ok()) std::abort();
  Write("fuzz_proof", "record-compact", Prefixed(fuzz::kProofCompactRecord, *compact));
  Write("fuzz_proof", "record-json", Prefixed(fuzz::kProofRecordJson, b.record));
  // A record with a float has no compact form: a v2 bundle carries it raw.
  Write("fuzz_proof", "record-json-float",
        Prefixed(fuzz::kProofRecordJson, AsBytes("{\"a\":1.5,\"identifier\":\"x\"}")));
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fuzz_seedgen OUT_DIR SOURCE_DIR\n");
    return 2;
  }
  fuzz::InitOnce();
  g_out = argv[1];
  g_src = argv[2];
  Encoding();
  Transactions();
  StateProofs();
  GenesisFiles();
  Blocks();
  Messages();
  Configs();
  Applications();
  Chaincode();
  Replica();
  Proofs();
  std::printf("seeds written to %s\n", g_out.c_str());
  return 0;
}
