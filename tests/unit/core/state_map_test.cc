// The authenticated state map (core/state_map.h): roots equal a naive
// from-scratch computation of the documented hash; presence and absence
// proofs verify at every version; any tampering fails; updates touch only the
// changed paths.
#include <catch2/catch.hpp>

#include <chrono>
#include <iostream>
#include <map>
#include <random>
#include <set>

#include "core/crypto.h"
#include "core/state_map.h"

namespace licenced::state {
namespace {

using Model = std::map<std::string, Bytes>;

// ---- Naive reference: the definition in docs/state-root.md, from scratch.
Hash Sha(std::initializer_list<ByteView> parts) {
  Bytes all;
  for (ByteView p : parts) all.insert(all.end(), p.begin(), p.end());
  return crypto::Sha256(all);
}

bool BitOf(const Hash& h, size_t i) { return (h[i / 8] >> (7 - i % 8)) & 1; }

Hash NaiveSubtree(const std::vector<std::pair<Hash, Hash>>& leaves, size_t depth) {
  if (leaves.empty()) return Hash{};
  if (leaves.size() == 1) {
    const uint8_t p = 0x02;
    return Sha({ByteView(&p, 1), leaves[0].first, leaves[0].second});
  }
  std::vector<std::pair<Hash, Hash>> left, right;
  for (const auto& l : leaves) (BitOf(l.first, depth) ? right : left).push_back(l);
  Hash lh = NaiveSubtree(left, depth + 1);
  Hash rh = NaiveSubtree(right, depth + 1);
  const uint8_t p = 0x03;
  return Sha({ByteView(&p, 1), lh, rh});
}

Hash NaiveRoot(const Model& m) {
  std::vector<std::pair<Hash, Hash>> leaves;
  for (const auto& [k, v] : m) leaves.emplace_back(crypto::Sha256(AsBytes(k)), crypto::Sha256(v));
  return NaiveSubtree(leaves, 0);
}

// A map over an in-memory store plus the plain model it should equal.
struct Harness {
  MemStateNodeStore store;
  StateMap map{store};
  Model model;
  uint64_t version = 0;
  std::map<uint64_t, Hash> roots;
  std::map<uint64_t, Model> snapshots;
  size_t last_writes = 0;

