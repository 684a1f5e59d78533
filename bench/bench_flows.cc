// licencectl bench --workload flows: both one-stop flows as the clerks run
// them, case after case. `concurrency` cases are in flight, the workers
// alternating the two flows:
//   - enterprise opening: market's window opens the case (sealed personal
//     fields, a fresh enterprise name), then business licence, seal filing,
//     seal engraving, social security, taxpayer and bank account are claimed
//     and completed, each through its department's node; every 10th issued
//     business licence is then suspended, every 25th revoked;
//   - newborn registration: health's window opens the case (a fresh child,
//     born on some day of the past year), then birth certificate,
//     vaccination, household registration (the police client assigns the
//     resident ID number), medical insurance and the social security card.
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
#include "core/data_integrity.h"
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
constexpr Step kNewbornSteps[] = {
    {"birth_certificate", "health", "newborn-birth_certificate.json"},
    {"vaccination", "health", "newborn-vaccination.json"},
    {"household_registration", "police", ""},
    {"medical_insurance", "social", "newborn-medical_insurance.json"},
    {"social_security_card", "social", "newborn-social_security_card.json"},
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
  size_t enterprise_completed = 0;
  size_t newborn_completed = 0;
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

// One worker's stubs and signing keys. The workers share one channel (one
// TLS connection) per node, as the enrol_clerk load does: a connection per
// worker and node would charge each node the buffers of `concurrency` client
// connections, a cost of the load generator's shape, not of the flows.
class Worker {
 public:
  Worker(const FlowsSpec& spec, Shared& shared, size_t index)
      : spec_(spec), shared_(shared), rng_(index * 7919 + 17) {}

  void Connect(const std::vector<std::shared_ptr<grpc::Channel>>& channels) {
    for (const auto& ch : channels) stubs_.push_back(pb::ClientApi::NewStub(ch));
  }

  // Runs one newborn case to its end (or the first failure). Each child is
  // born on another day of the past year, so that concurrent cases rarely
  // compete for the same resident ID sequence; when they do, the household
  // registration asks for the next free number again.
  void NewbornCase(uint64_t run, size_t n, Clock::time_point deadline) {
    json app = spec_.newborn_application;
    const uint64_t day_ms = 86'400'000ull;
    const uint64_t born_ms =
        client::ClientNowMs() / day_ms * day_ms - (2 + n % 300) * day_ms + (n % 1440) * 60'000;
    app["private"]["child_name"] = fmt::format("Bench {:x} Child {}", run, n);
    app["private"]["birth_time"] = data_integrity::IsoTime(born_ms).substr(0, 16);
    app["holder_key"] = ToHex(spec_.admins.at("health").public_key());
    auto prepared = client::PrepareOpenCase(spec_.genesis, app.dump(), Random());
    if (!prepared.ok()) return shared_.Error("open_case: " + prepared.status().ToString());
    auto opened = Submit("health", "workflow", "open_case", prepared->args);
    if (!opened) return;
    const std::string case_id = opened->value("case_id", "");
    {
      std::lock_guard<std::mutex> lock(shared_.mu);
      ++shared_.cases_opened;
    }
    for (const Step& s : kNewbornSteps) {
      if (Clock::now() > deadline) return;
      const std::string task = case_id + "/" + s.id;
      if (!Submit(s.org, "workflow", "claim", {{"task_id", task}})) return;
      std::optional<json> done;
      if (std::string(s.id) == "household_registration") {
        done = HouseholdRegistration(task, prepared->secrets);
      } else {
        json args = {{"task_id", task}};
        if (*s.outputs) args["outputs"] = spec_.outputs.at(s.outputs);
        if (std::string(s.id) == "birth_certificate") {
          // One letter and 9 digits, unique in this run (n < 10^4) and most likely across runs.
          args["outputs"]["certificate_number"] = fmt::format(
              "{}{:05}{:04}", static_cast<char>('A' + run % 26), (run >> 5) % 100000, n % 10000);
        }
        done = Submit(s.org, "workflow", "complete", args);
      }
      if (!done) return;
      if (FindLicence(*done).empty()) continue;
      std::lock_guard<std::mutex> lock(shared_.mu);
      ++shared_.licences_issued;
    }
    std::lock_guard<std::mutex> lock(shared_.mu);
    ++shared_.cases_completed;
    ++shared_.newborn_completed;
  }

  // Runs one enterprise case to its end (or the first failure).
  void EnterpriseCase(uint64_t run, size_t n, Clock::time_point deadline) {
    json app = spec_.application;
    app["private"]["enterprise_name"] = fmt::format("Bench {:x} Enterprise {} Co., Ltd.", run, n);
    app["holder_key"] = ToHex(spec_.admins.at("market").public_key());
    auto prepared = client::PrepareOpenCase(spec_.genesis, app.dump(), Random());
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
      ++shared_.enterprise_completed;
    }
    if (licence.empty()) return;
    const size_t k = n / 2;  // this case's number among the enterprise cases
    if (k % 25 == 24) {
      if (Submit("market", "licence", "revoke", {{"identifier", licence}, {"reason", "bench"}})) {
        std::lock_guard<std::mutex> lock(shared_.mu);
        ++shared_.revoked;
      }
    } else if (k % 10 == 9) {
      if (Submit("market", "licence", "suspend", {{"identifier", licence}, {"reason", "bench"}})) {
        std::lock_guard<std::mutex> lock(shared_.mu);
        ++shared_.suspended;
      }
    }
  }

 private:
  client::RandomBytes Random() {
    return [this](size_t len) {
      Bytes b(len);
      for (auto& x : b) x = static_cast<uint8_t>(rng_());
      return b;
    };
  }

  // The police client's household registration: the next free resident ID
  // for the child's birth date, sex and address (the bench opened the case,
  // so it holds what the window sealed to police), its commitment and tag on
  // the ledger, the number sealed on to social.
  std::optional<json> HouseholdRegistration(const std::string& task, const json& secrets) {
    for (int attempt = 0; attempt < 5; ++attempt) {
      const json query = {
          {"address_code", secrets["household_address_code"]["value"]},
          {"birth_date", secrets["birth_time"]["value"].get<std::string>().substr(0, 10)},
          {"sex", secrets["sex"]["value"]}};
      auto next = Query("police", "next_resident_id", query);
      if (!next) return std::nullopt;
      auto prepared = client::PrepareHouseholdRegistration(spec_.genesis, task, secrets,
                                                           next->value("resident_id", ""), Random(),
                                                           client::ClientNowMs());
      if (!prepared.ok()) {
        shared_.Error("household_registration: " + prepared.status().ToString());
        return std::nullopt;
      }
      // The last attempt counts a refusal as a failure; earlier ones retry.
      auto done = Submit("police", "workflow", "complete", prepared->args, attempt == 4);
      if (done) return done;
    }
    return std::nullopt;
  }

  std::optional<json> Query(const std::string& org, const std::string& method, const json& args) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    pb::QueryRequest req;
    req.set_chaincode("workflow");
    req.set_method(method);
    req.set_args_json(args.dump());
    pb::QueryResponse resp;
    grpc::Status st = stubs_[TargetOf(org)]->Query(&ctx, req, &resp);
    if (!st.ok()) {
      shared_.Error(fmt::format("query {}: {}", method, st.error_message()));
      return std::nullopt;
    }
    json j = json::parse(resp.result_json(), nullptr, false);
    if (j.is_discarded()) return json::object();
    return j;
  }

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
                             const std::string& method, const json& args,
                             bool count_refusal = true) {
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
        if (!count_refusal) return std::nullopt;
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
  j["flows"] = {"enterprise", "newborn"};
  j["concurrency"] = concurrency;
  j["duration_s"] = duration_s;
  j["cases_opened"] = cases_opened;
  j["cases_completed"] = cases_completed;
  j["enterprise_completed"] = enterprise_completed;
  j["newborn_completed"] = newborn_completed;
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
  for (const char* org : {"market", "police", "social", "tax", "bank", "health"}) {
    if (!s.admins.count(org)) {
      return Status::InvalidArgument(std::string("bench flows: no admin key of org '") + org + "'");
    }
  }
  FlowsSpec spec = s;
  LIC_ASSIGN_OR_RETURN(spec.application,
                       ReadExample(s.examples_dir, "enterprise-application.json"));
  LIC_ASSIGN_OR_RETURN(spec.newborn_application,
                       ReadExample(s.examples_dir, "newborn-application.json"));
  std::vector<Step> steps(std::begin(kEnterpriseSteps), std::end(kEnterpriseSteps));
  steps.insert(steps.end(), std::begin(kNewbornSteps), std::end(kNewbornSteps));
  for (const Step& st : steps) {
    if (!*st.outputs) continue;
    LIC_ASSIGN_OR_RETURN(json out, ReadExample(s.examples_dir, st.outputs));
    spec.outputs[st.outputs] = out.contains("outputs") ? out["outputs"] : out;
  }
  Shared shared;
  const size_t workers = std::max<size_t>(1, s.concurrency);
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  for (const auto& t : spec.targets) {
    LIC_ASSIGN_OR_RETURN(auto ch, client::OpenChannel(t));
    channels.push_back(std::move(ch));
  }
  std::vector<std::unique_ptr<Worker>> ws;
  for (size_t i = 0; i < workers; ++i) {
    ws.push_back(std::make_unique<Worker>(spec, shared, i));
    ws.back()->Connect(channels);
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
      // Workers alternate the two flows case by case.
      while (Clock::now() < deadline) {
        const size_t n = next_case++;
        if (n % 2 == 0) {
          ws[i]->EnterpriseCase(run, n, deadline);
        } else {
          ws[i]->NewbornCase(run, n, deadline);
        }
      }
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
  f.enterprise_completed = shared.enterprise_completed;
  f.newborn_completed = shared.newborn_completed;
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
