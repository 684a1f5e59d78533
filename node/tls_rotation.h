// TlsRotation: replaces the node's TLS certificate and key without a restart.
//
// The node never serves the files named in the config ([keys] tls_ca,
// tls_cert, tls_key) directly. It checks them (node/tls_check.h: the key
// matches, the certificate chains to the CA, is valid now and names this
// node's validator identity) and only then copies them, atomically, to its
// active copies under DATA_DIR/tls/, which gRPC's certificate provider re-reads
// every second (node/rpc/tls.h, TlsSource::Watched). New connections then get
// the new certificate; open ones keep theirs. Files that fail a check are
// refused: logged with the reason, counted, and the active copies stay as they
// were, so a bad file can never take a running node off the network.
//
// The configured files are re-read every `poll` and on Reload() (SIGHUP). A
// poll refuses files only when they failed the check twice in a row
// (unchanged for one poll), so a rotation that writes the key and then the
// certificate is never refused half way.
// A certificate that expires within 30 days is warned about in the log once a
// day; /metrics and GetStatus show the days left (Snapshot).
//
// Thread-safe.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "core/mutex.h"
#include "core/status.h"
#include "node/tls_check.h"
#include "node/tls_files.h"

namespace licenced::node {

class TlsRotation {
 public:
  struct Options {
    std::string ca_path;     // keys.tls_ca
    std::string cert_path;   // keys.tls_cert
    std::string key_path;    // keys.tls_key
    std::string identity;    // the validator name the certificate must carry
    std::string active_dir;  // where the active copies live (DATA_DIR/tls)
    std::chrono::milliseconds poll{2000};
    std::chrono::hours warn_before{24 * 30};
  };
  struct Snapshot {
    TlsCheck active;           // what the node serves now
    uint64_t applied = 0;      // replacements installed since start
    uint64_t refused = 0;      // replacements refused since start
    std::string last_refusal;  // why the newest refused one was refused ("" if none)
  };

  // Checks the configured files and installs them as the active copies. An
  // error (the node must not start) names the file and the failed check.
  static Result<std::unique_ptr<TlsRotation>> Open(Options options);
  ~TlsRotation();
  TlsRotation(const TlsRotation&) = delete;
  TlsRotation& operator=(const TlsRotation&) = delete;

  // Starts the polling thread; Stop (and the destructor) ends it.
  void Start();
  void Stop();

  // Re-reads the configured files now. OK if they are unchanged or were
  // installed; the refusal otherwise (also logged and counted).
  Status Reload();

  Snapshot snapshot() const;
  std::string active_ca_path() const { return options_.active_dir + "/ca.pem"; }
  std::string active_cert_path() const { return options_.active_dir + "/cert.pem"; }
  std::string active_key_path() const { return options_.active_dir + "/key.pem"; }

 private:
  explicit TlsRotation(Options options) : options_(std::move(options)) {}
  // Reads, checks and installs the configured files if they differ from the
  // last ones seen. `initial`: at start, when any failure is fatal;
  // `explicit_request`: a signal, not a poll (refuses without waiting).
  Status CheckAndInstall(bool initial, bool explicit_request) EXCLUDES(mu_);
  Status Install(const TlsFiles& files) const;
  void WarnIfExpiring() REQUIRES(mu_);
  void Run() EXCLUDES(mu_);

  const Options options_;
  mutable Mutex mu_;
  CondVar wake_;
  Mutex reload_mu_;  // one check at a time (poll thread and Reload)
  bool stopping_ GUARDED_BY(mu_) = false;
  TlsFiles seen_ GUARDED_BY(mu_);     // the configured files when last installed or refused
  TlsFiles failing_ GUARDED_BY(mu_);  // failed one poll's check; refused if still there next poll
  Snapshot snapshot_ GUARDED_BY(mu_);
  std::chrono::steady_clock::time_point last_warning_ GUARDED_BY(mu_){};
  bool warned_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace licenced::node
