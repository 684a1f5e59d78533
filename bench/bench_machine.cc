// licencectl bench: the machine's ceiling (Ed25519 verifications of real
// signed transactions on one core), CPU facts, RSS of a process, progress bar.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <thread>

#include <fmt/core.h>

#include "bench/bench.h"
#include "core/transaction.h"

namespace licenced::bench {
namespace {

using Clock = std::chrono::steady_clock;

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      auto pos = line.find(':');
      if (pos != std::string::npos) return line.substr(pos + 2);
    }
  }
  return "unknown";
}

// Transactions shaped like the load the bench submits (identity.enrol_clerk).
std::vector<Transaction> SampleTxs(size_t n) {
  std::vector<Transaction> txs;
  crypto::KeyPair key = crypto::KeyPair::Generate();
  for (size_t i = 0; i < n; ++i) {
    Transaction tx;
    tx.network_id = "licenced-local";
    tx.chaincode = "identity";
    tx.method = "enrol_clerk";
    tx.args = ToBytes(fmt::format(R"({{"name":"ceiling-{}","public_key":"{}","roles":["clerk"]}})",
                                  i, ToHex(crypto::KeyPair::Generate().public_key())));
    tx.submitter = key.public_key();
    tx.nonce = i;
    tx.SignWith(key);
    txs.push_back(std::move(tx));
  }
  return txs;
}

}  // namespace

Progress::Progress() : tty_(isatty(STDERR_FILENO) == 1) {}

void Progress::Update(const std::string& label, double fraction, const std::string& detail) {
  if (!tty_) return;
  fraction = std::clamp(fraction, 0.0, 1.0);
  const int width = 30;
  int filled = static_cast<int>(fraction * width + 0.5);
  std::fprintf(stderr, "\r\033[K[%s%s] %3.0f%% %-22s %s", std::string(filled, '#').c_str(),
               std::string(width - filled, '.').c_str(), fraction * 100, label.c_str(),
               detail.c_str());
  std::fflush(stderr);
}

void Progress::Done(const std::string& label, const std::string& detail) {
  if (tty_) {
    std::fprintf(stderr, "\r\033[K%-24s %s\n", label.c_str(), detail.c_str());
  } else {
    std::fprintf(stderr, "bench: %s: %s\n", label.c_str(), detail.c_str());
  }
  std::fflush(stderr);
}

MachineInfo MeasureMachine(unsigned validators_here, double seconds) {
  MachineInfo m;
  m.cores = std::max(1u, std::thread::hardware_concurrency());
  m.cpu_model = CpuModel();
  m.validators_here = std::max(1u, validators_here);
  std::vector<Transaction> txs = SampleTxs(256);
  // Sign rate (the pre-signing cost of the load generator).
  {
    crypto::KeyPair key = crypto::KeyPair::Generate();
    size_t n = 0;
    auto t0 = Clock::now();
    double el = 0;
    do {
      for (int i = 0; i < 64; ++i) txs[(n + i) % txs.size()].SignWith(key);
      n += 64;
      el = std::chrono::duration<double>(Clock::now() - t0).count();
    } while (el < seconds / 4);
    m.ed25519_sign_per_s_one_core = static_cast<double>(n) / el;
  }
  // Verify rate: Transaction::VerifySignature (canonical body + Ed25519) on
  // one thread, which is what a node does once per transaction.
  size_t n = 0, ok = 0;
  auto t0 = Clock::now();
  double el = 0;
  do {
    for (int i = 0; i < 64; ++i) ok += txs[(n + i) % txs.size()].VerifySignature() ? 1 : 0;
    n += 64;
    el = std::chrono::duration<double>(Clock::now() - t0).count();
  } while (el < seconds);
  if (ok != n) std::fprintf(stderr, "bench: warning: %zu of %zu signatures failed\n", n - ok, n);
  m.ed25519_verify_per_s_one_core = static_cast<double>(n) / el;
  m.ceiling_tx_per_s = m.ed25519_verify_per_s_one_core * m.cores / m.validators_here;
  return m;
}

double ReadCpuSeconds(int pid) {
  std::ifstream in(pid == 0 ? std::string("/proc/self/stat")
                            : "/proc/" + std::to_string(pid) + "/stat");
  std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  // Fields after the command name (which may hold spaces): state is field 3,
  // utime and stime are fields 14 and 15.
  const size_t close = stat.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream ss(stat.substr(close + 2));
  std::string field;
  double utime = -1, stime = -1;
  for (int i = 3; i <= 15 && ss >> field; ++i) {
    if (i == 14) utime = std::strtod(field.c_str(), nullptr);
    if (i == 15) stime = std::strtod(field.c_str(), nullptr);
  }
  if (utime < 0 || stime < 0) return -1;
  return (utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

Rss ReadRss(int pid) {
  Rss r;
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream ss(line);
    std::string key;
    uint64_t v = 0;
    ss >> key >> v;
    if (key == "VmHWM:") r.hwm_kib = v;
    if (key == "VmRSS:") r.rss_kib = v;
  }
  return r;
}

}  // namespace licenced::bench
