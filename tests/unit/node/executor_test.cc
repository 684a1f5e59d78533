// Executor atomicity: a block's writes are all-or-nothing, a rejected tx
// changes nothing, duplicates keep the first record.
#include <random>

#include <catch2/catch.hpp>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "consensus/block.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/state_map.h"
#include "core/transaction.h"
#include "node/executor.h"
#include "node/storage/fault_injecting_kv_store.h"
#include "node/storage/mem_kv_store.h"

using namespace licenced;
using storage::Column;

namespace {

struct Fixture {
  DevNetwork net = MakeDevNetwork();
  storage::MemKvStore mem;
  storage::FaultInjectingKvStore kv{&mem};
  std::unique_ptr<storage::BlockStore> store;
  std::unique_ptr<node::Executor> exec;
  uint64_t nonce = 1;

  Fixture() {
    auto s = storage::BlockStore::Open(&kv, net.genesis.ComputeHash());
    REQUIRE(s.ok());
    store = std::move(*s);
    exec = std::make_unique<node::Executor>(net.genesis, store.get());
  }

  Bytes Enrol(const std::string& org, const std::string& name) {
    Transaction tx;
    tx.network_id = net.genesis.network_id;
    tx.chaincode = "identity";
    tx.method = "enrol_clerk";
    nlohmann::json args = {{"name", name},
                           {"public_key", ToHex(crypto::KeyPair::Generate().public_key())},
                           {"roles", {"clerk"}}};
    tx.args = ToBytes(args.dump());
    tx.nonce = nonce++;
    tx.SignWith(net.admin_keys.at(org));
    return tx.Encode();
  }

  Bytes Unknown() {
    Transaction tx;
    tx.network_id = net.genesis.network_id;
    tx.chaincode = "no-such-chaincode";
    tx.method = "x";
    tx.args = ToBytes("{}");
    tx.nonce = nonce++;
    tx.SignWith(net.admin_keys.at("market"));
    return tx.Encode();
  }

  std::pair<consensus::Block, consensus::CommitCertificate> Make(std::vector<Bytes> txs) {
    consensus::Block b;
    b.header.height = store->head_height() + 1;
    b.header.prev_hash = store->head_hash();
    b.header.timestamp_ms = net.genesis.genesis_time_ms + 1000 * b.header.height;
    b.txs = std::move(txs);
    b.header.tx_root = merkle::Root(b.txs);
    consensus::CommitCertificate c;
    c.height = b.header.height;
    c.block_hash = b.ComputeHash();
    return {b, c};
  }

  size_t Count(Column col, std::string_view prefix) {
    auto r = kv.ScanPrefix(col, prefix, storage::KvStore::kNoLimit);
    REQUIRE(r.ok());
    return r->size();
  }
};

Hash IdOf(const Bytes& raw) { return Transaction::Decode(raw)->Id(); }

}  // namespace

TEST_CASE("a rejected transaction changes no state", "[node][executor]") {
  Fixture f;
  Bytes bad = f.Unknown();
  auto [b, c] = f.Make({bad});
  auto r = f.exec->ExecuteBlock(b, c);
  REQUIRE(r.ok());
  REQUIRE(r->txs.size() == 1);
  CHECK(r->txs[0].record.code == StatusCode::kInvalidArgument);
  CHECK(f.store->head_height() == 1);
  CHECK(f.Count(Column::kState, "") == 0);  // no chaincode state written
  CHECK(r->events.empty());
  // The rejection is recorded so the client can read it.
  auto rec = node::ReadTxRecord(&f.kv, IdOf(bad));
  REQUIRE(rec.ok());
  REQUIRE(rec->has_value());
  CHECK((*rec)->code == StatusCode::kInvalidArgument);
  // No state writes: the root stays the empty state's root.
  CHECK(r->state_root == node::EmptyStateRoot());
}

