// Fuzz target: chaincode::Engine executing sequences of signed transactions
// with fuzzer-chosen chaincode, method and JSON arguments (what any enrolled
// clerk can submit), plus read-only queries, over the dev genesis.
// Invariants: never crashes; execution is deterministic (the same tx on a
// copy of the state gives the same status, result, events and writes); a
// rejected tx leaves the state byte-for-byte unchanged and emits no events;
// a successful tx or query returns valid JSON.
#include <nlohmann/json.hpp>

#include "chaincode/engine.h"
#include "chaincode/state_view.h"
#include "fuzz_chaincode.h"
#include "fuzz_common.h"

using namespace licenced;
using namespace licenced::chaincode;

namespace {
struct Fixture {
  DevNetwork net = MakeDevNetwork();
  Engine engine{net.genesis};
  std::vector<crypto::KeyPair> keys;
  Fixture() {
    for (const fuzz::Signer& s : fuzz::Signers()) keys.push_back(fuzz::SignerKey(s));
  }
};

bool IsJson(const std::string& s) { return nlohmann::json::accept(s); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  static const Fixture* fx = new Fixture();
  fuzz::Input in(data, size);
  MemStateView state;
  uint64_t now = fuzz::kChaincodeT0;
  uint64_t height = 0;
  int accepted = 0;
  for (int step = 0; step < 64 && !in.empty(); ++step) {
    uint8_t op = in.U8() % 2;
    if (op == fuzz::kOpTx) {
      Transaction tx;
      tx.network_id = fx->net.genesis.network_id;
      const crypto::KeyPair& key = fx->keys[in.Pick(static_cast<uint32_t>(fx->keys.size()))];
      uint8_t cc = in.U8();
      tx.chaincode = fuzz::ChaincodeName(cc) ? fuzz::ChaincodeName(cc) : in.Str();
      tx.method = in.Str();
      tx.args = in.Blob();
      now += static_cast<uint64_t>(in.U16()) * 60000;
      tx.nonce = static_cast<uint64_t>(step) + 1;
      tx.SignWith(key);
      TxContext ctx{++height, now, 0, tx.Id()};

      MemStateView copy = state;
      OverlayView overlay(state);
      TxOutcome out = fx->engine.Execute(tx, ctx, overlay);
      OverlayView overlay2(copy);
      TxOutcome out2 = fx->engine.Execute(tx, ctx, overlay2);
      FUZZ_CHECK(out.status == out2.status && out.result_json == out2.result_json &&
                     out.events.size() == out2.events.size() &&
                     overlay.writes() == overlay2.writes(),
                 "Engine: same tx on the same state gave different outcomes");
      for (size_t i = 0; i < out.events.size(); ++i) {
        FUZZ_CHECK(out.events[i].kind == out2.events[i].kind &&
                       out.events[i].payload_json == out2.events[i].payload_json &&
                       out.events[i].orgs == out2.events[i].orgs,
                   "Engine: nondeterministic events");
      }
      FUZZ_CHECK(state == copy, "Engine: Execute wrote through to the base state");
      if (out.status.ok()) {
        FUZZ_CHECK(IsJson(out.result_json), "Engine: result is not JSON: " + out.result_json);
        for (const Event& e : out.events) {
          FUZZ_CHECK(IsJson(e.payload_json), "Engine: event payload is not JSON");
        }
        overlay.Commit();
        ++accepted;
      } else {
        if (std::getenv("FUZZ_VERBOSE"))
          std::fprintf(stderr, "  rejected: %s\n", out.status.ToString().c_str());
        FUZZ_CHECK(overlay.writes().empty(),
                   "Engine: rejected tx left writes: " + out.status.ToString());
        FUZZ_CHECK(out.events.empty(), "Engine: rejected tx emitted events");
        FUZZ_CHECK(state == copy, "Engine: rejected tx changed the state");
      }
    } else {
      std::string method = in.Str();
      Bytes args = in.Blob();
      auto r = fx->engine.Query(method, ToString(args), state, now);
      if (r.ok()) FUZZ_CHECK(IsJson(*r), "Engine: query result is not JSON: " + *r);
    }
  }
  if (std::getenv("FUZZ_VERBOSE")) std::fprintf(stderr, "chaincode: %d txs accepted\n", accepted);
  return 0;
}
