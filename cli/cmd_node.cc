// Operator commands that talk to nodes: status, block show, tx show|submit|check.
// The load generator is bench/cmd_load.cc (lic_bench).
#include <fstream>
#include <iostream>
#include <random>
#include <sstream>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "client/conn.h"
#include "client/files.h"
#include "core/bytes.h"
#include "core/transaction.h"

namespace licenced::cli {
using client::DeadlineIn;
using client::DescribeRpcError;
using client::FetchNetworkId;
using client::LoadSigningKey;
using client::NetworkIdResult;
using client::NodeTarget;
using client::OpenChannel;
using client::ReadTextFile;
using client::ResolveTargets;
using client::RpcFailure;

namespace {

using Json = nlohmann::ordered_json;
namespace pb = ::licenced::v1;

std::string Short(const std::string& hex) { return hex.size() > 12 ? hex.substr(0, 12) : hex; }

Json StatusToJson(const NodeTarget& t, const pb::NodeStatus& s) {
  Json j;
  j["org"] = s.org().empty() ? t.org : s.org();
  j["node_id"] = s.node_id();
  j["address"] = t.address;
  j["up"] = true;
  j["network_id"] = s.network_id();
  j["replica_id"] = s.replica_id();
  j["height"] = s.height();
  j["head_hash"] = s.head_hash_hex();
  j["state_root"] = s.state_root_hex();
  j["view"] = s.view();
  j["primary"] = s.primary();
  j["stable_checkpoint"] = s.stable_checkpoint();
  j["mempool_size"] = s.mempool_size();
  j["view_changes"] = s.view_changes();
  j["genesis_hash"] = s.genesis_hash_hex();
  j["certified_height"] = s.certified_height();
  j["order_ahead_window"] = s.order_ahead_window();
  j["execution_halted"] = s.execution_halted().empty() ? Json(nullptr) : Json(s.execution_halted());
  Json peers = Json::array();
  for (const auto& p : s.peers()) {
    peers.push_back({{"name", p.name()},
                     {"org", p.org()},
                     {"address", p.address()},
                     {"connected", p.connected()},
                     {"dropped_messages", p.dropped_messages()}});
  }
  j["peers"] = std::move(peers);
  if (s.has_tls()) {
    const auto& t = s.tls();
    j["tls"] = {
        {"subject", t.subject()},
        {"fingerprint_sha256", t.fingerprint_sha256_hex()},
        {"not_after_ms", t.not_after_ms()},
        {"days_to_expiry", t.days_to_expiry()},
        {"ca_subject", t.ca_subject()},
        {"ca_not_after_ms", t.ca_not_after_ms()},
        {"ca_days_to_expiry", t.ca_days_to_expiry()},
        {"reloads_applied", t.reloads_applied()},
        {"reloads_refused", t.reloads_refused()},
        {"last_refusal", t.last_refusal().empty() ? Json(nullptr) : Json(t.last_refusal())}};
  }
  return j;
}

CommandResult RunStatus(const GlobalOptions& g) {
  CLI_ASSIGN_OR_RETURN(const auto targets, Lift(ResolveTargets(g, /*all_nodes=*/true), kExitUsage));
  Json all = Json::array();
  bool any_down = false;
  for (const auto& t : targets) {
    Json j;
    auto channel = OpenChannel(t);
    grpc::Status rpc_status;
    pb::NodeStatus reply;
    if (!channel.ok()) {
      rpc_status = grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, channel.status().message());
    } else {
      auto stub = pb::ClientApi::NewStub(*channel);
      grpc::ClientContext ctx;
      ctx.set_deadline(DeadlineIn(std::min(g.timeout_s, 5.0)));
      rpc_status = stub->GetStatus(&ctx, pb::GetStatusRequest(), &reply);
    }
    if (rpc_status.ok()) {
      j = StatusToJson(t, reply);
    } else {
      any_down = true;
      j["org"] = t.org;
      j["node_id"] = t.node_id;
      j["address"] = t.address;
      j["up"] = false;
      j["error"] = DescribeRpcError(t, rpc_status);
    }
    all.push_back(std::move(j));
  }
  if (g.json) {
    std::cout << all.dump(2) << "\n";
  } else {
    std::cout << fmt::format("{:<10} {:<10} {:<22} {:>7} {:<13} {:<13} {:>5} {:<10} {}\n", "org",
                             "node", "client", "height", "head", "state_root", "view", "primary",
                             "peers");
    for (const auto& j : all) {
      if (!j["up"].get<bool>()) {
        std::cout << fmt::format("{:<10} {:<10} {:<22} DOWN: {}\n", j.value("org", ""),
                                 j.value("node_id", ""), j.value("address", ""),
                                 j.value("error", ""));
        continue;
      }
      size_t connected = 0;
      for (const auto& p : j["peers"]) connected += p["connected"].get<bool>() ? 1 : 0;
      std::cout << fmt::format("{:<10} {:<10} {:<22} {:>7} {:<13} {:<13} {:>5} {:<10} {}/{}\n",
                               j["org"].get<std::string>(), j["node_id"].get<std::string>(),
                               j["address"].get<std::string>(), j["height"].get<uint64_t>(),
                               Short(j["head_hash"].get<std::string>()),
                               Short(j["state_root"].get<std::string>()), j["view"].get<uint64_t>(),
                               j["primary"].get<std::string>(), connected, j["peers"].size());
      if (!j["execution_halted"].is_null()) {
        std::cout << fmt::format("  EXECUTION HALTED: {}\n",
                                 j["execution_halted"].get<std::string>());
      }
      if (j.contains("tls")) {
        const Json& t = j["tls"];
        const int64_t days = t["days_to_expiry"].get<int64_t>();
        const int64_t ca_days = t["ca_days_to_expiry"].get<int64_t>();
        if (days < 30 || ca_days < 30) {
          std::cout << fmt::format("  TLS certificate expires in {} days, its CA in {} days\n",
                                   days, ca_days);
        }
        if (!t["last_refusal"].is_null()) {
          std::cout << fmt::format("  TLS replacement refused: {}\n",
                                   t["last_refusal"].get<std::string>());
        }
      }
    }
  }
  return any_down ? kExitUsage : kExitOk;
}

struct BlockOptions {
  uint64_t height = 0;
  bool raw = false;
};

// One unary ClientApi call to the first target (--node, else --org/--net),
// with the --timeout deadline: the answer.
template <typename Req, typename Resp>
CliResult<Resp> CallFirstNode(const GlobalOptions& g, const Req& req,
                              grpc::Status (pb::ClientApi::Stub::*method)(grpc::ClientContext*,
                                                                          const Req&, Resp*)) {
  CLI_ASSIGN_OR_RETURN(const auto targets, Lift(ResolveTargets(g, false), kExitUsage));
  const auto& t = targets.front();
  CLI_ASSIGN_OR_RETURN(const auto channel, Lift(OpenChannel(t), kExitUsage));
  auto stub = pb::ClientApi::NewStub(channel);
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(g.timeout_s));
  Resp resp;
  grpc::Status s = ((*stub).*method)(&ctx, req, &resp);
  if (!s.ok()) return RpcFailure(t, s);
  return resp;
}

