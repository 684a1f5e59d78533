// Fuzz target: Genesis::Parse (the genesis JSON file every node and offline
// verifier trusts once loaded). Invariants: never crashes; a genesis that
// parses also Validate()s, its hash is SHA-256 of the exact input, and
// Parse(ToJson()) yields a genesis with the same ToJson() (a fixed point).
#include <string_view>

#include "core/genesis.h"
#include "fuzz_common.h"

using namespace licenced;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto g = Genesis::Parse(text);
  if (!g.ok()) {
    FUZZ_CHECK(!g.status().message().empty(), "Genesis: error without a message");
    return 0;
  }
  FUZZ_CHECK(g->Validate().ok(),
             "Genesis: Parse ok but Validate fails: " + g->Validate().ToString());
  FUZZ_CHECK(g->ComputeHash() == crypto::Sha256(AsBytes(text)),
             "Genesis: hash is not of the file bytes");
  std::string json = g->ToJson();
  auto again = Genesis::Parse(json);
  FUZZ_CHECK(again.ok(), "Genesis: ToJson() does not parse: " + again.status().ToString());
  FUZZ_CHECK(again->ToJson() == json, "Genesis: Parse(ToJson()) is not a fixed point");
  FUZZ_CHECK(again->validators.size() == g->validators.size(), "Genesis: validators lost");
  for (const GenesisValidator& v : g->validators) {
    const GenesisOrg* org = g->FindOrg(v.org);
    FUZZ_CHECK(org != nullptr && org->runs_validator, "Genesis: validator of a non-validator org");
  }
  return 0;
}
