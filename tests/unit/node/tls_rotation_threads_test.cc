// node/tls_check.h and node/tls_rotation.h with real certificates (made by the
// openssl command line, TestPki): every check refuses what it should, and a
// running TlsRotation installs a good replacement, refuses a bad one only once
// it stayed for a second poll, and keeps the active copies unchanged then.
#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <catch2/catch.hpp>

#include "node/tls_check.h"
#include "node/tls_rotation.h"
#include "tests/unit/node/threads_test_util.h"

namespace licenced::node {
namespace {

using testing::TestPki;
using testing::WaitFor;

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) { std::ofstream(path) << data; }

// A temporary directory holding the configured files of one node.
struct NodeDir {
  std::string dir;
  NodeDir() {
    char pattern[] = "/tmp/licenced-tls-XXXXXX";
    REQUIRE(mkdtemp(pattern) != nullptr);
    dir = pattern;
  }
  ~NodeDir() {
    std::error_code ignored;
    std::filesystem::remove_all(dir, ignored);
  }
  void Put(const TlsFiles& f) const {
    WriteFile(dir + "/ca.pem", f.ca_pem);
    WriteFile(dir + "/tls-key.pem", f.key_pem);
    WriteFile(dir + "/tls.pem", f.cert_pem);
  }
  TlsRotation::Options Options(const std::string& identity) const {
    TlsRotation::Options o;
    o.ca_path = dir + "/ca.pem";
    o.cert_path = dir + "/tls.pem";
    o.key_path = dir + "/tls-key.pem";
    o.identity = identity;
    o.active_dir = dir + "/data/tls";
    o.poll = std::chrono::milliseconds(20);
    return o;
  }
};

TEST_CASE("threads: tls check accepts the node's own pair and reads its expiry", "[tls]") {
  TestPki pki({"market"});
  auto r = CheckTlsFiles(pki.For("market"), "market", NowMs());
  REQUIRE(r.ok());
  CHECK(r->certificate.subject == "market");
  CHECK(r->ca.subject == "test CA");
  CHECK(r->certificate.fingerprint_sha256.size() == 64);
  // TestPki certificates are valid for 2 days.
  CHECK(DaysToExpiry(r->certificate.not_after_ms, NowMs()) == 1);
  CHECK(DaysToExpiry(r->certificate.not_after_ms, r->certificate.not_after_ms + 1) == -1);
}

TEST_CASE("threads: tls check refuses another name, a foreign key or CA, an expired certificate",
          "[tls]") {
  TestPki pki({"market", "police"});
  TestPki other({"market"});
  const TlsFiles& good = pki.For("market");

  auto wrong_name = CheckTlsFiles(pki.For("police"), "market", NowMs());
  REQUIRE_FALSE(wrong_name.ok());
  CHECK(wrong_name.status().message().find("names 'police', not this node's validator name "
                                           "'market'") != std::string::npos);

  TlsFiles foreign_key = good;
  foreign_key.key_pem = pki.For("police").key_pem;
  auto mismatch = CheckTlsFiles(foreign_key, "market", NowMs());
  REQUIRE_FALSE(mismatch.ok());
  CHECK(mismatch.status().message().find("not the private key") != std::string::npos);

  TlsFiles foreign_ca = other.For("market");
  foreign_ca.ca_pem = good.ca_pem;
  auto unsigned_by_ca = CheckTlsFiles(foreign_ca, "market", NowMs());
  REQUIRE_FALSE(unsigned_by_ca.ok());
  CHECK(unsigned_by_ca.status().message().find("does not verify against keys.tls_ca") !=
        std::string::npos);

  auto info = InspectCertificate(good.cert_pem);
  REQUIRE(info.ok());
  auto expired = CheckTlsFiles(good, "market", info->not_after_ms + 86'400'000);
  REQUIRE_FALSE(expired.ok());
  CHECK(expired.status().message().find("expired on") != std::string::npos);

  TlsFiles garbage = good;
  garbage.cert_pem = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n";
  CHECK_FALSE(CheckTlsFiles(garbage, "market", NowMs()).ok());
}

TEST_CASE("threads: tls rotation refuses to start on bad files, installs good ones", "[tls]") {
  TestPki pki({"market", "police"});
  NodeDir d;
  d.Put(pki.For("police"));
  auto bad = TlsRotation::Open(d.Options("market"));
  REQUIRE_FALSE(bad.ok());
  CHECK(bad.status().message().find("police") != std::string::npos);

  d.Put(pki.For("market"));
  auto r = TlsRotation::Open(d.Options("market"));
  REQUIRE(r.ok());
  CHECK(ReadFile((*r)->active_cert_path()) == pki.For("market").cert_pem);
  CHECK(ReadFile((*r)->active_key_path()) == pki.For("market").key_pem);
  CHECK(std::filesystem::status((*r)->active_key_path()).permissions() ==
        (std::filesystem::perms::owner_read | std::filesystem::perms::owner_write));
  CHECK((*r)->snapshot().active.certificate.subject == "market");
}

TEST_CASE("threads: tls rotation a running node takes a renewal and refuses another name",
          "[tls]") {
  TestPki first({"market", "police"});
  TestPki renewal_pki({"market"});
  NodeDir d;
  d.Put(first.For("market"));
  auto opened = TlsRotation::Open(d.Options("market"));
  REQUIRE(opened.ok());
  TlsRotation& r = **opened;
  r.Start();

  // A renewal signed by another CA, with that CA configured too.
  const TlsFiles& renewed = renewal_pki.For("market");
  d.Put(renewed);
  REQUIRE(WaitFor([&] { return r.snapshot().applied == 1; }, std::chrono::seconds(10)));
  CHECK(ReadFile(r.active_cert_path()) == renewed.cert_pem);
  CHECK(ReadFile(r.active_ca_path()) == renewed.ca_pem);

  // Police's pair under market's file names: refused, the active copies stay.
  TlsFiles police = first.For("police");
  police.ca_pem = first.For("market").ca_pem;
  d.Put(police);
  REQUIRE(WaitFor([&] { return r.snapshot().refused == 1; }, std::chrono::seconds(10)));
  const auto s = r.snapshot();
  CHECK(s.applied == 1);
  CHECK(s.last_refusal.find("police") != std::string::npos);
  CHECK(s.active.certificate.fingerprint_sha256 ==
        InspectCertificate(renewed.cert_pem)->fingerprint_sha256);
  CHECK(ReadFile(r.active_cert_path()) == renewed.cert_pem);
  CHECK(ReadFile(r.active_key_path()) == renewed.key_pem);

  // Reload with unchanged (refused) files does nothing more.
  CHECK(r.Reload().ok());
  CHECK(r.snapshot().refused == 1);
  r.Stop();
}

}  // namespace
}  // namespace licenced::node