CommandResult RunBlockShow(const GlobalOptions& g, const BlockOptions& o) {
  pb::GetBlockRequest req;
  req.set_height(o.height);
  CLI_ASSIGN_OR_RETURN(const pb::BlockInfo b,
                       CallFirstNode(g, req, &pb::ClientApi::Stub::GetBlock));
  if (g.json) {
    Json j;
    j["height"] = b.height();
    j["hash"] = b.hash_hex();
    j["prev_hash"] = b.prev_hash_hex();
    j["timestamp_ms"] = b.timestamp_ms();
    j["tx_root"] = b.tx_root_hex();
    j["state_root"] = b.state_root_hex();
    j["proposer"] = b.proposer();
    j["proposer_name"] = b.proposer_name();
    j["view"] = b.view();
    j["signatures"] = b.signatures();
    j["tx_ids"] = Json(std::vector<std::string>(b.tx_ids_hex().begin(), b.tx_ids_hex().end()));
    if (o.raw) {
      j["block_hex"] = ToHex(AsBytes(b.block()));
      j["certificate_hex"] = ToHex(AsBytes(b.certificate()));
    }
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format(
        "block {}\n  hash        {}\n  prev hash   {}\n  time        {} ms\n  tx root     {}\n"
        "  state root  {} (state after block {})\n  proposer    {} ({})\n"
        "  certificate view {}, {} signatures\n  transactions {}\n",
        b.height(), b.hash_hex(), b.prev_hash_hex(), b.timestamp_ms(), b.tx_root_hex(),
        b.state_root_hex(), b.height() == 0 ? 0 : b.height() - 1, b.proposer_name(), b.proposer(),
        b.view(), b.signatures(), b.tx_ids_hex_size());
    for (const auto& id : b.tx_ids_hex()) std::cout << "    " << id << "\n";
  }
  return kExitOk;
}

