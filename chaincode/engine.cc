#include "chaincode/engine.h"

namespace licenced::chaincode {

Engine::Engine(Genesis genesis) : genesis_(std::move(genesis)) {}

TxOutcome Engine::Execute(const Transaction& tx, const TxContext& ctx, StateView& state) const {
  (void)tx;
  (void)ctx;
  (void)state;
  return {Status::Unavailable("chaincode: not implemented yet"), "", {}};
}

Result<std::string> Engine::Query(std::string_view method, std::string_view args_json,
                                  const StateView& state, uint64_t now_ms) const {
  (void)method;
  (void)args_json;
  (void)state;
  (void)now_ms;
  return Status::Unavailable("chaincode: not implemented yet");
}

}  // namespace licenced::chaincode
