#include "core/merkle.h"

#include <string>

#include "core/crypto.h"

namespace licenced::merkle {
namespace {

constexpr uint8_t kLeafPrefix = 0x00;
constexpr uint8_t kNodePrefix = 0x01;

// Largest power of two strictly smaller than n. REQUIRES: n > 1.
uint64_t SplitPoint(uint64_t n) {
  uint64_t k = 1;
  while (k << 1 < n) k <<= 1;
  return k;
}

// MTH over leaf_hashes[begin, end). REQUIRES: begin < end.
Hash SubtreeRoot(const std::vector<Hash>& leaf_hashes, uint64_t begin, uint64_t end) {
  uint64_t n = end - begin;
  if (n == 1) return leaf_hashes[begin];
  uint64_t k = SplitPoint(n);
  return NodeHash(SubtreeRoot(leaf_hashes, begin, begin + k),
                  SubtreeRoot(leaf_hashes, begin + k, end));
}

// PATH(m, D[begin:end]) of RFC 9162 2.1.3.1, appended leaf-first to `out`.
void AppendPath(const std::vector<Hash>& leaf_hashes, uint64_t m, uint64_t begin, uint64_t end,
                std::vector<Hash>& out) {
  uint64_t n = end - begin;
  if (n <= 1) return;
  uint64_t k = SplitPoint(n);
  if (m < k) {
    AppendPath(leaf_hashes, m, begin, begin + k, out);
    out.push_back(SubtreeRoot(leaf_hashes, begin + k, end));
  } else {
    AppendPath(leaf_hashes, m - k, begin + k, end, out);
    out.push_back(SubtreeRoot(leaf_hashes, begin, begin + k));
  }
}

// SUBPROOF(m, D[begin:end], b) of RFC 9162 2.1.4.1.
void AppendSubproof(const std::vector<Hash>& leaf_hashes, uint64_t m, uint64_t begin, uint64_t end,
                    bool complete, std::vector<Hash>& out) {
  uint64_t n = end - begin;
  if (m == n) {
    if (!complete) out.push_back(SubtreeRoot(leaf_hashes, begin, end));
    return;
  }
  uint64_t k = SplitPoint(n);
  if (m <= k) {
    AppendSubproof(leaf_hashes, m, begin, begin + k, complete, out);
    out.push_back(SubtreeRoot(leaf_hashes, begin + k, end));
  } else {
    AppendSubproof(leaf_hashes, m - k, begin + k, end, false, out);
    out.push_back(SubtreeRoot(leaf_hashes, begin, begin + k));
  }
}

bool IsPowerOfTwo(uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

Hash LeafHash(ByteView data) {
  const uint8_t prefix = kLeafPrefix;
  return crypto::Sha256Hasher().Update(ByteView(&prefix, 1)).Update(data).Final();
}

Hash NodeHash(const Hash& left, const Hash& right) {
  const uint8_t prefix = kNodePrefix;
  return crypto::Sha256Hasher().Update(ByteView(&prefix, 1)).Update(left).Update(right).Final();
}

Hash EmptyRoot() { return crypto::Sha256(ByteView()); }

Hash RootFromLeafHashes(const std::vector<Hash>& leaf_hashes) {
  if (leaf_hashes.empty()) return EmptyRoot();
  return SubtreeRoot(leaf_hashes, 0, leaf_hashes.size());
}

Hash Root(const std::vector<Bytes>& leaves) {
  std::vector<Hash> hashes;
  hashes.reserve(leaves.size());
  for (const Bytes& leaf : leaves) hashes.push_back(LeafHash(leaf));
  return RootFromLeafHashes(hashes);
}

std::vector<Hash> InclusionProof(const std::vector<Hash>& leaf_hashes, uint64_t index) {
  std::vector<Hash> path;
  if (index >= leaf_hashes.size()) return path;
  AppendPath(leaf_hashes, index, 0, leaf_hashes.size(), path);
  return path;
}

Status VerifyInclusion(const Hash& leaf_hash, uint64_t index, uint64_t tree_size,
                       const std::vector<Hash>& path, const Hash& root) {
  if (index >= tree_size) {
    return Status::InvalidArgument("inclusion proof: leaf index " + std::to_string(index) +
                                   " is not below tree size " + std::to_string(tree_size));
  }
  uint64_t fn = index;
  uint64_t sn = tree_size - 1;
  Hash r = leaf_hash;
  for (const Hash& p : path) {
    if (sn == 0) return Status::Corruption("inclusion proof: path is longer than the tree");
    if ((fn & 1) == 1 || fn == sn) {
      r = NodeHash(p, r);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      r = NodeHash(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Corruption("inclusion proof: path is shorter than the tree");
  if (r != root) return Status::Corruption("inclusion proof: computed root does not match");
  return Status::Ok();
}

std::vector<Hash> ConsistencyProof(const std::vector<Hash>& leaf_hashes, uint64_t old_size) {
  std::vector<Hash> proof;
  if (old_size == 0 || old_size > leaf_hashes.size()) return proof;
  AppendSubproof(leaf_hashes, old_size, 0, leaf_hashes.size(), true, proof);
  return proof;
}

Status VerifyConsistency(uint64_t old_size, uint64_t new_size, const Hash& old_root,
                         const Hash& new_root, const std::vector<Hash>& proof) {
  if (old_size > new_size) {
    return Status::InvalidArgument("consistency proof: old size " + std::to_string(old_size) +
                                   " exceeds new size " + std::to_string(new_size));
  }
  if (old_size == new_size) {
    if (!proof.empty()) return Status::Corruption("consistency proof: expected an empty proof");
    if (old_root != new_root) return Status::Corruption("consistency proof: roots differ");
    return Status::Ok();
  }
  if (old_size == 0) {
    // Every tree extends the empty tree; there is nothing to prove.
    if (!proof.empty()) return Status::Corruption("consistency proof: expected an empty proof");
    if (old_root != EmptyRoot()) {
      return Status::Corruption("consistency proof: old root is not the empty tree root");
    }
    return Status::Ok();
  }
  if (proof.empty()) return Status::Corruption("consistency proof: empty proof");

  // RFC 9162 2.1.4.2.
  std::vector<Hash> path;
  path.reserve(proof.size() + 1);
  if (IsPowerOfTwo(old_size)) path.push_back(old_root);
  path.insert(path.end(), proof.begin(), proof.end());

  uint64_t fn = old_size - 1;
  uint64_t sn = new_size - 1;
  while ((fn & 1) == 1) {
    fn >>= 1;
    sn >>= 1;
  }
  Hash fr = path[0];
  Hash sr = path[0];
  for (size_t i = 1; i < path.size(); ++i) {
    const Hash& c = path[i];
    if (sn == 0) return Status::Corruption("consistency proof: proof is longer than the tree");
    if ((fn & 1) == 1 || fn == sn) {
      fr = NodeHash(c, fr);
      sr = NodeHash(c, sr);
      if ((fn & 1) == 0) {
        while ((fn & 1) == 0 && fn != 0) {
          fn >>= 1;
          sn >>= 1;
        }
      }
    } else {
      sr = NodeHash(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  if (sn != 0) return Status::Corruption("consistency proof: proof is shorter than the tree");
  if (fr != old_root) return Status::Corruption("consistency proof: old root does not match");
  if (sr != new_root) return Status::Corruption("consistency proof: new root does not match");
  return Status::Ok();
}

}  // namespace licenced::merkle
