// licencectl bench: the load generator. Pre-signs a pool of transactions
// (identity.enrol_clerk by each target org's admin, as `licencectl load`
// does; or 200-byte unsigned payloads for the null mode), then submits them
// round-robin across the nodes with wait_for_commit over async gRPC:
//   closed loop: `concurrency` submissions outstanding at all times;
//   open loop: one submission every 1/rate s, whatever is outstanding.
// With submit_batch > 1, one SubmitTransactions call carries several txs.
// RESOURCE_EXHAUSTED (node busy) is back-pressure: the tx goes back to the
// front of the client's send queue, sending pauses and the window of txs in
// calls shrinks (AIMD); counted in rejected_busy, not failed.
// Latency = first submit (open loop: the tx's offer time) to the node's commit
// answer, as the client sees it.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <mutex>
#include <optional>
#include <random>
#include <thread>

#include <fmt/core.h>
#include <grpcpp/grpcpp.h>

#include "bench/bench.h"
#include "core/transaction.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::bench {
using client::OpenChannel;

namespace {

namespace pb = ::licenced::v1;
using Clock = std::chrono::steady_clock;

// One RPC: a SubmitTransaction (one tx) or a SubmitTransactions (a batch).
struct Call {
  grpc::ClientContext ctx;
  bool batch = false;
  std::vector<size_t> indices;  // pool indices, in request order
  pb::SubmitResponse resp;
  pb::SubmitBatchResponse batch_resp;
  grpc::Status status;
  std::unique_ptr<grpc::ClientAsyncResponseReader<pb::SubmitResponse>> rpc;
  std::unique_ptr<grpc::ClientAsyncResponseReader<pb::SubmitBatchResponse>> batch_rpc;
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
  j["rejected_busy"] = rejected_busy;
  j["unsent_at_end"] = unsent_at_end;
  j["submit_batch"] = submit_batch;
  if (mode == "open") j["open_loop_txs_per_call"] = open_batch;
  j["calls"] = calls;
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
  const size_t batch = std::max<size_t>(1, s.submit_batch);
  f.submit_batch = batch;
  // Open loop: the txs offered in one 10 ms tick go in one call.
  const size_t open_batch =
      s.rate > 0 ? std::clamp<size_t>(static_cast<size_t>(s.rate * 0.01), 1, batch) : 0;
  f.open_batch = open_batch;
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
  std::atomic<size_t> next{0}, next_node{0}, calls{0};
  std::atomic<size_t> submitted{0}, committed{0}, committed_ok{0}, failed{0}, in_window{0};
  std::atomic<size_t> busy{0}, unsent{0};
  std::atomic<bool> stop_issuing{false};
  // Txs issued and not settled (in a call or queued for a retry).
  std::atomic<size_t> outstanding{0};
  // Per tx: first attempt (latency and give-up clock). Written before the tx
  // is queued, read after its call completes.
  std::vector<Clock::time_point> t0(pool.size());
  std::mutex mu;
  std::vector<double> lat;  // guarded by mu
  lat.reserve(pool_size);
  std::vector<std::string> errors;  // guarded by mu

  // The send queue and its back-pressure (guarded by qmu): txs wait in
  // `ready` (a busy tx goes back to the front); the sender keeps at most
  // `window` txs in calls. A busy answer pauses sending (20 ms doubling to
  // 640 ms while answers stay busy) and shrinks the window to 70% of what is
  // in calls (at most every 100 ms); commits grow it again (about one call's
  // worth per window committed).
  std::mutex qmu;
  std::condition_variable qcv;
  std::deque<size_t> ready;
  size_t in_calls = 0;
  double window = s.rate > 0 ? 1e9 : static_cast<double>(std::max<size_t>(1, s.concurrency));
  Clock::time_point paused_until{}, last_shrink{};
  uint32_t busy_streak = 0;
  size_t credit = 0;  // closed loop: fresh txs to queue (each settled tx is replaced)

  const auto start = Clock::now();
  const auto end = start + std::chrono::milliseconds(static_cast<int64_t>(s.duration_s * 1000));
  const uint32_t timeout_ms = static_cast<uint32_t>(s.tx_timeout_s * 1000);
  const auto give_up_after = std::chrono::milliseconds(timeout_ms);

