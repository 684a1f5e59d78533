// licencectl bench --workload flows: the one-stop enterprise opening as the
// clerks run it, case after case. `concurrency` cases are in flight; each
// worker opens a case at market's window (sealed personal fields, a fresh
// enterprise name), then claims and completes business licence, seal filing,
// seal engraving, social security, taxpayer and bank account, each through
// its department's node, and every 10th issued business licence is
// suspended, every 25th revoked.
//
// Unlike the enrol_clerk load, these transactions cannot be signed before the
// run: a case id is a counter the chaincode assigns when the case opens, and
// the later steps name it. The workers sign each step when the previous one
// committed (Ed25519 signing is about 1/3 of a verification; the nodes verify
// each transaction 4 times). Every transaction waits for its commit.
#include <algorithm>
#include <atomic>
#include <chrono>
#include <fstream>
#include <mutex>
#include <random>
#include <sstream>
#include <thread>

#include <fmt/core.h>
#include <grpcpp/grpcpp.h>

#include "bench/bench.h"
#include "client/prepare.h"
#include "core/transaction.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::bench {
namespace {

namespace pb = ::licenced::v1;
using Clock = std::chrono::steady_clock;
using nlohmann::json;

double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  size_t idx = static_cast<size_t>(p / 100.0 * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(idx, sorted.size() - 1)];
}

Result<json> ReadExample(const std::string& dir, const std::string& name) {
  std::ifstream in(dir + "/" + name);
  if (!in) return Status::NotFound("cannot read " + dir + "/" + name);
  std::stringstream ss;
  ss << in.rdbuf();
  json j = json::parse(ss.str(), nullptr, false);
  if (j.is_discarded()) return Status::InvalidArgument(dir + "/" + name + " is not JSON");
  return j;
}

// The enterprise flow's department steps in an order its dependencies allow:
// (step, org, outputs example or "").
struct Step {
  const char* id;
  const char* org;
  const char* outputs;
};
constexpr Step kEnterpriseSteps[] = {
    {"business_licence", "market", ""},
    {"seal_filing", "police", ""},
    {"seal_engraving", "police", ""},
    {"social_security", "social", ""},
    {"taxpayer", "tax", "enterprise-taxpayer.json"},
    {"bank_account", "bank", "enterprise-bank_account.json"},
};

struct Shared {
  std::mutex mu;
  std::vector<double> latencies_ms;
  size_t committed = 0;
  size_t failed = 0;
  size_t cases_opened = 0;
  size_t cases_completed = 0;
  size_t licences_issued = 0;
  size_t suspended = 0;
  size_t revoked = 0;
  std::vector<std::string> first_errors;

  void Error(const std::string& e) {
    std::lock_guard<std::mutex> lock(mu);
    ++failed;
    if (first_errors.size() < 5) first_errors.push_back(e);
  }
};

// One worker's connections and signing keys.
class Worker {
 public:
  Worker(const FlowsSpec& spec, Shared& shared, size_t index)
      : spec_(spec), shared_(shared), rng_(index * 7919 + 17) {}

  Status Connect() {
    for (const auto& t : spec_.targets) {
      LIC_ASSIGN_OR_RETURN(auto ch, client::OpenChannel(t));
      stubs_.push_back(pb::ClientApi::NewStub(ch));
    }
    return Status::Ok();
  }

