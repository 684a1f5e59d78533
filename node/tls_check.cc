#include "node/tls_check.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include <ctime>
#include <memory>
#include <vector>

#include "core/bytes.h"

namespace licenced::node {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct X509Free {
  void operator()(X509* x) const { X509_free(x); }
};
struct PkeyFree {
  void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct StoreFree {
  void operator()(X509_STORE* s) const { X509_STORE_free(s); }
};
struct StoreCtxFree {
  void operator()(X509_STORE_CTX* c) const { X509_STORE_CTX_free(c); }
};
struct StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509Ptr = std::unique_ptr<X509, X509Free>;

std::unique_ptr<BIO, BioFree> MemBio(const std::string& pem) {
  return std::unique_ptr<BIO, BioFree>(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
}

// Every certificate in `pem`, in order.
std::vector<X509Ptr> ReadCertificates(const std::string& pem) {
  std::vector<X509Ptr> out;
  auto bio = MemBio(pem);
  if (!bio) return out;
  while (X509* x = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) out.emplace_back(x);
  ERR_clear_error();  // the read that ends the loop leaves "no start line"
  return out;
}

uint64_t AsnTimeMs(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
  const time_t s = timegm(&tm);
  return s < 0 ? 0 : static_cast<uint64_t>(s) * 1000;
}

CertificateInfo Describe(X509* x) {
  CertificateInfo info;
  char cn[256] = {0};
  if (X509_NAME_get_text_by_NID(X509_get_subject_name(x), NID_commonName, cn, sizeof(cn)) > 0) {
    info.subject = cn;
  }
  info.not_before_ms = AsnTimeMs(X509_get0_notBefore(x));
  info.not_after_ms = AsnTimeMs(X509_get0_notAfter(x));
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (X509_digest(x, EVP_sha256(), md, &len) == 1)
    info.fingerprint_sha256 = ToHex(ByteView(md, len));
  return info;
}

std::string IsoDate(uint64_t ms) {
  const time_t s = static_cast<time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d", &tm);
  return buf;
}

}  // namespace

Result<CertificateInfo> InspectCertificate(const std::string& pem) {
  auto certs = ReadCertificates(pem);
  if (certs.empty()) return Status::InvalidArgument("no PEM certificate in it");
  return Describe(certs.front().get());
}

Result<TlsCheck> CheckTlsFiles(const TlsFiles& files, const std::string& identity,
                               uint64_t now_ms) {
  auto chain = ReadCertificates(files.cert_pem);
  if (chain.empty()) return Status::InvalidArgument("keys.tls_cert holds no PEM certificate");
  auto cas = ReadCertificates(files.ca_pem);
  if (cas.empty()) return Status::InvalidArgument("keys.tls_ca holds no PEM certificate");
  auto key_bio = MemBio(files.key_pem);
  std::unique_ptr<EVP_PKEY, PkeyFree> key(
      key_bio ? PEM_read_bio_PrivateKey(key_bio.get(), nullptr, nullptr, nullptr) : nullptr);
  ERR_clear_error();
  if (!key) return Status::InvalidArgument("keys.tls_key holds no PEM private key");
  X509* cert = chain.front().get();
  TlsCheck out{Describe(cert), Describe(cas.front().get())};
  if (X509_check_private_key(cert, key.get()) != 1) {
    ERR_clear_error();
    return Status::InvalidArgument("keys.tls_key is not the private key of keys.tls_cert ('" +
                                   out.certificate.subject + "')");
  }
  // Peers accept a certificate whose CN or a subjectAltName is the validator
  // name (PeerIdentities); X509_check_host covers the DNS SANs and, without
  // any, the CN.
  const bool names_identity = out.certificate.subject == identity ||
                              X509_check_host(cert, identity.data(), identity.size(),
                                              X509_CHECK_FLAG_NO_WILDCARDS, nullptr) == 1;
  if (!names_identity) {
    return Status::InvalidArgument("the certificate names '" + out.certificate.subject +
                                   "', not this node's validator name '" + identity + "'");
  }

  std::unique_ptr<X509_STORE, StoreFree> store(X509_STORE_new());
  for (auto& ca : cas) X509_STORE_add_cert(store.get(), ca.get());
  std::unique_ptr<STACK_OF(X509), StackFree> intermediates(sk_X509_new_null());
  for (size_t i = 1; i < chain.size(); ++i) {
    X509_up_ref(chain[i].get());
    sk_X509_push(intermediates.get(), chain[i].get());
  }
  std::unique_ptr<X509_STORE_CTX, StoreCtxFree> ctx(X509_STORE_CTX_new());
  if (!ctx || X509_STORE_CTX_init(ctx.get(), store.get(), cert, intermediates.get()) != 1) {
    return Status::Internal("cannot set up certificate verification");
  }
  X509_VERIFY_PARAM_set_time(X509_STORE_CTX_get0_param(ctx.get()),
                             static_cast<time_t>(now_ms / 1000));
  if (X509_verify_cert(ctx.get()) != 1) {
    const int err = X509_STORE_CTX_get_error(ctx.get());
    ERR_clear_error();
    if (err == X509_V_ERR_CERT_HAS_EXPIRED) {
      return Status::InvalidArgument("the certificate '" + out.certificate.subject +
                                     "' expired on " + IsoDate(out.certificate.not_after_ms));
    }
    if (err == X509_V_ERR_CERT_NOT_YET_VALID) {
      return Status::InvalidArgument("the certificate '" + out.certificate.subject +
                                     "' is not valid before " +
                                     IsoDate(out.certificate.not_before_ms));
    }
    return Status::InvalidArgument(
        "the certificate '" + out.certificate.subject +
        "' does not verify against keys.tls_ca: " + X509_verify_cert_error_string(err));
  }
  return out;
}

int64_t DaysToExpiry(uint64_t not_after_ms, uint64_t now_ms) {
  constexpr int64_t kDayMs = 86'400'000;
  const int64_t diff = static_cast<int64_t>(not_after_ms) - static_cast<int64_t>(now_ms);
  return diff >= 0 ? diff / kDayMs : -((-diff + kDayMs - 1) / kDayMs);
}

}  // namespace licenced::node