TEST_CASE("accepted and rejected transactions in one block", "[node][executor]") {
  Fixture f;
  Bytes good = f.Enrol("market", "alice");
  Bytes bad = f.Unknown();
  auto [b, c] = f.Make({good, bad});
  auto r = f.exec->ExecuteBlock(b, c);
  REQUIRE(r.ok());
  CHECK(r->txs[0].record.code == StatusCode::kOk);
  CHECK(r->txs[1].record.code != StatusCode::kOk);
  CHECK(r->state_root != node::EmptyStateRoot());
  CHECK(f.store->head_height() == 1);
  CHECK(f.Count(Column::kIndex, "tx:") == 2);
  CHECK(f.Count(Column::kState, "") > 0);
  CHECK_FALSE(r->events.empty());
  auto root = f.exec->HeadStateRoot();
  REQUIRE(root.ok());
  CHECK(*root == r->state_root);
  // The root is the state map's, and a state key can be proven against it.
  auto key = f.kv.ScanPrefix(Column::kState, "s:", 1);
  REQUIRE(key.ok());
  REQUIRE(key->size() == 1);
  std::string k = (*key)[0].first.substr(2);
  auto lookup = f.exec->state_map().GetWithProof(k, 1);
  REQUIRE(lookup.ok());
  REQUIRE(lookup->value.has_value());
  CHECK(*lookup->value == (*key)[0].second);
  CHECK(state::VerifyStateProof(r->state_root, k, lookup->value, lookup->proof).ok());
}

TEST_CASE("a failed block write applies nothing and can be retried", "[node][executor]") {
  Fixture f;
  Bytes good = f.Enrol("market", "bob");
  auto [b, c] = f.Make({good});
  f.kv.FailNextWrite();
  auto r = f.exec->ExecuteBlock(b, c);
  REQUIRE_FALSE(r.ok());
  CHECK(f.store->head_height() == 0);
  CHECK(f.Count(Column::kState, "") == 0);
  CHECK(f.Count(Column::kIndex, "tx:") == 0);
  CHECK(f.Count(Column::kIndex, "ev:") == 0);
  CHECK(f.Count(Column::kBlocks, "") == 0);

  auto again = f.exec->ExecuteBlock(b, c);
  REQUIRE(again.ok());
  CHECK(f.store->head_height() == 1);
  CHECK(again->txs[0].record.code == StatusCode::kOk);
}

TEST_CASE("duplicates keep the first record and change nothing", "[node][executor]") {
  Fixture f;
  Bytes good = f.Enrol("market", "carol");
  auto [b1, c1] = f.Make({good, good});
  auto r1 = f.exec->ExecuteBlock(b1, c1);
  REQUIRE(r1.ok());
  CHECK_FALSE(r1->txs[0].duplicate);
  CHECK(r1->txs[1].duplicate);
  size_t state_keys = f.Count(Column::kState, "");

  auto [b2, c2] = f.Make({good});
  auto r2 = f.exec->ExecuteBlock(b2, c2);
  REQUIRE(r2.ok());
  CHECK(r2->txs[0].duplicate);
  CHECK(r2->txs[0].record.height == 1);
  CHECK(f.Count(Column::kState, "") == state_keys);
  auto rec = node::ReadTxRecord(&f.kv, IdOf(good));
  REQUIRE(rec.ok());
  CHECK((*rec)->height == 1);
}

