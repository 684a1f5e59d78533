#include "node/rpc/health_service.h"

#include <memory>
#include <utility>
#include <vector>

namespace licenced::node {

namespace hv1 = grpc::health::v1;

namespace {

bool IsOurService(const std::string& name) {
  return name.empty() || name == "licenced.v1.ClientApi" || name == "licenced.v1.PeerApi";
}

}  // namespace

// One Watch stream: writes the current status, then every change; ends when
// the client cancels or the service stops serving.
class HealthService::Watcher final : public grpc::ServerWriteReactor<hv1::HealthCheckResponse> {
 public:
  explicit Watcher(HealthService* service) : service_(service) {}

  // The first write, once the service has recorded the watcher. A
  // SetNotServing() between the recording and this call has already written
  // its (newer) status: then there is nothing to add, and a second write
  // while that one is in flight is not allowed.
  void Start(ServingStatus status) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (writing_ || sent_ != hv1::HealthCheckResponse::UNKNOWN) return;
    WriteLocked(status);
  }

  // The service's status changed; `final_status`: end the stream after it.
  // Called without the service's lock (an inline OnDone takes it).
  void Changed(ServingStatus status, bool final_status) EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    if (final_status) closing_ = true;
    if (writing_) {
      wanted_ = status;
    } else if (status != sent_) {
      WriteLocked(status);
    } else if (closing_) {
      FinishLocked(grpc::Status::OK);
    }
  }

  void OnWriteDone(bool ok) override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    writing_ = false;
    if (!ok) return FinishLocked(grpc::Status::CANCELLED);
    if (wanted_ != sent_) return WriteLocked(wanted_);
    if (closing_) FinishLocked(grpc::Status::OK);
  }
  void OnCancel() override EXCLUDES(mu_) {
    MutexLock lock(&mu_);
    FinishLocked(grpc::Status::CANCELLED);
  }
  // Drops the service's reference; the last holder deletes the watcher.
  void OnDone() override { service_->Forget(this); }

 private:
  void WriteLocked(ServingStatus status) REQUIRES(mu_) {
    if (finished_) return;
    wanted_ = sent_ = status;
    response_.set_status(status);
    writing_ = true;
    StartWrite(&response_);
  }
  void FinishLocked(grpc::Status s) REQUIRES(mu_) {
    if (finished_) return;
    finished_ = true;
    Finish(std::move(s));
  }

  HealthService* service_;
  Mutex mu_;
  hv1::HealthCheckResponse response_ GUARDED_BY(mu_);  // in flight while writing_
  ServingStatus sent_ GUARDED_BY(mu_) = hv1::HealthCheckResponse::UNKNOWN;
  ServingStatus wanted_ GUARDED_BY(mu_) = hv1::HealthCheckResponse::UNKNOWN;
  bool writing_ GUARDED_BY(mu_) = false;
  bool closing_ GUARDED_BY(mu_) = false;
  bool finished_ GUARDED_BY(mu_) = false;
};

HealthService::ServingStatus HealthService::StatusOf(const std::string& service) const {
  if (!IsOurService(service)) return hv1::HealthCheckResponse::SERVICE_UNKNOWN;
  MutexLock lock(&mu_);
  return serving_ ? hv1::HealthCheckResponse::SERVING : hv1::HealthCheckResponse::NOT_SERVING;
}

void HealthService::SetNotServing() {
  std::vector<std::pair<std::shared_ptr<Watcher>, ServingStatus>> open;
  {
    MutexLock lock(&mu_);
    if (!serving_) return;
    serving_ = false;
    for (const auto& [w, entry] : watchers_) open.emplace_back(entry.watcher, entry.status_if_ours);
  }
  for (auto& [w, status] : open) w->Changed(status, /*final_status=*/true);
}

grpc::ServerUnaryReactor* HealthService::Check(grpc::CallbackServerContext* ctx,
                                               const hv1::HealthCheckRequest* req,
                                               hv1::HealthCheckResponse* resp) {
  auto* reactor = ctx->DefaultReactor();
  ServingStatus s = StatusOf(req->service());
  if (s == hv1::HealthCheckResponse::SERVICE_UNKNOWN) {
    reactor->Finish(grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 "unknown service '" + req->service() +
                                     "' (this node serves '', licenced.v1.ClientApi and "
                                     "licenced.v1.PeerApi)"));
    return reactor;
  }
  resp->set_status(s);
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

grpc::ServerWriteReactor<hv1::HealthCheckResponse>* HealthService::Watch(
    grpc::CallbackServerContext*, const hv1::HealthCheckRequest* req) {
  auto w = std::make_shared<Watcher>(this);
  const bool ours = IsOurService(req->service());
  ServingStatus first;
  bool serving;
  {
    // Recorded and its first status read under one lock: a SetNotServing()
    // either comes after (and reaches the watcher) or is in `first`.
    MutexLock lock(&mu_);
    serving = serving_;
    first = !ours      ? hv1::HealthCheckResponse::SERVICE_UNKNOWN
            : serving_ ? hv1::HealthCheckResponse::SERVING
                       : hv1::HealthCheckResponse::NOT_SERVING;
    watchers_[w.get()] = {w, ours ? hv1::HealthCheckResponse::NOT_SERVING
                                  : hv1::HealthCheckResponse::SERVICE_UNKNOWN};
  }
  w->Start(first);
  if (!serving) w->Changed(first, /*final_status=*/true);
  return w.get();
}

void HealthService::Forget(Watcher* w) {
  std::shared_ptr<Watcher> last;  // destroyed after the lock is released
  MutexLock lock(&mu_);
  auto it = watchers_.find(w);
  if (it == watchers_.end()) return;
  last = std::move(it->second.watcher);
  watchers_.erase(it);
}

}  // namespace licenced::node
