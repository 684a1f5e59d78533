// The fixed state map of the state-proof fuzz target (shared with the seed
// generator): keys "key-0".."key-9" with values "value-<i>" at version 1, and
// "key-10".."key-15" absent.
#pragma once

#include <optional>
#include <string>

#include "core/state_map.h"

namespace licenced::fuzz {

inline constexpr uint32_t kProofKeys = 16;
inline constexpr uint32_t kPresentKeys = 10;

inline std::string ProofKey(uint32_t i) { return "key-" + std::to_string(i); }
inline std::optional<Bytes> ProofValue(uint32_t i) {
  if (i >= kPresentKeys) return std::nullopt;
  return ToBytes("value-" + std::to_string(i));
}

struct ProofFixture {
  state::MemStateNodeStore store;
  Hash root{};
  ProofFixture() {
    std::vector<state::StateChange> changes;
    for (uint32_t i = 0; i < kPresentKeys; ++i) changes.push_back({ProofKey(i), ProofValue(i)});
    auto u = state::StateMap(store).Update(1, changes);
    if (!u.ok()) std::abort();
    store.Apply(u->node_writes);
    root = u->root;
  }
};

}  // namespace licenced::fuzz