TEST_CASE("a block out of order is refused", "[node][executor]") {
  Fixture f;
  auto [b, c] = f.Make({});
  b.header.height = 2;
  CHECK(f.exec->ExecuteBlock(b, c).status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("the state root is the state map root of the whole state", "[node][executor]") {
  // Roots computed incrementally (through the node cache) equal the root of
  // the final state built from scratch: the tree is canonical by content.
  Fixture f;
  for (int b = 0; b < 3; ++b) {
    auto [blk, cert] = f.Make(
        {f.Enrol("market", "m" + std::to_string(b)), f.Enrol("police", "p" + std::to_string(b))});
    REQUIRE(f.exec->ExecuteBlock(blk, cert).ok());
  }
  auto all = f.kv.ScanPrefix(Column::kState, "s:", storage::KvStore::kNoLimit);
  REQUIRE(all.ok());
  std::vector<state::StateChange> changes;
  for (auto& [k, v] : *all) changes.push_back({k.substr(2), v});
  state::MemStateNodeStore mem;
  state::StateMap fresh(mem);
  auto update = fresh.Update(1, changes);
  REQUIRE(update.ok());
  auto root = f.exec->HeadStateRoot();
  REQUIRE(root.ok());
  CHECK(update->root == *root);
  CHECK(*root != node::EmptyStateRoot());
}

TEST_CASE("the signature cache skips the engine's check, and only for cached txs",
          "[node][executor]") {
  Fixture f;
  // A tx whose signature does not verify (args changed after signing).
  Bytes raw = f.Enrol("market", "mallory");
  auto tx = Transaction::Decode(raw);
  REQUIRE(tx.ok());
  tx->args = ToBytes(R"({"name":"mallory2","public_key":")" +
                     ToHex(crypto::KeyPair::Generate().public_key()) + R"(","roles":["clerk"]})");
  Bytes forged = tx->Encode();
  const Hash forged_id = IdOf(forged);

  // Without a cache entry the engine checks it and rejects it.
  auto [b1, c1] = f.Make({forged});
  f.exec->SetSignatureCache([](const Hash&, const crypto::Signature&) { return false; });
  auto r1 = f.exec->ExecuteBlock(b1, c1);
  REQUIRE(r1.ok());
  CHECK(r1->txs[0].record.code == StatusCode::kPermissionDenied);

  // A tx the node says it verified is not checked again (the executor trusts
  // the node's TxVerifier: this is what makes it one check per node).
  Bytes other = f.Enrol("market", "carol");
  const Hash other_id = IdOf(other);
  std::vector<Hash> asked;
  f.exec->SetSignatureCache([&](const Hash& id, const crypto::Signature&) {
    asked.push_back(id);
    return id == other_id;
  });
  auto [b2, c2] = f.Make({other});
  auto r2 = f.exec->ExecuteBlock(b2, c2);
  REQUIRE(r2.ok());
  CHECK(r2->txs[0].record.code == StatusCode::kOk);
  CHECK(asked == std::vector<Hash>{other_id});
  CHECK(forged_id != other_id);
}

TEST_CASE("null mode: the same block loop without chaincode or state", "[node][executor]") {
  Fixture f;
  node::Executor null_exec(f.net.genesis, f.store.get(), /*null_mode=*/true);
  Bytes good = f.Enrol("market", "dora");
  Bytes unknown = f.Unknown();  // would be rejected by the chaincode
  auto [b, c] = f.Make({good, unknown, good});
  auto r = null_exec.ExecuteBlock(b, c);
  REQUIRE(r.ok());
  REQUIRE(r->txs.size() == 3);
  CHECK(r->txs[0].record.code == StatusCode::kOk);
  CHECK(r->txs[1].record.code == StatusCode::kOk);
  CHECK(r->txs[2].duplicate);
  CHECK(r->state_root == node::EmptyStateRoot());
  CHECK(r->events.empty());
  CHECK(f.Count(Column::kState, "") == 0);
  CHECK(f.Count(Column::kIndex, "tx:") == 2);
  CHECK(f.store->head_height() == 1);
  auto root = null_exec.HeadStateRoot();
  REQUIRE(root.ok());
  CHECK(*root == node::EmptyStateRoot());
}

namespace {

Bytes CacheTestKey(uint8_t pos, uint64_t version) {
  Bytes k = {pos, pos};
  for (int i = 7; i >= 0; --i) k.push_back(static_cast<uint8_t>(version >> (8 * i)));
  return k;
}

}  // namespace