  Hash Apply(const std::vector<StateChange>& changes) {
    ++version;
    auto up = map.Update(version, changes);
    REQUIRE(up.ok());
    last_writes = up->node_writes.size();
    store.Apply(up->node_writes);
    for (const StateChange& c : changes) {
      if (c.value.has_value()) {
        model[c.key] = *c.value;
      } else {
        model.erase(c.key);
      }
    }
    roots[version] = up->root;
    snapshots[version] = model;
    auto at = map.RootAt(version);
    REQUIRE(at.ok());
    REQUIRE(*at == up->root);
    return up->root;
  }
};

Bytes RandomValue(std::mt19937_64& rng) {
  Bytes v(1 + rng() % 40);
  for (auto& b : v) b = static_cast<uint8_t>(rng());
  return v;
}

std::string KeyName(uint64_t i) { return "lic/" + std::to_string(i); }

void CheckProofs(const StateMap& map, uint64_t version, const Hash& root, const Model& model,
                 std::mt19937_64& rng, size_t absent_samples) {
  for (const auto& [k, v] : model) {
    auto l = map.GetWithProof(k, version);
    REQUIRE(l.ok());
    REQUIRE(l->value == v);
    REQUIRE(VerifyStateProof(root, k, v, l->proof).ok());
    REQUIRE_FALSE(VerifyStateProof(root, k, std::nullopt, l->proof).ok());
    auto dec = StateProof::Decode(l->proof.Encode());
    REQUIRE(dec.ok());
    REQUIRE(*dec == l->proof);
  }
  for (size_t i = 0; i < absent_samples; ++i) {
    std::string k = "absent/" + std::to_string(rng());
    auto l = map.GetWithProof(k, version);
    REQUIRE(l.ok());
    REQUIRE_FALSE(l->value.has_value());
    REQUIRE(VerifyStateProof(root, k, std::nullopt, l->proof).ok());
    REQUIRE_FALSE(VerifyStateProof(root, k, Bytes{1}, l->proof).ok());
  }
}

TEST_CASE("state map: documented hashes for empty, one and two keys", "[state_map]") {
  Harness h;
  CHECK(*h.map.RootAt(0) == Hash{});
  Hash r1 = h.Apply({{"a", Bytes{1}}});
  CHECK(r1 == LeafHash(KeyHash("a"), crypto::Sha256(Bytes{1})));
  CHECK(r1 == NaiveRoot(h.model));
  Hash r2 = h.Apply({{"b", Bytes{2}}});
  CHECK(r2 == NaiveRoot(h.model));
  CHECK(r2 != r1);
  // The leaf and internal prefixes are not RFC 9162's.
  Hash x = KeyHash("x");
  const uint8_t p0 = 0x00, p1 = 0x01, p2 = 0x02, p3 = 0x03;
  CHECK(LeafHash(x, x) == Sha({ByteView(&p2, 1), x, x}));
  CHECK(InternalHash(x, x) == Sha({ByteView(&p3, 1), x, x}));
  CHECK(InternalHash(x, x) != Sha({ByteView(&p1, 1), x, x}));
  CHECK(LeafHash(x, x) != Sha({ByteView(&p0, 1), x, x}));
  // Delete everything: back to the empty root, and absence proofs at depth 0.
  Hash r3 = h.Apply({{"a", std::nullopt}, {"b", std::nullopt}});
  CHECK(r3 == Hash{});
  auto p = h.map.Prove("a", h.version);
  REQUIRE(p.ok());
  CHECK(p->depth == 0);
  CHECK_FALSE(p->leaf.has_value());
  CHECK(VerifyStateProof(Hash{}, "a", std::nullopt, *p).ok());
  // Older versions are still there.
  CHECK(*h.map.RootAt(1) == r1);
  CHECK(*h.map.RootAt(2) == r2);
  CHECK(VerifyStateProof(r2, "b", Bytes{2}, *h.map.Prove("b", 2)).ok());
}

TEST_CASE("state map: random updates match a from-scratch root, all proofs verify", "[state_map]") {
  std::mt19937_64 rng(GENERATE(1, 2, 3));
  Harness h;
  std::vector<std::string> keys;
  for (int round = 0; round < 12; ++round) {
    std::vector<StateChange> changes;
    size_t n = round == 0 ? 2000 : rng() % 300;
    for (size_t i = 0; i < n; ++i) {
      uint64_t op = rng() % 10;
      if (op < 5 || keys.empty()) {  // new key
        keys.push_back(KeyName(rng() % 1000000));
        changes.push_back({keys.back(), RandomValue(rng)});
      } else if (op < 8) {  // overwrite
        changes.push_back({keys[rng() % keys.size()], RandomValue(rng)});
      } else if (op < 9) {  // delete (possibly already deleted)
        changes.push_back({keys[rng() % keys.size()], std::nullopt});
      } else {  // delete a key that never existed
        changes.push_back({"never/" + std::to_string(rng()), std::nullopt});
      }
    }
    Hash root = h.Apply(changes);
    INFO("round " << round << ", " << h.model.size() << " keys");
    REQUIRE(root == NaiveRoot(h.model));
    if (round % 4 == 0 || round == 11) CheckProofs(h.map, h.version, root, h.model, rng, 200);
  }
  // Incremental updates equal building the final state in one batch.
  Harness fresh;
  std::vector<StateChange> all;
  for (const auto& [k, v] : h.model) all.push_back({k, v});
  std::shuffle(all.begin(), all.end(), rng);
  CHECK(fresh.Apply(all) == h.roots.rbegin()->second);
  // Every older version still proves its own state against its own root.
  for (const auto& [v, root] : h.roots) {
    REQUIRE(*h.map.RootAt(v) == root);
    const Model& snap = h.snapshots[v];
    size_t checked = 0;
    for (auto it = snap.begin(); it != snap.end() && checked < 50; ++it, ++checked) {
      auto l = h.map.GetWithProof(it->first, v);
      REQUIRE(l.ok());
      REQUIRE(l->value == it->second);
      REQUIRE(VerifyStateProof(root, it->first, it->second, l->proof).ok());
    }
  }
}

TEST_CASE("state map: later entries for the same key win, no-op updates write nothing",
          "[state_map]") {
  Harness h;
  h.Apply({{"k", Bytes{1}}, {"k", Bytes{2}}, {"j", Bytes{3}}, {"j", std::nullopt}});
  CHECK(h.model.size() == 1);
  CHECK(*h.map.Get("k", h.version) == std::optional<Bytes>(Bytes{2}));
  CHECK_FALSE(h.map.Get("j", h.version)->has_value());
  CHECK(h.roots[h.version] == NaiveRoot(h.model));

  std::vector<StateChange> many;
  for (int i = 0; i < 500; ++i) many.push_back({KeyName(i), Bytes{static_cast<uint8_t>(i)}});
  Hash before = h.Apply(many);
  Hash same = h.Apply({});
  CHECK(same == before);
  CHECK(h.last_writes == 0);
  same = h.Apply({{KeyName(7), Bytes{7}}, {"absent", std::nullopt}});
  CHECK(same == before);
  CHECK(h.last_writes == 0);
}

TEST_CASE("state map: an update writes only the groups on the changed paths", "[state_map]") {
  Harness h;
  std::vector<StateChange> many;
  for (int i = 0; i < 20000; ++i) many.push_back({KeyName(i), Bytes{1}});
  h.Apply(many);
  size_t nodes_before = h.store.size();
  size_t total = 0;
  for (int i = 0; i < 20; ++i) {
    h.Apply({{KeyName(i * 997), Bytes{2, static_cast<uint8_t>(i)}}});
    // A path of about log2(20000) ~ 15 binary levels is about 4 groups of
    // four levels, plus the value record; never the whole tree.
    CHECK(h.last_writes >= 2);
    CHECK(h.last_writes <= 9);
    total += h.last_writes;
  }
  // One stored node per four levels: a binary layout would write ~16 each.
  CHECK(total <= 20 * 6);
  h.Apply({{"brand new key", Bytes{9}}});
  CHECK(h.last_writes <= 10);
  h.Apply({{KeyName(5), std::nullopt}});
  CHECK(h.last_writes <= 9);
  CHECK(h.store.size() - nodes_before < 20 * 9 + 20);
  CHECK(h.roots[h.version] == NaiveRoot(h.model));
}

TEST_CASE("state map: a batch shares the upper groups", "[state_map]") {
  Harness h;
  std::mt19937_64 rng(3);
  std::vector<StateChange> many;
  for (int i = 0; i < 100000; ++i) many.push_back({KeyName(i), RandomValue(rng)});
  h.Apply(many);
  std::vector<StateChange> batch;
  std::set<uint64_t> picked;
  while (picked.size() < 10000) picked.insert(rng() % 100000);
  for (uint64_t k : picked) batch.push_back({KeyName(k), RandomValue(rng)});
  h.Apply(batch);
  // 10,000 value records, and the groups: 1 + 16 + 256 + 4096 above depth 16
  // are shared; below them about one group per key.
  const double per_key = static_cast<double>(h.last_writes) / batch.size();
  std::cout << "{\"state_map_batch_writes_per_key\": " << per_key << "}" << std::endl;
  CHECK(per_key < 3.0);
  CHECK(h.roots[h.version] == NaiveRoot(h.model));
}

// A proof with every single bit flipped fails to decode or to verify.
void CheckTamperRejected(const Hash& root, const std::string& key,
                         const std::optional<Bytes>& value, const StateProof& proof) {
  Bytes enc = proof.Encode();
  for (size_t i = 0; i < enc.size() * 8; ++i) {
    Bytes bad = enc;
    bad[i / 8] ^= static_cast<uint8_t>(0x80 >> (i % 8));
    auto dec = StateProof::Decode(bad);
    if (dec.ok()) REQUIRE_FALSE(VerifyStateProof(root, key, value, *dec).ok());
  }
  // Truncation and trailing bytes are decode errors.
  for (size_t len = 0; len < enc.size(); ++len) {
    REQUIRE_FALSE(StateProof::Decode(ByteView(enc.data(), len)).ok());
  }
  Bytes longer = enc;
  longer.push_back(0);
  REQUIRE_FALSE(StateProof::Decode(longer).ok());
  // Wrong root.
  Hash bad_root = root;
  bad_root[0] ^= 1;
  REQUIRE_FALSE(VerifyStateProof(bad_root, key, value, proof).ok());
  REQUIRE_FALSE(VerifyStateProof(Hash{}, key, value, proof).ok());
  // Wrong key.
  REQUIRE_FALSE(VerifyStateProof(root, key + "x", value, proof).ok());
  // Wrong value, or presence claimed as absence and vice versa.
  if (value.has_value()) {
    Bytes other = *value;
    other.push_back(0);
    REQUIRE_FALSE(VerifyStateProof(root, key, other, proof).ok());
    REQUIRE_FALSE(VerifyStateProof(root, key, Bytes{}, proof).ok());
    REQUIRE_FALSE(VerifyStateProof(root, key, std::nullopt, proof).ok());
  } else {
    REQUIRE_FALSE(VerifyStateProof(root, key, Bytes{0}, proof).ok());
  }
  // Structural tampering of the decoded form.
  if (proof.depth > 0) {
    StateProof p = proof;
    p.siblings.pop_back();
    REQUIRE_FALSE(VerifyStateProof(root, key, value, p).ok());
    p.depth--;
    REQUIRE_FALSE(VerifyStateProof(root, key, value, p).ok());
  }
  StateProof deeper = proof;
  deeper.siblings.push_back(KeyHash("x"));
  deeper.depth++;
  REQUIRE_FALSE(VerifyStateProof(root, key, value, deeper).ok());
}

TEST_CASE("state map: any flipped bit, wrong key, value or root fails the proof", "[state_map]") {
  std::mt19937_64 rng(99);
  Harness h;
  std::vector<StateChange> changes;
  for (int i = 0; i < 3000; ++i) changes.push_back({KeyName(i), RandomValue(rng)});
  Hash root = h.Apply(changes);
  size_t with_leaf = 0, with_empty = 0;
  for (int i = 0; i < 3000; i += 150) {
    std::string k = KeyName(i);
    auto p = h.map.Prove(k, h.version);
    REQUIRE(p.ok());
    CheckTamperRejected(root, k, h.model[k], *p);
  }
  for (int i = 0; i < 400; ++i) {
    std::string k = "absent/" + std::to_string(i);
    auto p = h.map.Prove(k, h.version);
    REQUIRE(p.ok());
    REQUIRE(VerifyStateProof(root, k, std::nullopt, *p).ok());
    if (p->leaf.has_value()) {
      if (with_leaf++ >= 8) continue;
    } else if (with_empty++ >= 8) {
      continue;
    }
    CheckTamperRejected(root, k, std::nullopt, *p);
  }
  // Both kinds of absence proof occur and were checked.
  CHECK(with_leaf > 0);
  CHECK(with_empty > 0);
  // A presence proof for one key proves nothing about another.
  auto p0 = h.map.Prove(KeyName(0), h.version);
  CHECK_FALSE(VerifyStateProof(root, KeyName(1), h.model[KeyName(1)], *p0).ok());
  CHECK_FALSE(VerifyStateProof(root, KeyName(1), std::nullopt, *p0).ok());
}

TEST_CASE("state map: proofs against old versions survive later updates", "[state_map]") {
  std::mt19937_64 rng(7);
  Harness h;
  std::vector<StateChange> first;
  for (int i = 0; i < 1000; ++i) first.push_back({KeyName(i), RandomValue(rng)});
  Hash r1 = h.Apply(first);
  Model m1 = h.model;
  for (int round = 0; round < 10; ++round) {
    std::vector<StateChange> changes;
    for (int i = 0; i < 200; ++i) {
      std::string k = KeyName(rng() % 1500);
      if (rng() % 3 == 0) {
        changes.push_back({k, std::nullopt});
      } else {
        changes.push_back({k, RandomValue(rng)});
      }
    }
    h.Apply(changes);
  }
  REQUIRE(h.model != m1);
  CHECK(*h.map.RootAt(1) == r1);
  CHECK(r1 != h.roots[h.version]);
  CheckProofs(h.map, 1, r1, m1, rng, 100);
  // Keys deleted later are still present at version 1; keys added later absent.
  size_t deleted_later = 0;
  for (const auto& [k, v] : m1) {
    if (h.model.count(k) == 0) {
      ++deleted_later;
      CHECK(VerifyStateProof(r1, k, v, *h.map.Prove(k, 1)).ok());
      CHECK(VerifyStateProof(h.roots[h.version], k, std::nullopt, *h.map.Prove(k, h.version)).ok());
    }
  }
  CHECK(deleted_later > 0);
  // A proof from version 1 does not verify against the latest root when the value changed.
  size_t changed = 0;
  for (const auto& [k, v] : m1) {
    auto it = h.model.find(k);
    if (it == h.model.end() || it->second == v) continue;
    CHECK_FALSE(VerifyStateProof(h.roots[h.version], k, v, *h.map.Prove(k, 1)).ok());
    if (++changed == 20) break;
  }
  CHECK(changed > 0);
}

TEST_CASE("state map: proof encoding is canonical", "[state_map]") {
  StateProof p;
  p.depth = 3;
  p.siblings = {KeyHash("a"), Hash{}, KeyHash("c")};
  p.leaf = StateProof::Leaf{KeyHash("k"), KeyHash("v")};
  Bytes enc = p.Encode();
  // depth u16, bitmap 1 byte (101xxxxx), two hashes, terminal 1, two hashes.
  CHECK(enc.size() == 2 + 1 + 64 + 1 + 64);
  CHECK(enc[0] == 0);
  CHECK(enc[1] == 3);
  CHECK(enc[2] == 0xa0);
  auto dec = StateProof::Decode(enc);
  REQUIRE(dec.ok());
  CHECK(*dec == p);
  CHECK(dec->Encode() == enc);

  Bytes trailing_bit = enc;
  trailing_bit[2] |= 0x01;  // a bitmap bit beyond depth 3
  CHECK_FALSE(StateProof::Decode(trailing_bit).ok());
  Bytes zero_sibling = enc;
  std::fill(zero_sibling.begin() + 3, zero_sibling.begin() + 35, 0);  // explicit empty hash
  CHECK_FALSE(StateProof::Decode(zero_sibling).ok());
  Bytes too_deep{0x01, 0x01};  // depth 257
  CHECK_FALSE(StateProof::Decode(too_deep).ok());
  Bytes bad_terminal = enc;
  bad_terminal[67] = 2;
  CHECK_FALSE(StateProof::Decode(bad_terminal).ok());
  StateProof empty;
  CHECK(empty.Encode() == Bytes{0, 0, 0});
  CHECK(StateProof::Decode(Bytes{0, 0, 0}).ok());
}

TEST_CASE("state map: node key layout supports seek-for-prev by version", "[state_map]") {
  Hash path{};
  path[0] = 0xff;
  path[1] = 0xff;
  CHECK(EncodePosition(0, path) == Bytes{0, 0});
  CHECK(EncodePosition(3, path) == Bytes{0, 3, 0xe0});
  CHECK(EncodePosition(9, path) == Bytes{0, 9, 0xff, 0x80});
  CHECK(EncodePosition(256, path).size() == 2 + 32);
  CHECK(NodeKey(Bytes{0, 3, 0xe0}, 0x0102) == Bytes{0, 3, 0xe0, 0, 0, 0, 0, 0, 0, 1, 2});

  MemStateNodeStore store;
  Bytes pos = EncodePosition(3, path);
  Hash other_path{};
  Bytes other = EncodePosition(3, other_path);
  store.Apply({{NodeKey(pos, 5), Bytes{5}}, {NodeKey(pos, 9), Bytes{9}}, {NodeKey(other, 7), {7}}});
  CHECK_FALSE(store.GetLatestNode(pos, 4)->has_value());
  CHECK(**store.GetLatestNode(pos, 5) == Bytes{5});
  CHECK(**store.GetLatestNode(pos, 8) == Bytes{5});
  CHECK(**store.GetLatestNode(pos, 9) == Bytes{9});
  CHECK(**store.GetLatestNode(pos, ~uint64_t{0}) == Bytes{9});
  CHECK(**store.GetLatestNode(other, 100) == Bytes{7});
  CHECK_FALSE(store.GetLatestNode(EncodePosition(4, path), 100)->has_value());
}

// Returns stored nodes with one byte changed.
class TamperingReader final : public StateMapNodeReader {
 public:
  explicit TamperingReader(const StateMapNodeReader& inner) : inner_(inner) {}
  Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                             uint64_t max_version) const override {
    auto r = inner_.GetLatestNode(position, max_version);
    if (r.ok() && r->has_value() && position.size() > 2 && (*r)->size() > 5) {
      (**r)[5] ^= 0x10;
    }
    return r;
  }
  Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const override {
    auto r = inner_.GetNode(position, version);
    if (r.ok() && r->has_value() && position.size() > 2 && (*r)->size() > 5) {
      (**r)[5] ^= 0x10;
    }
    return r;
  }

