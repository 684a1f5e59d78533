#include "node/rpc/client_service.h"

#include <atomic>
#include <deque>
#include <memory>

#include <spdlog/spdlog.h>

#include "core/merkle.h"
#include "core/mutex.h"
#include "node/node.h"
#include "node/rpc/convert.h"
#include "proto/grpc_code_name.h"

namespace licenced::node {

namespace v1 = licenced::v1;

namespace {

grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const grpc::Status& s) {
  auto* r = ctx->DefaultReactor();
  r->Finish(s);
  return r;
}
grpc::ServerUnaryReactor* Done(grpc::CallbackServerContext* ctx, const Status& s) {
  return Done(ctx, ToGrpc(s));
}

void FillSubmit(const SubmitOutcome& o, v1::SubmitResponse* resp) {
  resp->set_tx_id_hex(ToHex(o.id));
  resp->set_committed(o.committed);
  if (!o.committed) {
    resp->set_status("PENDING");
    return;
  }
  resp->set_height(o.record.height);
  resp->set_index(o.record.index);
  resp->set_status(CodeName(o.record.code));
  resp->set_message(o.record.message);
  resp->set_result_json(o.record.result_json);
}

// Admission refusals (Node::Admit) are RESOURCE_EXHAUSTED on the wire: the
// client should back off and retry the same bytes.
grpc::Status BusyToGrpc(const Status& s) {
  return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, s.message());
}

void FillBatchError(const grpc::Status& s, v1::SubmitBatchResult* r) {
  r->set_code(proto::GrpcCodeName(s.error_code()));
  r->set_message(s.error_message());
}

void FillBatchOutcome(const SubmitOutcome& o, v1::SubmitBatchResult* r) {
  r->set_code("OK");
  r->set_tx_id_hex(ToHex(o.id));
  r->set_committed(o.committed);
  if (!o.committed) {
    r->set_status("PENDING");
    return;
  }
  r->set_height(o.record.height);
  r->set_index(o.record.index);
  r->set_status(CodeName(o.record.code));
  r->set_message(o.record.message);
  r->set_result_json(o.record.result_json);
}

// Streams events: replays stored ones from from_height, then live ones.
// Live events that arrive (on the node's thread) during the replay wait in
// early_live_ and join the queue after the replayed ones, minus those the
// replay already covered: in height order, none twice, none missed.
class EventStream final : public grpc::ServerWriteReactor<v1::Event> {
 public:
  static constexpr size_t kMaxBacklog = 10000;

  EventStream(Node* node, const v1::EventFilter& filter) : node_(node), filter_(filter) {
    // Subscribe first so nothing committed during the replay is missed.
    token_ = node_->SubscribeEvents([this](const std::vector<EventRecord>& evs) { OnLive(evs); });
    const uint64_t head = node_->ledger().head_height();
    Result<std::vector<EventRecord>> replayed = std::vector<EventRecord>();
    if (filter_.from_height() > 0) {
      replayed = node_->ledger().Events(filter_.from_height(), head, [this](const EventRecord& e) {
        return EventMatches(filter_, e);
      });
    }
    MutexLock lock(&mu_);
    if (!replayed.ok()) {
      FinishLocked(ToGrpc(replayed.status()));
      return;
    }
    for (EventRecord& e : *replayed) queue_.push_back(std::move(e));
    replayed_up_to_ = head;
    replay_done_ = true;
    for (auto& e : early_live_) {
      if (e.height > replayed_up_to_) queue_.push_back(std::move(e));
    }
    early_live_.clear();
    if (queue_.size() > kMaxBacklog) {
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "event stream reader is too slow; reconnect with from_height"));
      return;
    }
    MaybeWriteLocked();
  }

  void OnWriteDone(bool ok) override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) {
      FinishLocked(grpc::Status::CANCELLED);
      return;
    }
    MaybeWriteLocked();
  }
  void OnCancel() override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }
  void OnDone() override {
    node_->UnsubscribeEvents(token_);
    delete this;
  }

 private:
  void OnLive(const std::vector<EventRecord>& evs) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (finished_) return;
    if (!replay_done_) {  // replayed_up_to_ is not known yet
      for (const auto& e : evs) {
        if (EventMatches(filter_, e)) early_live_.push_back(e);
      }
      return;
    }
    for (const auto& e : evs) {
      if (e.height <= replayed_up_to_) continue;
      if (!EventMatches(filter_, e)) continue;
      queue_.push_back(e);
    }
    if (queue_.size() > kMaxBacklog) {
      FinishLocked(grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED,
                                "event stream reader is too slow; reconnect with from_height"));
      return;
    }
    MaybeWriteLocked();
  }

  void MaybeWriteLocked() REQUIRES(mu_) {
    if (writing_ || finished_ || queue_.empty()) return;
    current_.Clear();
    EventToProto(queue_.front(), &current_);
    queue_.pop_front();
    writing_ = true;
    StartWrite(&current_);
  }
  void FinishLocked(grpc::Status s) REQUIRES(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(s));
  }

  Node* node_;
  v1::EventFilter filter_;
  uint64_t token_ = 0;
  Mutex mu_;
  std::deque<EventRecord> queue_ GUARDED_BY(mu_);
  std::vector<EventRecord> early_live_ GUARDED_BY(mu_);  // live events seen during the replay
  v1::Event current_ GUARDED_BY(mu_);                    // in flight while writing_
  uint64_t replayed_up_to_ GUARDED_BY(mu_) = 0;
  bool replay_done_ GUARDED_BY(mu_) = false;
  bool writing_ GUARDED_BY(mu_) = false;
  bool finished_ GUARDED_BY(mu_) = false;
};

}  // namespace

