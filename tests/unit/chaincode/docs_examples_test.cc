// Docs and examples cannot drift from the code: every flow step has its example
// file and is described in docs/flows.md; every method and query is in
// docs/chaincode.md; hostile argument shapes are rejected, not crashed on.
#include "chaincode/flows.h"
#include "harness.h"

using namespace licenced;
using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

namespace {
std::string ReadDoc(const std::string& name) {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) + "/docs/" + name);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
}  // namespace

TEST_CASE("every flow step has an example file and a line in docs/flows.md", "[docs]") {
  std::string flows_md = ReadDoc("flows.md");
  for (const auto& flow : Flows()) {
    json app = ExampleJson(flow.id + "-application.json");
    CHECK(app["flow"] == flow.id);
    for (const auto& f : flow.public_fields) CHECK(app["public"].contains(f));
    for (const auto& f : flow.private_fields) CHECK(app["private"].contains(f));
    for (const auto& step : flow.steps) {
      INFO(flow.id << "/" << step.id);
      json args = ExampleJson(flow.id + "-" + step.id + ".json");
      CHECK(args.contains("outputs"));
      CHECK(flows_md.find("`" + step.id + "`") != std::string::npos);
      CHECK(flows_md.find(flow.id + "-" + step.id + ".json") != std::string::npos);
    }
    for (const auto& sealed : flow.sealed_at_open) {
      std::string list;
      for (const auto& f : sealed.fields) list += (list.empty() ? "" : ", ") + f;
      INFO(sealed.org << ": " << list);
      CHECK(flows_md.find(sealed.org + " `" + list + "`") != std::string::npos);
    }
  }
}

TEST_CASE("every method and query is documented in docs/chaincode.md", "[docs]") {
  std::string md = ReadDoc("chaincode.md");
  for (const char* m :
       {"enrol_clerk", "suspend_clerk",    "restore_clerk", "remove_clerk", "issue",     "suspend",
        "restore",     "revoke",           "cancel",        "renew",        "open_case", "claim",
        "complete",    "reject",           "case",          "cases",        "task",      "inbox",
        "licence",     "licence_status",   "licences",      "clerk",        "clerks",    "audit",
        "sealed",      "next_resident_id", "flows",         "ping"}) {
    INFO(m);
    CHECK(md.find("| `" + std::string(m) + "` |") != std::string::npos);
  }
  CHECK(md.find("licence/status/") != std::string::npos);
}

TEST_CASE("hostile argument shapes are rejected without crashing", "[robustness]") {
  Harness h;
  crypto::KeyPair window = h.Enrol("market", "window-1", {"window"});
  std::string deep(100000, '[');
  Transaction tx;
  tx.network_id = h.net().genesis.network_id;
  tx.chaincode = "workflow";
  tx.method = "open_case";
  tx.args = ToBytes(deep);
  tx.SignWith(window);
  CHECK(h.SubmitTx(tx).status.code() == StatusCode::kInvalidArgument);
  for (const json& args :
       {json{{"flow", 5}}, json{{"flow", "enterprise"}, {"holder_key", 1}},
        json{{"flow", "enterprise"}, {"holder_key", std::string(64, 'a')}, {"public", "x"}},
        json{{"flow", "enterprise"},
             {"holder_key", std::string(64, 'a')},
             {"public", json::object()},
             {"private", {{"enterprise_name", {{"value", 3}, {"salt", 4}}}}}},
        json{{"flow", "newborn"},
             {"holder_key", std::string(64, 'a')},
             {"public", json::array()},
             {"private", json::array()}}}) {
    h.Fail(window, "workflow", "open_case", args, StatusCode::kInvalidArgument);
  }
  for (const json& args : {json{{"task_id", 7}}, json{{"task_id", "/"}}, json{{"task_id", "x/"}},
                           json{{"task_id", "ENT-1/business_licence"}, {"outputs", 3}}}) {
    CHECK_FALSE(h.Submit(window, "workflow", "complete", args).status.ok());
  }
}
