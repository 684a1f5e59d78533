// Shared fixture of the proof tests: a ledger where market issued a business
// licence through the enterprise flow and a second one with licence.issue.
// Not thread-safe.
#pragma once

#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <random>
#include <sstream>
#include <string>

#include "client/prepare.h"
#include "ledger.h"
#include "proof/verify.h"

namespace licenced::proof::testing {

inline std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) + "/examples/" + name);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline crypto::KeyPair Clerk(const std::string& org, const std::string& name) {
  return crypto::KeyPair::FromSeed(DevSeed("clerk", org + "/" + name));
}

inline json Enrol(const std::string& name, const crypto::KeyPair& k,
                  std::vector<std::string> roles) {
  return {{"name", name}, {"public_key", ToHex(k.public_key())}, {"roles", roles}};
}

// A ledger where market issued a business licence through the enterprise flow
// (window opens the case, the market approver completes business_licence), and
// a second licence issued directly with licence.issue by a licensing clerk.
struct Fixture {
  TestLedger ledger;
  crypto::KeyPair holder = crypto::KeyPair::FromSeed(DevSeed("holder", "proof-test"));
  crypto::KeyPair other_holder = crypto::KeyPair::FromSeed(DevSeed("holder", "other"));
  crypto::KeyPair window = Clerk("market", "window-1");
  crypto::KeyPair approver = Clerk("market", "approver-1");
  crypto::KeyPair licensing = Clerk("market", "licensing-1");
  std::string bl;      // licence from the flow
  json secrets;        // field -> {"value","salt"} kept by the window client
  std::string direct;  // licence from licence.issue
  Bytes direct_salt = Bytes(16, 0x5a);
  uint64_t salt_counter = 1;

  Fixture() {
    const crypto::KeyPair& admin = ledger.net().admin_keys.at("market");
    auto r = ledger.AddBlock(
        {ledger.Tx(admin, "identity", "enrol_clerk", Enrol("window-1", window, {"window"})),
         ledger.Tx(admin, "identity", "enrol_clerk", Enrol("approver-1", approver, {"clerk"})),
         ledger.Tx(admin, "identity", "enrol_clerk",
                   Enrol("licensing-1", licensing, {"licensing"}))});
    for (const auto& x : r) ledger.Ok(x);
    json app = json::parse(ReadExample("enterprise-application.json"));
    app["holder_key"] = ToHex(holder.public_key());
    auto prepared = client::PrepareOpenCase(ledger.genesis(), app.dump(), [this](size_t n) {
      Bytes out(n);
      for (size_t i = 0; i < n; ++i) out[i] = static_cast<uint8_t>(salt_counter * 131 + i * 7);
      ++salt_counter;
      return out;
    });
    REQUIRE(prepared.ok());
    secrets = prepared->secrets;
    std::string case_id =
        ledger.Ok(window, "workflow", "open_case", prepared->args)["case_id"].get<std::string>();
    // The issuing tx sits in the middle of a 5-tx block.
    json done = json::parse(ReadExample("enterprise-business_licence.json"));
    done["task_id"] = case_id + "/business_licence";
    auto blk = ledger.AddBlock(
        {ledger.Tx(admin, "identity", "enrol_clerk", Enrol("a", Clerk("market", "a"), {"clerk"})),
         ledger.Tx(admin, "identity", "enrol_clerk", Enrol("b", Clerk("market", "b"), {"clerk"})),
         ledger.Tx(approver, "workflow", "complete", done),
         ledger.Tx(admin, "identity", "enrol_clerk", Enrol("c", Clerk("market", "c"), {"clerk"})),
         ledger.Tx(admin, "identity", "enrol_clerk", Enrol("d", Clerk("market", "d"), {"clerk"}))});
    for (const auto& x : blk) ledger.Ok(x);
    bl = blk[2].result()["outputs"]["licence"].get<std::string>();
    json issue = {
        {"type", "BL"},
        {"holder_key", ToHex(other_holder.public_key())},
        {"holder_code_type", "none"},
        {"jurisdiction", "370102"},
        {"fields",
         {{"trade_name", {{"value", "Quanyong Tea House"}, {"salt", ToHex(direct_salt)}}}}}};
    direct = ledger.Ok(licensing, "licence", "issue", issue)["identifier"].get<std::string>();
  }

  std::vector<Disclosure> Disclose(const std::vector<std::string>& fields) const {
    std::vector<Disclosure> out;
    for (const auto& f : fields) {
      auto salt = FromHex(secrets.at(f).at("salt").get<std::string>());
      REQUIRE(salt.ok());
      out.push_back({f, secrets.at(f).at("value").get<std::string>(), *salt});
    }
    return out;
  }

  Presentation PresentBl(Bundle b, const std::string& challenge = "bank-nonce-7f3a") const {
    auto p = Present(std::move(b), Disclose({"enterprise_name", "legal_rep_name"}), challenge,
                     ledger.now(), holder);
    REQUIRE(p.ok());
    return *p;
  }

  VerifyOptions Opts(const std::string& challenge = "bank-nonce-7f3a") const {
    VerifyOptions o;
    o.challenge = challenge;
    o.now_ms = ledger.now();
    return o;
  }
};

// The v2 form of a bundle (what `licencectl proof export` writes by default).
inline Bundle V2(Bundle b) {
  auto r = ToV2(std::move(b));
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  return *r;
}

// Flips every byte of `good` three ways (0x01, 0x80, a random delta) and
// checks that no mutant verifies; prints the reasons seen as one JSON line
// labelled `label`.
inline void ExpectNoMutantVerifies(const Bytes& good, std::mt19937& rng, const std::string& label,
                                   const std::function<Verdict(const Bytes&)>& verify) {
  size_t tried = 0, valid = 0;
  std::map<std::string, size_t> reasons;
  for (size_t i = 0; i < good.size(); ++i) {
    for (uint8_t delta : {uint8_t{0x01}, uint8_t{0x80}, static_cast<uint8_t>(1 + rng() % 255)}) {
      Bytes bad = good;
      bad[i] ^= delta;
      Verdict v = verify(bad);
      ++tried;
      ++reasons[ReasonName(v.reason)];
      if (v.outcome == Outcome::kValid) {
        ++valid;
        FAIL_CHECK("byte " << i << " ^ " << int(delta) << " still verifies");
      }
    }
  }
  std::string r;
  for (const auto& [k, n] : reasons) r += "\"" + k + "\": " + std::to_string(n) + ", ";
  std::printf("{\"mutations\": \"%s\", \"bytes\": %zu, \"tried\": %zu, \"reasons\": {%s}}\n",
              label.c_str(), good.size(), tried, r.substr(0, r.size() - 2).c_str());
  CHECK(valid == 0);
}

inline void Expect(const Verdict& v, Outcome o, Reason r) {
  INFO(v.ToJson());
  CHECK(OutcomeName(v.outcome) == std::string(OutcomeName(o)));
  CHECK(ReasonName(v.reason) == std::string(ReasonName(r)));
}

}  // namespace licenced::proof::testing
