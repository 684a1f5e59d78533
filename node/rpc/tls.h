// TLS material for the node's gRPC servers and peer channels, read from the
// PEM files named in the config ([keys] tls_ca, tls_cert, tls_key).
//
// Peer certificates: CN (and a DNS SAN) = the validator name from genesis,
// signed by the network CA; the peer server requires and verifies a client
// certificate. Peer channels override the TLS target name with the validator
// name, so a certificate needs no IP SAN for peer traffic (client traffic to
// listen.client does: clients check the address they dial).
//
// Thread-compatible values; the credential factories are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "core/status.h"
#include "node/config.h"
#include "node/tls_files.h"

namespace licenced::node {

// Mutual TLS server credentials (client certificate required and verified).
std::shared_ptr<grpc::ServerCredentials> PeerServerCredentials(const TlsFiles& tls);
// TLS for the client API: server-only, or with `auth.require_client_cert` a
// client certificate signed by `auth.client_ca` (default: the network CA) is
// required and verified (unauthenticated clients fail the TLS handshake).
Result<std::shared_ptr<grpc::ServerCredentials>> ClientServerCredentials(
    const TlsFiles& tls, const ClientAuthConfig& auth);
// Channel credentials presenting our certificate.
std::shared_ptr<grpc::ChannelCredentials> PeerChannelCredentials(const TlsFiles& tls);

// The names (CN and SANs) of the authenticated TLS peer of a server call.
std::vector<std::string> PeerIdentities(const grpc::AuthContext& auth);

}  // namespace licenced::node
