// Canonical JSON: the exact bytes of a JSON value that goes under the state
// root (chaincode state values, licence records) or is reported identically by
// every validator (tx results, event payloads). One rule, pinned here, so the
// bytes never depend on the JSON library's version.
//
// The rule is RFC 8785 (JSON Canonicalization Scheme) restricted to the values
// the chaincode writes (docs/encoding.md "Canonical JSON (state values)"):
//   - no whitespace; arrays in order; true, false, null;
//   - object members sorted by the UTF-16 code units of their names
//     (RFC 8785 section 3.2.3);
//   - strings: `"` and `\` escaped as \" and \\; U+0008, U+0009, U+000A,
//     U+000C, U+000D as \b \t \n \f \r; other characters below U+0020 as
//     \u00xx (lower-case hex); everything else as its UTF-8 bytes. A string or
//     name that is not well-formed UTF-8 is refused;
//   - numbers: integers in -(2^53-1)..2^53-1, in decimal (no sign for
//     non-negative values, no leading zeros). Every other number is refused:
//     a floating-point value (even an integral one such as 1.0) or an integer
//     outside that range. Within these limits the output is exactly RFC
//     8785's;
//   - nesting deeper than kMaxCanonicalJsonDepth arrays/objects is refused.
// Refusals are InvalidArgument naming the offending place as a JSON pointer;
// the writer never throws.
//
// Every accepted value is written byte-identically to nlohmann::json::dump()
// unless two member names of one object first differ at a character above
// U+FFFF in one and U+E000..U+FFFF in the other (dump() orders bytewise).
//
// Pure functions; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "core/status.h"

namespace licenced {

// The largest magnitude an integer may have (2^53 - 1, the largest integer an
// IEEE double, and so an RFC 8785 / ECMAScript number, holds exactly).
inline constexpr int64_t kMaxCanonicalJsonInteger = (int64_t{1} << 53) - 1;
// Arrays/objects nested deeper than this are refused (the writer recurses).
inline constexpr size_t kMaxCanonicalJsonDepth = 64;

// The canonical bytes of `value`, or InvalidArgument("canonical JSON: at
// <pointer>: <reason>").
Result<std::string> CanonicalJson(const nlohmann::json& value);

// RFC 8785 (JSON Canonicalization Scheme) in full: as CanonicalJson, but
// every number is taken as an IEEE 754 double and written as ECMAScript's
// Number::toString writes it (1e+30, 4.5, 0.002, 1e-27;
// 9007199254740993 becomes 9007199254740992). NaN and infinities cannot occur
// in parsed JSON and are refused. Used where a third party canonicalises the
// same value (Data Integrity eddsa-jcs-2022 proofs, proof/credential.h).
Result<std::string> Jcs(const nlohmann::json& value);

// True iff `s` is well-formed UTF-8 (Unicode Table 3-7: no overlong forms, no
// surrogates, nothing above U+10FFFF).
bool IsWellFormedUtf8(std::string_view s);

}  // namespace licenced