grpc::ServerUnaryReactor* ClientService::SubmitTransaction(grpc::CallbackServerContext* ctx,
                                                           const v1::SubmitRequest* req,
                                                           v1::SubmitResponse* resp) {
  auto tx = TransactionFromProto(*req);
  if (!tx.ok()) return Done(ctx, tx.status());
  if (Status admit = node_->Admit(); !admit.ok()) return Done(ctx, BusyToGrpc(admit));
  auto* reactor = ctx->DefaultReactor();
  Bytes encoded(req->transaction().begin(), req->transaction().end());
  node_->Submit(std::move(*tx), std::move(encoded), req->wait_for_commit(), req->timeout_ms(),
                [reactor, resp](Result<SubmitOutcome> r) {
                  if (!r.ok()) {
                    reactor->Finish(ToGrpc(r.status()));
                    return;
                  }
                  FillSubmit(*r, resp);
                  reactor->Finish(grpc::Status::OK);
                });
  return reactor;
}

grpc::ServerUnaryReactor* ClientService::SubmitTransactions(grpc::CallbackServerContext* ctx,
                                                            const v1::SubmitBatchRequest* req,
                                                            v1::SubmitBatchResponse* resp) {
  const int n = req->transactions_size();
  if (n == 0) {
    return Done(ctx, Status::InvalidArgument(
                         "SubmitBatchRequest.transactions is empty: put the bytes of one "
                         "Transaction::Encode() per entry"));
  }
  if (n > kMaxBatchTxs) {
    return Done(ctx, Status::InvalidArgument(
                         "SubmitBatchRequest has " + std::to_string(n) + " transactions; at most " +
                         std::to_string(kMaxBatchTxs) + " per call: split the batch"));
  }
  // One result per tx, allocated up front: each completion writes only its
  // own element; the last one to finish answers the call.
  for (int i = 0; i < n; ++i) resp->add_results();
  auto* reactor = ctx->DefaultReactor();
  auto remaining = std::make_shared<std::atomic<int>>(n);
  auto finish_one = [reactor, remaining] {
    if (remaining->fetch_sub(1, std::memory_order_acq_rel) == 1) reactor->Finish(grpc::Status::OK);
  };
  for (int i = 0; i < n; ++i) {
    v1::SubmitBatchResult* result = resp->mutable_results(i);
    v1::SubmitRequest one;  // the same decoding (and messages) as SubmitTransaction
    one.set_transaction(req->transactions(i));
    auto tx = TransactionFromProto(one);
    if (!tx.ok()) {
      FillBatchError(ToGrpc(tx.status()), result);
      finish_one();
      continue;
    }
    result->set_tx_id_hex(ToHex(tx->Id()));
    if (Status admit = node_->Admit(); !admit.ok()) {
      FillBatchError(BusyToGrpc(admit), result);
      finish_one();
      continue;
    }
    Bytes encoded(req->transactions(i).begin(), req->transactions(i).end());
    node_->Submit(std::move(*tx), std::move(encoded), req->wait_for_commit(), req->timeout_ms(),
                  [result, finish_one](Result<SubmitOutcome> r) {
                    if (r.ok()) {
                      FillBatchOutcome(*r, result);
                    } else {
                      FillBatchError(ToGrpc(r.status()), result);
                    }
                    finish_one();
                  });
  }
  return reactor;
}

