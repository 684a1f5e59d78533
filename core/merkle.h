// Merkle trees exactly as RFC 9162 (Certificate Transparency v2) section 2.1:
//   leaf hash  = SHA-256(0x00 || data)
//   node hash  = SHA-256(0x01 || left || right)
//   empty tree = SHA-256("")
// with the RFC's split rule (left subtree holds the largest power of two
// strictly smaller than n leaves). Pure functions, thread-safe.
#pragma once

#include <cstdint>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace licenced::merkle {

Hash LeafHash(ByteView data);
Hash NodeHash(const Hash& left, const Hash& right);
Hash EmptyRoot();

// Root over already-hashed leaves (LeafHash of each entry).
Hash RootFromLeafHashes(const std::vector<Hash>& leaf_hashes);
// Root over raw leaf data.
Hash Root(const std::vector<Bytes>& leaves);

// Audit path for leaf `index` in a tree of `leaf_hashes.size()` leaves.
// REQUIRES: index < leaf_hashes.size()
std::vector<Hash> InclusionProof(const std::vector<Hash>& leaf_hashes, uint64_t index);
// RFC 9162 2.1.3.2. OK iff `path` proves `leaf_hash` is leaf `index` of the
// tree of `tree_size` leaves with root `root`.
Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       const std::vector<Hash>& path, const Hash& root);

// Consistency proof between the first `old_size` leaves and all of them.
// REQUIRES: 0 < old_size <= leaf_hashes.size()
std::vector<Hash> ConsistencyProof(const std::vector<Hash>& leaf_hashes, uint64_t old_size);
// RFC 9162 2.1.4.2.
Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& proof);

}  // namespace licenced::merkle
