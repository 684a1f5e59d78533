#include "node/rpc/peer_service.h"

#include <spdlog/spdlog.h>

#include "node/metrics.h"
#include "node/rpc/tls.h"

namespace licenced::node {

namespace v1 = licenced::v1;

namespace {

// Rejects a call at once.
template <typename Base>
class RejectReactor : public Base {
 public:
  explicit RejectReactor(grpc::Status status) { this->Finish(std::move(status)); }
  void OnDone() override { delete this; }
};

class ConnectReactor final : public grpc::ServerBidiReactor<v1::PeerEnvelope, v1::PeerEnvelope> {
 public:
  ConnectReactor(PeerService* service, uint32_t from, std::string name)
      : service_(service), from_(from), name_(std::move(name)) {
    StartRead(&envelope_);
  }

  void OnReadDone(bool ok) override {
    if (!ok) {
      spdlog::info("peer {} inbound stream ended", name_);
      Finish(grpc::Status::OK);
      return;
    }
    const std::string& m = envelope_.message();
    ByteView view(reinterpret_cast<const uint8_t*>(m.data()), m.size());
    std::optional<uint32_t> signer = service_->callbacks().signer_of(view);
    if (!signer.has_value() || *signer != from_) {
      if (service_->metrics() != nullptr) service_->metrics()->peer_messages_rejected.fetch_add(1);
      if (rejected_++ % 1000 == 0) {
        spdlog::warn("rejected message from peer {}: {} (rejected so far: {})", name_,
                     signer.has_value() ? "signed by validator " + std::to_string(*signer) +
                                              ", not by the connected peer"
                                        : std::string("does not decode as a consensus message"),
                     rejected_);
      }
    } else {
      service_->callbacks().on_message(from_, Bytes(m.begin(), m.end()));
    }
    StartRead(&envelope_);
  }

  void OnDone() override { delete this; }

 private:
  PeerService* service_;
  uint32_t from_;
  std::string name_;
  v1::PeerEnvelope envelope_;
  uint64_t rejected_ = 0;
};

class FetchReactor final : public grpc::ServerWriteReactor<v1::BlockWithCert> {
 public:
  FetchReactor(PeerService* service, uint64_t from, uint64_t to)
      : service_(service), next_(from), to_(to) {
    WriteNext();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) {
      Finish(grpc::Status(grpc::StatusCode::CANCELLED, "write failed"));
      return;
    }
    WriteNext();
  }
  void OnDone() override { delete this; }

 private:
  void WriteNext() {
    if (next_ > to_) {
      Finish(grpc::Status::OK);
      return;
    }
    auto r = service_->callbacks().block_at(next_);
    if (!r.ok()) {
      Finish(grpc::Status(grpc::StatusCode::INTERNAL, r.status().ToString()));
      return;
    }
    if (!r->has_value()) {
      Finish(grpc::Status::OK);  // past our head
      return;
    }
    item_.Clear();
    item_.set_height(next_);
    item_.set_block((*r)->first.data(), (*r)->first.size());
    item_.set_certificate((*r)->second.data(), (*r)->second.size());
    if (service_->callbacks().state_certificate_at) {
      if (auto sc = service_->callbacks().state_certificate_at(next_)) {
        item_.set_state_certificate(sc->data(), sc->size());
      }
    }
    ++next_;
    StartWrite(&item_);
  }

  PeerService* service_;
  uint64_t next_;
  uint64_t to_;
  v1::BlockWithCert item_;
};

}  // namespace

std::optional<uint32_t> PeerService::AuthenticatedValidator(
    const grpc::CallbackServerContext* context, std::string* names) const {
  auto auth = context->auth_context();
  if (auth == nullptr) return std::nullopt;
  for (const std::string& id : PeerIdentities(*auth)) {
    if (!names->empty()) *names += ",";
    *names += id;
    auto v = callbacks_.validator_by_name(id);
    if (v.has_value()) return v;
  }
  return std::nullopt;
}

grpc::ServerBidiReactor<v1::PeerEnvelope, v1::PeerEnvelope>* PeerService::Connect(
    grpc::CallbackServerContext* context) {
  std::string names;
  std::optional<uint32_t> from = AuthenticatedValidator(context, &names);
  if (!from.has_value() || *from == self_) {
    if (metrics_ != nullptr) metrics_->peer_messages_rejected.fetch_add(1);
    spdlog::warn("rejected peer connection from {}: TLS identity [{}] is not another validator",
                 context->peer(), names);
    std::string why = "TLS certificate [" + names + "] does not name a validator of this network";
    if (from.has_value()) {  // its own certificate: misconfigured address, or a loop
      why = "TLS certificate [" + names +
            "] names this validator itself; a node does not connect "
            "to itself";
    }
    return new RejectReactor<grpc::ServerBidiReactor<v1::PeerEnvelope, v1::PeerEnvelope>>(
        grpc::Status(grpc::StatusCode::PERMISSION_DENIED, why));
  }
  spdlog::info("peer {} connected inbound from {}", names, context->peer());
  return new ConnectReactor(this, *from, names);
}

grpc::ServerWriteReactor<v1::BlockWithCert>* PeerService::FetchBlocks(
    grpc::CallbackServerContext* context, const v1::FetchBlocksRequest* request) {
  std::string names;
  if (!AuthenticatedValidator(context, &names).has_value()) {
    return new RejectReactor<grpc::ServerWriteReactor<v1::BlockWithCert>>(grpc::Status(
        grpc::StatusCode::PERMISSION_DENIED, "TLS certificate [" + names + "] is not a validator"));
  }
  uint64_t from = std::max<uint64_t>(request->from_height(), 1);
  uint64_t to = request->to_height();
  if (to < from) {
    return new RejectReactor<grpc::ServerWriteReactor<v1::BlockWithCert>>(
        grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "to_height must be >= from_height"));
  }
  to = std::min(to, from + kMaxBlocksPerFetch - 1);
  return new FetchReactor(this, from, to);
}

}  // namespace licenced::node
