// A recorded ledger re-executes to the same state: the
// blocks under testdata/ledger-replay.json (the enterprise and newborn flows,
// the licence lifecycle, clerk identities, a few rejected transactions, with
// non-ASCII text and escapes in stored strings) are run through the Executor
// and every block's state root, tx result code and results/events digest must
// equal the values recorded when the file was written.
//
// The file was recorded while state values, records, results and event
// payloads were written by nlohmann::json::dump(); passing shows that canonical
// JSON (core/canonical_json.h) leaves all of them byte-identical. It was
// written by the hidden test "[.record-ledger]" (run it by its
// tag with LICENCED_RECORD_LEDGER=1 to overwrite the file). Its transactions
// carry sealed boxes (random ephemeral keys), so they are kept as bytes rather
// than regenerated.
#include <catch2/catch.hpp>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "consensus/block.h"
#include "core/crypto.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "node/executor.h"
#include "node/storage/mem_kv_store.h"
#include "tests/unit/chaincode/harness.h"

using namespace licenced;
using json = nlohmann::json;

namespace {

const std::string kFixture =
    std::string(LICENCED_SOURCE_DIR) + "/tests/unit/node/testdata/ledger-replay.json";

struct Replayed {
  Hash state_root{};
  StatusCode code = StatusCode::kOk;
  std::string outputs_sha256;  // over the result JSON and every event
};

// Runs one tx per block (height = index + 1, as the harness numbers them).
std::vector<Replayed> Replay(const std::vector<Bytes>& txs, const std::vector<uint64_t>& times) {
  DevNetwork net = MakeDevNetwork();
  storage::MemKvStore kv;
  auto store = storage::BlockStore::Open(&kv, net.genesis.ComputeHash());
  REQUIRE(store.ok());
  node::Executor exec(net.genesis, store->get());
  std::vector<Replayed> out;
  for (size_t i = 0; i < txs.size(); ++i) {
    consensus::Block b;
    b.header.height = (*store)->head_height() + 1;
    b.header.prev_hash = (*store)->head_hash();
    b.header.timestamp_ms = times[i];
    b.txs = {txs[i]};
    b.header.tx_root = merkle::Root(b.txs);
    consensus::CommitCertificate c;
    c.height = b.header.height;
    c.block_hash = b.ComputeHash();
    auto r = exec.ExecuteBlock(b, c, /*sync=*/false);
    REQUIRE(r.ok());
    REQUIRE(r->txs.size() == 1);
    std::string digest_input = r->txs[0].record.result_json;
    for (const auto& e : r->events) {
      digest_input += '\0' + e.kind + '\0';
      for (const auto& o : e.orgs) digest_input += o + ',';
      digest_input += '\0' + e.payload_json;
    }
    out.push_back(
        {r->state_root, r->txs[0].record.code, ToHex(crypto::Sha256(AsBytes(digest_input)))});
  }
  return out;
}

// ---- the recorder ----

using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

json Step(const std::string& flow, const std::string& case_id, const std::string& step) {
  json args = ExampleJson(flow + "-" + step + ".json");
  args["task_id"] = case_id + "/" + step;
  return args;
}

json IssueArgs(Harness& h, const std::string& type, const std::string& field) {
  json clear = {{"type", type},
                {"holder_key", std::string(64, 'a')},
                {"holder_code_type", "resident_id"},
                {"holder_code", "11010519491231002X"},
                {"fields", {{field, "Li Si"}}},
                {"jurisdiction", "370102"}};
  auto p = PrepareIssueLicence(clear, h.RandomSource(), h.now());
  REQUIRE(p.ok());
  return p->args;
}

void DriveLedger(Harness& h) {
  // Enterprise flow.
  auto window = h.Enrol("market", "window-1", {"window"});
  auto market = h.Enrol("market", "approver-1", {"clerk"});
  auto police = h.Enrol("police", "seal-desk-1", {"clerk"});
  auto engraver = h.Enrol("police", "Jinan Seal Engraving Co.", {"engraver"});
  auto social = h.Enrol("social", "employer-desk-1", {"clerk"});
  auto tax = h.Enrol("tax", "taxpayer-desk-1", {"clerk"});
  auto bank = h.Enrol("bank", "Qilu Bank Hi-tech branch", {"clerk"});
  auto [ent, ent_secrets] = h.OpenFromExample(window, "enterprise-application.json");
  (void)ent_secrets;
  h.Advance(kHourMs);
  json bl = h.Ok(market, "workflow", "complete", Step("enterprise", ent, "business_licence"));
  h.Advance(kHourMs);
  h.Ok(police, "workflow", "claim", {{"task_id", ent + "/seal_filing"}});
  h.Ok(police, "workflow", "complete", Step("enterprise", ent, "seal_filing"));
  h.Ok(engraver, "workflow", "complete", Step("enterprise", ent, "seal_engraving"));
  h.Ok(social, "workflow", "complete", Step("enterprise", ent, "social_security"));
  h.Ok(tax, "workflow", "complete", Step("enterprise", ent, "taxpayer"));
  h.Advance(kHourMs);
  h.Ok(bank, "workflow", "complete", Step("enterprise", ent, "bank_account"));
  // The same application again: a duplicate, rejected.
  auto again = PrepareOpenCase(h.net().genesis, ReadExample("enterprise-application.json"),
                               h.RandomSource(), h.now());
  REQUIRE(again.ok());
  h.Fail(window, "workflow", "open_case", again->args, StatusCode::kAlreadyExists);

  // Newborn flow.
  auto nb_window = h.Enrol("health", "maternity-window", {"window"});
  auto hospital = h.Enrol("health", "Shandong Provincial Hospital", {"clerk"});
  auto household = h.Enrol("police", "household-desk-1", {"clerk"});
  auto insurance = h.Enrol("social", "insurance-desk-1", {"clerk"});
  auto [nb, nb_secrets] = h.OpenFromExample(nb_window, "newborn-application.json");
  (void)nb_secrets;
  h.Advance(kDayMs);
  h.Ok(hospital, "workflow", "complete", Step("newborn", nb, "birth_certificate"));
  h.Ok(hospital, "workflow", "complete", Step("newborn", nb, "vaccination"));
  json box = h.Query("sealed", {{"case_id", nb}, {"org", "police"}});
  REQUIRE(box.size() == 1);
  auto opened =
      OpenSealed(h.net().encryption_keys.at("police"), box[0]["ciphertext"].get<std::string>());
  REQUIRE(opened.ok());
  json next =
      h.Query("next_resident_id",
              {{"address_code", (*opened)["household_address_code"]["value"]},
               {"birth_date", (*opened)["birth_time"]["value"].get<std::string>().substr(0, 10)},
               {"sex", (*opened)["sex"]["value"]}});
  auto hr = PrepareHouseholdRegistration(h.net().genesis, nb + "/household_registration", *opened,
                                         next["resident_id"], h.RandomSource(), h.now());
  REQUIRE(hr.ok());
  h.Ok(household, "workflow", "complete", hr->args);
  h.Ok(insurance, "workflow", "complete", Step("newborn", nb, "medical_insurance"));
  h.Ok(insurance, "workflow", "complete", Step("newborn", nb, "social_security_card"));

  // Licence registry: every status transition and a renewal.
  auto cards = h.Enrol("social", "cards-1", {"licensing"});
  std::string ssc = h.Ok(cards, "licence", "issue", IssueArgs(h, "SSC", "name"))["identifier"];
  h.Ok(cards, "licence", "suspend", {{"identifier", ssc}, {"reason", "card lost"}});
  h.Ok(cards, "licence", "restore", {{"identifier", ssc}});
  h.Ok(cards, "licence", "cancel", {{"identifier", ssc}, {"reason", "holder request"}});
  // Non-ASCII field names and reasons with escapes and characters beyond the BMP.
  std::string other = h.Ok(cards, "licence", "issue", IssueArgs(h, "SSC", "姓名"))["identifier"];
  h.Ok(cards, "licence", "revoke",
       {{"identifier", other}, {"reason", "fraud: \"forged\"\\ \t\n\x01 \xf0\x9f\x98\x80 é"}});
  auto licensing = h.Enrol("market", "licensing-1", {"licensing"});
  h.Ok(licensing, "licence", "renew",
       {{"identifier", bl["outputs"]["licence"]}, {"valid_until", "2027-11-26"}});
  h.Fail(cards, "licence", "restore", {{"identifier", ssc}}, StatusCode::kFailedPrecondition);

  // Clerk identities, with a non-ASCII name.
  auto k = h.Enrol("market", "窗口一号 \xf0\x9f\x98\x80 \"Zhang\"", {"window", "clerk"});
  std::string key = ToHex(k.public_key());
  h.Ok(h.admin("market"), "identity", "suspend_clerk",
       {{"public_key", key}, {"reason", "audit\r"}});
  h.Ok(h.admin("market"), "identity", "restore_clerk", {{"public_key", key}});
  h.Ok(h.admin("market"), "identity", "remove_clerk", {{"public_key", key}, {"reason", "left"}});
  h.Fail(h.admin("police"), "identity", "enrol_clerk",
         {{"name", "x"}, {"public_key", key}, {"roles", {"no-such-role"}}},
         StatusCode::kInvalidArgument);
  h.Ok(h.admin("tax"), "system", "ping", json::object());
}

}  // namespace

