#include "client/session.h"

#include <cctype>
#include <cstdio>
#include <filesystem>
#include <random>

#include <fmt/core.h>

#include "client/files.h"
#include "core/bytes.h"
#include "core/transaction.h"

namespace licenced::client {
namespace fs = std::filesystem;
namespace pb = ::licenced::v1;

namespace {

// What to do about a chaincode rejection, by reason code.
std::string HintFor(const std::string& code) {
  if (code == "PERMISSION_DENIED") {
    return "sign with the key of a clerk of the owning org who holds the needed role (--key "
           "FILE), or ask that org's admin to enrol one ('licencectl clerk enrol')";
  }
  if (code == "FAILED_PRECONDITION") {
    return "the case, task, clerk or licence is not in a state that allows this; look at it "
           "with 'licencectl case show', 'task show', 'clerk list' or 'licence show'";
  }
  if (code == "INVALID_ARGUMENT") return "fix the named field in your input and retry";
  if (code == "ALREADY_EXISTS") {
    return "it exists already; look it up with 'licencectl case list', 'clerk list' or "
           "'licence list'";
  }
  if (code == "NOT_FOUND") {
    return "check the id ('licencectl case list', 'inbox', 'licence list', 'clerk list')";
  }
  return "see the node's log ('deploy/local-net logs ORG') and retry";
}

uint64_t RandomNonce() {
  std::random_device rd;
  return (uint64_t{rd()} << 32) | rd();
}

}  // namespace

std::string MaskHex(const std::string& hex) {
  if (hex.size() <= 12) return hex;
  return hex.substr(0, 8) + "..." + hex.substr(hex.size() - 4);
}

std::string Session::where() const {
  return target_.node_id.empty() ? target_.address
                                 : fmt::format("{} ({})", target_.node_id, target_.address);
}

CliResult<std::unique_ptr<Session>> Session::Open(const GlobalOptions& g, bool need_key) {
  CLI_ASSIGN_OR_RETURN(auto targets, Lift(ResolveTargets(g, /*all_nodes=*/false), kExitUsage));
  std::unique_ptr<Session> s(new Session());
  s->g_ = g;
  s->target_ = targets.front();
  CLI_ASSIGN_OR_RETURN(s->channel_, Lift(OpenChannel(s->target_), kExitUsage));
  s->stub_ = pb::ClientApi::NewStub(s->channel_);
  if (need_key) {
    CLI_ASSIGN_OR_RETURN(s->key_, Lift(LoadSigningKey(g), kExitUsage));
  }
  return s;
}

CliResult<Json> Session::Query(const std::string& method, const Json& args) {
  pb::QueryRequest req;
  req.set_method(method);
  req.set_args_json(args.dump());
  pb::QueryResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(g_.timeout_s));
  grpc::Status st = stub_->Query(&ctx, req, &resp);
  if (!st.ok()) return RpcFailure(target_, st);
  Json out = Json::parse(resp.result_json(), nullptr, false);
  if (out.is_discarded()) {
    return CliError{kExitUsage,
                    fmt::format("{}: query {} returned text that is not JSON", where(), method)};
  }
  return out;
}

CliResult<void> Session::EnsureNetworkId() {
  if (!network_id_.empty()) return {};
  NetworkIdResult r = FetchNetworkId(*stub_, g_.timeout_s);
  if (!r.status.ok()) return RpcFailure(target_, r.status);
  network_id_ = r.id;
  return {};
}

std::string Session::SignerOrg() {
  DescribeSigner();
  return signer_ && signer_->contains("org") ? (*signer_)["org"].get<std::string>() : "";
}

std::string Session::DescribeSigner() {
  if (!key_) return "";
  const std::string hex = ToHex(key_->public_key());
  if (!signer_) {
    if (auto c = Query("clerk", {{"public_key", hex}}); c.ok()) {
      signer_ = std::move(c).value();
    } else if (!g_.net.empty()) {
      auto genesis = Genesis::LoadFile((fs::path(g_.net) / "genesis.json").string());
      if (genesis.ok()) {
        for (const auto& org : genesis->organisations) {
          for (const auto& k : org.admin_keys) {
            if (k == key_->public_key()) signer_ = Json{{"org", org.id}, {"admin", true}};
          }
        }
      }
    }
    if (!signer_) signer_ = Json::object();
  }
  const std::string key_desc = "key " + MaskHex(hex);
  if (signer_->value("admin", false)) {
    return fmt::format("admin of {} ({})", (*signer_)["org"].get<std::string>(), key_desc);
  }
  if (signer_->contains("name")) {
    std::string roles;
    for (const auto& r : (*signer_)["roles"])
      roles += (roles.empty() ? "" : ",") + r.get<std::string>();
    return fmt::format("clerk '{}' [{}] of {}, {} ({})", (*signer_)["name"].get<std::string>(),
                       roles, (*signer_)["org"].get<std::string>(),
                       (*signer_)["status"].get<std::string>(), key_desc);
  }
  return fmt::format("unenrolled {}", key_desc);
}

