#include "cli/network_gen.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include <fmt/core.h>

#include "chaincode/exec.h"
#include "client/files.h"
#include "core/bytes.h"
#include "core/crypto.h"
#include "core/genesis.h"

namespace licenced::cli {
using client::ValidateGenesisText;
using client::WriteSigningKey;
using client::WriteTextFile;

namespace {

namespace fs = std::filesystem;

const std::map<std::string, std::string>& OrgNames() {
  static const auto* names = new std::map<std::string, std::string>{
      {"market", "Market Supervision Bureau"},
      {"police", "Public Security Bureau"},
      {"social", "Human Resources and Social Security Bureau"},
      {"tax", "Tax Bureau"},
      {"health", "Health Commission"},
      {"bank", "Commercial Bank"},
  };
  return *names;
}

// Same rule as core/genesis.h: [a-z][a-z0-9_-]{0,31}.
bool ValidOrgId(const std::string& id) {
  if (id.empty() || id.size() > 32 || !(id[0] >= 'a' && id[0] <= 'z')) return false;
  for (char c : id) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-')) return false;
  }
  return true;
}

std::string TomlString(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string Abs(const fs::path& p) { return fs::absolute(p).lexically_normal().string(); }

}  // namespace

bool PortIsFree(const std::string& host, uint16_t port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return false;
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  bool ok = inet_pton(AF_INET, host.c_str(), &addr.sin_addr) == 1 &&
            bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
  close(fd);
  return ok;
}

Result<std::vector<uint16_t>> PickFreePorts(const std::string& host, size_t count) {
  std::vector<int> fds;
  std::vector<uint16_t> ports;
  Status error;
  for (size_t i = 0; i < count && error.ok(); ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      error = Status::IoError("cannot open a socket to find a free port");
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
      error = Status::InvalidArgument(fmt::format("--host '{}' is not an IPv4 address", host));
      break;
    }
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      error = Status::IoError(fmt::format("cannot bind a free port on {}", host));
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) close(fd);
  if (!error.ok()) return error;
  return ports;
}

