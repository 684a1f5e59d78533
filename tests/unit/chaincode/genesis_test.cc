// core/genesis: parse, validation errors naming the bad field, hash, dev network.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "core/genesis.h"

using namespace licenced;

TEST_CASE("dev network genesis round-trips through JSON", "[genesis]") {
  DevNetwork net = MakeDevNetwork();
  REQUIRE(net.genesis.Validate().ok());
  CHECK(net.genesis.organisations.size() == 6);
  CHECK(net.genesis.validators.size() == 4);
  CHECK(net.genesis.FindOrg("health") != nullptr);
  CHECK_FALSE(net.genesis.FindOrg("health")->runs_validator);
  CHECK(net.genesis.FindLicenceType("BL")->issuer_orgs == std::vector<std::string>{"market"});
  CHECK(net.genesis.OrgOfAdmin(net.admin_keys.at("police").public_key())->id == "police");
  std::string text = net.genesis.ToJson();
  auto parsed = Genesis::Parse(text);
  REQUIRE(parsed.ok());
  CHECK(parsed->ToJson() == text);
  CHECK(parsed->ComputeHash() == net.genesis.ComputeHash());
  // Same inputs, same genesis: deterministic keys.
  CHECK(MakeDevNetwork().genesis.ToJson() == text);
  CHECK(MakeDevNetwork(1).genesis.ToJson() != text);
}

TEST_CASE("genesis hash is over the file bytes", "[genesis]") {
  std::string text = MakeDevNetwork().genesis.ToJson();
  auto a = Genesis::Parse(text);
  auto b = Genesis::Parse(text + " ");
  REQUIRE(a.ok());
  REQUIRE(b.ok());
  CHECK(a->ComputeHash() != b->ComputeHash());
}

TEST_CASE("genesis validation names the bad field", "[genesis]") {
  nlohmann::json base = nlohmann::json::parse(MakeDevNetwork().genesis.ToJson());
  auto expect_error = [&](const std::function<void(nlohmann::json&)>& mutate,
                          const std::string& field) {
    nlohmann::json j = base;
    mutate(j);
    auto g = Genesis::Parse(j.dump());
    INFO(field);
    REQUIRE_FALSE(g.ok());
    CHECK(g.status().code() == StatusCode::kInvalidArgument);
    CHECK_THAT(g.status().message(), Catch::Contains(field));
  };
  expect_error([](auto& j) { j.erase("network_id"); }, "network_id: missing");
  expect_error([](auto& j) { j["genesis_time_ms"] = "soon"; }, "genesis_time_ms");
  expect_error([](auto& j) { j["organisations"][2]["encryption_key"] = "abcd"; },
               "organisations[2].encryption_key");
  expect_error([](auto& j) { j["organisations"][1]["admin_keys"][0] = std::string(64, 'g'); },
               "organisations[1].admin_keys[0]");
  expect_error([](auto& j) { j["organisations"][1]["id"] = "market"; }, "organisations[1].id");
  expect_error([](auto& j) { j["organisations"][0]["runs_validator"] = "yes"; },
               "organisations[0].runs_validator");
  expect_error([](auto& j) { j["validators"][3]["org"] = "health"; }, "validators[3].org");
  expect_error([](auto& j) { j["validators"][0]["address"] = "nowhere"; }, "validators[0].address");
  expect_error([](auto& j) { j["licence_types"][0]["issuer_orgs"][0] = "nobody"; },
               "licence_types[0].issuer_orgs[0]");
  expect_error([](auto& j) { j["licence_types"][1]["code"] = "b-l"; }, "licence_types[1].code");
  expect_error([](auto& j) { j["holidays"][0] = "2026-02-30"; }, "holidays[0]");
  expect_error([](auto& j) { j["organisations"][3]["credit_code"] = "91350100M000100Y44"; },
               "organisations[3].credit_code");
  {
    nlohmann::json j = base;
    j["organisations"][3]["credit_code"] = "91350100M000100Y43";
    auto g = Genesis::Parse(j.dump());
    REQUIRE(g.ok());
    CHECK(g->organisations[3].credit_code == "91350100M000100Y43");
  }
  expect_error([](auto& j) { j["consensus"]["checkpoint_interval"] = 0; },
               "consensus.checkpoint_interval");
  expect_error([](auto& j) { j["consensus"]["order_ahead_window"] = 0; },
               "consensus.order_ahead_window");
  expect_error([](auto& j) { j["consensus"]["order_ahead_window"] = 65; },  // > watermark window
               "consensus.order_ahead_window");
  expect_error([](auto& j) { j["consensus"]["order_ahead_window"] = "4"; },
               "consensus.order_ahead_window");
  {
    // Absent: 1, and the genesis written back has no such field (its hash
    // is what it was before the field existed).
    auto g = Genesis::Parse(base.dump());
    REQUIRE(g.ok());
    CHECK(g->consensus.order_ahead_window == 1);
    CHECK(g->ToJson().find("order_ahead_window") == std::string::npos);
    nlohmann::json j = base;
    j["consensus"]["order_ahead_window"] = 4;
    auto w = Genesis::Parse(j.dump());
    REQUIRE(w.ok());
    CHECK(w->consensus.order_ahead_window == 4);
    auto again = Genesis::Parse(w->ToJson());
    REQUIRE(again.ok());
    CHECK(again->consensus.order_ahead_window == 4);
  }
  CHECK_THAT(Genesis::Parse("{").status().message(), Catch::Contains("not valid JSON"));
  CHECK(Genesis::LoadFile("/nonexistent/genesis.json").status().code() == StatusCode::kIoError);
}