  auto note_error = [&](std::string e) {
    std::lock_guard<std::mutex> lock(mu);
    if (errors.size() < 5) errors.push_back(std::move(e));
  };

  // Sends the txs `idx` in one call.
  auto send = [&](std::vector<size_t> idx) {
    auto* c = new Call;
    c->batch = batch > 1;
    c->indices = std::move(idx);
    c->ctx.set_deadline(std::chrono::system_clock::now() +
                        std::chrono::milliseconds(timeout_ms + 2000));
    auto& stub = stubs[next_node++ % stubs.size()];
    calls++;
    if (c->batch) {
      pb::SubmitBatchRequest req;
      for (size_t i : c->indices) req.add_transactions(pool[i].data(), pool[i].size());
      req.set_wait_for_commit(true);
      req.set_timeout_ms(timeout_ms);
      c->batch_rpc = stub->AsyncSubmitTransactions(&c->ctx, req, &cq);
      c->batch_rpc->Finish(&c->batch_resp, &c->status, c);
    } else {
      pb::SubmitRequest req;
      const Bytes& tx = pool[c->indices[0]];
      req.set_transaction(tx.data(), tx.size());
      req.set_wait_for_commit(true);
      req.set_timeout_ms(timeout_ms);
      c->rpc = stub->AsyncSubmitTransaction(&c->ctx, req, &cq);
      c->rpc->Finish(&c->resp, &c->status, c);
    }
  };

  // Queues up to `n` fresh txs from the pool (their clock starts at `offered`,
  // or now); returns how many. REQUIRES: qmu held.
  auto queue_fresh = [&](size_t n, std::optional<Clock::time_point> offered) -> size_t {
    if (stop_issuing.load() || Clock::now() >= end) return 0;
    size_t k = 0;
    while (k < n) {
      const size_t i = next++;
      if (i >= pool.size()) break;
      t0[i] = offered.value_or(Clock::now());
      ready.push_back(i);
      ++k;
    }
    outstanding += k;
    submitted += k;
    if (k > 0) qcv.notify_one();
    return k;
  };

  // Settles one tx's answer: committed or failed (true), or busy: back to
  // the front of the queue (false). REQUIRES: qmu held.
  auto settle = [&](size_t i, const grpc::Status& st, bool committed_now, const std::string& status,
                    const std::string& message, Clock::time_point now) -> bool {
    if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      busy++;
      if (now - t0[i] < give_up_after && !stop_issuing.load()) {
        ready.push_front(i);
        return false;
      }
      if (stop_issuing.load()) {
        unsent++;  // the run is over: not sent again
        outstanding--;
        return true;
      }
      failed++;
      note_error("still busy (RESOURCE_EXHAUSTED) after the per-transaction timeout: " +
                 st.error_message());
    } else if (st.ok() && committed_now) {
      committed++;
      if (status == "OK") committed_ok++;
      if (now <= end) in_window++;
      {
        std::lock_guard<std::mutex> lock(mu);
        lat.push_back(std::chrono::duration<double, std::milli>(now - t0[i]).count());
      }
      if (status != "OK") note_error("committed but rejected: " + status + ": " + message);
    } else {
      failed++;
      note_error(
          st.ok() ? "not committed within the per-transaction timeout"
                  : fmt::format("{}: {}", static_cast<int>(st.error_code()), st.error_message()));
    }
    outstanding--;
    return true;
  };

