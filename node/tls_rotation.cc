#include "node/tls_rotation.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <spdlog/spdlog.h>

namespace licenced::node {
namespace {

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

// Writes `data` to `path` atomically: a temporary file beside it, synced,
// renamed over it, the directory synced.
Status WriteFileAtomically(const std::string& path, const std::string& data, mode_t mode) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return Status::IoError("cannot write " + tmp + ": " + std::strerror(errno));
  ::fchmod(fd, mode);
  size_t off = 0;
  while (off < data.size()) {
    const ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      const std::string err = std::strerror(errno);
      ::close(fd);
      return Status::IoError("cannot write " + tmp + ": " + err);
    }
    off += static_cast<size_t>(n);
  }
  if (::fsync(fd) != 0 || ::close(fd) != 0) {
    return Status::IoError("cannot sync " + tmp + ": " + std::strerror(errno));
  }
  if (::rename(tmp.c_str(), path.c_str()) != 0) {
    return Status::IoError("cannot rename " + tmp + ": " + std::strerror(errno));
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return Status::Ok();
}

bool SameFiles(const TlsFiles& a, const TlsFiles& b) {
  return a.ca_pem == b.ca_pem && a.cert_pem == b.cert_pem && a.key_pem == b.key_pem;
}

}  // namespace

Result<std::unique_ptr<TlsRotation>> TlsRotation::Open(Options options) {
  std::error_code ec;
  std::filesystem::create_directories(options.active_dir, ec);
  if (ec) {
    return Status::IoError("cannot create " + options.active_dir + ": " + ec.message());
  }
  std::unique_ptr<TlsRotation> r(new TlsRotation(std::move(options)));
  LIC_RETURN_IF_ERROR(r->CheckAndInstall(/*initial=*/true, /*explicit_request=*/true));
  return r;
}

TlsRotation::~TlsRotation() { Stop(); }

void TlsRotation::Start() {
  thread_ = std::thread([this] { Run(); });
}

void TlsRotation::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

Status TlsRotation::Reload() {
  spdlog::info("TLS: reloading {} and {} (signal)", options_.cert_path, options_.key_path);
  return CheckAndInstall(/*initial=*/false, /*explicit_request=*/true);
}

TlsRotation::Snapshot TlsRotation::snapshot() const {
  MutexLock lock(&mu_);
  return snapshot_;
}

void TlsRotation::Run() {
  for (;;) {
    {
      MutexLock lock(&mu_);
      if (!stopping_) wake_.WaitUntil(&mu_, std::chrono::steady_clock::now() + options_.poll);
      if (stopping_) return;
    }
    (void)CheckAndInstall(/*initial=*/false, /*explicit_request=*/false);
    MutexLock lock(&mu_);
    WarnIfExpiring();
  }
}

Status TlsRotation::CheckAndInstall(bool initial, bool explicit_request) {
  MutexLock one(&reload_mu_);
  auto files = LoadTlsFiles(options_.ca_path, options_.cert_path, options_.key_path);
  if (!files.ok()) {
    if (initial) return files.status();
    // A file being replaced may be missing or half written for a moment: the
    // next poll reads it again. Not a refusal.
    return Status::Ok();
  }
  {
    MutexLock lock(&mu_);
    if (!initial && SameFiles(*files, seen_)) return Status::Ok();
  }
  auto checked = CheckTlsFiles(*files, options_.identity, NowMs());
  Status st = checked.ok() ? Install(*files) : checked.status();
  MutexLock lock(&mu_);
  if (!st.ok()) {
    if (initial) return st;
    // Files being replaced one after the other (a new key before its
    // certificate) fail a check for a moment: a poll refuses only files that
    // stayed the same for one more poll. A signal refuses at once.
    if (!explicit_request && !SameFiles(*files, failing_)) {
      failing_ = *files;
      return Status::Ok();
    }
    seen_ = *files;
    ++snapshot_.refused;
    snapshot_.last_refusal = st.message();
    spdlog::error("TLS: refused the new certificate in {}: {}; still serving '{}' (SHA-256 {})",
                  options_.cert_path, st.message(), snapshot_.active.certificate.subject,
                  snapshot_.active.certificate.fingerprint_sha256);
    return st;
  }
  seen_ = *files;
  snapshot_.active = *checked;
  warned_ = false;
  if (!initial) {
    ++snapshot_.applied;
    spdlog::info("TLS: now serving '{}' (SHA-256 {}, {} days to expiry); new connections use it",
                 checked->certificate.subject, checked->certificate.fingerprint_sha256,
                 DaysToExpiry(checked->certificate.not_after_ms, NowMs()));
  }
  WarnIfExpiring();
  return Status::Ok();
}

Status TlsRotation::Install(const TlsFiles& files) const {
  // The key first: gRPC re-reads key and certificate together and keeps the
  // old pair while they do not match, so a reader between the renames sees a
  // mismatch for at most one refresh, never a key without its certificate.
  LIC_RETURN_IF_ERROR(WriteFileAtomically(active_key_path(), files.key_pem, 0600));
  LIC_RETURN_IF_ERROR(WriteFileAtomically(active_cert_path(), files.cert_pem, 0644));
  return WriteFileAtomically(active_ca_path(), files.ca_pem, 0644);
}

void TlsRotation::WarnIfExpiring() {
  const auto now = std::chrono::steady_clock::now();
  if (warned_ && now - last_warning_ < std::chrono::hours(24)) return;
  const uint64_t now_ms = NowMs();
  const uint64_t warn_ms =
      static_cast<uint64_t>(std::chrono::milliseconds(options_.warn_before).count());
  struct Item {
    const char* what;
    const CertificateInfo* info;
    const std::string* path;
  };
  for (const Item& it : {Item{"certificate", &snapshot_.active.certificate, &options_.cert_path},
                         Item{"CA certificate", &snapshot_.active.ca, &options_.ca_path}}) {
    if (it.info->not_after_ms > now_ms + warn_ms) continue;
    spdlog::warn(
        "TLS: the node's {} '{}' ({}) expires in {} days; renew it (deploy/gen-tls.sh --renew "
        "ORG DIR) and the node picks it up without a restart",
        it.what, it.info->subject, *it.path, DaysToExpiry(it.info->not_after_ms, now_ms));
    warned_ = true;
    last_warning_ = now;
  }
}

}  // namespace licenced::node
