// RFC 9162 Merkle trees: published CT vectors, exhaustive agreement with a
// naive transcription of the RFC's recursive definitions, and rejection of
// every tampered proof.
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <span>
#include <sstream>

#include "core/crypto.h"
#include "core/merkle.h"

namespace licenced::merkle {
namespace {

Hash H(std::string_view hex) {
  auto h = HashFromHex(hex);
  REQUIRE(h.ok());
  return *h;
}

// ---- Naive RFC 9162 2.1 transcription over D[0:n] (a span of leaf hashes);
// recomputes every subtree from scratch.
using D = std::span<const Hash>;

uint64_t NaiveSplit(uint64_t n) {
  uint64_t k = 1;
  while (2 * k < n) k *= 2;
  return k;
}

Hash NaiveMth(D d) {
  if (d.empty()) return crypto::Sha256(ByteView());
  if (d.size() == 1) return d[0];
  uint64_t k = NaiveSplit(d.size());
  Bytes buf{0x01};
  Hash l = NaiveMth(d.subspan(0, k));
  Hash r = NaiveMth(d.subspan(k));
  buf.insert(buf.end(), l.begin(), l.end());
  buf.insert(buf.end(), r.begin(), r.end());
  return crypto::Sha256(buf);
}

std::vector<Hash> NaivePath(uint64_t m, D d) {
  if (d.size() <= 1) return {};
  uint64_t k = NaiveSplit(d.size());
  std::vector<Hash> out;
  if (m < k) {
    out = NaivePath(m, d.subspan(0, k));
    out.push_back(NaiveMth(d.subspan(k)));
  } else {
    out = NaivePath(m - k, d.subspan(k));
    out.push_back(NaiveMth(d.subspan(0, k)));
  }
  return out;
}

std::vector<Hash> NaiveSubproof(uint64_t m, D d, bool b) {
  if (m == d.size()) return b ? std::vector<Hash>{} : std::vector<Hash>{NaiveMth(d)};
  uint64_t k = NaiveSplit(d.size());
  std::vector<Hash> out;
  if (m <= k) {
    out = NaiveSubproof(m, d.subspan(0, k), b);
    out.push_back(NaiveMth(d.subspan(k)));
  } else {
    out = NaiveSubproof(m - k, d.subspan(k), false);
    out.push_back(NaiveMth(d.subspan(0, k)));
  }
  return out;
}

std::vector<Hash> MakeLeafHashes(size_t n) {
  std::vector<Hash> out;
  for (size_t i = 0; i < n; ++i) {
    out.push_back(LeafHash(ToBytes("leaf-" + std::to_string(i))));
  }
  return out;
}

nlohmann::json LoadVectors() {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) +
                   "/tests/unit/core/testdata/merkle-rfc6962.json");
  REQUIRE(in.good());
  std::stringstream ss;
  ss << in.rdbuf();
  return nlohmann::json::parse(ss.str());
}

