// Checks a node's TLS material before it is used: the private key belongs to
// the certificate, the certificate chains to the network CA and is valid at
// `now`, and it names this node's validator identity (CN or a DNS SAN, as
// peers check it: node/rpc/tls.h). Also reads what an operator needs to know
// about a certificate (subject, expiry, fingerprint). OpenSSL; no gRPC.
//
// Thread-safe (no shared state).
#pragma once

#include <cstdint>
#include <string>

#include "core/status.h"
#include "node/tls_files.h"

namespace licenced::node {

struct CertificateInfo {
  std::string subject;             // the subject's CN
  uint64_t not_before_ms = 0;      // Unix time
  uint64_t not_after_ms = 0;       // Unix time
  std::string fingerprint_sha256;  // lowercase hex of SHA-256 over the DER
};

struct TlsCheck {
  CertificateInfo certificate;  // the node's own (first in tls_cert)
  CertificateInfo ca;           // the first certificate of tls_ca
};

// The first certificate in `pem`. Errors: no certificate, not PEM.
Result<CertificateInfo> InspectCertificate(const std::string& pem);

// Every check above; an error says which failed, in words an operator can
// act on (e.g. "the certificate names 'police', not this node's validator
// name 'market'").
Result<TlsCheck> CheckTlsFiles(const TlsFiles& files, const std::string& identity, uint64_t now_ms);

// Whole days from now_ms to not_after_ms, rounded down; negative once expired.
int64_t DaysToExpiry(uint64_t not_after_ms, uint64_t now_ms);

}  // namespace licenced::node
