#include "node/rpc/tls.h"

#include <fstream>
#include <sstream>

#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>

namespace licenced::node {
namespace {

Result<std::string> ReadPem(const std::string& path, const char* field) {
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::InvalidArgument(std::string("config field '") + field + "': cannot read " +
                                   path);
  std::ostringstream ss;
  ss << in.rdbuf();
  std::string pem = ss.str();
  if (pem.find("-----BEGIN ") == std::string::npos) {
    return Status::InvalidArgument(std::string("config field '") + field + "': " + path +
                                   " is not a PEM file");
  }
  return pem;
}

}  // namespace

Result<TlsFiles> LoadTlsFiles(const std::string& ca_path, const std::string& cert_path,
                              const std::string& key_path) {
  TlsFiles t;
  LIC_ASSIGN_OR_RETURN(t.ca_pem, ReadPem(ca_path, "keys.tls_ca"));
  LIC_ASSIGN_OR_RETURN(t.cert_pem, ReadPem(cert_path, "keys.tls_cert"));
  LIC_ASSIGN_OR_RETURN(t.key_pem, ReadPem(key_path, "keys.tls_key"));
  return t;
}

TlsSource::TlsSource(const TlsFiles& files) : fixed_(files) {}

TlsSource TlsSource::Watched(const std::string& ca_path, const std::string& cert_path,
                             const std::string& key_path) {
  TlsSource s;
  s.cert_path_ = cert_path;
  s.key_path_ = key_path;
  s.provider_ = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
      key_path, cert_path, ca_path, /*refresh_interval_sec=*/1);
  return s;
}

namespace {

std::shared_ptr<grpc::ServerCredentials> WatchedServerCredentials(
    std::shared_ptr<grpc::experimental::CertificateProviderInterface> provider,
    grpc_ssl_client_certificate_request_type request) {
  grpc::experimental::TlsServerCredentialsOptions opts(std::move(provider));
  opts.watch_root_certs();
  opts.watch_identity_key_cert_pairs();
  opts.set_cert_request_type(request);
  return grpc::experimental::TlsServerCredentials(opts);
}

}  // namespace

std::shared_ptr<grpc::ServerCredentials> PeerServerCredentials(const TlsSource& tls) {
  if (tls.watched()) {
    return WatchedServerCredentials(tls.provider(),
                                    GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  }
  grpc::SslServerCredentialsOptions opts(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  opts.pem_root_certs = tls.fixed().ca_pem;
  opts.pem_key_cert_pairs.push_back({tls.fixed().key_pem, tls.fixed().cert_pem});
  return grpc::SslServerCredentials(opts);
}

Result<std::shared_ptr<grpc::ServerCredentials>> ClientServerCredentials(
    const TlsSource& tls, const ClientAuthConfig& auth) {
  const auto request = auth.require_client_cert
                           ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                           : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE;
  std::string client_ca;
  if (!auth.client_ca.empty()) {
    LIC_ASSIGN_OR_RETURN(client_ca, ReadPem(auth.client_ca, "listen.client_ca"));
  }
  if (tls.watched()) {
    auto provider = tls.provider();
    if (!auth.client_ca.empty()) {
      // The node's own certificate from the active copies, the clients' CA
      // from its configured file.
      provider = std::make_shared<grpc::experimental::FileWatcherCertificateProvider>(
          tls.key_path(), tls.cert_path(), auth.client_ca, /*refresh_interval_sec=*/1);
    }
    return WatchedServerCredentials(std::move(provider), request);
  }
  grpc::SslServerCredentialsOptions opts(request);
  opts.pem_root_certs = auth.client_ca.empty() ? tls.fixed().ca_pem : client_ca;
  opts.pem_key_cert_pairs.push_back({tls.fixed().key_pem, tls.fixed().cert_pem});
  return grpc::SslServerCredentials(opts);
}

std::shared_ptr<grpc::ChannelCredentials> PeerChannelCredentials(const TlsSource& tls) {
  if (tls.watched()) {
    grpc::experimental::TlsChannelCredentialsOptions opts;
    opts.set_certificate_provider(tls.provider());
    opts.watch_root_certs();
    opts.watch_identity_key_cert_pairs();
    opts.set_verify_server_certs(true);
    opts.set_certificate_verifier(
        std::make_shared<grpc::experimental::HostNameCertificateVerifier>());
    return grpc::experimental::TlsCredentials(opts);
  }
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = tls.fixed().ca_pem;
  opts.pem_private_key = tls.fixed().key_pem;
  opts.pem_cert_chain = tls.fixed().cert_pem;
  return grpc::SslCredentials(opts);
}

std::vector<std::string> PeerIdentities(const grpc::AuthContext& auth) {
  std::vector<std::string> out;
  for (const char* prop : {"x509_common_name", "x509_subject_alternative_name"}) {
    for (const auto& v : auth.FindPropertyValues(prop)) out.emplace_back(v.data(), v.size());
  }
  return out;
}

}  // namespace licenced::node
