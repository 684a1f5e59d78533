#include "node/rpc/tls.h"

#include <fstream>
#include <sstream>

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

std::shared_ptr<grpc::ServerCredentials> PeerServerCredentials(const TlsFiles& tls) {
  grpc::SslServerCredentialsOptions opts(
      GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
  opts.pem_root_certs = tls.ca_pem;
  opts.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
  return grpc::SslServerCredentials(opts);
}

Result<std::shared_ptr<grpc::ServerCredentials>> ClientServerCredentials(
    const TlsFiles& tls, const ClientAuthConfig& auth) {
  grpc::SslServerCredentialsOptions opts(
      auth.require_client_cert ? GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY
                               : GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  opts.pem_root_certs = tls.ca_pem;
  if (!auth.client_ca.empty()) {
    LIC_ASSIGN_OR_RETURN(opts.pem_root_certs, ReadPem(auth.client_ca, "listen.client_ca"));
  }
  opts.pem_key_cert_pairs.push_back({tls.key_pem, tls.cert_pem});
  return grpc::SslServerCredentials(opts);
}

std::shared_ptr<grpc::ChannelCredentials> PeerChannelCredentials(const TlsFiles& tls) {
  grpc::SslCredentialsOptions opts;
  opts.pem_root_certs = tls.ca_pem;
  opts.pem_private_key = tls.key_pem;
  opts.pem_cert_chain = tls.cert_pem;
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