Result<GeneratedNetwork> GenerateNetwork(const NetworkSpec& spec) {
  if (spec.dir.empty()) return Status::InvalidArgument("--dir is empty; name a directory");
  if (spec.validator_orgs.empty()) {
    return Status::InvalidArgument("--orgs is empty; a network needs at least one validator org");
  }
  std::set<std::string> seen;
  for (const auto& org : spec.validator_orgs) {
    if (!ValidOrgId(org)) {
      return Status::InvalidArgument(
          fmt::format("org id '{}' is invalid; use 1-32 characters of a-z, 0-9, _ and -, starting "
                      "with a letter",
                      org));
    }
    if (!seen.insert(org).second) {
      return Status::InvalidArgument(fmt::format("org '{}' is listed twice", org));
    }
  }
  for (const auto& org : spec.member_orgs) {
    if (!ValidOrgId(org)) {
      return Status::InvalidArgument(
          fmt::format("org id '{}' is invalid; use 1-32 characters of a-z, 0-9, _ and -, starting "
                      "with a letter",
                      org));
    }
    if (!seen.insert(org).second) {
      return Status::InvalidArgument(
          fmt::format("org '{}' is listed twice (in --orgs and --members?)", org));
    }
  }
  for (const auto& [org, addr] : spec.advertise) {
    if (std::find(spec.validator_orgs.begin(), spec.validator_orgs.end(), org) ==
        spec.validator_orgs.end()) {
      return Status::InvalidArgument(
          fmt::format("--advertise {}={}: '{}' is not a validator org (--orgs)", org, addr, org));
    }
    auto colon = addr.rfind(':');
    if (colon == std::string::npos || colon == 0 || colon + 1 == addr.size()) {
      return Status::InvalidArgument(
          fmt::format("--advertise {}={}: expected HOST:PORT", org, addr));
    }
  }
  const fs::path dir = Abs(spec.dir);
  const fs::path genesis_path = dir / "genesis.json";
  std::error_code ec;
  if (fs::exists(genesis_path, ec)) {
    return Status::AlreadyExists(fmt::format(
        "{} already exists; remove the directory (or choose another --dir) to generate a new "
        "network",
        genesis_path.string()));
  }

  // Ports: peer, client, http for each validator.
  const size_t n = spec.validator_orgs.size();
  std::vector<uint16_t> ports;
  if (spec.base_port) {
    const uint32_t base = *spec.base_port;
    if (base + 200 + n > 65535) {
      return Status::InvalidArgument(
          fmt::format("--base-port {} is too high; it needs base+{} <= 65535", base, 200 + n));
    }
    for (uint32_t block : {0u, 100u, 200u}) {
      for (size_t i = 0; i < n; ++i) ports.push_back(static_cast<uint16_t>(base + block + i));
    }
    for (uint16_t p : ports) {
      if (!PortIsFree(spec.host, p)) {
        return Status::Unavailable(fmt::format(
            "port {} on {} is in use; choose another --base-port or leave it out to pick free "
            "ports",
            p, spec.host));
      }
    }
  } else {
    LIC_ASSIGN_OR_RETURN(ports, PickFreePorts(spec.host, 3 * n));
  }

  fs::create_directories(dir, ec);
  if (ec) {
    return Status::IoError(fmt::format("cannot create {}: {}", dir.string(), ec.message()));
  }

  uint64_t genesis_time = spec.genesis_time_ms;
  if (genesis_time == 0) {
    genesis_time = static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
  }

  GeneratedNetwork out;
  out.dir = dir.string();
  out.genesis_path = genesis_path.string();
  out.member_orgs = spec.member_orgs;

  Genesis genesis;
  genesis.network_id = spec.network_id;
  genesis.genesis_time_ms = genesis_time;
  genesis.consensus.checkpoint_interval = spec.checkpoint_interval;
  genesis.consensus.watermark_window = spec.watermark_window;
  genesis.consensus.order_ahead_window = spec.order_ahead_window;
  auto make_org = [&](const std::string& org, bool runs_validator) -> Status {
    const fs::path org_dir = dir / org;
    fs::create_directories(org_dir, ec);
    if (ec) {
      return Status::IoError(fmt::format("cannot create {}: {}", org_dir.string(), ec.message()));
    }
    crypto::KeyPair admin = crypto::KeyPair::Generate();
    LIC_RETURN_IF_ERROR(WriteSigningKey((org_dir / "admin.key").string(), admin, spec.passphrase));
    // encryption.key stores a seed in the signing key file format; the X25519
    // key is BoxKeyPair::FromSeed(seed). Its .pub is the X25519 public key.
    crypto::KeyPair enc_seed_holder = crypto::KeyPair::Generate();
    crypto::BoxKeyPair enc = crypto::BoxKeyPair::FromSeed(enc_seed_holder.seed());
    LIC_RETURN_IF_ERROR(crypto::WriteKeyFile((org_dir / "encryption.key").string(), enc_seed_holder,
                                             spec.passphrase));
    LIC_RETURN_IF_ERROR(
        crypto::WritePublicKeyFile((org_dir / "encryption.key.pub").string(), enc.public_key()));
    auto name_it = OrgNames().find(org);
    GenesisOrg g;
    g.id = org;
    g.name = name_it != OrgNames().end() ? name_it->second : org;
    g.runs_validator = runs_validator;
    g.admin_keys = {admin.public_key()};
    g.encryption_key = enc.public_key();
    // Written out so that a verifier reads the issuer's code from the genesis; the value is the
    // one chaincode derives for an org without one (docs/chaincode.md), so licence identifiers
    // are the same either way.
    g.credit_code = chaincode::OrgCreditCode(g);
    genesis.organisations.push_back(std::move(g));
    return Status::Ok();
  };

  for (size_t i = 0; i < n; ++i) {
    const std::string& org = spec.validator_orgs[i];
    LIC_RETURN_IF_ERROR(make_org(org, true));
    const fs::path org_dir = dir / org;
    crypto::KeyPair validator = crypto::KeyPair::Generate();
    LIC_RETURN_IF_ERROR(
        WriteSigningKey((org_dir / "validator.key").string(), validator, spec.passphrase));
    fs::create_directories(org_dir / "data", ec);
    GeneratedNode node;
    node.org = org;
    node.node_id = org + "-0";
    node.peer_address = fmt::format("{}:{}", spec.host, ports[i]);
    node.client_address = fmt::format("{}:{}", spec.host, ports[n + i]);
    node.http_address = fmt::format("{}:{}", spec.host, ports[2 * n + i]);
    node.config_path = Abs(org_dir / "node.toml");
    GenesisValidator v;
    v.name = node.node_id;
    v.org = org;
    v.public_key = validator.public_key();
    auto adv = spec.advertise.find(org);
    v.address = adv != spec.advertise.end() ? adv->second : node.peer_address;
    genesis.validators.push_back(std::move(v));

    std::string toml = fmt::format(
        "# licenced node config for {node} (generated by licencectl network generate)\n"
        "node_id = {node_q}\n"
        "org = {org_q}\n"
        "data_dir = {data}\n"
        "genesis = {genesis}\n"
        "log_level = \"info\"\n"
        "\n[listen]\n"
        "peer = {peer}\n"
        "client = {client}\n"
        "http = {http}\n"
        "# require_client_cert = true  # clients must present a certificate (docs/api.md)\n"
        "\n[keys]\n"
        "validator_key = {vkey}\n"
        "tls_ca = {ca}\n"
        "tls_cert = {cert}\n"
        "tls_key = {tkey}\n"
        "\n[credentials]\n"
        "# signs this org's status list credentials (docs/credentials.md)\n"
        "{ikey_line}\n"
        "public_url = {purl}\n"
        "\n[consensus]\n"
        "max_batch_txs = {batch}\n"
        "max_batch_wait_ms = {wait}\n"
        "checkpoint_interval = {cp}\n"
        "view_change_timeout_ms = {vct}\n",
        fmt::arg("node", node.node_id), fmt::arg("node_q", TomlString(node.node_id)),
        fmt::arg("org_q", TomlString(org)), fmt::arg("data", TomlString(Abs(org_dir / "data"))),
        fmt::arg("genesis", TomlString(genesis_path.string())),
        fmt::arg("peer", TomlString(node.peer_address)),
        fmt::arg("client", TomlString(node.client_address)),
        fmt::arg("http", TomlString(node.http_address)),
        fmt::arg("vkey", TomlString(Abs(org_dir / "validator.key"))),
        fmt::arg("ca", TomlString(Abs(dir / "ca.pem"))),
        fmt::arg("cert", TomlString(Abs(org_dir / "tls.pem"))),
        fmt::arg("tkey", TomlString(Abs(org_dir / "tls-key.pem"))),
        fmt::arg("ikey_line", spec.passphrase
                                  ? "# issuer_key = (admin.key is encrypted; give an unencrypted "
                                    "admin key of this org to serve its status lists)"
                                  : "issuer_key = " + TomlString(Abs(org_dir / "admin.key"))),
        fmt::arg("purl", TomlString("http://" + node.http_address)),
        fmt::arg("batch", spec.max_batch_txs), fmt::arg("wait", spec.max_batch_wait_ms),
        fmt::arg("cp", spec.checkpoint_interval), fmt::arg("vct", spec.view_change_timeout_ms));
    LIC_RETURN_IF_ERROR(WriteTextFile(node.config_path, toml, 0644));
    out.nodes.push_back(std::move(node));
  }
  for (const auto& org : spec.member_orgs) {
    LIC_RETURN_IF_ERROR(make_org(org, false));
  }

  // Licence types whose issuers are all in this network; the default calendar.
  std::set<std::string> present(spec.validator_orgs.begin(), spec.validator_orgs.end());
  present.insert(spec.member_orgs.begin(), spec.member_orgs.end());
  for (auto& t : DefaultLicenceTypes()) {
    bool ok = true;
    for (const auto& issuer : t.issuer_orgs) ok = ok && present.count(issuer) > 0;
    if (ok) genesis.licence_types.push_back(std::move(t));
  }
  genesis.holidays = MakeDevNetwork().genesis.holidays;
  Status valid = genesis.Validate();
  if (!valid.ok()) {
    return Status::InvalidArgument("the generated genesis is invalid: " + valid.message());
  }
  const std::string text = genesis.ToJson();
  LIC_RETURN_IF_ERROR(ValidateGenesisText(text));
  LIC_RETURN_IF_ERROR(WriteTextFile(genesis_path.string(), text, 0644));
  return out;
}

}  // namespace licenced::cli
