#include "chaincode/engine.h"

#include <exception>

#include "chaincode/exec.h"
#include "chaincode/governance.h"
#include "core/canonical_json.h"

namespace licenced::chaincode {

Engine::Engine(Genesis genesis) : genesis_(std::move(genesis)) {}

TxOutcome Engine::Execute(const Transaction& tx, const TxContext& ctx, StateView& state) const {
  auto reject = [](Status st) { return TxOutcome{std::move(st), "", {}}; };
  if (tx.network_id != genesis_.network_id) {
    return reject(Status::InvalidArgument("transaction is for network '" + tx.network_id +
                                          "', this is '" + genesis_.network_id + "'"));
  }
  if (!ctx.signature_verified && !tx.VerifySignature()) {
    return reject(Status::PermissionDenied("transaction signature does not verify"));
  }
  OverlayView overlay(state);
  Exec e(genesis_, tx, ctx, overlay);
  Status st;
  try {
    auto args = ParseArgs(ToString(tx.args));
    if (!args.ok()) return reject(args.status());
    e.args = std::move(args).value();
    // No personal value in clear on the ledger: a {"value","salt"} pair in the
    // signed args would stay in the block for good (docs/chaincode.md "Privacy").
    if (std::string at = FindClearValue(e.args); !at.empty()) {
      return reject(Status::InvalidArgument(
          at +
          ": a {\"value\", \"salt\"} pair must not go on the ledger in clear; send "
          "its commitment (the client validates the value: client/prepare.h)"));
    }
    auto signer = ResolveSigner(genesis_, overlay, tx.submitter);
    if (!signer.ok()) return reject(signer.status());
    e.signer = std::move(signer).value();
    if (tx.chaincode == "identity") {
      st = ExecIdentity(e);
    } else if (tx.chaincode == "licence") {
      st = ExecLicence(e);
    } else if (tx.chaincode == "workflow") {
      st = ExecWorkflow(e);
    } else if (tx.chaincode == "system") {
      st = ExecSystem(e);
    } else if (tx.chaincode == "governance") {
      st = ExecGovernance(e);
    } else {
      st = Status::InvalidArgument("unknown chaincode '" + tx.chaincode +
                                   "' (identity, licence, workflow, system, governance)");
    }
  } catch (const std::exception& ex) {
    // nlohmann::json type errors on unexpected argument shapes end up here.
    st = Status::InvalidArgument(std::string("malformed arguments: ") + ex.what());
  }
  if (!st.ok()) return reject(std::move(st));
  // The result JSON is reported by every validator alike: canonical too.
  auto result = CanonicalJson(e.result);
  if (!result.ok()) {
    return reject(Status::InvalidArgument("result: " + result.status().message()));
  }
  overlay.Commit();
  return TxOutcome{Status::Ok(), std::move(result).value(), std::move(e.events)};
}

Result<std::string> Engine::Query(std::string_view method, std::string_view args_json,
                                  const StateView& state, uint64_t now_ms) const {
  try {
    return RunQuery(genesis_, method, args_json, state, now_ms);
  } catch (const std::exception& ex) {
    return Status::InvalidArgument(std::string("malformed query arguments: ") + ex.what());
  }
}

}  // namespace licenced::chaincode
