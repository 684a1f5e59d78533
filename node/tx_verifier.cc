#include "node/tx_verifier.h"

#include <algorithm>

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
  // Its entries stay owned by checked_order_ until they age out.
  auto [first, last] = checked_by_id_.equal_range(id);
  for (auto it = first; it != last; ++it) checked_.erase(it->second);
  checked_by_id_.erase(first, last);
}

std::shared_ptr<const CheckedTx> TxVerifier::Lookup(ByteView encoded) {
  const std::string_view key(reinterpret_cast<const char*>(encoded.data()), encoded.size());
  MutexLock lock(&mu_);
  auto it = checked_.find(key);
  return it == checked_.end() ? nullptr : it->second->checked;
}

void TxVerifier::Store(ByteView encoded, Transaction tx, const Hash& id, bool signature_ok,
                       bool valid) {
  auto entry = std::make_shared<Entry>();
  entry->bytes.assign(reinterpret_cast<const char*>(encoded.data()), encoded.size());
  entry->checked =
      std::make_shared<const CheckedTx>(CheckedTx{std::move(tx), id, signature_ok, valid});
  const std::string_view key(entry->bytes);
  const size_t capacity = std::max<size_t>(capacity_ / 4, 1);
  MutexLock lock(&mu_);
  if (!checked_.emplace(key, entry).second) return;  // another thread was first
  checked_by_id_.emplace(id, key);
  checked_order_.push_back(std::move(entry));
  while (checked_order_.size() > capacity) {
    std::shared_ptr<const Entry> oldest = std::move(checked_order_.front());
    checked_order_.pop_front();
    auto it = checked_.find(oldest->bytes);
    if (it == checked_.end() || it->second != oldest) continue;  // forgotten already
    auto [first, last] = checked_by_id_.equal_range(oldest->checked->id);
    for (auto b = first; b != last; ++b) {
      if (b->second.data() == oldest->bytes.data()) {
        checked_by_id_.erase(b);
        break;
      }
    }
    checked_.erase(it);
  }
}

Status TxVerifier::Check(const Transaction& tx) { return CheckDecoded(tx, tx.Id()); }

Status TxVerifier::Check(const Transaction& tx, const Hash& id, ByteView encoded) {
  Status s = CheckDecoded(tx, id);
  Store(encoded, tx, id, s.ok() && !skip_signatures_, s.ok());
  return s;
}

consensus::TxInfo TxVerifier::Inspect(ByteView encoded) {
  if (auto known = Lookup(encoded)) return consensus::TxInfo{known->id, known->valid};
  auto tx = Transaction::Decode(encoded);
  if (!tx.ok()) return consensus::TxInfo{crypto::Sha256(encoded), false};
  const Hash id = tx->Id();
  Status s = CheckDecoded(*tx, id);
  Store(encoded, std::move(*tx), id, s.ok() && !skip_signatures_, s.ok());
  return consensus::TxInfo{id, s.ok()};
}

Status TxVerifier::CheckDecoded(const Transaction& tx, const Hash& id) {
  if (tx.network_id != network_id_) {
    return Status::InvalidArgument("transaction is for network '" + tx.network_id +
                                   "' but this node serves '" + network_id_ +
                                   "': sign it with the right network_id");
  }
  if (skip_signatures_) return Status::Ok();
  if (Cached(id, tx.signature)) return Status::Ok();
  if (!tx.VerifySignature()) {
    return Status::InvalidArgument(
        "transaction signature does not verify against its submitter key " +
        crypto::KeyId(tx.submitter) + ": re-sign the exact bytes you submit");
  }
  Remember(id, tx.signature);
  return Status::Ok();
}

}  // namespace licenced::node