Json TxToJson(const pb::TransactionInfo& info) {
  Json j;
  j["tx_id"] = info.tx_id_hex();
  j["committed"] = info.committed();
  j["height"] = info.height();
  j["index"] = info.index();
  j["status"] = info.status();
  j["message"] = info.message();
  auto result = Json::parse(info.result_json(), nullptr, false);
  j["result"] = result.is_discarded() ? Json(info.result_json()) : result;
  auto tx = Transaction::Decode(AsBytes(info.transaction()));
  if (tx.ok()) {
    j["network_id"] = tx->network_id;
    j["chaincode"] = tx->chaincode;
    j["method"] = tx->method;
    j["submitter"] = ToHex(tx->submitter);
    j["nonce"] = tx->nonce;
    auto args = Json::parse(ToString(tx->args), nullptr, false);
    j["args"] = args.is_discarded() ? Json(ToString(tx->args)) : args;
  }
  return j;
}

struct TxShowOptions {
  std::string id;
};

CommandResult RunTxShow(const GlobalOptions& g, const TxShowOptions& o) {
  pb::GetTransactionRequest req;
  req.set_tx_id_hex(o.id);
  CLI_ASSIGN_OR_RETURN(const pb::TransactionInfo info,
                       CallFirstNode(g, req, &pb::ClientApi::Stub::GetTransaction));
  Json j = TxToJson(info);
  if (g.json) {
    std::cout << j.dump(2) << "\n";
  } else {
    std::cout << fmt::format("transaction {}\n", info.tx_id_hex());
    if (!info.committed()) {
      std::cout << "  pending (not committed yet)\n";
    } else {
      std::cout << fmt::format("  committed in block {} at index {}\n  status {}{}\n",
                               info.height(), info.index(), info.status(),
                               info.message().empty() ? "" : ": " + info.message());
    }
    if (j.contains("chaincode")) {
      std::cout << fmt::format("  call {}.{} by {} nonce {}\n  args {}\n",
                               j["chaincode"].get<std::string>(), j["method"].get<std::string>(),
                               j["submitter"].get<std::string>(), j["nonce"].get<uint64_t>(),
                               j["args"].dump());
    }
    if (!info.result_json().empty()) std::cout << "  result " << info.result_json() << "\n";
  }
  return info.committed() && info.status() != "OK" ? kExitRejected : kExitOk;
}

struct TxSubmitOptions {
  std::string chaincode;
  std::string method;
  std::string args = "{}";
  uint64_t nonce = 0;
  bool no_wait = false;
};