grpc::ServerUnaryReactor* ClientService::GetTransaction(grpc::CallbackServerContext* ctx,
                                                        const v1::GetTransactionRequest* req,
                                                        v1::TransactionInfo* resp) {
  auto id = HashFromProtoHex(req->tx_id_hex(), "tx_id_hex");
  if (!id.ok()) return Done(ctx, id.status());
  auto committed = node_->ledger().Transaction(*id);
  if (!committed.ok()) return Done(ctx, committed.status());
  if (committed->has_value()) {
    TxRecordToProto(*id, (*committed)->record, resp);
    resp->set_transaction((*committed)->tx.data(), (*committed)->tx.size());
    return Done(ctx, grpc::Status::OK);
  }
  auto pending = node_->PendingTx(*id);
  if (pending.ok() && pending->has_value()) {
    resp->set_tx_id_hex(req->tx_id_hex());
    resp->set_committed(false);
    resp->set_status("PENDING");
    resp->set_transaction((*pending)->data(), (*pending)->size());
    return Done(ctx, grpc::Status::OK);
  }
  return Done(ctx, grpc::Status(grpc::StatusCode::NOT_FOUND,
                                "transaction " + req->tx_id_hex() +
                                    " is neither committed nor pending at this node"));
}

grpc::ServerUnaryReactor* ClientService::GetBlock(grpc::CallbackServerContext* ctx,
                                                  const v1::GetBlockRequest* req,
                                                  v1::BlockInfo* resp) {
  auto stored = node_->ledger().Block(req->height());
  if (!stored.ok()) return Done(ctx, stored.status());
  return Done(ctx, FillBlockInfo(stored->block, stored->certificate, node_->genesis(), resp));
}