 private:
  const StateMapNodeReader& inner_;
};

// Counts the two kinds of read, to show which one the map uses.
class CountingReader final : public StateMapNodeReader {
 public:
  explicit CountingReader(const StateMapNodeReader& inner) : inner_(inner) {}
  Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                             uint64_t max_version) const override {
    ++latest_reads;
    return inner_.GetLatestNode(position, max_version);
  }
  Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const override {
    ++exact_reads;
    return inner_.GetNode(position, version);
  }
  mutable size_t latest_reads = 0;
  mutable size_t exact_reads = 0;

 private:
  const StateMapNodeReader& inner_;
};

TEST_CASE("state map: corrupt stored nodes are reported, not trusted", "[state_map]") {
  Harness h;
  std::vector<StateChange> changes;
  for (int i = 0; i < 100; ++i) changes.push_back({KeyName(i), Bytes{1}});
  h.Apply(changes);
  TamperingReader bad(h.store);
  StateMap map(bad);
  auto p = map.Prove(KeyName(3), h.version);
  REQUIRE_FALSE(p.ok());
  CHECK(p.status().code() == StatusCode::kCorruption);
  auto up = map.Update(h.version + 1, {{KeyName(3), Bytes{2}}});
  REQUIRE_FALSE(up.ok());
  CHECK(up.status().code() == StatusCode::kCorruption);
}