CommandResult RunTxSubmit(const GlobalOptions& g, const TxSubmitOptions& o) {
  CLI_ASSIGN_OR_RETURN(const auto targets, Lift(ResolveTargets(g, false), kExitUsage));
  const auto& t = targets.front();
  CLI_ASSIGN_OR_RETURN(const crypto::KeyPair key, Lift(LoadSigningKey(g), kExitUsage));
  std::string args = o.args;
  if (!args.empty() && args[0] == '@') {
    CLI_ASSIGN_OR_RETURN(args, Lift(ReadTextFile(args.substr(1)), kExitUsage));
  }
  if (!nlohmann::json::accept(args)) {
    return CliError{kExitUsage, "--args is not valid JSON; pass a JSON object or @FILE"};
  }
  CLI_ASSIGN_OR_RETURN(const auto channel, Lift(OpenChannel(t), kExitUsage));
  auto stub = pb::ClientApi::NewStub(channel);
  NetworkIdResult network_id = FetchNetworkId(*stub, g.timeout_s);
  if (!network_id.status.ok()) {
    return CliError{kExitUsage, DescribeRpcError(t, network_id.status)};
  }
  Transaction tx;
  tx.network_id = network_id.id;
  tx.chaincode = o.chaincode;
  tx.method = o.method;
  tx.args = ToBytes(args);
  tx.submitter = key.public_key();
  tx.nonce =
      o.nonce != 0 ? o.nonce : std::random_device{}() * 4294967296ULL + std::random_device{}();
  tx.SignWith(key);
  pb::SubmitRequest req;
  const Bytes encoded = tx.Encode();
  req.set_transaction(encoded.data(), encoded.size());
  req.set_wait_for_commit(!o.no_wait);
  req.set_timeout_ms(static_cast<uint32_t>(g.timeout_s * 1000));
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(g.timeout_s + 5));
  pb::SubmitResponse resp;
  grpc::Status s = stub->SubmitTransaction(&ctx, req, &resp);
  if (!s.ok()) return RpcFailure(t, s);
  Json j;
  j["tx_id"] = resp.tx_id_hex();
  j["committed"] = resp.committed();
  j["height"] = resp.height();
  j["index"] = resp.index();
  j["status"] = resp.status();
  j["message"] = resp.message();
  auto result = Json::parse(resp.result_json(), nullptr, false);
  j["result"] = result.is_discarded() ? Json(resp.result_json()) : result;
  if (g.json) {
    std::cout << j.dump(2) << "\n";
  } else if (resp.committed()) {
    std::cout << fmt::format("tx {} committed in block {} (index {}): {}{}\n", resp.tx_id_hex(),
                             resp.height(), resp.index(), resp.status(),
                             resp.message().empty() ? "" : ": " + resp.message());
    if (!resp.result_json().empty()) std::cout << "result " << resp.result_json() << "\n";
  } else {
    std::cout << fmt::format("tx {} accepted, {} (check with 'licencectl tx show {}')\n",
                             resp.tx_id_hex(), o.no_wait ? "not waiting" : "not committed yet",
                             resp.tx_id_hex());
  }
  if (resp.committed() && resp.status() != "OK") return kExitRejected;
  if (!o.no_wait && !resp.committed()) {
    return CliError{kExitUsage,
                    "the transaction was not committed within --timeout; check it later "
                    "with 'licencectl tx show ID'"};
  }
  return kExitOk;
}

struct TxCheckOptions {
  std::string ids_file;
};

