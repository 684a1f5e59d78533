#include "node/tx_verifier.h"

#include <boost/asio/post.hpp>

namespace licenced::node {

TxVerifier::TxVerifier(std::string network_id, size_t threads, size_t cache_capacity,
                       bool skip_signatures)
    : network_id_(std::move(network_id)),
      capacity_(cache_capacity),
      skip_signatures_(skip_signatures),
      pool_(threads) {}

TxVerifier::~TxVerifier() { Stop(); }

void TxVerifier::Stop() {
  pool_.stop();
  pool_.join();
}

void TxVerifier::Post(std::function<void()> fn) { boost::asio::post(pool_, std::move(fn)); }

bool TxVerifier::Cached(const Hash& id, const crypto::Signature& sig) {
  MutexLock lock(&mu_);
  auto it = verified_.find(id);
  return it != verified_.end() && it->second == sig;
}

void TxVerifier::Remember(const Hash& id, const crypto::Signature& sig) {
  MutexLock lock(&mu_);
  if (verified_.emplace(id, sig).second) {
    order_.push_back(id);
    while (order_.size() > capacity_) {
      verified_.erase(order_.front());
      order_.pop_front();
    }
  }
}

bool TxVerifier::Verified(const Hash& id, const crypto::Signature& signature) {
  return skip_signatures_ || Cached(id, signature);
}

void TxVerifier::Forget(const Hash& id) {
  MutexLock lock(&mu_);
  verified_.erase(id);  // the id stays in order_ until it ages out; erase is idempotent
}

Status TxVerifier::Check(const Transaction& tx) {
  if (tx.network_id != network_id_) {
    return Status::InvalidArgument("transaction is for network '" + tx.network_id +
                                   "' but this node serves '" + network_id_ +
                                   "': sign it with the right network_id");
  }
  if (skip_signatures_) return Status::Ok();
  Hash id = tx.Id();
  if (Cached(id, tx.signature)) return Status::Ok();
  if (!tx.VerifySignature()) {
    return Status::InvalidArgument(
        "transaction signature does not verify against its submitter key " +
        crypto::KeyId(tx.submitter) + ": re-sign the exact bytes you submit");
  }
  Remember(id, tx.signature);
  return Status::Ok();
}

bool TxVerifier::IsValid(ByteView encoded) {
  auto tx = Transaction::Decode(encoded);
  return tx.ok() && Check(*tx).ok();
}

}  // namespace licenced::node