  // Runs one enterprise case to its end (or the first failure).
  void EnterpriseCase(uint64_t run, size_t n, Clock::time_point deadline) {
    json app = spec_.application;
    app["private"]["enterprise_name"] = fmt::format("Bench {:x} Enterprise {} Co., Ltd.", run, n);
    app["holder_key"] = ToHex(spec_.admins.at("market").public_key());
    auto prepared = client::PrepareOpenCase(spec_.genesis, app.dump(), [this](size_t len) {
      Bytes b(len);
      for (auto& x : b) x = static_cast<uint8_t>(rng_());
      return b;
    });
    if (!prepared.ok()) return shared_.Error("open_case: " + prepared.status().ToString());
    auto opened = Submit("market", "workflow", "open_case", prepared->args);
    if (!opened) return;
    const std::string case_id = opened->value("case_id", "");
    {
      std::lock_guard<std::mutex> lock(shared_.mu);
      ++shared_.cases_opened;
    }
    std::string licence;
    for (const Step& s : kEnterpriseSteps) {
      if (Clock::now() > deadline) return;
      const std::string task = case_id + "/" + s.id;
      if (!Submit(s.org, "workflow", "claim", {{"task_id", task}})) return;
      json args = {{"task_id", task}};
      if (*s.outputs) args["outputs"] = spec_.outputs.at(s.outputs);
      auto done = Submit(s.org, "workflow", "complete", args);
      if (!done) return;
      if (std::string(s.id) == "business_licence") {
        licence = FindLicence(*done);
        std::lock_guard<std::mutex> lock(shared_.mu);
        shared_.licences_issued += licence.empty() ? 0 : 1;
      }
    }
    {
      std::lock_guard<std::mutex> lock(shared_.mu);
      ++shared_.cases_completed;
    }
    if (licence.empty()) return;
    if (n % 25 == 24) {
      if (Submit("market", "licence", "revoke", {{"identifier", licence}, {"reason", "bench"}})) {
        std::lock_guard<std::mutex> lock(shared_.mu);
        ++shared_.revoked;
      }
    } else if (n % 10 == 9) {
      if (Submit("market", "licence", "suspend", {{"identifier", licence}, {"reason", "bench"}})) {
        std::lock_guard<std::mutex> lock(shared_.mu);
        ++shared_.suspended;
      }
    }
  }

 private:
  static std::string FindLicence(const json& result) {
    // workflow.complete reports the licences it issued among its outputs.
    for (const char* where : {"licences", "outputs"}) {
      if (!result.contains(where) || !result[where].is_object()) continue;
      for (const auto& [k, v] : result[where].items()) {
        if (v.is_string() && v.get<std::string>().rfind("1.2.156.", 0) == 0) return v;
      }
    }
    return "";
  }

  size_t TargetOf(const std::string& org) const {
    for (size_t i = 0; i < spec_.targets.size(); ++i) {
      if (spec_.targets[i].org == org) return i;
    }
    return 0;  // a member org without a node of its own uses the first node
  }

  // Signs with `org`'s admin key, submits to the org's node and waits for the
  // commit; the chaincode's result, or nullopt (counted as failed).
  std::optional<json> Submit(const std::string& org, const std::string& chaincode,
                             const std::string& method, const json& args) {
    Transaction tx;
    tx.network_id = spec_.genesis.network_id;
    tx.chaincode = chaincode;
    tx.method = method;
    tx.args = ToBytes(args.dump());
    const crypto::KeyPair& key = spec_.admins.at(org);
    tx.submitter = key.public_key();
    tx.nonce = rng_();
    tx.SignWith(key);
    const Bytes encoded = tx.Encode();
    pb::SubmitRequest req;
    req.set_transaction(encoded.data(), encoded.size());
    req.set_wait_for_commit(true);
    const auto timeout_ms = static_cast<uint32_t>(spec_.tx_timeout_s * 1000);
    req.set_timeout_ms(timeout_ms);
    const auto t0 = Clock::now();
    for (int attempt = 0;; ++attempt) {
      grpc::ClientContext ctx;
      ctx.set_deadline(std::chrono::system_clock::now() +
                       std::chrono::milliseconds(timeout_ms + 2000));
      pb::SubmitResponse resp;
      grpc::Status st = stubs_[TargetOf(org)]->SubmitTransaction(&ctx, req, &resp);
      if (st.error_code() == grpc::StatusCode::RESOURCE_EXHAUSTED && attempt < 100) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20 + 10 * attempt));
        continue;  // back-pressure: the same signed transaction again
      }
      if (!st.ok()) {
        shared_.Error(fmt::format("{}.{}: {}", chaincode, method, st.error_message()));
        return std::nullopt;
      }
      if (!resp.committed()) {
        shared_.Error(
            fmt::format("{}.{}: not committed within {} ms", chaincode, method, timeout_ms));
        return std::nullopt;
      }
      const double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
      {
        std::lock_guard<std::mutex> lock(shared_.mu);
        ++shared_.committed;
        shared_.latencies_ms.push_back(ms);
      }
      if (resp.status() != "OK") {
        shared_.Error(
            fmt::format("{}.{}: {} {}", chaincode, method, resp.status(), resp.message()));
        return std::nullopt;
      }
      json result = json::parse(resp.result_json(), nullptr, false);
      return result.is_discarded() ? json::object() : result;
    }
  }

  const FlowsSpec& spec_;
  Shared& shared_;
  std::mt19937_64 rng_;
  std::vector<std::unique_ptr<pb::ClientApi::Stub>> stubs_;
};

}  // namespace

