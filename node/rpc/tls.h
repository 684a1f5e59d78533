// TLS material for the node's gRPC servers and peer channels, read from the
// PEM files named in the config ([keys] tls_ca, tls_cert, tls_key).
//
// Peer certificates: CN (and a DNS SAN) = the validator name from genesis,
// signed by the network CA; the peer server requires and verifies a client
// certificate. Peer channels override the TLS target name with the validator
// name, so a certificate needs no IP SAN for peer traffic (client traffic to
// listen.client does: clients check the address they dial).
//
// With TlsSource::Watched the certificate and key can be replaced while the
// node runs (node/tls_rotation.h).
//
// Thread-compatible values; the credential factories are thread-safe.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <grpcpp/security/tls_certificate_provider.h>

#include "core/status.h"
#include "node/config.h"
#include "node/tls_files.h"

namespace licenced::node {

// Where the credentials below take their key, certificate and CA from.
class TlsSource {
 public:
  // Fixed PEM text (tests and tools): gRPC's SSL credentials, never re-read.
  // Implicit: any TlsFiles is a fixed source.
  TlsSource(const TlsFiles& files);  // NOLINT(google-explicit-constructor)
  // Files that gRPC's FileWatcherCertificateProvider re-reads every second
  // (TlsRotation's active copies): new connections use what they hold then.
  // The files must hold a valid key and certificate already.
  static TlsSource Watched(const std::string& ca_path, const std::string& cert_path,
                           const std::string& key_path);

  bool watched() const { return provider_ != nullptr; }
  const TlsFiles& fixed() const { return fixed_; }
  const std::string& cert_path() const { return cert_path_; }
  const std::string& key_path() const { return key_path_; }
  const std::shared_ptr<grpc::experimental::CertificateProviderInterface>& provider() const {
    return provider_;
  }

 private:
  TlsSource() = default;
  TlsFiles fixed_;
  std::string cert_path_, key_path_;
  std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider_;
};

// Mutual TLS server credentials (client certificate required and verified).
std::shared_ptr<grpc::ServerCredentials> PeerServerCredentials(const TlsSource& tls);
// TLS for the client API: server-only, or with `auth.require_client_cert` a
// client certificate signed by `auth.client_ca` (default: the network CA) is
// required and verified (unauthenticated clients fail the TLS handshake).
Result<std::shared_ptr<grpc::ServerCredentials>> ClientServerCredentials(
    const TlsSource& tls, const ClientAuthConfig& auth);
// Channel credentials presenting our certificate; the server's must chain to
// the CA and name the channel's target name (the validator name).
std::shared_ptr<grpc::ChannelCredentials> PeerChannelCredentials(const TlsSource& tls);

// The names (CN and SANs) of the authenticated TLS peer of a server call.
std::vector<std::string> PeerIdentities(const grpc::AuthContext& auth);

}  // namespace licenced::node