// Every id in the file is committed on every node of --net (or the given node).
CommandResult RunTxCheck(const GlobalOptions& g, const TxCheckOptions& o) {
  CLI_ASSIGN_OR_RETURN(const auto targets, Lift(ResolveTargets(g, true), kExitUsage));
  CLI_ASSIGN_OR_RETURN(const std::string text, Lift(ReadTextFile(o.ids_file), kExitUsage));
  std::vector<std::string> ids;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty()) ids.push_back(line);
  }
  Json nodes = Json::array();
  bool all_ok = true;
  for (const auto& t : targets) {
    CLI_ASSIGN_OR_RETURN(const auto channel, Lift(OpenChannel(t), kExitUsage));
    auto stub = pb::ClientApi::NewStub(channel);
    size_t committed = 0, missing = 0;
    std::vector<std::string> missing_ids;
    for (const auto& id : ids) {
      grpc::ClientContext ctx;
      ctx.set_deadline(DeadlineIn(g.timeout_s));
      pb::GetTransactionRequest req;
      req.set_tx_id_hex(id);
      pb::TransactionInfo info;
      grpc::Status s = stub->GetTransaction(&ctx, req, &info);
      if (s.ok() && info.committed()) {
        ++committed;
      } else if (s.ok() || s.error_code() == grpc::StatusCode::NOT_FOUND) {
        ++missing;
        if (missing_ids.size() < 10) missing_ids.push_back(id);
      } else {
        return CliError{kExitUsage, DescribeRpcError(t, s)};
      }
    }
    if (missing > 0) all_ok = false;
    nodes.push_back({{"org", t.org},
                     {"node_id", t.node_id},
                     {"checked", ids.size()},
                     {"committed", committed},
                     {"missing", missing},
                     {"missing_ids", missing_ids}});
  }
  if (g.json) {
    std::cout << Json({{"ok", all_ok}, {"nodes", nodes}}).dump(2) << "\n";
  } else {
    for (const auto& n : nodes) {
      std::cout << fmt::format("{:<10} {} of {} committed, {} missing\n",
                               n["org"].get<std::string>(), n["committed"].get<size_t>(),
                               n["checked"].get<size_t>(), n["missing"].get<size_t>());
    }
  }
  return all_ok ? kExitOk : kExitRejected;
}

}  // namespace

void AddNodeCommands(CLI::App& app, CliContext& ctx) {
  auto* status = app.add_subcommand(
      "status", "height, head hash, state root, view, primary and peers of each node");
  status->callback([&ctx] { ctx.run = [&ctx] { return RunStatus(ctx.global); }; });

  auto* block = app.add_subcommand("block", "committed blocks");
  block->require_subcommand(1);
  auto bo = std::make_shared<BlockOptions>();
  auto* show = block->add_subcommand("show", "a block with its commit certificate");
  show->add_option("height", bo->height, "block height (0 = head)")->required();
  show->add_flag("--raw", bo->raw, "with --json: include block and certificate bytes as hex");
  show->callback([&ctx, bo] { ctx.run = [&ctx, bo] { return RunBlockShow(ctx.global, *bo); }; });

  auto* tx = app.add_subcommand("tx", "transactions");
  tx->require_subcommand(1);
  auto to = std::make_shared<TxShowOptions>();
  auto* tx_show = tx->add_subcommand("show", "status, result and call of a transaction");
  tx_show->add_option("id", to->id, "transaction id (hex)")->required();
  tx_show->callback([&ctx, to] { ctx.run = [&ctx, to] { return RunTxShow(ctx.global, *to); }; });

  auto so = std::make_shared<TxSubmitOptions>();
  auto* submit = tx->add_subcommand("submit", "sign and submit one chaincode call");
  submit->add_option("--chaincode", so->chaincode, "chaincode name")->required();
  submit->add_option("--method", so->method, "method name")->required();
  submit->add_option("--args", so->args, "arguments: JSON text or @FILE")->capture_default_str();
  submit->add_option("--nonce", so->nonce, "nonce (default: random)");
  submit->add_flag("--no-wait", so->no_wait, "return once accepted, without waiting for commit");
  submit->callback([&ctx, so] { ctx.run = [&ctx, so] { return RunTxSubmit(ctx.global, *so); }; });

  auto co = std::make_shared<TxCheckOptions>();
  auto* check =
      tx->add_subcommand("check", "check that every id in a file is committed on every node");
  check->add_option("--ids", co->ids_file, "file with one transaction id per line")->required();
  check->callback([&ctx, co] { ctx.run = [&ctx, co] { return RunTxCheck(ctx.global, *co); }; });
}

}  // namespace licenced::cli
