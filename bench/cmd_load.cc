// licencectl load: pre-signs N transactions and submits them across nodes
// with wait_for_commit from C worker threads, optionally at a fixed rate.
// A submission to a node that is down or times out moves on to the next node
// (same signed bytes, so it can be committed at most once); RESOURCE_EXHAUSTED
// (node busy) is retried after a back-off and counted in rejected_busy, not
// as a failure; ALREADY_EXISTS or
// a timed-out wait turns into polling GetTransaction. Prints figures; it never
// fails for being slow.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <iostream>
#include <mutex>
#include <random>
#include <thread>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "bench/commands.h"
#include "client/conn.h"
#include "core/bytes.h"
#include "core/transaction.h"

namespace licenced::bench {
using cli::CliContext;
using cli::CommandResult;
using client::CliError;
using client::DeadlineIn;
using client::DescribeRpcError;
using client::FetchNetworkId;
using client::GlobalOptions;
using client::kExitOk;
using client::kExitRejected;
using client::kExitUsage;
using client::Lift;
using client::LoadSigningKey;
using client::NetworkIdResult;
using client::NodeTarget;
using client::OpenChannel;
using client::ResolveTargets;

namespace {

using Json = nlohmann::ordered_json;
namespace pb = ::licenced::v1;
using Clock = std::chrono::steady_clock;

struct LoadOptions {
  size_t count = 1000;
  size_t concurrency = 16;
  double rate = 0;  // tx/s; 0 = as fast as possible
  // Default call: an org admin enrols a fresh clerk key (cheap, always accepted,
  // writes one state key).
  std::string chaincode = "identity";
  std::string method = "enrol_clerk";
  // {i} = tx index, {run} = random run id, {key} = a fresh Ed25519 public key (hex).
  std::string args_template = R"({"name":"load-{run}-{i}","public_key":"{key}","roles":["clerk"]})";
  std::string ids_out;
  double tx_timeout_s = 60;
};

std::string Expand(std::string s, size_t i, const std::string& run) {
  std::string key;
  if (s.find("{key}") != std::string::npos) key = ToHex(crypto::KeyPair::Generate().public_key());
  for (auto [pat, val] : {std::pair<std::string, std::string>{"{i}", std::to_string(i)},
                          std::pair<std::string, std::string>{"{run}", run},
                          std::pair<std::string, std::string>{"{key}", key}}) {
    for (size_t pos = s.find(pat); pos != std::string::npos; pos = s.find(pat, pos + val.size())) {
      s.replace(pos, pat.size(), val);
    }
  }
  return s;
}

struct Node {
  NodeTarget target;
  std::unique_ptr<pb::ClientApi::Stub> stub;
};

enum class Outcome { kCommittedOk, kCommittedRejected, kFailed };

struct TxResult {
  Outcome outcome = Outcome::kFailed;
  double latency_ms = 0;
  std::string error;
  size_t busy = 0;  // RESOURCE_EXHAUSTED answers (back-pressure), each retried
};

// Polls every node round-robin for the tx until it is committed or `deadline`.
std::optional<pb::TransactionInfo> PollCommitted(std::vector<Node>& nodes, size_t start,
                                                 const std::string& id,
                                                 Clock::time_point deadline) {
  size_t k = start;
  while (Clock::now() < deadline) {
    Node& n = nodes[k++ % nodes.size()];
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(2));
    pb::GetTransactionRequest req;
    req.set_tx_id_hex(id);
    pb::TransactionInfo info;
    if (n.stub->GetTransaction(&ctx, req, &info).ok() && info.committed()) return info;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));  // poll interval
  }
  return std::nullopt;
}

