// TxVerifier: checks client transactions (decode, network id, Ed25519
// signature) on a small worker pool off the consensus strand, and remembers
// which (id, signature) pairs it has verified so that each transaction is
// verified once per node: the replica's validate_tx for pre-prepares is then
// a cache lookup, with verification as the fallback.
//
// Thread-safe.
#pragma once

#include <cstddef>
#include <cstring>
#include <deque>
#include <functional>
#include <unordered_map>

#include <boost/asio/thread_pool.hpp>

#include "core/bytes.h"
#include "core/crypto.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/transaction.h"

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
  // Decode + Check; used as the replica's validate_tx.
  bool IsValid(ByteView encoded);
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

  std::string network_id_;
  size_t capacity_;
  bool skip_signatures_;
  boost::asio::thread_pool pool_;
  Mutex mu_;
  std::unordered_map<Hash, crypto::Signature, HashHasher> verified_ GUARDED_BY(mu_);
  std::deque<Hash> order_ GUARDED_BY(mu_);
};

}  // namespace licenced::node
