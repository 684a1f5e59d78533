// Fuzz target: client::PrepareOpenCase, which turns a clear-text
// application file (examples/*-application.json, read by licencectl) into
// workflow.open_case arguments. Invariants: never crashes or throws; on
// success every sealed box opens with the receiving org's key, holds JSON and
// matches its sha256, every private field carries a 16-byte salt, and the
// args hold only its commitment (no "private" values).
#include <nlohmann/json.hpp>

#include "client/prepare.h"
#include "fuzz_common.h"

using namespace licenced;
using namespace licenced::client;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  fuzz::InitOnce();
  static const DevNetwork* net = new DevNetwork(MakeDevNetwork());
  std::string_view text(reinterpret_cast<const char*>(data), size);
  uint8_t counter = 0;
  RandomBytes random = [&counter](size_t n) {
    Bytes b(n, ++counter);
    return b;
  };
  // A fixed "now" (2026-11-26 10:00 +8) keeps runs reproducible.
  auto prepared = PrepareOpenCase(net->genesis, text, random, 1795658400000ULL);
  if (!prepared.ok()) return 0;
  const nlohmann::json& args = prepared->args;
  FUZZ_CHECK(args.is_object() && args["sealed"].is_object(), "PrepareOpenCase: no sealed object");
  FUZZ_CHECK(!args.contains("private"), "PrepareOpenCase: private values in the tx args");
  for (auto it = args["sealed"].begin(); it != args["sealed"].end(); ++it) {
    auto key = net->encryption_keys.find(it.key());
    FUZZ_CHECK(key != net->encryption_keys.end(),
               "PrepareOpenCase: sealed to unknown org " + it.key());
    std::string ct = (*it)["ciphertext"].get<std::string>();
    auto opened = OpenSealed(key->second, ct);
    FUZZ_CHECK(opened.ok(), "PrepareOpenCase: box for " + it.key() + " does not open");
    auto raw = FromHex(ct);
    FUZZ_CHECK(raw.ok() && ToHex(crypto::Sha256(*raw)) == (*it)["sha256"].get<std::string>(),
               "PrepareOpenCase: sha256 of the box is wrong");
  }
  for (auto it = prepared->secrets.begin(); it != prepared->secrets.end(); ++it) {
    FUZZ_CHECK((*it)["salt"].get<std::string>().size() == 32,
               "PrepareOpenCase: salt is not 16 bytes");
    // Only the commitment of each private value goes into the tx args.
    FUZZ_CHECK(args["commitments"].contains(it.key()) &&
                   args["commitments"][it.key()] ==
                       CommitmentHex(it.key(), (*it)["value"].get<std::string>(),
                                     *FromHex((*it)["salt"].get<std::string>())),
               "PrepareOpenCase: secret without its commitment");
  }
  return 0;
}
