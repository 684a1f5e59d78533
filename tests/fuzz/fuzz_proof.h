// Shared by the proof fuzz target and the seed generator: the verifier's
// clock and challenge of the seed presentations, and the input kinds.
#pragma once

#include <cstdint>
#include <string_view>

namespace licenced::fuzz {

// First byte of a proof fuzz input: what the rest is.
inline constexpr uint8_t kProofBundleBytes = 0;
inline constexpr uint8_t kProofPresentationBytes = 1;
inline constexpr uint8_t kProofBundleJson = 2;
inline constexpr uint8_t kProofPresentationFile = 3;  // JSON file or raw bytes (QR payload)
inline constexpr uint8_t kProofCompactRecord = 4;     // proof/record_codec.h compact record
inline constexpr uint8_t kProofRecordJson = 5;        // a record's JSON text (CompactRecord input)
inline constexpr uint8_t kProofKinds = 6;

inline constexpr std::string_view kProofChallenge = "fuzz-challenge-1";
// Thursday 2026-11-26 10:00 China time, plus an hour (the seed ledger's time).
inline constexpr uint64_t kProofNowMs = 1795658400000ULL + 3'600'000ULL;

}  // namespace licenced::fuzz
