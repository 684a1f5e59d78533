// The node's TLS material as PEM text, read from the files named in the
// config ([keys] tls_ca, tls_cert, tls_key). Plain values, no gRPC: node/rpc/tls.h
// turns them into gRPC credentials. Thread-compatible.
#pragma once

#include <string>

#include "core/status.h"

namespace licenced::node {

struct TlsFiles {
  std::string ca_pem;
  std::string cert_pem;
  std::string key_pem;
};

// Reads the three PEM files; errors name the config field.
Result<TlsFiles> LoadTlsFiles(const std::string& ca_path, const std::string& cert_path,
                              const std::string& key_path);

}  // namespace licenced::node