Json FlowsFigures::ToJson() const {
  Json j;
  j["workload"] = "flows";
  j["flows"] = {"enterprise"};
  j["concurrency"] = concurrency;
  j["duration_s"] = duration_s;
  j["cases_opened"] = cases_opened;
  j["cases_completed"] = cases_completed;
  j["cases_per_s"] = cases_per_s;
  j["committed"] = committed;
  j["committed_tx_per_s"] = committed_tx_per_s;
  j["failed"] = failed;
  j["licences_issued"] = licences_issued;
  j["suspended"] = suspended;
  j["revoked"] = revoked;
  j["latency_ms"] = {{"p50", p50_ms}, {"p99", p99_ms}, {"max", max_ms}};
  if (!first_errors.empty()) j["first_errors"] = first_errors;
  return j;
}

Result<FlowsFigures> RunFlows(const FlowsSpec& s) {
  if (s.targets.empty()) return Status::InvalidArgument("bench flows: no node to submit to");
  for (const char* org : {"market", "police", "social", "tax", "bank"}) {
    if (!s.admins.count(org)) {
      return Status::InvalidArgument(std::string("bench flows: no admin key of org '") + org + "'");
    }
  }
  FlowsSpec spec = s;
  LIC_ASSIGN_OR_RETURN(spec.application,
                       ReadExample(s.examples_dir, "enterprise-application.json"));
  for (const Step& st : kEnterpriseSteps) {
    if (!*st.outputs) continue;
    LIC_ASSIGN_OR_RETURN(json out, ReadExample(s.examples_dir, st.outputs));
    spec.outputs[st.outputs] = out.contains("outputs") ? out["outputs"] : out;
  }
  Shared shared;
  const size_t workers = std::max<size_t>(1, s.concurrency);
  std::vector<std::unique_ptr<Worker>> ws;
  for (size_t i = 0; i < workers; ++i) {
    ws.push_back(std::make_unique<Worker>(spec, shared, i));
    LIC_RETURN_IF_ERROR(ws.back()->Connect());
  }
  std::random_device rd;
  const uint64_t run = (static_cast<uint64_t>(rd()) << 32) | rd();
  std::atomic<size_t> next_case{0};
  const auto t0 = Clock::now();
  const auto deadline =
      t0 + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s.duration_s));
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers; ++i) {
    threads.emplace_back([&, i] {
      while (Clock::now() < deadline) ws[i]->EnterpriseCase(run, next_case++, deadline);
    });
  }
  std::thread progress;
  std::atomic<bool> running{true};
  if (s.progress) {
    progress = std::thread([&] {
      while (running) {
        const double f = std::chrono::duration<double>(Clock::now() - t0).count() / s.duration_s;
        size_t cases = 0, txs = 0;
        {
          std::lock_guard<std::mutex> lock(shared.mu);
          cases = shared.cases_completed;
          txs = shared.committed;
        }
        s.progress(std::min(f, 1.0), fmt::format("{} cases, {} txs", cases, txs));
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
      }
    });
  }
  for (auto& t : threads) t.join();
  running = false;
  if (progress.joinable()) progress.join();
  // Counted over the whole run, the steps that finished after the deadline included.
  const double elapsed = std::chrono::duration<double>(Clock::now() - t0).count();
  FlowsFigures f;
  f.concurrency = workers;
  f.duration_s = elapsed;
  f.cases_opened = shared.cases_opened;
  f.cases_completed = shared.cases_completed;
  f.cases_per_s = static_cast<double>(shared.cases_completed) / elapsed;
  f.committed = shared.committed;
  f.committed_tx_per_s = static_cast<double>(shared.committed) / elapsed;
  f.failed = shared.failed;
  f.licences_issued = shared.licences_issued;
  f.suspended = shared.suspended;
  f.revoked = shared.revoked;
  std::sort(shared.latencies_ms.begin(), shared.latencies_ms.end());
  f.p50_ms = Percentile(shared.latencies_ms, 50);
  f.p99_ms = Percentile(shared.latencies_ms, 99);
  f.max_ms = shared.latencies_ms.empty() ? 0 : shared.latencies_ms.back();
  f.first_errors = shared.first_errors;
  return f;
}

}  // namespace licenced::bench
