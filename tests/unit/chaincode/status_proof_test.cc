// "Status of licence X at height H" is provable from the state map: the
// chaincode's licence/status/<id> key and value, committed per height into
// core/state_map, verify against each height's root and decode to the status
// of that time (what the proof stream's verifier relies on).
#include "core/state_map.h"
#include "harness.h"

using namespace licenced;
using namespace licenced::chaincode;
using namespace licenced::chaincode::testing;

namespace {
// Applies the difference between `prev` and `now` to the map as `version`.
Hash Commit(const state::StateMap& map, state::MemStateNodeStore& nodes, uint64_t version,
            const MemStateView& prev, const MemStateView& now) {
  std::vector<state::StateChange> changes;
  for (const auto& [k, v] : now.entries()) {
    auto old = prev.Get(k);
    if (!old || *old != v) changes.push_back({k, v});
  }
  for (const auto& [k, v] : prev.entries()) {
    if (!now.Get(k)) changes.push_back({k, std::nullopt});
  }
  auto update = map.Update(version, changes);
  REQUIRE(update.ok());
  nodes.Apply(update->node_writes);
  return update->root;
}
}  // namespace

TEST_CASE("licence status at a height is provable against that height's state root", "[proof]") {
  Harness h;
  crypto::KeyPair window = h.Enrol("market", "window-1", {"window"});
  crypto::KeyPair approver = h.Enrol("market", "approver-1", {"clerk"});
  crypto::KeyPair licensing = h.Enrol("market", "licensing-1", {"licensing"});
  auto [id, secrets] = h.OpenFromExample(window, "enterprise-application.json");
  json args = ExampleJson("enterprise-business_licence.json");
  args["task_id"] = id + "/business_licence";
  std::string licence = h.Ok(approver, "workflow", "complete", args)["outputs"]["licence"];

  state::MemStateNodeStore nodes;
  state::StateMap map(nodes);
  MemStateView empty;
  Hash root1 = Commit(map, nodes, 1, empty, h.state());
  MemStateView at1 = h.state();
  h.Advance(kHourMs);
  h.Ok(licensing, "licence", "revoke", {{"identifier", licence}, {"reason", "false statements"}});
  Hash root2 = Commit(map, nodes, 2, at1, h.state());
  CHECK(root1 != root2);

  const std::string key = LicenceStatusKey(licence);
  auto at_v1 = map.GetWithProof(key, 1);
  auto at_v2 = map.GetWithProof(key, 2);
  REQUIRE(at_v1.ok());
  REQUIRE(at_v2.ok());
  REQUIRE(at_v1->value.has_value());
  REQUIRE(at_v2->value.has_value());
  CHECK(state::VerifyStateProof(root1, key, at_v1->value, at_v1->proof).ok());
  CHECK(state::VerifyStateProof(root2, key, at_v2->value, at_v2->proof).ok());
  // A proof of the old value does not verify against the new root.
  CHECK_FALSE(state::VerifyStateProof(root2, key, at_v1->value, at_v1->proof).ok());

  auto s1 = LicenceStatusValue::Decode(*at_v1->value);
  auto s2 = LicenceStatusValue::Decode(*at_v2->value);
  REQUIRE(s1.ok());
  REQUIRE(s2.ok());
  CHECK(s1->EffectiveAt(h.now()) == LicenceStatus::kValid);
  CHECK(s2->EffectiveAt(h.now()) == LicenceStatus::kRevoked);
  CHECK(s2->reason == "false statements");
  // The status binds the licence record: same record hash in both versions, and
  // the record itself is provable too.
  CHECK(s1->record_hash == s2->record_hash);
  auto rec = map.GetWithProof(LicenceRecordKey(licence), 2);
  REQUIRE(rec.ok());
  REQUIRE(rec->value.has_value());
  CHECK(state::VerifyStateProof(root2, LicenceRecordKey(licence), rec->value, rec->proof).ok());
  CHECK(crypto::Sha256(*rec->value) == s2->record_hash);
  // An unknown licence is provably absent.
  std::string other = *MakeLicenceIdentifier({"BL", "11370100MA0000000X", "20269999999", 1});
  auto absent = map.GetWithProof(LicenceStatusKey(other), 2);
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->value.has_value());
  CHECK(state::VerifyStateProof(root2, LicenceStatusKey(other), std::nullopt, absent->proof).ok());
}
