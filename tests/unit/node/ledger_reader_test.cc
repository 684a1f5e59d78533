// LedgerReader: what the client API serves, as domain values, over a ledger
// the real Executor wrote: blocks by height, committed transactions, tx and
// state proofs that verify against the stored headers, and event replay.
#include <catch2/catch.hpp>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "consensus/block.h"
#include "consensus/messages.h"
#include "core/genesis.h"
#include "core/merkle.h"
#include "core/transaction.h"
#include "node/executor.h"
#include "node/ledger_reader.h"
#include "node/storage/mem_kv_store.h"
#include "node/storage/write_batch.h"

using namespace licenced;
using storage::Column;

namespace {

struct Ledger {
  DevNetwork net = MakeDevNetwork();
  storage::MemKvStore kv;
  std::unique_ptr<storage::BlockStore> store;
  std::unique_ptr<node::Executor> exec;
  std::unique_ptr<node::LedgerReader> reader;
  uint64_t nonce = 1;

  Ledger() {
    auto s = storage::BlockStore::Open(&kv, net.genesis.ComputeHash());
    REQUIRE(s.ok());
    store = std::move(*s);
    exec = std::make_unique<node::Executor>(net.genesis, store.get());
    reader = std::make_unique<node::LedgerReader>(&kv, store.get(), &exec->state_map());
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

  // Executes the next block; `state_root` as a proposer would put it unless
  // `wrong_root`.
  node::ExecutedBlock Add(std::vector<Bytes> txs, bool wrong_root = false) {
    consensus::Block b;
    b.header.height = store->head_height() + 1;
    b.header.prev_hash = store->head_hash();
    b.header.timestamp_ms = net.genesis.genesis_time_ms + 1000 * b.header.height;
    auto root = exec->HeadStateRoot();
    REQUIRE(root.ok());
    b.header.state_root = *root;
    if (wrong_root) b.header.state_root[0] ^= 1;
    b.txs = std::move(txs);
    b.header.tx_root = merkle::Root(b.txs);
    consensus::CommitCertificate c;
    c.height = b.header.height;
    c.block_hash = b.ComputeHash();
    auto r = exec->ExecuteBlock(b, c);
    REQUIRE(r.ok());
    return std::move(*r);
  }
};

Hash IdOf(const Bytes& encoded) {
  auto tx = Transaction::Decode(encoded);
  REQUIRE(tx.ok());
  return tx->Id();
}

}  // namespace

TEST_CASE("ledger reader: blocks by height, 0 the head, NotFound naming the head",
          "[node][ledger]") {
  Ledger l;
  auto none = l.reader->Block(0);
  REQUIRE(none.status().code() == StatusCode::kNotFound);
  CHECK_THAT(none.status().message(), Catch::Contains("no block committed yet"));

  l.Add({l.Enrol("market", "a")});
  l.Add({l.Enrol("police", "b"), l.Enrol("tax", "c")});
  auto head = l.reader->Block(0);
  REQUIRE(head.ok());
  CHECK(head->height == 2);
  auto first = l.reader->Block(1);
  REQUIRE(first.ok());
  auto block = consensus::Block::Decode(first->block);
  REQUIRE(block.ok());
  CHECK(block->header.height == 1);
  auto cert = consensus::CommitCertificate::Decode(first->certificate);
  REQUIRE(cert.ok());
  CHECK(cert->block_hash == block->ComputeHash());

  auto beyond = l.reader->Block(3);
  REQUIRE(beyond.status().code() == StatusCode::kNotFound);
  CHECK_THAT(beyond.status().message(), Catch::Contains("head is 2"));
}

TEST_CASE("ledger reader: a committed transaction with its record and bytes", "[node][ledger]") {
  Ledger l;
  Bytes a = l.Enrol("market", "a");
  Bytes b = l.Enrol("police", "b");
  l.Add({a});
  l.Add({Bytes(b)});
  auto got = l.reader->Transaction(IdOf(b));
  REQUIRE(got.ok());
  REQUIRE(got->has_value());
  CHECK((*got)->tx == b);
  CHECK((*got)->record.height == 2);
  CHECK((*got)->record.index == 0);
  CHECK((*got)->record.code == StatusCode::kOk);

  auto unknown = l.reader->Transaction(IdOf(l.Enrol("tax", "never sent")));
  REQUIRE(unknown.ok());
  CHECK_FALSE(unknown->has_value());
}

TEST_CASE("ledger reader: a tx proof verifies against its block's tx_root", "[node][ledger]") {
  Ledger l;
  std::vector<Bytes> txs;
  for (int i = 0; i < 5; ++i) txs.push_back(l.Enrol("market", "clerk " + std::to_string(i)));
  l.Add(txs);
  for (uint32_t i = 0; i < txs.size(); ++i) {
    auto p = l.reader->TxProof(IdOf(txs[i]));
    REQUIRE(p.ok());
    CHECK(p->tx == txs[i]);
    CHECK(p->index == i);
    CHECK(p->tree_size == txs.size());
    CHECK(p->header.height == 1);
    CHECK(merkle::VerifyInclusion(merkle::LeafHash(p->tx), p->index, p->tree_size, p->audit_path,
                                  p->header.tx_root)
              .ok());
    auto cert = consensus::CommitCertificate::Decode(p->certificate);
    REQUIRE(cert.ok());
    CHECK(cert->block_hash == p->header.ComputeHash());
  }
  auto missing = l.reader->TxProof(IdOf(l.Enrol("tax", "never sent")));
  REQUIRE(missing.status().code() == StatusCode::kNotFound);
  CHECK_THAT(missing.status().message(), Catch::Contains("not committed"));
}

TEST_CASE("ledger reader: a state proof is against the state the header commits to",
          "[node][ledger]") {
  Ledger l;
  l.Add({l.Enrol("market", "a")});
  l.Add({});  // header 2 carries the state after block 1
  auto key = l.kv.ScanPrefix(Column::kState, "s:", 1);
  REQUIRE(key.ok());
  REQUIRE(key->size() == 1);
  const std::string k = (*key)[0].first.substr(2);

  auto after = l.reader->StateProof(k, 2);
  REQUIRE(after.ok());
  CHECK(after->header.height == 2);
  REQUIRE(after->value.has_value());
  CHECK(*after->value == (*key)[0].second);
  CHECK(state::VerifyStateProof(after->header.state_root, k, after->value, after->proof).ok());

  // Header 1 carries the state before block 1: is the key there yet? Whatever
  // the answer, it is proven against that header.
  auto before = l.reader->StateProof(k, 1);
  REQUIRE(before.ok());
  CHECK(before->header.height == 1);
  CHECK(state::VerifyStateProof(before->header.state_root, k, before->value, before->proof).ok());

  auto absent = l.reader->StateProof("identity/no-such-key", 0);
  REQUIRE(absent.ok());
  CHECK_FALSE(absent->value.has_value());
  CHECK(state::VerifyStateProof(absent->header.state_root, "identity/no-such-key", std::nullopt,
                                absent->proof)
            .ok());
}

TEST_CASE("ledger reader: a header whose state_root the state does not match is an error",
          "[node][ledger]") {
  Ledger l;
  l.Add({l.Enrol("market", "a")});
  l.Add({}, /*wrong_root=*/true);
  auto r = l.reader->StateProof("anything", 2);
  REQUIRE(r.status().code() == StatusCode::kInternal);
  CHECK_THAT(r.status().message(), Catch::Contains("differs from block 2"));
}

TEST_CASE("ledger reader: a certified state proof is in the state after the certified block",
          "[node][ledger]") {
  Ledger l;
  const Bytes enrol = l.Enrol("market", "a");
  l.Add({});
  // No state certificate stored yet: refused, naming what is missing.
  auto none = l.reader->CertifiedStateProof("anything", 0);
  REQUIRE(none.status().code() == StatusCode::kFailedPrecondition);
  CHECK_THAT(none.status().message(), Catch::Contains("no state certificate"));
  l.Add({enrol});
  auto root = l.exec->HeadStateRoot();
  REQUIRE(root.ok());
  consensus::CheckpointProof cert;
  cert.checkpoint = {2, l.store->head_hash(), *root};
  for (uint32_t id = 0; id < 3; ++id) {
    cert.messages.push_back(consensus::SignedMessage::Sign(
        consensus::MsgType::kCheckpoint, id, cert.checkpoint.Encode(), l.net.validator_keys[id]));
  }
  REQUIRE(l.store->PutStateCertificate(2, cert.Encode()).ok());
  auto key = l.kv.ScanPrefix(Column::kState, "s:", 1);
  REQUIRE(key.ok());
  REQUIRE(key->size() == 1);
  const std::string k = (*key)[0].first.substr(2);
  // Block 2 wrote the key: its header's root (the state after block 1) lacks
  // it, the certified state after block 2 holds it, at once.
  for (uint64_t asked : {uint64_t{0}, uint64_t{2}}) {
    auto p = l.reader->CertifiedStateProof(k, asked);
    REQUIRE(p.ok());
    CHECK(p->header.height == 2);
    REQUIRE(p->value.has_value());
    CHECK(*p->value == (*key)[0].second);
    CHECK(
        state::VerifyStateProof(p->certificate.checkpoint.state_root, k, p->value, p->proof).ok());
    CHECK(p->certificate.messages.size() == 3);
  }
  auto header_form = l.reader->StateProof(k, 2);
  REQUIRE(header_form.ok());
  CHECK_FALSE(header_form->value.has_value());
  // Asked for a block without a certificate, or past the head.
  CHECK(l.reader->CertifiedStateProof(k, 1).status().code() == StatusCode::kFailedPrecondition);
  CHECK(l.reader->CertifiedStateProof(k, 3).status().code() == StatusCode::kNotFound);
  // A certificate of a state this node does not have (not executed here, or
  // its execution differs) is skipped at 0 and refused by height.
  cert.checkpoint.state_root[0] ^= 1;
  REQUIRE(l.store->PutStateCertificate(2, cert.Encode()).ok());
  CHECK(l.reader->CertifiedStateProof(k, 0).status().code() == StatusCode::kFailedPrecondition);
  CHECK(l.reader->CertifiedStateProof(k, 2).status().code() == StatusCode::kFailedPrecondition);
}

TEST_CASE("ledger reader: events from a height, filtered, in commit order", "[node][ledger]") {
  Ledger l;
  std::vector<node::EventRecord> all;
  for (const char* org : {"market", "police", "market", "tax"}) {
    auto ex = l.Add({l.Enrol(org, std::string("clerk of ") + org)});
    REQUIRE_FALSE(ex.events.empty());
    all.insert(all.end(), ex.events.begin(), ex.events.end());
  }
  auto every = l.reader->Events(1, 4);
  REQUIRE(every.ok());
  REQUIRE(every->size() == all.size());
  for (size_t i = 0; i < all.size(); ++i) {
    CHECK((*every)[i].height == all[i].height);
    CHECK((*every)[i].kind == all[i].kind);
    CHECK((*every)[i].tx_id == all[i].tx_id);
  }

  auto tail = l.reader->Events(3, 4);
  REQUIRE(tail.ok());
  for (const auto& e : *tail) CHECK(e.height >= 3);
  CHECK_FALSE(tail->empty());

  auto market = l.reader->Events(1, 4, [](const node::EventRecord& e) {
    return std::find(e.orgs.begin(), e.orgs.end(), "market") != e.orgs.end();
  });
  REQUIRE(market.ok());
  REQUIRE_FALSE(market->empty());
  for (const auto& e : *market) CHECK((e.height == 1 || e.height == 3));

  auto reversed = l.reader->Events(4, 3);
  REQUIRE(reversed.ok());
  CHECK(reversed->empty());
}

TEST_CASE("ledger reader: a stored event that does not decode is reported, not skipped",
          "[node][ledger]") {
  Ledger l;
  l.Add({l.Enrol("market", "a")});
  auto events = l.kv.ScanPrefix(Column::kIndex, node::EventHeightPrefix(1), 1);
  REQUIRE(events.ok());
  REQUIRE(events->size() == 1);
  storage::WriteBatch batch;
  batch.Put(Column::kIndex, (*events)[0].first, Bytes{0x01, 0x02});
  REQUIRE(l.kv.Write(batch, /*sync=*/false).ok());
  auto r = l.reader->Events(1, 1);
  REQUIRE(r.status().code() == StatusCode::kCorruption);
  CHECK_THAT(r.status().message(), Catch::Contains("does not decode"));
}
