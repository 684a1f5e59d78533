// Helpers for the threaded node tests (label tsan): TLS material made with
// the openssl command line (a CA and one certificate per validator name, as
// deploy/gen-tls.sh makes them), a blocking wait on a condition, and a
// thread-safe failure log, since Catch2 assertions may only run on the
// test's own thread.
//
// Thread-safe: FailureLog; the rest is used from the test thread.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "core/mutex.h"
#include "node/rpc/tls.h"

namespace licenced::node::testing {

// A CA and certificates (CN and DNS SAN = name) for `names`, in a fresh
// temporary directory removed on destruction.
class TestPki {
 public:
  explicit TestPki(const std::vector<std::string>& names);
  ~TestPki();
  TestPki(const TestPki&) = delete;
  TestPki& operator=(const TestPki&) = delete;

  // The CA, certificate and key of `name` (CHECKs that it was made).
  const TlsFiles& For(const std::string& name) const;

 private:
  std::string dir_;
  std::map<std::string, TlsFiles> files_;
};

// Polls `done` every 5 ms until it is true or `timeout` passes; returns done().
bool WaitFor(const std::function<bool()>& done,
             std::chrono::milliseconds timeout = std::chrono::seconds(60));

// Failures seen on worker threads, checked on the test thread.
class FailureLog {
 public:
  void Add(std::string what) EXCLUDES(mu_);
  // Every failure, one a line ("" if none).
  std::string All() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::vector<std::string> failures_ GUARDED_BY(mu_);
};

}  // namespace licenced::node::testing