TEST_CASE("state map: proof size at 10^5 keys (printed)", "[state_map][size]") {
  Harness h;
  std::mt19937_64 rng(5);
  std::vector<StateChange> changes;
  for (int i = 0; i < 100000; ++i) changes.push_back({KeyName(i), RandomValue(rng)});
  Hash root = h.Apply(changes);
  size_t total = 0, max_size = 0, max_depth = 0;
  const int samples = 1000;
  for (int i = 0; i < samples; ++i) {
    std::string k = KeyName(rng() % 100000);
    auto p = h.map.Prove(k, h.version);
    REQUIRE(p.ok());
    REQUIRE(VerifyStateProof(root, k, h.model[k], *p).ok());
    size_t sz = p->Encode().size();
    total += sz;
    max_size = std::max(max_size, sz);
    max_depth = std::max<size_t>(max_depth, p->depth);
  }
  // One block's worth of changes on top: how many node writes it costs.
  std::vector<StateChange> block;
  for (int i = 0; i < 1000; ++i) block.push_back({KeyName(rng() % 200000), RandomValue(rng)});
  auto start = std::chrono::steady_clock::now();
  auto up = h.map.Update(h.version + 1, block);
  auto elapsed = std::chrono::steady_clock::now() - start;
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count();
  REQUIRE(up.ok());
  std::cout << "{\"state_map_keys\": 100000, \"nodes_stored\": " << h.store.size()
            << ", \"proof_bytes_mean\": " << total / samples
            << ", \"proof_bytes_max\": " << max_size << ", \"proof_depth_max\": " << max_depth
            << ", \"update_1000_changes_node_writes\": " << up->node_writes.size()
            << ", \"update_1000_changes_ms\": " << ms << "}" << std::endl;
  // Depth stays logarithmic (log2(1e5) ~ 17).
  CHECK(max_depth < 48);
}

}  // namespace
}  // namespace licenced::state

