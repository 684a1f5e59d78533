// TxVerifier: checks client transactions (decode, network id, Ed25519
// signature) on a small worker pool off the consensus strand, and remembers
// what it found by the transaction's exact bytes, so that a transaction is
// decoded once, its id hashed once and its signature verified once per node:
// a second message that carries it (the PrePrepare after the RequestBatch)
// and the executor find it by its bytes (Inspect, Lookup). Entries are
// dropped when the transaction commits (Forget) or, oldest first, beyond
// `cache_capacity` / 4 (each holds the bytes and the decoded transaction).
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include <boost/asio/thread_pool.hpp>

#include "consensus/messages.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/transaction.h"
#include "node/executor.h"

namespace licenced::node {

struct HashHasher {
  size_t operator()(const Hash& h) const {
    size_t v;
    std::memcpy(&v, h.data(), sizeof(v));
    return v;
  }
};

class TxVerifier {
 public:
  // skip_signatures: benchmark null mode only (decode and network id checks).
  TxVerifier(std::string network_id, size_t threads, size_t cache_capacity = 200000,
             bool skip_signatures = false);
  ~TxVerifier();

  // Full check of a decoded tx: network id and signature (cached).
  Status Check(const Transaction& tx);
  // The same for a client submission whose id the caller computed; the
  // verdict is remembered by `encoded`.
  Status Check(const Transaction& tx, const Hash& id, ByteView encoded);
  // Decode + check, once per distinct encoding while it is remembered: the
  // id and verdict the replica takes with a message (consensus::TxInfo).
  // A transaction that does not decode gets SHA-256 of its bytes as its id.
  consensus::TxInfo Inspect(ByteView encoded);
  bool IsValid(ByteView encoded) { return Inspect(encoded).valid; }
  // What Inspect or Check remembered about `encoded` (null if nothing): the
  // executor's Executor::CheckedTxLookup.
  std::shared_ptr<const CheckedTx> Lookup(ByteView encoded) EXCLUDES(mu_);
  // Runs `fn` on the worker pool.
  void Post(std::function<void()> fn);
  // True iff (id, signature) was verified here and is still cached (always
  // true with skip_signatures). The executor's Executor::SignatureCache.
  bool Verified(const Hash& id, const crypto::Signature& signature);
  // Drops a committed id from the cache.
  void Forget(const Hash& id) EXCLUDES(mu_);
  void Stop();

 private:
  bool Cached(const Hash& id, const crypto::Signature& sig) EXCLUDES(mu_);
  void Remember(const Hash& id, const crypto::Signature& sig) EXCLUDES(mu_);
  // Network id and signature of a decoded tx with its id.
  Status CheckDecoded(const Transaction& tx, const Hash& id);
  void Store(ByteView encoded, Transaction tx, const Hash& id, bool signature_ok, bool valid)
      EXCLUDES(mu_);

  // One remembered encoding; the map's key views `bytes`.
  struct Entry {
    std::string bytes;
    std::shared_ptr<const CheckedTx> checked;
  };

  std::string network_id_;
  size_t capacity_;
  bool skip_signatures_;
  boost::asio::thread_pool pool_;
  Mutex mu_;
  std::unordered_map<Hash, crypto::Signature, HashHasher> verified_ GUARDED_BY(mu_);
  std::deque<Hash> order_ GUARDED_BY(mu_);
  // Keys view their entry's bytes; checked_order_ owns every entry until it
  // ages out, so a key stays valid as long as it is in a map.
  std::unordered_map<std::string_view, std::shared_ptr<const Entry>> checked_ GUARDED_BY(mu_);
  std::unordered_multimap<Hash, std::string_view, HashHasher> checked_by_id_ GUARDED_BY(mu_);
  std::deque<std::shared_ptr<const Entry>> checked_order_ GUARDED_BY(mu_);
};

}  // namespace licenced::node