TEST_CASE("the state-node cache answers the newest node not newer than asked, across generations",
          "[node][executor]") {
  storage::MemKvStore kv;
  // Room for two nodes of this size per generation.
  const size_t charge = node::CachingStateNodeReader::EntryCharge(2, 2);
  node::CachingStateNodeReader reader(&kv, 4 * charge);
  auto value = [](uint8_t pos, uint64_t version) {
    return Bytes{pos, static_cast<uint8_t>(version)};
  };
  // Every node is durable in the store too, as the executor guarantees.
  auto write = [&](uint8_t pos, uint64_t version) {
    Bytes k = CacheTestKey(pos, version);
    REQUIRE(kv.Put(Column::kState, node::StateNodeKey(k), value(pos, version), false).ok());
    reader.Record({{k, value(pos, version)}});
  };
  auto forget = [&](uint8_t pos, uint64_t version) {
    REQUIRE(kv.Delete(Column::kState, node::StateNodeKey(CacheTestKey(pos, version)), false).ok());
  };
  auto get = [&](uint8_t pos, uint64_t max_version) -> std::optional<Bytes> {
    Bytes p = {pos, pos};
    auto r = reader.GetLatestNode(p, max_version);
    REQUIRE(r.ok());
    return *r;
  };
  write(1, 1);
  write(2, 1);
  write(1, 2);  // replaces 1@1 in place: the generation does not grow
  CHECK(reader.cached_bytes() == 2 * charge);
  write(3, 3);  // rotates: {1@2, 2@1} become the previous generation
  write(4, 4);
  write(5, 5);  // rotates again: {1@2, 2@1} dropped, previous = {3@3, 4@4}
  CHECK(reader.cached_bytes() == 3 * charge);
  // What the store no longer has is answered only if it is still cached.
  forget(2, 1);
  forget(3, 3);
  CHECK(get(2, 9) == std::nullopt);  // dropped from the cache
  CHECK(get(3, 9) == value(3, 3));   // cached
  CHECK(get(3, 2) == std::nullopt);  // nothing at or below version 2
  CHECK(get(1, 9) == value(1, 2));   // from the store
  CHECK(get(1, 1) == value(1, 1));   // older than the newest: from the store
  CHECK(get(4, 4) == value(4, 4));
  CHECK(get(5, 9) == value(5, 5));
  CHECK(get(6, 9) == std::nullopt);
}

TEST_CASE("the state-node cache stays within its byte budget whatever the node sizes",
          "[node][executor]") {
  storage::MemKvStore kv;
  const size_t budget = 64 * 1024;
  node::CachingStateNodeReader reader(&kv, budget);
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    const auto pos = static_cast<uint8_t>(rng() % 200);
    Bytes node(10 + rng() % 2000, static_cast<uint8_t>(i));
    std::vector<std::pair<Bytes, Bytes>> writes;
    writes.emplace_back(CacheTestKey(pos, static_cast<uint64_t>(i + 1)), node);
    reader.Record(std::move(writes));
    REQUIRE(reader.cached_bytes() <= budget);
    // The node just written is answered from the cache (the store is empty).
    auto got = reader.GetLatestNode(Bytes{pos, pos}, static_cast<uint64_t>(i + 1));
    REQUIRE(got.ok());
    REQUIRE(*got == std::optional<Bytes>(node));
  }
  // A node larger than a generation is not cached at all, and the older
  // version it replaces is no longer answered as the newest.
  reader.Record({{CacheTestKey(250, 1), Bytes{1, 2, 3}}});
  reader.Record({{CacheTestKey(250, 2), Bytes(budget, 1)}});
  CHECK(reader.cached_bytes() <= budget);
  auto big = reader.GetLatestNode(Bytes{250, 250}, 9);
  REQUIRE(big.ok());
  CHECK(*big == std::nullopt);  // the store (empty here) answers
}

