#include "node/rpc/servers.h"

#include <thread>

#include <grpcpp/ext/proto_server_reflection_plugin.h>
#include <grpcpp/grpcpp.h>

#include "node/rpc/client_service.h"
#include "node/rpc/health_service.h"
#include "node/rpc/peer_service.h"
#include "node/rpc/tls.h"

namespace licenced::node {

Result<std::unique_ptr<RpcServers>> RpcServers::Start(const NodeConfig& config,
                                                      const TlsSource& tls, PeerService* peer,
                                                      ClientService* client,
                                                      HealthService* health) {
  std::unique_ptr<RpcServers> servers(new RpcServers());
  {
    grpc::ServerBuilder b;
    b.AddListeningPort(config.listen_peer.ToString(), PeerServerCredentials(tls));
    b.RegisterService(peer);
    b.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
    b.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));
    b.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
    b.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 5000);
    servers->peer_ = b.BuildAndStart();
    if (!servers->peer_) {
      return Status::IoError("cannot listen on listen.peer " + config.listen_peer.ToString() +
                             " (port in use, or bad TLS files?)");
    }
  }
  {
    grpc::EnableDefaultHealthCheckService(false);  // ours: node/rpc/health_service.h
    grpc::reflection::InitProtoReflectionServerBuilderPlugin();
    LIC_ASSIGN_OR_RETURN(auto client_creds, ClientServerCredentials(tls, config.client_auth));
    grpc::ServerBuilder b;
    b.AddListeningPort(config.listen_client.ToString(), client_creds);
    b.RegisterService(client);
    b.RegisterService(health);
    b.SetMaxReceiveMessageSize(static_cast<int>(config.max_message_bytes));
    b.SetMaxSendMessageSize(static_cast<int>(config.max_message_bytes));
    servers->client_ = b.BuildAndStart();
    if (!servers->client_) {
      servers->Shutdown(std::chrono::milliseconds(0));
      return Status::IoError("cannot listen on listen.client " + config.listen_client.ToString() +
                             " (port in use, or bad TLS files?)");
    }
  }
  return servers;
}

RpcServers::~RpcServers() { Shutdown(std::chrono::milliseconds(0)); }

void RpcServers::Shutdown(std::chrono::milliseconds grace) {
  const auto deadline = std::chrono::system_clock::now() + grace;
  // In parallel: each Shutdown blocks until its deadline when streams are open.
  std::thread client_stop([this, deadline] {
    if (client_) client_->Shutdown(deadline);
  });
  if (peer_) peer_->Shutdown(deadline);
  client_stop.join();
  client_.reset();
  peer_.reset();
}

}  // namespace licenced::node