TxResult SubmitOne(std::vector<Node>& nodes, size_t first, const Bytes& encoded,
                   const std::string& id, double timeout_s) {
  const auto t0 = Clock::now();
  const auto deadline = t0 + std::chrono::milliseconds(static_cast<int64_t>(timeout_s * 1000));
  auto done = [&](const pb::TransactionInfo* info, const pb::SubmitResponse* resp) {
    TxResult r;
    r.latency_ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    const std::string& status = info ? info->status() : resp->status();
    r.outcome = status == "OK" ? Outcome::kCommittedOk : Outcome::kCommittedRejected;
    if (r.outcome != Outcome::kCommittedOk) {
      r.error = status + ": " + (info ? info->message() : resp->message());
    }
    return r;
  };
  size_t k = first;
  size_t busy = 0;
  std::string last_error = "deadline passed before any node accepted it";
  while (Clock::now() < deadline) {
    Node& n = nodes[k % nodes.size()];
    const auto remaining =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(remaining + 2000));
    pb::SubmitRequest req;
    req.set_transaction(encoded.data(), encoded.size());
    req.set_wait_for_commit(true);
    req.set_timeout_ms(static_cast<uint32_t>(std::max<int64_t>(remaining, 1)));
    pb::SubmitResponse resp;
    grpc::Status s = n.stub->SubmitTransaction(&ctx, req, &resp);
    if (s.ok()) {
      TxResult r;
      if (resp.committed()) {
        r = done(nullptr, &resp);
      } else if (auto info = PollCommitted(nodes, k, id, deadline)) {
        r = done(&*info, nullptr);
      } else {
        last_error = "not committed before the per-transaction timeout";
        break;
      }
      r.busy = busy;
      return r;
    }
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      // An earlier attempt (through a node that then failed) got it in.
      auto info = PollCommitted(nodes, k, id, deadline);
      if (info) {
        TxResult r = done(&*info, nullptr);
        r.busy = busy;
        return r;
      }
      last_error = "accepted earlier but not committed before the per-transaction timeout";
      break;
    }
    last_error = DescribeRpcError(n.target, s);
    if (s.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED) {
      // Back-pressure: the node's backlog is full. Retry after a back-off
      // (50 ms doubling to 800 ms), on the next node.
      const int shift = static_cast<int>(std::min<size_t>(busy, 4));
      ++busy;
      ++k;
      std::this_thread::sleep_for(std::chrono::milliseconds(50 << shift));
      continue;
    }
    if (s.error_code() == grpc::StatusCode::UNAVAILABLE ||
        s.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED ||
        s.error_code() == grpc::StatusCode::CANCELLED ||
        s.error_code() == grpc::StatusCode::UNKNOWN) {
      ++k;  // try the next node after a short back-off
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      continue;
    }
    break;  // INVALID_ARGUMENT and other rejections: no point retrying
  }
  TxResult r;
  r.error = last_error;
  r.busy = busy;
  return r;
}

