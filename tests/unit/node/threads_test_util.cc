#include "tests/unit/node/threads_test_util.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace licenced::node::testing {

namespace {

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void Run(const std::string& command) {
  if (std::system((command + " 2>/dev/null").c_str()) != 0) {
    throw std::runtime_error("test PKI: command failed: " + command);
  }
}

}  // namespace

TestPki::TestPki(const std::vector<std::string>& names) {
  const char* tmp = std::getenv("TMPDIR");
  std::string pattern = std::string(tmp != nullptr ? tmp : "/tmp") + "/licenced-pki-XXXXXX";
  if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  dir_ = pattern;
  const std::string ca_key = dir_ + "/ca-key.pem";
  const std::string ca = dir_ + "/ca.pem";
  Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + ca_key);
  Run("openssl req -x509 -new -key " + ca_key +
      " -sha256 -days 2 -subj '/CN=test CA' -addext 'basicConstraints=critical,CA:TRUE'"
      " -addext 'keyUsage=critical,keyCertSign,cRLSign' -out " +
      ca);
  for (const std::string& name : names) {
    const std::string key = dir_ + "/" + name + "-key.pem";
    const std::string csr = dir_ + "/" + name + ".csr";
    const std::string cert = dir_ + "/" + name + ".pem";
    const std::string ext = dir_ + "/" + name + ".ext";
    std::ofstream(ext) << "subjectAltName=DNS:" << name << ",DNS:localhost,IP:127.0.0.1\n"
                       << "extendedKeyUsage=serverAuth,clientAuth\n";
    Run("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out " + key);
    Run("openssl req -new -key " + key + " -subj '/CN=" + name + "' -out " + csr);
    Run("openssl x509 -req -in " + csr + " -CA " + ca + " -CAkey " + ca_key +
        " -CAcreateserial -days 2 -sha256 -extfile " + ext + " -out " + cert);
    files_[name] = TlsFiles{ReadAll(ca), ReadAll(cert), ReadAll(key)};
  }
}

TestPki::~TestPki() {
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

const TlsFiles& TestPki::For(const std::string& name) const {
  auto it = files_.find(name);
  if (it == files_.end()) throw std::runtime_error("test PKI has no certificate for " + name);
  return it->second;
}

bool WaitFor(const std::function<bool()>& done, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return done();
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

void FailureLog::Add(std::string what) {
  MutexLock lock(&mu_);
  failures_.push_back(std::move(what));
}

std::string FailureLog::All() const {
  MutexLock lock(&mu_);
  std::string out;
  for (const auto& f : failures_) out += f + "\n";
  return out;
}

}  // namespace licenced::node::testing
