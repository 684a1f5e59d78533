// grpc.health.v1.Health on the client listener, for load balancers and
// probes such as grpc_health_probe.
//
// Implemented here rather than with gRPC's built-in service so that a request
// that does not decode gets the answer every other licenced RPC gives
// (gRPC's own UNIMPLEMENTED), not the built-in Watch's INTERNAL.
//
// Services: "" (the node as a whole), "licenced.v1.ClientApi" and
// "licenced.v1.PeerApi". All are SERVING from start until SetNotServing()
// (the node is shutting down); any other name is NOT_FOUND to Check and
// SERVICE_UNKNOWN to Watch. Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <string>

#include "core/mutex.h"
#include "proto/health.grpc.pb.h"

namespace licenced::node {

class HealthService final : public grpc::health::v1::Health::CallbackService {
 public:
  using ServingStatus = grpc::health::v1::HealthCheckResponse::ServingStatus;

  class Watcher;

  HealthService() = default;
  HealthService(const HealthService&) = delete;
  HealthService& operator=(const HealthService&) = delete;

  // Every service answers NOT_SERVING from now on; open Watch streams get that
  // status and then end with OK. Idempotent.
  void SetNotServing() EXCLUDES(mu_);

  grpc::ServerUnaryReactor* Check(grpc::CallbackServerContext* ctx,
                                  const grpc::health::v1::HealthCheckRequest* req,
                                  grpc::health::v1::HealthCheckResponse* resp) override;
  grpc::ServerWriteReactor<grpc::health::v1::HealthCheckResponse>* Watch(
      grpc::CallbackServerContext* ctx, const grpc::health::v1::HealthCheckRequest* req) override;

  // The status of `service` now (SERVICE_UNKNOWN for a name we do not serve).
  ServingStatus StatusOf(const std::string& service) const EXCLUDES(mu_);

 private:
  friend class Watcher;
  void Forget(Watcher* w) EXCLUDES(mu_);

  struct WatchEntry {
    std::shared_ptr<Watcher> watcher;
    ServingStatus status_if_ours;  // what the watcher sees after SetNotServing()
  };

  mutable Mutex mu_;
  bool serving_ GUARDED_BY(mu_) = true;
  std::map<Watcher*, WatchEntry> watchers_ GUARDED_BY(mu_);
};

}  // namespace licenced::node
