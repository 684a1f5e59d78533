// licencectl bench: the load generator. Pre-signs a pool of transactions
// (identity.enrol_clerk by each target org's admin, as `licencectl load`
// does; or 200-byte unsigned payloads for the null mode), then submits them
// round-robin across the nodes with wait_for_commit over async gRPC:
//   closed loop: `concurrency` submissions outstanding at all times;
//   open loop: one submission every 1/rate s, whatever is outstanding.
// Latency = submit to the node's commit answer, as the client sees it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/core.h>
#include <grpcpp/grpcpp.h>

#include "cli/bench.h"
#include "core/transaction.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::cli::bench {
namespace {

namespace pb = ::licenced::v1;
using Clock = std::chrono::steady_clock;

struct Call {
  grpc::ClientContext ctx;
  pb::SubmitResponse resp;
  grpc::Status status;
  size_t index = 0;
  Clock::time_point t0;
  std::unique_ptr<grpc::ClientAsyncResponseReader<pb::SubmitResponse>> rpc;
};

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t idx = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

// Signs `n` transactions on every core (the nodes are idle meanwhile).
std::vector<Bytes> Presign(const LoadSpec& s, size_t n) {
  std::vector<Bytes> pool(n);
  std::random_device rd;
  const uint64_t run = (static_cast<uint64_t>(rd()) << 32) | rd();
  const unsigned threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::thread> ts;
  for (unsigned t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      Bytes payload(200);
      for (size_t i = t; i < n; i += threads) {
        Transaction tx;
        tx.network_id = s.network_id;
        const size_t node = i % s.targets.size();
        tx.nonce = run ^ (static_cast<uint64_t>(i) * 0x9E3779B97F4A7C15ULL);
        if (s.null_payload) {
          tx.chaincode = "null";
          tx.method = "null";
          for (size_t b = 0; b < payload.size(); ++b) {
            payload[b] = static_cast<uint8_t>((i * 131 + b * 7 + run) & 0xff);
          }
          tx.args = payload;
          tx.submitter = s.keys[node].public_key();  // not signed: the null node skips the check
          pool[i] = tx.Encode();
        } else {
          tx.chaincode = "identity";
          tx.method = "enrol_clerk";
          const std::string name = fmt::format("bench-{:016x}-{}", run, i);
          // A distinct, well-formed clerk key (never used to sign).
          const Hash k = crypto::Sha256(ToBytes(name));
          tx.args = ToBytes(fmt::format(R"({{"name":"{}","public_key":"{}","roles":["clerk"]}})",
                                        name, ToHex(k)));
          tx.submitter = s.keys[node].public_key();
          tx.SignWith(s.keys[node]);
          pool[i] = tx.Encode();
        }
      }
    });
  }
  for (auto& t : ts) t.join();
  return pool;
}

}  // namespace

Json LoadFigures::ToJson() const {
  Json j;
  j["mode"] = mode;
  if (mode == "closed") j["concurrency"] = concurrency;
  if (mode == "open") j["offered_tx_per_s"] = offered_rate;
  j["duration_s"] = duration_s;
  j["submitted"] = submitted;
  j["committed"] = committed;
  j["committed_ok"] = committed_ok;
  j["failed"] = failed;
  j["pool_exhausted"] = pool_exhausted;
  j["committed_tx_per_s"] = committed_tx_per_s;
  j["latency_ms"] = {
      {"p50", p50_ms}, {"p95", p95_ms}, {"p99", p99_ms}, {"max", max_ms}, {"mean", mean_ms}};
  j["presign_s"] = presign_s;
  if (!first_errors.empty()) j["first_errors"] = first_errors;
  return j;
}