TEST_CASE("merkle: hash prefixes follow RFC 9162", "[merkle]") {
  Bytes data = ToBytes("abc");
  Bytes leaf_input{0x00, 'a', 'b', 'c'};
  CHECK(LeafHash(data) == crypto::Sha256(leaf_input));
  Hash l = LeafHash(ToBytes("l"));
  Hash r = LeafHash(ToBytes("r"));
  Bytes node_input{0x01};
  node_input.insert(node_input.end(), l.begin(), l.end());
  node_input.insert(node_input.end(), r.begin(), r.end());
  CHECK(NodeHash(l, r) == crypto::Sha256(node_input));
  CHECK(EmptyRoot() == H("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
  CHECK(Root({}) == EmptyRoot());
}

TEST_CASE("merkle: RFC 6962 test vectors (roots and audit paths)", "[merkle]") {
  nlohmann::json v = LoadVectors();
  std::vector<Bytes> leaves;
  for (const auto& hex : v["leaves_hex"]) {
    auto b = FromHex(hex.get<std::string>());
    REQUIRE(b.ok());
    leaves.push_back(*b);
  }
  REQUIRE(leaves.size() == 8);
  CHECK(EmptyRoot() == H(v["empty_tree_root"].get<std::string>()));
  for (const auto& [size_str, root_hex] : v["roots"].items()) {
    size_t n = std::stoul(size_str);
    std::vector<Bytes> prefix(leaves.begin(), leaves.begin() + n);
    CHECK(Root(prefix) == H(root_hex.get<std::string>()));
  }
  std::vector<Hash> leaf_hashes;
  for (const Bytes& b : leaves) leaf_hashes.push_back(LeafHash(b));
  size_t checked = 0;
  for (const auto& tc : v["inclusion"]) {
    uint64_t n = tc["tree_size"];
    uint64_t i = tc["leaf_index"];
    std::vector<Hash> want;
    for (const auto& p : tc["path"]) want.push_back(H(p.get<std::string>()));
    std::vector<Hash> prefix(leaf_hashes.begin(), leaf_hashes.begin() + n);
    CHECK(InclusionProof(prefix, i) == want);
    Hash root = H(v["roots"][std::to_string(n)].get<std::string>());
    CHECK(VerifyInclusion(leaf_hashes[i], i, n, want, root).ok());
    ++checked;
  }
  CHECK(checked == 14);
}

TEST_CASE("merkle: RFC 6962 consistency proof vectors", "[merkle]") {
  std::vector<Bytes> leaves;
  for (auto hex : {"", "00", "10", "2021", "3031", "40414243", "5051525354555657",
                   "606162636465666768696a6b6c6d6e6f"}) {
    leaves.push_back(*FromHex(hex));
  }
  std::vector<Hash> lh;
  for (const Bytes& b : leaves) lh.push_back(LeafHash(b));
  struct Case {
    uint64_t m, n;
    std::vector<const char*> proof;
  };
  std::vector<Case> cases = {
      {1, 1, {}},
      {1,
       8,
       {"96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
        "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"}},
      {6,
       8,
       {"0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
        "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"}},
      {2,
       5,
       {"5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
        "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"}},
  };
  for (const Case& c : cases) {
    std::vector<Hash> want;
    for (const char* p : c.proof) want.push_back(H(p));
    std::vector<Hash> tree(lh.begin(), lh.begin() + c.n);
    CHECK(ConsistencyProof(tree, c.m) == want);
    Hash old_root = RootFromLeafHashes(std::vector<Hash>(lh.begin(), lh.begin() + c.m));
    CHECK(VerifyConsistency(c.m, c.n, old_root, RootFromLeafHashes(tree), want).ok());
  }
}

TEST_CASE("merkle: roots and audit paths agree with the naive RFC for sizes 1..256",
          "[merkle][exhaustive]") {
  std::vector<Hash> all = MakeLeafHashes(256);
  size_t proofs = 0;
  for (uint64_t n = 1; n <= 256; ++n) {
    std::vector<Hash> tree(all.begin(), all.begin() + n);
    Hash root = RootFromLeafHashes(tree);
    REQUIRE(root == NaiveMth(tree));
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<Hash> path = InclusionProof(tree, i);
      REQUIRE(path == NaivePath(i, tree));
      REQUIRE(VerifyInclusion(tree[i], i, n, path, root).ok());
      ++proofs;
    }
  }
  CHECK(proofs == 256 * 257 / 2);
}

TEST_CASE("merkle: every tampered audit path, index, size, leaf or root is rejected",
          "[merkle][exhaustive]") {
  std::vector<Hash> all = MakeLeafHashes(512);
  std::vector<Hash> roots(513);
  for (uint64_t n = 1; n <= 512; ++n) {
    roots[n] = RootFromLeafHashes(std::vector<Hash>(all.begin(), all.begin() + n));
  }
  size_t rejected = 0;
  for (uint64_t n = 1; n <= 256; ++n) {
    std::vector<Hash> tree(all.begin(), all.begin() + n);
    Hash root = RootFromLeafHashes(tree);
    for (uint64_t i = 0; i < n; ++i) {
      std::vector<Hash> path = InclusionProof(tree, i);
      // Each path element with one bit flipped (a different bit each time).
      for (size_t j = 0; j < path.size(); ++j) {
        std::vector<Hash> bad = path;
        bad[j][(i + j) % 32] ^= static_cast<uint8_t>(1u << (j % 8));
        REQUIRE_FALSE(VerifyInclusion(tree[i], i, n, bad, root).ok());
        ++rejected;
      }
      // Wrong index (neighbours, mirror image, ends of the tree).
      for (uint64_t w : {i ^ 1, i + 1, i - 1, n - 1 - i, uint64_t{0}, n - 1, i / 2}) {
        if (w == i || w >= n) continue;
        REQUIRE_FALSE(VerifyInclusion(tree[i], w, n, path, root).ok());
      }
      REQUIRE_FALSE(VerifyInclusion(tree[i], n, n, path, root).ok());
      // Wrong tree size, against the root of that size over the same leaves.
      // (The size itself is bound by whoever signs the root, as in an STH.)
      for (uint64_t m : {n + 1, n - 1, 2 * n}) {
        if (m == n || m == 0 || i >= m) continue;
        REQUIRE_FALSE(VerifyInclusion(tree[i], i, m, path, roots[m]).ok());
      }
      // Wrong leaf and wrong root.
      REQUIRE_FALSE(VerifyInclusion(all[(i + 1) % 256], i, n, path, root).ok());
      Hash bad_root = root;
      bad_root[31] ^= 0x80;
      REQUIRE_FALSE(VerifyInclusion(tree[i], i, n, path, bad_root).ok());
      // Extra or missing element.
      std::vector<Hash> longer = path;
      longer.push_back(root);
      REQUIRE_FALSE(VerifyInclusion(tree[i], i, n, longer, root).ok());
      if (!path.empty()) {
        std::vector<Hash> shorter(path.begin(), path.end() - 1);
        REQUIRE_FALSE(VerifyInclusion(tree[i], i, n, shorter, root).ok());
      }
    }
  }
  CHECK(rejected > 10000);
}

TEST_CASE("merkle: consistency proofs for every pair of sizes up to 64", "[merkle][exhaustive]") {
  std::vector<Hash> all = MakeLeafHashes(65);
  std::vector<Hash> roots(66);
  for (uint64_t n = 0; n <= 65; ++n) {
    roots[n] = RootFromLeafHashes(std::vector<Hash>(all.begin(), all.begin() + n));
  }
  for (uint64_t n = 1; n <= 64; ++n) {
    std::vector<Hash> tree(all.begin(), all.begin() + n);
    for (uint64_t m = 1; m <= n; ++m) {
      std::vector<Hash> proof = ConsistencyProof(tree, m);
      REQUIRE(proof == NaiveSubproof(m, tree, true));
      REQUIRE(VerifyConsistency(m, n, roots[m], roots[n], proof).ok());
      // Tampered elements.
      for (size_t j = 0; j < proof.size(); ++j) {
        std::vector<Hash> bad = proof;
        bad[j][j % 32] ^= 0x01;
        REQUIRE_FALSE(VerifyConsistency(m, n, roots[m], roots[n], bad).ok());
      }
      // Wrong roots.
      for (uint64_t w = 1; w <= 64; ++w) {
        if (w != m) REQUIRE_FALSE(VerifyConsistency(m, n, roots[w], roots[n], proof).ok());
        if (w != n) REQUIRE_FALSE(VerifyConsistency(m, n, roots[m], roots[w], proof).ok());
      }
      // Wrong sizes, each claimed with the true root of that size (a size is
      // otherwise bound by whoever signs the root).
      if (m > 1) REQUIRE_FALSE(VerifyConsistency(m - 1, n, roots[m - 1], roots[n], proof).ok());
      if (m < n) REQUIRE_FALSE(VerifyConsistency(m + 1, n, roots[m + 1], roots[n], proof).ok());
      REQUIRE_FALSE(VerifyConsistency(m, n + 1, roots[m], roots[n + 1], proof).ok());
      REQUIRE_FALSE(VerifyConsistency(n + 1, n, roots[m], roots[n], proof).ok());
      // Dropped or extra element.
      if (!proof.empty()) {
        std::vector<Hash> shorter(proof.begin(), proof.end() - 1);
        REQUIRE_FALSE(VerifyConsistency(m, n, roots[m], roots[n], shorter).ok());
      }
      std::vector<Hash> longer = proof;
      longer.push_back(roots[n]);
      REQUIRE_FALSE(VerifyConsistency(m, n, roots[m], roots[n], longer).ok());
    }
  }
  // Empty old tree: consistent with anything, given the empty root and no proof.
  CHECK(VerifyConsistency(0, 5, EmptyRoot(), roots[5], {}).ok());
  CHECK_FALSE(VerifyConsistency(0, 5, roots[1], roots[5], {}).ok());
}

}  // namespace
}  // namespace licenced::merkle
