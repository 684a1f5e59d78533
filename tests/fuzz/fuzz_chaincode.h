// Shared by the chaincode fuzz target and the seed generator: the signers a
// fuzz input can pick (dev admins of every org, then the clerks the unit
// tests enrol, with the same deterministic keys) and the op codes.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "core/genesis.h"

namespace licenced::fuzz {

// Ops of a chaincode fuzz input (each op: code u8, then its fields).
//   kTx:    signer u8, chaincode u8 (0 identity, 1 licence, 2 workflow,
//           3 system, 4 governance, else a Str), method Str, args Blob,
//           advance_minutes u16
//   kQuery: method Str, args Blob
inline constexpr uint8_t kOpTx = 0;
inline constexpr uint8_t kOpQuery = 1;

struct Signer {
  std::string org;
  std::string name;  // empty = the org's admin
};

inline const std::vector<Signer>& Signers() {
  static const std::vector<Signer> s = {
      {"market", ""},
      {"police", ""},
      {"social", ""},
      {"tax", ""},
      {"health", ""},
      {"bank", ""},
      {"market", "window-1"},
      {"market", "approver-1"},
      {"police", "seal-desk-1"},
      {"police", "Jinan Seal Engraving Co."},
      {"social", "employer-desk-1"},
      {"tax", "taxpayer-desk-1"},
      {"bank", "Qilu Bank Hi-tech branch"},
      {"health", "maternity-window"},
      {"health", "Shandong Provincial Hospital"},
      {"police", "household-desk-1"},
      {"social", "insurance-desk-1"},
  };
  return s;
}

inline crypto::KeyPair SignerKey(const Signer& s) {
  if (s.name.empty()) return crypto::KeyPair::FromSeed(DevSeed("admin", s.org));
  return crypto::KeyPair::FromSeed(DevSeed("clerk", s.org + "/" + s.name));
}

inline const char* ChaincodeName(uint8_t c) {
  switch (c) {
    case 0:
      return "identity";
    case 1:
      return "licence";
    case 2:
      return "workflow";
    case 3:
      return "system";
    case 4:
      return "governance";
  }
  return nullptr;
}

// Block time of the first op: Thursday 2026-11-26 10:00 China time.
inline constexpr uint64_t kChaincodeT0 = 1795658400000ULL;

}  // namespace licenced::fuzz