TEST_CASE("a recorded ledger re-executes to its recorded state roots", "[node][executor][replay]") {
  std::ifstream in(kFixture);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  json f = json::parse(ss.str());
  std::vector<Bytes> txs;
  std::vector<uint64_t> times;
  for (const auto& b : f["blocks"]) {
    auto tx = FromHex(b["tx"].get<std::string>());
    REQUIRE(tx.ok());
    txs.push_back(*tx);
    times.push_back(b["time_ms"]);
  }
  REQUIRE(txs.size() > 40);
  std::vector<Replayed> got = Replay(txs, times);
  size_t rejected = 0;
  for (size_t i = 0; i < got.size(); ++i) {
    const json& want = f["blocks"][i];
    INFO("height " << i + 1);
    CHECK(ToHex(got[i].state_root) == want["state_root"].get<std::string>());
    CHECK(static_cast<int>(got[i].code) == want["code"].get<int>());
    CHECK(got[i].outputs_sha256 == want["outputs_sha256"].get<std::string>());
    if (got[i].code != StatusCode::kOk) ++rejected;
  }
  CHECK(rejected == 3);
}

TEST_CASE("record the replay ledger", "[.record-ledger]") {
  Harness h;
  DriveLedger(h);
  std::vector<Replayed> got = Replay(h.tx_bytes(), h.tx_times());
  json blocks = json::array();
  for (size_t i = 0; i < got.size(); ++i) {
    blocks.push_back({{"height", i + 1},
                      {"time_ms", h.tx_times()[i]},
                      {"tx", ToHex(h.tx_bytes()[i])},
                      {"code", static_cast<int>(got[i].code)},
                      {"state_root", ToHex(got[i].state_root)},
                      {"outputs_sha256", got[i].outputs_sha256}});
  }
  json out = {{"about",
               "One transaction per block, executed by node::Executor over the dev genesis "
               "(tests/unit/node/ledger_replay_test.cc)."},
              {"blocks", blocks}};
  if (std::getenv("LICENCED_RECORD_LEDGER") != nullptr) {
    std::ofstream o(kFixture);
    REQUIRE(o);
    o << out.dump(1) << "\n";
  }
}