grpc::ServerUnaryReactor* ClientService::Query(grpc::CallbackServerContext* ctx,
                                               const v1::QueryRequest* req,
                                               v1::QueryResponse* resp) {
  if (req->method().empty()) {
    return Done(ctx, Status::InvalidArgument("QueryRequest.method is empty (e.g. \"licence\")"));
  }
  uint64_t height = 0;
  auto r = node_->Query(req->method(), req->args_json(), &height);
  if (!r.ok()) return Done(ctx, r.status());
  resp->set_result_json(*r);
  resp->set_height(height);
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerWriteReactor<v1::Event>* ClientService::StreamEvents(grpc::CallbackServerContext*,
                                                                 const v1::EventFilter* req) {
  return new EventStream(node_, *req);
}

grpc::ServerUnaryReactor* ClientService::GetStatus(grpc::CallbackServerContext* ctx,
                                                   const v1::GetStatusRequest*,
                                                   v1::NodeStatus* resp) {
  NodeStatusView s = node_->StatusSnapshot();
  resp->set_node_id(node_->config().node_id);
  resp->set_org(node_->config().org);
  resp->set_network_id(node_->genesis().network_id);
  resp->set_replica_id(node_->self());
  resp->set_height(s.height);
  resp->set_head_hash_hex(ToHex(s.head_hash));
  resp->set_state_root_hex(ToHex(s.state_root));
  resp->set_view(s.view);
  if (s.primary < node_->genesis().validators.size()) {
    resp->set_primary(node_->genesis().validators[s.primary].name);
  }
  for (const PeerView& p : node_->PeerStatuses()) {
    v1::PeerStatus* out = resp->add_peers();
    out->set_name(p.name);
    out->set_org(p.org);
    out->set_address(p.address);
    out->set_connected(p.connected);
    out->set_dropped_messages(p.dropped_messages);
  }
  resp->set_stable_checkpoint(s.stable_checkpoint);
  resp->set_mempool_size(s.mempool_size);
  resp->set_view_changes(s.view_changes);
  resp->set_certified_height(s.certified_height);
  resp->set_execution_halted(s.execution_halted);
  resp->set_order_ahead_window(node_->genesis().consensus.order_ahead_window);
  resp->set_genesis_hash_hex(ToHex(node_->genesis_hash()));
  const TlsRotation::Snapshot tls = node_->TlsStatus();
  const auto now_ms = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                std::chrono::system_clock::now().time_since_epoch())
                                                .count());
  v1::TlsStatus* t = resp->mutable_tls();
  t->set_subject(tls.active.certificate.subject);
  t->set_fingerprint_sha256_hex(tls.active.certificate.fingerprint_sha256);
  t->set_not_after_ms(tls.active.certificate.not_after_ms);
  t->set_days_to_expiry(DaysToExpiry(tls.active.certificate.not_after_ms, now_ms));
  t->set_ca_subject(tls.active.ca.subject);
  t->set_ca_not_after_ms(tls.active.ca.not_after_ms);
  t->set_ca_days_to_expiry(DaysToExpiry(tls.active.ca.not_after_ms, now_ms));
  t->set_reloads_applied(tls.applied);
  t->set_reloads_refused(tls.refused);
  t->set_last_refusal(tls.last_refusal);
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ClientService::GetStateProof(grpc::CallbackServerContext* ctx,
                                                       const v1::GetStateProofRequest* req,
                                                       v1::StateProof* resp) {
  if (req->key().empty()) {
    return Done(ctx, Status::InvalidArgument("GetStateProofRequest.key is empty"));
  }
  if (req->certified_state()) {
    auto certified = node_->ledger().CertifiedStateProof(req->key(), req->height());
    if (!certified.ok()) return Done(ctx, certified.status());
    Bytes proof = certified->proof.Encode();
    Bytes header = certified->header.Encode();
    Bytes cert = certified->certificate.Encode();
    resp->set_proof(proof.data(), proof.size());
    resp->set_header(header.data(), header.size());
    resp->set_state_certificate(cert.data(), cert.size());
    resp->set_height(certified->header.height);
    resp->set_found(certified->value.has_value());
    if (certified->value.has_value()) {
      resp->set_value(certified->value->data(), certified->value->size());
    }
    return Done(ctx, grpc::Status::OK);
  }
  auto inclusion = node_->ledger().StateProof(req->key(), req->height());
  if (!inclusion.ok()) return Done(ctx, inclusion.status());
  Bytes proof = inclusion->proof.Encode();
  Bytes header = inclusion->header.Encode();
  resp->set_proof(proof.data(), proof.size());
  resp->set_header(header.data(), header.size());
  resp->set_certificate(inclusion->certificate.data(), inclusion->certificate.size());
  resp->set_height(inclusion->header.height);
  resp->set_found(inclusion->value.has_value());
  if (inclusion->value.has_value()) {
    resp->set_value(inclusion->value->data(), inclusion->value->size());
  }
  return Done(ctx, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ClientService::GetTxProof(grpc::CallbackServerContext* ctx,
                                                    const v1::GetTxProofRequest* req,
                                                    v1::TxProof* resp) {
  auto id = HashFromProtoHex(req->tx_id_hex(), "tx_id_hex");
  if (!id.ok()) return Done(ctx, id.status());
  auto inclusion = node_->ledger().TxProof(*id);
  if (!inclusion.ok()) return Done(ctx, inclusion.status());
  for (const Hash& h : inclusion->audit_path) resp->add_audit_path(h.data(), h.size());
  resp->set_tx(inclusion->tx.data(), inclusion->tx.size());
  resp->set_index(inclusion->index);
  resp->set_tree_size(inclusion->tree_size);
  Bytes header = inclusion->header.Encode();
  resp->set_header(header.data(), header.size());
  resp->set_certificate(inclusion->certificate.data(), inclusion->certificate.size());
  resp->set_height(inclusion->record.height);
  resp->set_status(CodeName(inclusion->record.code));
  resp->set_result_json(inclusion->record.result_json);
  return Done(ctx, grpc::Status::OK);
}

}  // namespace licenced::node
