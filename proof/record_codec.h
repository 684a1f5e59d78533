// Compact canonical encoding of a licence record's exact JSON bytes, used by
// proof bundles v2 (docs/proof-format.md §3.2 "Compact record").
//
// The chaincode stores a licence record as canonical JSON (core/canonical_json.h:
// no whitespace, object keys sorted by UTF-16 code units, minimal string
// escaping, integers only) and the status value commits to SHA-256 of those
// exact bytes. A bundle therefore has to reproduce the bytes exactly, but need
// not carry them verbatim: this codec writes the JSON value tree in binary
// (dictionary-coded keys, 32-byte hex strings as raw bytes, LEB128 lengths and
// integers) and expands it back to the identical text. Every JSON text has at
// most one compact encoding and every encoding expands to a different text, so
// no byte of it is redundant. The compact form orders keys bytewise, which is
// the canonical order unless names mix characters above U+FFFF with
// U+E000..U+FFFF; such a record has no compact form and goes into a bundle raw.
//
// Pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "core/bytes.h"
#include "core/status.h"

namespace licenced::proof {

// Keys written as one byte (index + 1) instead of their text. Frozen for
// format v2: appending an entry would make older encodings non-canonical.
inline constexpr std::string_view kRecordKeyDictionary[] = {
    // licence record fields (chaincode/licence.cc)
    "case_id", "commitments", "holder_code", "holder_code_type", "holder_key", "identifier",
    "issue_date", "issued_at_ms", "issued_by", "issued_height", "issuer_code", "issuer_name",
    "issuer_org", "issuing_tx", "jurisdiction", "licence_name", "number", "public_fields",
    "replaces", "serial", "type_code", "valid_from", "valid_from_ms", "valid_until",
    "valid_until_ms", "version",
    // field names of the flows (chaincode/flows.cc) and licence.issue
    "address", "bank", "birth_place", "birth_time", "business_scope", "child_name", "employees",
    "enterprise_name", "enterprise_type", "father_id", "father_name", "finance_officer_id",
    "finance_officer_name", "guardian", "guardian_id", "guardian_name", "household_address_code",
    "legal_rep_id", "legal_rep_name", "mother_id", "mother_name", "region_code",
    "registered_capital", "resident_id", "seals", "sex", "shareholders", "trade_name", "weight_g",
    "name"};

// Limits of the compact form (the input is untrusted).
inline constexpr size_t kMaxCompactRecordDepth = 8;  // nesting of arrays/objects
inline constexpr size_t kMaxExpandedRecordBytes = 64 * 1024;

// The compact encoding of `json_text`, or an error when the text is not
// exactly the expansion of any compact encoding (not a JSON object, floats,
// non-canonical spacing/escaping/order, deeper than the limit, ...). Such
// records go into a bundle in raw form instead.
Result<Bytes> CompactRecord(ByteView json_text);

struct ExpandedRecord {
  Bytes json;              // the exact JSON text
  std::string identifier;  // the top-level "identifier" string ("" if absent or not a string)
};
// Expands a compact encoding; fails (InvalidArgument) on any malformed or
// non-canonical input: unknown tag, non-minimal LEB128, a literal key that is
// in the dictionary, keys not strictly ascending, a 64-lowercase-hex string
// written as text, trailing bytes, limits exceeded. The top level must be an
// object.
Result<ExpandedRecord> ExpandRecord(ByteView compact);

// LEB128 unsigned integers (7 bits per byte, least significant group first,
// high bit = more bytes follow), minimal length, at most 10 bytes.
void PutUvarint(Bytes& out, uint64_t v);
// Reads one at `*pos`; false on truncation, overflow or a non-minimal encoding.
bool GetUvarint(ByteView in, size_t* pos, uint64_t* v);

}  // namespace licenced::proof