CliResult<SubmitResult> Session::Submit(const std::string& chaincode, const std::string& method,
                                        const Json& args) {
  if (!key_) return CliError{kExitUsage, "internal: this command needs a signing key"};
  CLI_RETURN_IF_ERROR(EnsureNetworkId());
  Transaction tx;
  tx.network_id = network_id_;
  tx.chaincode = chaincode;
  tx.method = method;
  tx.args = ToBytes(args.dump());
  tx.submitter = key_->public_key();
  tx.nonce = RandomNonce();
  tx.SignWith(*key_);
  const Bytes encoded = tx.Encode();
  pb::SubmitRequest req;
  req.set_transaction(encoded.data(), encoded.size());
  req.set_wait_for_commit(true);
  req.set_timeout_ms(static_cast<uint32_t>(g_.timeout_s * 1000));
  pb::SubmitResponse resp;
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(g_.timeout_s + 5));
  grpc::Status st = stub_->SubmitTransaction(&ctx, req, &resp);
  if (!st.ok()) return RpcFailure(target_, st);
  if (!resp.committed()) {
    return CliError{
        kExitUsage,
        fmt::format("{}.{}: transaction {} was accepted by {} but not committed within "
                    "{}s; check it later with 'licencectl tx show {}' (is a quorum of "
                    "nodes up? 'licencectl status')",
                    chaincode, method, resp.tx_id_hex(), where(), g_.timeout_s, resp.tx_id_hex())};
  }
  if (resp.status() != "OK") {
    return CliError{kExitRejected,
                    fmt::format("{}: {} (signed by {}; tx {} in block {}); {}", resp.status(),
                                resp.message(), DescribeSigner(), resp.tx_id_hex().substr(0, 16),
                                resp.height(), HintFor(resp.status()))};
  }
  SubmitResult out;
  out.tx_id = resp.tx_id_hex();
  out.height = resp.height();
  out.index = resp.index();
  out.result = Json::parse(resp.result_json().empty() ? "{}" : resp.result_json(), nullptr, false);
  if (out.result.is_discarded()) out.result = Json::object();
  return out;
}

CliResult<Genesis> LoadGenesisFor(const GlobalOptions& g, const std::string& genesis_path) {
  std::string path = genesis_path;
  if (path.empty()) {
    if (g.net.empty()) {
      return CliError{kExitUsage,
                      "this command needs the network's genesis file: give --genesis FILE, or "
                      "--net DIR to use DIR/genesis.json"};
    }
    path = (fs::path(g.net) / "genesis.json").string();
  }
  auto genesis = Genesis::LoadFile(path);
  if (!genesis.ok()) {
    return CliError{kExitUsage, fmt::format("cannot use genesis {}: {}; check --genesis/--net",
                                            path, genesis.status().message())};
  }
  return std::move(genesis).value();
}

CliResult<Json> ReadJsonFile(const std::string& path, const std::string& what) {
  auto text = ReadTextFile(path);
  if (!text.ok()) {
    return CliError{kExitUsage, fmt::format("cannot read {} {}: {}; check the path", what, path,
                                            text.status().message())};
  }
  Json out = Json::parse(*text, nullptr, false);
  if (out.is_discarded() || !out.is_object()) {
    return CliError{
        kExitRejected,
        fmt::format("{} {} is not a JSON object; see examples/ for the format", what, path)};
  }
  return out;
}

CliResult<std::string> ParsePublicKeyArg(const std::string& arg, const std::string& what) {
  std::string text = arg;
  std::error_code ec;
  if (!(arg.size() == 64 && FromHex(arg).ok()) && fs::exists(arg, ec)) {
    auto content = ReadTextFile(arg);
    if (!content.ok()) {
      return CliError{kExitUsage, fmt::format("cannot read {} file {}", what, arg)};
    }
    text = *content;
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
      text.pop_back();
    }
  }
  auto bytes = FromHex(text);
  if (text.size() != 64 || !bytes.ok()) {
    return CliError{kExitUsage,
                    fmt::format("{} '{}' is neither 64 hex characters nor a file holding them "
                                "(a FILE.pub written by 'licencectl keygen')",
                                what, arg)};
  }
  for (char& c : text) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace licenced::client