double Percentile(std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t idx = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

CommandResult RunLoad(const GlobalOptions& g, const LoadOptions& o) {
  if (o.count == 0 || o.concurrency == 0) {
    return CliError{kExitUsage, "--count and --concurrency must be at least 1"};
  }
  CLI_ASSIGN_OR_RETURN(const auto targets, Lift(ResolveTargets(g, /*all_nodes=*/true), kExitUsage));
  std::vector<Node> nodes;
  for (const auto& t : targets) {
    CLI_ASSIGN_OR_RETURN(const auto ch, Lift(OpenChannel(t), kExitUsage));
    nodes.push_back(Node{t, pb::ClientApi::NewStub(ch)});
  }
  // Network id from the first node that answers.
  std::string network_id;
  std::string first_error;
  for (auto& n : nodes) {
    NetworkIdResult r = FetchNetworkId(*n.stub, std::min(g.timeout_s, 5.0));
    if (r.status.ok()) {
      network_id = r.id;
      break;
    }
    if (first_error.empty()) first_error = DescribeRpcError(n.target, r.status);
  }
  if (network_id.empty()) return CliError{kExitUsage, "no node answered: " + first_error};

  // Signing keys: --key for all, else each node's org admin key.
  std::vector<crypto::KeyPair> keys;
  for (const auto& n : nodes) {
    GlobalOptions kg = g;
    if (kg.key.empty()) kg.org = n.target.org;
    CLI_ASSIGN_OR_RETURN(crypto::KeyPair key, Lift(LoadSigningKey(kg), kExitUsage));
    keys.push_back(std::move(key));
  }

  std::mt19937_64 rng(std::random_device{}());
  const std::string run = fmt::format("{:016x}", rng());
  std::vector<Bytes> encoded(o.count);
  std::vector<std::string> ids(o.count);
  for (size_t i = 0; i < o.count; ++i) {
    Transaction tx;
    tx.network_id = network_id;
    tx.chaincode = o.chaincode;
    tx.method = o.method;
    tx.args = ToBytes(Expand(o.args_template, i, run));
    const size_t node = i % nodes.size();
    tx.submitter = keys[node].public_key();
    tx.nonce = rng();
    tx.SignWith(keys[node]);
    encoded[i] = tx.Encode();
    ids[i] = ToHex(tx.Id());
  }

  std::vector<TxResult> results(o.count);
  std::atomic<size_t> next{0};
  const auto start = Clock::now();
  auto worker = [&] {
    for (size_t i = next++; i < o.count; i = next++) {
      if (o.rate > 0) {
        std::this_thread::sleep_until(
            start + std::chrono::microseconds(static_cast<int64_t>(1e6 * i / o.rate)));
      }
      results[i] = SubmitOne(nodes, i % nodes.size(), encoded[i], ids[i], o.tx_timeout_s);
    }
  };
  std::vector<std::thread> threads;
  for (size_t w = 0; w < std::min(o.concurrency, o.count); ++w) threads.emplace_back(worker);
  for (auto& t : threads) t.join();
  const double elapsed_s = std::chrono::duration<double>(Clock::now() - start).count();

  size_t ok = 0, rejected = 0, failed = 0, busy = 0;
  std::vector<double> lat;
  Json errors = Json::array();
  std::string committed_ids;
  for (size_t i = 0; i < o.count; ++i) {
    const auto& r = results[i];
    busy += r.busy;
    if (r.outcome == Outcome::kFailed) {
      ++failed;
    } else {
      r.outcome == Outcome::kCommittedOk ? ++ok : ++rejected;
      lat.push_back(r.latency_ms);
      committed_ids += ids[i] + "\n";
    }
    if (!r.error.empty() && errors.size() < 5) errors.push_back(r.error);
  }
  std::sort(lat.begin(), lat.end());
  if (!o.ids_out.empty()) {
    std::ofstream out(o.ids_out);
    out << committed_ids;
    if (!out) return CliError{kExitUsage, "cannot write --ids-out " + o.ids_out};
  }
  Json j;
  j["count"] = o.count;
  j["concurrency"] = o.concurrency;
  j["rate"] = o.rate;
  j["nodes"] = nodes.size();
  j["chaincode"] = o.chaincode;
  j["method"] = o.method;
  j["committed"] = ok + rejected;
  j["committed_ok"] = ok;
  j["committed_rejected"] = rejected;
  j["failed"] = failed;
  j["rejected_busy"] = busy;
  j["elapsed_s"] = elapsed_s;
  j["committed_tx_per_s"] = elapsed_s > 0 ? static_cast<double>(ok + rejected) / elapsed_s : 0;
  j["latency_ms"] = {{"p50", Percentile(lat, 50)},
                     {"p95", Percentile(lat, 95)},
                     {"p99", Percentile(lat, 99)},
                     {"max", lat.empty() ? 0 : lat.back()}};
  j["first_errors"] = errors;
  if (g.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format(
        "{} tx ({} ok, {} rejected by chaincode, {} failed) in {:.2f} s: {:.1f} committed tx/s; "
        "latency p50 {:.1f} ms, p95 {:.1f} ms, p99 {:.1f} ms\n",
        o.count, ok, rejected, failed, elapsed_s, j["committed_tx_per_s"].get<double>(),
        Percentile(lat, 50), Percentile(lat, 95), Percentile(lat, 99));
    for (const auto& e : errors) std::cout << "  e.g. " << e.get<std::string>() << "\n";
  }
  return failed == 0 ? kExitOk : kExitRejected;
}

}  // namespace

void AddLoadCommand(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<LoadOptions>();
  auto* load = app.add_subcommand(
      "load", "submit N pre-signed transactions across nodes; print tx/s and latency");
  load->add_option("--count", o->count, "number of transactions")->capture_default_str();
  load->add_option("--concurrency", o->concurrency, "parallel submitters")->capture_default_str();
  load->add_option("--rate", o->rate, "target tx/s (default: as fast as possible)");
  load->add_option("--chaincode", o->chaincode, "chaincode of the calls")->capture_default_str();
  load->add_option("--method", o->method, "method of the calls")->capture_default_str();
  load->add_option("--args-template", o->args_template,
                   "JSON args; {i} = tx index, {run} = random run id, {key} = fresh public key")
      ->capture_default_str();
  load->add_option("--ids-out", o->ids_out, "write the ids of committed transactions here");
  load->add_option("--tx-timeout", o->tx_timeout_s, "seconds each transaction may take")
      ->capture_default_str();
  load->callback([&ctx, o] { ctx.run = [&ctx, o] { return RunLoad(ctx.global, *o); }; });
}

}  // namespace licenced::bench