namespace {

// Every (key, value) of a column.
std::vector<std::pair<std::string, Bytes>> All(storage::KvStore& kv, Column column) {
  auto r = kv.ScanPrefix(column, "", storage::KvStore::kNoLimit);
  REQUIRE(r.ok());
  return *r;
}

// Executes `blocks` blocks of enrolments; returns the state root after each.
std::vector<Hash> ExecuteSome(Fixture& f, int blocks) {
  std::vector<Hash> roots;
  for (int b = 0; b < blocks; ++b) {
    std::vector<Bytes> txs;
    for (int i = 0; i < 5; ++i) txs.push_back(f.Enrol("market", fmt::format("c{}-{}", b, i)));
    auto [blk, cert] = f.Make(txs);
    auto r = f.exec->ExecuteBlock(blk, cert);
    REQUIRE(r.ok());
    roots.push_back(r->state_root);
  }
  return roots;
}

// At every height: the stored root equals the map's root, and a proof of
// every state key verifies against it.
void CheckEveryHeight(Fixture& f, const std::vector<Hash>& roots) {
  const auto values = All(f.kv, Column::kState);
  for (uint64_t h = 1; h <= roots.size(); ++h) {
    auto root = f.exec->state_map().RootAt(h);
    REQUIRE(root.ok());
    CHECK(*root == roots[h - 1]);
  }
  const uint64_t head = roots.size();
  size_t proved = 0;
  for (const auto& [k, v] : values) {
    if (!k.starts_with("s:")) continue;
    auto l = f.exec->state_map().GetWithProof(k.substr(2), head);
    REQUIRE(l.ok());
    CHECK(l->value == v);
    CHECK(state::VerifyStateProof(roots.back(), k.substr(2), v, l->proof).ok());
    ++proved;
  }
  CHECK(proved > 10);
}

TEST_CASE("state-map nodes are stored version first, each block above the last",
          "[node][executor]") {
  Fixture f;
  std::vector<Hash> roots = ExecuteSome(f, 6);
  CHECK(f.Count(Column::kState, "m:") == 0);
  const auto nodes = All(f.kv, Column::kStateNodes);
  REQUIRE(nodes.size() > 6);
  uint64_t last_version = 0;
  for (const auto& [k, v] : nodes) {
    REQUIRE(k.size() >= 10);
    uint64_t version = 0;
    for (size_t i = 0; i < 8; ++i) version = (version << 8) | static_cast<uint8_t>(k[i]);
    CHECK(version >= last_version);  // key order = version order
    CHECK(version >= 1);
    CHECK(version <= roots.size());
    last_version = version;
  }
  CHECK(last_version == roots.size());
  CheckEveryHeight(f, roots);
}

TEST_CASE("a ledger whose state map is in the binary layout of earlier releases is refused",
          "[node][executor]") {
  Fixture f;
  std::vector<Hash> roots = ExecuteSome(f, 2);
  REQUIRE(f.exec->CheckStateMap().ok());
  // Replace the stored tree by the root an earlier release wrote for a tree of
  // one key: a binary leaf node (u8 2, key_hash, value_hash, key, value), at
  // the head, in each of the two places earlier releases kept their nodes.
  for (bool legacy_column : {false, true}) {
    storage::WriteBatch old;
    for (const auto& [k, v] : All(f.kv, Column::kStateNodes)) old.Delete(Column::kStateNodes, k);
    const std::string key = "identity/clerk/c0-0";
    const Bytes value = Bytes{'{', '}'};
    Bytes leaf{2};
    const Hash kh = state::KeyHash(key), vh = crypto::Sha256(value);
    leaf.insert(leaf.end(), kh.begin(), kh.end());
    leaf.insert(leaf.end(), vh.begin(), vh.end());
    Writer w;
    w.Str(key).Var(value);
    Bytes tail = w.Take();
    leaf.insert(leaf.end(), tail.begin(), tail.end());
    const Bytes node_key = state::NodeKey(state::EncodePosition(0, Hash{}), roots.size());
    if (legacy_column) {
      old.Put(Column::kState, node::StateNodeKey(node_key), leaf);
    } else {
      old.Put(Column::kStateNodes, node::StateNodeStoreKey(node_key), leaf);
    }
    REQUIRE(f.kv.Write(old, false).ok());
    f.exec = std::make_unique<node::Executor>(f.net.genesis, f.store.get());
    Status s = f.exec->CheckStateMap();
    CHECK(s.code() == StatusCode::kFailedPrecondition);
    CHECK_THAT(s.message(), Catch::Contains("binary node layout") &&
                                Catch::Contains("move its data directory aside"));
    // And nothing executes on it.
    std::vector<Bytes> txs{f.Enrol("market", legacy_column ? "late-1" : "late-0")};
    auto [blk, cert] = f.Make(txs);
    CHECK_FALSE(f.exec->ExecuteBlock(blk, cert).ok());
    CHECK(f.store->head_height() == roots.size());
  }
}

}  // namespace