namespace licenced::state {
namespace {

TEST_CASE("state map: below the root every read is an exact (position, version) lookup",
          "[state_map]") {
  Harness h;
  std::mt19937_64 rng(7);
  for (int round = 0; round < 20; ++round) {
    std::vector<StateChange> changes;
    for (int i = 0; i < 50; ++i) changes.push_back({KeyName(rng() % 400), RandomValue(rng)});
    h.Apply(changes);
  }
  CountingReader counting(h.store);
  StateMap map(counting);
  for (int i = 0; i < 400; i += 7) {
    counting.latest_reads = 0;
    auto l = map.GetWithProof(KeyName(i), h.version);
    REQUIRE(l.ok());
    CHECK(counting.latest_reads == 1);  // the root only
  }
  CHECK(counting.exact_reads > 0);
  counting.latest_reads = 0;
  counting.exact_reads = 0;
  std::vector<StateChange> changes;
  for (int i = 0; i < 100; ++i) changes.push_back({KeyName(1000 + i), Bytes{1}});
  auto up = map.Update(h.version + 1, changes);
  REQUIRE(up.ok());
  CHECK(counting.latest_reads == 1);
  CHECK(counting.exact_reads > 0);  // the groups below the root on the new keys' paths
}

TEST_CASE("state map: a tree in the binary layout of earlier releases is refused", "[state_map]") {
  // Earlier releases stored one node per level: u8 0 empty root, u8 1/3
  // internal, u8 2 leaf. Each is refused with the upgrade path, never read as
  // an empty or different tree.
  for (uint8_t kind : {0, 1, 2, 3}) {
    MemStateNodeStore store;
    Bytes node(1 + 64 + 16, 0x55);
    node[0] = kind;
    store.Apply({{NodeKey(EncodePosition(0, Hash{}), 1), node}});
    StateMap map(store);
    auto root = map.RootAt(1);
    REQUIRE_FALSE(root.ok());
    CHECK(root.status().code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(root.status().message(), Catch::Contains("binary node layout") &&
                                            Catch::Contains("move its data directory aside"));
    CHECK_FALSE(map.Update(2, {{"k", Bytes{1}}}).ok());
    CHECK_FALSE(map.Prove("k", 1).ok());
  }
}

TEST_CASE("state map: malformed groups are corruption", "[state_map]") {
  Harness h;
  std::vector<StateChange> changes;
  for (int i = 0; i < 300; ++i) changes.push_back({KeyName(i), Bytes{1}});
  h.Apply(changes);
  const Bytes root_key = NodeKey(EncodePosition(0, Hash{}), h.version);
  auto raw = h.store.GetNode(EncodePosition(0, Hash{}), h.version);
  REQUIRE(raw.ok());
  REQUIRE(raw->has_value());
  const Bytes good = **raw;
  auto expect_corrupt = [&](const Bytes& bad) {
    h.store.Apply({{root_key, bad}});
    auto r = h.map.RootAt(h.version);
    REQUIRE_FALSE(r.ok());
    CHECK(r.status().code() == StatusCode::kCorruption);
  };
  Bytes truncated(good.begin(), good.end() - 1);
  expect_corrupt(truncated);
  Bytes trailing = good;
  trailing.push_back(0);
  expect_corrupt(trailing);
  expect_corrupt(Bytes{0x10, 2, 0, 0});           // internal over two empty children
  expect_corrupt(Bytes{0x10, 3});                 // a group reference at relative depth 0
  expect_corrupt(Bytes{0x10, 2, 2, 2, 2, 2, 0});  // internal at relative depth 4
  expect_corrupt(Bytes{0x7f});                    // unknown kind
  h.store.Apply({{root_key, good}});
  CHECK(h.map.RootAt(h.version).ok());
}

}  // namespace
}  // namespace licenced::state
