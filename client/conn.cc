#include "client/conn.h"

#include <filesystem>

#include <fmt/core.h>
#include <toml++/toml.h>
#include <nlohmann/json.hpp>

#include "client/files.h"
#include "proto/grpc_code_name.h"

namespace licenced::client {
namespace fs = std::filesystem;

namespace {

Result<NodeTarget> TargetFromConfig(const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return Status::InvalidArgument(
        fmt::format("{} is not valid TOML: {}; fix or regenerate it", path, e.description()));
  }
  NodeTarget t;
  t.node_id = table["node_id"].value_or(std::string());
  t.org = table["org"].value_or(std::string());
  t.address = table["listen"]["client"].value_or(std::string());
  t.ca_path = table["keys"]["tls_ca"].value_or(std::string());
  t.http_address = table["listen"]["http"].value_or(std::string());
  if (t.http_address.rfind("0.0.0.0:", 0) == 0)
    t.http_address = "127.0.0.1:" + t.http_address.substr(8);
  if (t.address.empty()) {
    return Status::InvalidArgument(fmt::format("{}: listen.client is missing", path));
  }
  if (t.ca_path.empty()) {
    return Status::InvalidArgument(fmt::format("{}: keys.tls_ca is missing", path));
  }
  // Connect to a wildcard listen address through loopback.
  if (t.address.rfind("0.0.0.0:", 0) == 0) t.address = "127.0.0.1:" + t.address.substr(8);
  return t;
}

}  // namespace

Result<std::vector<NodeTarget>> NetTargets(const std::string& net_dir) {
  const fs::path dir(net_dir);
  const fs::path genesis_path = dir / "genesis.json";
  auto text = ReadTextFile(genesis_path.string());
  if (!text.ok()) {
    return Status::InvalidArgument(fmt::format(
        "--net {}: no genesis.json there; create a network with 'deploy/local-net up --dir {}' "
        "or 'licencectl network generate --dir {}'",
        net_dir, net_dir, net_dir));
  }
  auto genesis = nlohmann::json::parse(*text, nullptr, false);
  if (genesis.is_discarded() || !genesis.contains("validators") ||
      !genesis["validators"].is_array()) {
    return Status::InvalidArgument(
        fmt::format("{}: not a genesis file (no validators array)", genesis_path.string()));
  }
  std::vector<NodeTarget> out;
  for (const auto& v : genesis["validators"]) {
    const std::string org = v.value("org", "");
    const fs::path config = dir / org / "node.toml";
    if (!fs::exists(config)) continue;  // a validator run elsewhere
    LIC_ASSIGN_OR_RETURN(NodeTarget t, TargetFromConfig(config.string()));
    out.push_back(std::move(t));
  }
  if (out.empty()) {
    return Status::InvalidArgument(
        fmt::format("--net {}: no DIR/<org>/node.toml for any validator", net_dir));
  }
  return out;
}

Result<std::vector<NodeTarget>> ResolveTargets(const GlobalOptions& g, bool all_nodes) {
  if (!g.node.empty() && !g.net.empty()) {
    return Status::InvalidArgument("give either --node or --net, not both");
  }
  if (!g.node.empty()) {
    if (g.ca.empty()) {
      return Status::InvalidArgument(
          "--node needs --ca CA.pem (the CA that signed the node's certificate); or use --net DIR "
          "--org ORG");
    }
    NodeTarget t;
    t.address = g.node;
    t.ca_path = g.ca;
    t.cert_path = g.cert;
    t.key_path = g.key_tls;
    return std::vector<NodeTarget>{t};
  }
  if (g.net.empty()) {
    return Status::InvalidArgument(
        "no node given; use --node HOST:PORT --ca CA.pem, or --net DIR [--org ORG]");
  }
  LIC_ASSIGN_OR_RETURN(auto all, NetTargets(g.net));
  // A client certificate (for nodes with listen.require_client_cert) goes to
  // whichever node of the network is asked.
  for (auto& t : all) {
    t.cert_path = g.cert;
    t.key_path = g.key_tls;
  }
  if (!g.org.empty()) {
    for (const auto& t : all) {
      if (t.org == g.org) return std::vector<NodeTarget>{t};
    }
    if (!fs::exists(fs::path(g.net) / g.org)) {
      return Status::InvalidArgument(
          fmt::format("--org {}: no such org directory in {}", g.org, g.net));
    }
    // A member org: talk through the first validator's node.
    return std::vector<NodeTarget>{all.front()};
  }
  if (all_nodes) return all;
  return std::vector<NodeTarget>{all.front()};
}

