// RpcServers: the node's two gRPC servers as one part: the peer server
// (PeerApi, mutual TLS) and the client server (ClientApi and health, TLS),
// built, listening and stopped together, so that the composition root needs
// no gRPC or generated header.
//
// Thread-compatible: Start and Shutdown from the owner's thread.
#pragma once

#include <chrono>
#include <memory>

#include "core/status.h"
#include "node/config.h"
#include "node/tls_files.h"

namespace grpc {
class Server;
}  // namespace grpc

namespace licenced::node {

class PeerService;
class ClientService;
class HealthService;
class TlsSource;

class RpcServers {
 public:
  // Listens on config.listen_peer and config.listen_client; an error names the
  // address that could not be bound. The services must outlive the servers.
  static Result<std::unique_ptr<RpcServers>> Start(const NodeConfig& config, const TlsSource& tls,
                                                   PeerService* peer, ClientService* client,
                                                   HealthService* health);
  ~RpcServers();

  // Stops both at once: unary calls get until `grace` to finish, long-lived
  // streams (peer links, event subscriptions) never end by themselves and are
  // cancelled then. Idempotent.
  void Shutdown(std::chrono::milliseconds grace);

 private:
  RpcServers() = default;

  std::unique_ptr<grpc::Server> peer_;
  std::unique_ptr<grpc::Server> client_;
};

}  // namespace licenced::node