Result<LoadFigures> RunLoad(const LoadSpec& s) {
  if (s.targets.empty() || s.keys.size() != s.targets.size()) {
    return Status::InvalidArgument("bench load: one signing key per target is needed");
  }
  LoadFigures f;
  f.mode = s.rate > 0 ? "open" : "closed";
  f.concurrency = s.concurrency;
  f.offered_rate = s.rate;
  size_t pool_size = s.max_txs;
  if (s.rate > 0) pool_size = std::min(pool_size, static_cast<size_t>(s.rate * s.duration_s) + 16);
  auto tp = Clock::now();
  const std::vector<Bytes> pool = Presign(s, pool_size);
  f.presign_s = std::chrono::duration<double>(Clock::now() - tp).count();

  std::vector<std::unique_ptr<pb::ClientApi::Stub>> stubs;
  for (const auto& t : s.targets) {
    LIC_ASSIGN_OR_RETURN(auto ch, OpenChannel(t));
    stubs.push_back(pb::ClientApi::NewStub(ch));
  }
  grpc::CompletionQueue cq;
  std::atomic<size_t> next{0};
  std::atomic<size_t> submitted{0}, committed{0}, committed_ok{0}, failed{0}, in_window{0};
  std::atomic<bool> stop_issuing{false};
  std::atomic<size_t> outstanding{0};
  std::mutex mu;
  std::vector<double> lat;  // guarded by mu
  lat.reserve(pool_size);
  std::vector<std::string> errors;  // guarded by mu
  const auto start = Clock::now();
  const auto end = start + std::chrono::milliseconds(static_cast<int64_t>(s.duration_s * 1000));
  const uint32_t timeout_ms = static_cast<uint32_t>(s.tx_timeout_s * 1000);

  // Issues pool[i] (returns false when the pool is used up or time is over).
  auto issue = [&]() -> bool {
    if (stop_issuing.load() || Clock::now() >= end) return false;
    const size_t i = next++;
    if (i >= pool.size()) return false;
    auto* c = new Call;
    c->index = i;
    c->ctx.set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(timeout_ms + 2000));
    pb::SubmitRequest req;
    req.set_transaction(pool[i].data(), pool[i].size());
    req.set_wait_for_commit(true);
    req.set_timeout_ms(timeout_ms);
    c->t0 = Clock::now();
    outstanding++;
    submitted++;
    c->rpc = stubs[i % stubs.size()]->AsyncSubmitTransaction(&c->ctx, req, &cq);
    c->rpc->Finish(&c->resp, &c->status, c);
    return true;
  };

  auto drain = [&] {
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
      std::unique_ptr<Call> c(static_cast<Call*>(tag));
      const auto now = Clock::now();
      const double ms = std::chrono::duration<double, std::milli>(now - c->t0).count();
      if (c->status.ok() && c->resp.committed()) {
        committed++;
        if (c->resp.status() == "OK") committed_ok++;
        if (now <= end) in_window++;
        std::lock_guard<std::mutex> lock(mu);
        lat.push_back(ms);
        if (c->resp.status() != "OK" && errors.size() < 5) {
          errors.push_back("committed but rejected: " + c->resp.status() + ": " +
                           c->resp.message());
        }
      } else {
        failed++;
        std::lock_guard<std::mutex> lock(mu);
        if (errors.size() < 5) {
          errors.push_back(c->status.ok()
                               ? "not committed within the per-transaction timeout"
                               : fmt::format("{}: {}", static_cast<int>(c->status.error_code()),
                                             c->status.error_message()));
        }
      }
      if (s.rate <= 0) issue();  // closed loop: keep `concurrency` outstanding
      outstanding--;
    }
  };
  std::vector<std::thread> drainers;
  for (int t = 0; t < 2; ++t) drainers.emplace_back(drain);

  std::thread pacer;
  if (s.rate > 0) {
    pacer = std::thread([&] {
      for (size_t k = 0;; ++k) {
        std::this_thread::sleep_until(
            start + std::chrono::microseconds(static_cast<int64_t>(1e6 * k / s.rate)));
        if (!issue()) break;
      }
    });
  } else {
    for (size_t k = 0; k < std::max<size_t>(1, s.concurrency); ++k) {
      if (!issue()) break;
    }
  }
  // Progress until the window ends, then wait for the stragglers.
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const double el = std::chrono::duration<double>(Clock::now() - start).count();
    if (s.progress) {
      s.progress(
          el / s.duration_s,
          fmt::format("{} committed, {:.0f} tx/s, {} failed", committed.load(),
                      static_cast<double>(committed.load()) / std::max(el, 1e-3), failed.load()));
    }
    if (next.load() >= pool.size() && outstanding.load() == 0) break;
  }
  stop_issuing = true;
  if (pacer.joinable()) pacer.join();
  const auto grace = Clock::now() + std::chrono::milliseconds(timeout_ms + 5000);
  while (outstanding.load() > 0 && Clock::now() < grace) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  const double elapsed =
      std::min(std::chrono::duration<double>(Clock::now() - start).count(), s.duration_s);
  cq.Shutdown();
  for (auto& t : drainers) t.join();

  f.pool_exhausted = next.load() >= pool.size();
  f.duration_s = elapsed;
  f.submitted = submitted;
  f.committed = committed;
  f.committed_ok = committed_ok;
  f.failed = failed;
  f.committed_tx_per_s = elapsed > 0 ? static_cast<double>(in_window.load()) / elapsed : 0;
  std::sort(lat.begin(), lat.end());
  f.p50_ms = Percentile(lat, 50);
  f.p95_ms = Percentile(lat, 95);
  f.p99_ms = Percentile(lat, 99);
  f.max_ms = lat.empty() ? 0 : lat.back();
  double sum = 0;
  for (double v : lat) sum += v;
  f.mean_ms = lat.empty() ? 0 : sum / static_cast<double>(lat.size());
  f.first_errors = errors;
  return f;
}

}  // namespace licenced::cli::bench