Result<std::shared_ptr<grpc::Channel>> OpenChannel(const NodeTarget& target) {
  grpc::SslCredentialsOptions ssl;
  auto ca = ReadTextFile(target.ca_path);
  if (!ca.ok()) {
    return Status::InvalidArgument(fmt::format(
        "cannot read the CA certificate {}; check --ca (with --net, run deploy/gen-tls.sh DIR)",
        target.ca_path));
  }
  ssl.pem_root_certs = *ca;
  if (!target.cert_path.empty() || !target.key_path.empty()) {
    auto cert = ReadTextFile(target.cert_path);
    auto key = ReadTextFile(target.key_path);
    if (!cert.ok() || !key.ok()) {
      return Status::InvalidArgument(
          "cannot read the client TLS files; --cert and --key-tls must both name PEM files");
    }
    ssl.pem_cert_chain = *cert;
    ssl.pem_private_key = *key;
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 * 1024 * 1024);
  if (!target.node_id.empty()) args.SetSslTargetNameOverride(target.node_id);
  return grpc::CreateCustomChannel(target.address, grpc::SslCredentials(ssl), args);
}

Result<crypto::KeyPair> LoadSigningKey(const GlobalOptions& g) {
  std::string path = g.key;
  if (path.empty()) {
    if (g.net.empty() || g.org.empty()) {
      return Status::InvalidArgument(
          "this command signs a transaction: give --key FILE, or --net DIR --org ORG to use that "
          "org's admin key");
    }
    path = (fs::path(g.net) / g.org / "admin.key").string();
  }
  std::optional<std::string> passphrase;
  if (!g.passphrase_file.empty()) {
    LIC_ASSIGN_OR_RETURN(std::string p, ReadPassphraseFile(g.passphrase_file));
    passphrase = std::move(p);
  }
  auto key = crypto::ReadKeyFile(path, passphrase);
  if (!key.ok()) {
    return Status::InvalidArgument(
        fmt::format("cannot use signing key {}: {}", path, key.status().message()));
  }
  return key;
}

std::chrono::system_clock::time_point DeadlineIn(double seconds) {
  return std::chrono::system_clock::now() +
         std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
}

std::string DescribeRpcError(const NodeTarget& t, const grpc::Status& s) {
  std::string who = t.node_id.empty() ? t.address : fmt::format("{} ({})", t.node_id, t.address);
  std::string hint;
  switch (s.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      hint = "; is the node running? (deploy/local-net status --dir DIR)";
      if (t.cert_path.empty()) {
        hint +=
            " If the node requires client certificates (listen.require_client_cert), give "
            "--cert and --key-tls";
      }
      break;
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      hint = "; the node did not answer in time: retry or raise --timeout";
      break;
    case grpc::StatusCode::UNIMPLEMENTED:
      hint = "; the node does not offer this call (older licenced?)";
      break;
    default:
      break;
  }
  const char* name = proto::GrpcCodeName(s.error_code());
  return fmt::format("{}: {}: {}{}", who, name, s.error_message(), hint);
}

int ExitCodeFor(const grpc::Status& s) {
  switch (s.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
    case grpc::StatusCode::NOT_FOUND:
    case grpc::StatusCode::ALREADY_EXISTS:
    case grpc::StatusCode::PERMISSION_DENIED:
    case grpc::StatusCode::FAILED_PRECONDITION:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::ABORTED:
      return kExitRejected;
    default:
      return kExitUsage;
  }
}

CliError RpcFailure(const NodeTarget& t, const grpc::Status& s) {
  return CliError{ExitCodeFor(s), DescribeRpcError(t, s)};
}

NetworkIdResult FetchNetworkId(::licenced::v1::ClientApi::Stub& stub, double timeout_s) {
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(timeout_s));
  ::licenced::v1::NodeStatus s;
  NetworkIdResult r;
  r.status = stub.GetStatus(&ctx, ::licenced::v1::GetStatusRequest(), &s);
  r.id = s.network_id();
  return r;
}

}  // namespace licenced::client