  auto drain = [&] {
    void* tag;
    bool ok;
    while (cq.Next(&tag, &ok)) {
      std::unique_ptr<Call> c(static_cast<Call*>(tag));
      const auto now = Clock::now();
      std::lock_guard<std::mutex> lock(qmu);
      size_t settled = 0, busy_here = 0;
      auto one = [&](size_t i, const grpc::Status& st, bool cm, const std::string& status,
                     const std::string& message) {
        if (settle(i, st, cm, status, message, now)) {
          ++settled;
        } else {
          ++busy_here;
        }
      };
      if (!c->batch) {
        one(c->indices[0], c->status, c->resp.committed(), c->resp.status(), c->resp.message());
      } else if (!c->status.ok() ||
                 c->batch_resp.results_size() != static_cast<int>(c->indices.size())) {
        grpc::Status st = c->status.ok() ? grpc::Status(grpc::StatusCode::INTERNAL,
                                                        "batch answer has the wrong result count")
                                         : c->status;
        for (size_t i : c->indices) one(i, st, false, "", "");
      } else {
        for (size_t k = 0; k < c->indices.size(); ++k) {
          const pb::SubmitBatchResult& r = c->batch_resp.results(static_cast<int>(k));
          grpc::Status st;
          if (r.code() == "RESOURCE_EXHAUSTED") {
            st = grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, r.message());
          } else if (r.code() != "OK") {
            st = grpc::Status(grpc::StatusCode::UNKNOWN, r.code() + ": " + r.message());
          }
          one(c->indices[k], st, r.committed(), r.status(), r.message());
        }
      }
      in_calls -= c->indices.size();
      if (busy_here > 0) {
        busy_streak = std::min<uint32_t>(busy_streak + 1, 5);
        paused_until = now + std::chrono::milliseconds(20 << (busy_streak - 1));
        if (now - last_shrink > std::chrono::milliseconds(100)) {
          window = std::max(static_cast<double>(batch), 0.7 * static_cast<double>(in_calls));
          last_shrink = now;
        }
      } else {
        busy_streak = 0;
        window += static_cast<double>(settled * batch) / std::max(window, 1.0);
      }
      if (s.rate <= 0) {
        credit += settled;
        queue_fresh(credit, std::nullopt);
        credit = 0;
      }
      qcv.notify_one();
    }
  };
  std::vector<std::thread> drainers;
  for (int t = 0; t < 2; ++t) drainers.emplace_back(drain);

  // Sends queued txs in calls of at most `batch`, within the window.
  std::thread sender([&] {
    std::unique_lock<std::mutex> lock(qmu);
    while (true) {
      if (stop_issuing.load()) {
        // The run is over: what still waits in the queue is not sent.
        unsent += ready.size();
        outstanding -= ready.size();
        ready.clear();
        return;
      }
      const auto now = Clock::now();
      if (ready.empty() || now < paused_until || static_cast<double>(in_calls) + 1 > window) {
        qcv.wait_for(lock, std::chrono::milliseconds(5));
        continue;
      }
      const size_t room = static_cast<size_t>(window - static_cast<double>(in_calls));
      const size_t n = std::min({batch, ready.size(), std::max<size_t>(room, 1)});
      std::vector<size_t> idx(ready.begin(), ready.begin() + static_cast<std::ptrdiff_t>(n));
      ready.erase(ready.begin(), ready.begin() + static_cast<std::ptrdiff_t>(n));
      in_calls += n;
      lock.unlock();
      send(std::move(idx));
      lock.lock();
    }
  });

  std::thread pacer;
  if (s.rate > 0) {
    pacer = std::thread([&] {
      for (size_t k = 0;; k += open_batch) {
        const auto offered =
            start + std::chrono::microseconds(static_cast<int64_t>(1e6 * k / s.rate));
        std::this_thread::sleep_until(offered);
        std::lock_guard<std::mutex> lock(qmu);
        if (queue_fresh(open_batch, offered) == 0) break;
      }
    });
  } else {
    std::lock_guard<std::mutex> lock(qmu);
    queue_fresh(std::max<size_t>(1, s.concurrency), std::nullopt);
  }
  // Progress until the window ends, then wait for the stragglers.
  while (Clock::now() < end) {
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
    const double el = std::chrono::duration<double>(Clock::now() - start).count();
    if (s.progress) {
      s.progress(el / s.duration_s,
                 fmt::format("{} committed, {:.0f} tx/s, {} failed, {} busy", committed.load(),
                             static_cast<double>(committed.load()) / std::max(el, 1e-3),
                             failed.load(), busy.load()));
    }
    if (next.load() >= pool.size() && outstanding.load() == 0) break;
  }
  stop_issuing = true;
  qcv.notify_all();
  if (pacer.joinable()) pacer.join();
  sender.join();
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
  f.rejected_busy = busy;
  f.unsent_at_end = unsent;
  f.calls = calls;
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

}  // namespace licenced::bench
