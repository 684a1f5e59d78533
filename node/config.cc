#include "node/config.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <sstream>

#include <toml++/toml.h>

namespace licenced::node {
namespace {

namespace fs = std::filesystem;

// Reads typed fields out of a toml table and remembers the first error.
class FieldReader {
 public:
  FieldReader(const toml::table& root, std::string base_dir, bool check_files)
      : root_(root), base_dir_(std::move(base_dir)), check_files_(check_files) {}

  std::string String(std::string_view path, bool required, std::string def = "") {
    const toml::node* n = Find(path, required);
    if (n == nullptr) return def;
    auto v = n->value<std::string>();
    if (!n->is_string() || !v) {
      Fail(path, "must be a string");
      return def;
    }
    if (v->empty()) {
      Fail(path, "must not be empty");
      return def;
    }
    return *v;
  }

  uint64_t Uint(std::string_view path, bool required, uint64_t def, uint64_t min, uint64_t max) {
    const toml::node* n = Find(path, required);
    if (n == nullptr) return def;
    if (!n->is_integer()) {
      Fail(path, "must be an integer");
      return def;
    }
    int64_t v = *n->value<int64_t>();
    if (v < 0 || static_cast<uint64_t>(v) < min || static_cast<uint64_t>(v) > max) {
      Fail(path, "must be between " + std::to_string(min) + " and " + std::to_string(max) +
                     " (got " + std::to_string(v) + ")");
      return def;
    }
    return static_cast<uint64_t>(v);
  }

  // A path to a file or directory, made absolute against the config's dir.
  std::string Path(std::string_view path, bool must_exist_as_file) {
    std::string s = String(path, true);
    if (s.empty()) return s;
    fs::path p(s);
    if (p.is_relative()) p = fs::path(base_dir_) / p;
    p = p.lexically_normal();
    if (check_files_ && must_exist_as_file) {
      std::error_code ec;
      if (!fs::is_regular_file(p, ec)) {
        Fail(path, "file " + p.string() + " does not exist or is not a regular file");
      } else {
        std::ifstream in(p);
        if (!in) Fail(path, "file " + p.string() + " is not readable");
      }
    }
    return p.string();
  }

  bool Bool(std::string_view path, bool def) {
    const toml::node* n = Find(path, false);
    if (n == nullptr) return def;
    if (!n->is_boolean()) {
      Fail(path, "must be true or false");
      return def;
    }
    return *n->value<bool>();
  }

  HostPort Address(std::string_view path) {
    std::string s = String(path, true);
    if (s.empty()) return {};
    auto hp = ParseHostPort(s);
    if (!hp.ok()) {
      Fail(path, hp.status().message());
      return {};
    }
    return *hp;
  }

  void Fail(std::string_view path, const std::string& what) {
    if (status_.ok()) {
      status_ = Status::InvalidArgument("config field '" + std::string(path) + "' " + what);
    }
  }
  const Status& status() const { return status_; }

 private:
  const toml::node* Find(std::string_view path, bool required) {
    const toml::node* n = root_.at_path(path).node();
    if (n == nullptr && required) Fail(path, "is missing");
    return n;
  }

  const toml::table& root_;
  std::string base_dir_;
  bool check_files_;
  Status status_;
};

// Rejects keys we do not know: a typo must not silently fall back to a default.
Status CheckKnownKeys(const toml::table& root) {
  static const std::set<std::string> kTop = {"node_id",   "org",    "data_dir",   "genesis",
                                             "log_level", "listen", "keys",       "consensus",
                                             "limits",    "bench",  "credentials"};
  static const std::set<std::string> kListen = {"peer", "client", "http", "require_client_cert",
                                                "client_ca"};
  static const std::set<std::string> kKeys = {"validator_key", "tls_ca", "tls_cert", "tls_key"};
  static const std::set<std::string> kConsensus = {"max_batch_txs",       "max_batch_wait_ms",
                                                   "checkpoint_interval", "view_change_timeout_ms",
                                                   "watermark_window",    "max_clock_skew_ms"};
  static const std::set<std::string> kBench = {"null_mode"};
  static const std::set<std::string> kCredentials = {"issuer_key", "public_url",
                                                     "publish_status_lists"};
  static const std::set<std::string> kLimits = {
      "max_message_bytes",  "peer_queue_messages", "mempool_max",         "verify_threads",
      "verified_cache_max", "db_cache_mib",        "db_write_buffer_mib", "admission_max_pending"};
  for (const auto& [k, v] : root) {
    std::string key(k.str());
    if (!kTop.count(key)) return Status::InvalidArgument("config field '" + key + "' is unknown");
    const std::set<std::string>* sub = nullptr;
    if (key == "listen") sub = &kListen;
    if (key == "keys") sub = &kKeys;
    if (key == "consensus") sub = &kConsensus;
    if (key == "limits") sub = &kLimits;
    if (key == "bench") sub = &kBench;
    if (key == "credentials") sub = &kCredentials;
    if (sub == nullptr) continue;
    const toml::table* t = v.as_table();
    if (t == nullptr)
      return Status::InvalidArgument("config field '" + key + "' must be a table [" + key + "]");
    for (const auto& [sk, sv] : *t) {
      std::string skey(sk.str());
      if (!sub->count(skey)) {
        return Status::InvalidArgument("config field '" + key + "." + skey + "' is unknown");
      }
    }
  }
  return Status::Ok();
}

}  // namespace

std::string HostPort::ToString() const {
  if (host.find(':') != std::string::npos) return "[" + host + "]:" + std::to_string(port);
  return host + ":" + std::to_string(port);
}

Result<HostPort> ParseHostPort(std::string_view text) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon == 0 || colon + 1 == text.size()) {
    return Status::InvalidArgument("must be HOST:PORT (got '" + std::string(text) + "')");
  }
  std::string host(text.substr(0, colon));
  auto all_of = [](const std::string& h, auto pred) {
    return !h.empty() && std::all_of(h.begin(), h.end(), pred);
  };
  if (host.front() == '[') {
    // An IPv6 literal: hex digits, ':' and '.' (IPv4-mapped) only.
    std::string inner =
        host.size() >= 3 && host.back() == ']' ? host.substr(1, host.size() - 2) : "";
    if (!all_of(inner,
                [](char c) {
                  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
                }) ||
        inner.find(':') == std::string::npos) {
      return Status::InvalidArgument("has a malformed [IPv6] host (got '" + std::string(text) +
                                     "')");
    }
    host = inner;
  } else if (host.find(':') != std::string::npos) {
    return Status::InvalidArgument("must write an IPv6 host in brackets (got '" +
                                   std::string(text) + "')");
  } else if (!all_of(host, [](char c) {
               return std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ||
                      c == '_';
             })) {
    return Status::InvalidArgument(
        "has an invalid host name (letters, digits, '.', '-', '_'; got '" + std::string(text) +
        "')");
  }
  std::string_view port_text = text.substr(colon + 1);
  uint32_t port = 0;
  for (char c : port_text) {
    if (c < '0' || c > '9' || port > 65535) {
      return Status::InvalidArgument("has an invalid port (got '" + std::string(text) + "')");
    }
    port = port * 10 + static_cast<uint32_t>(c - '0');
  }
  if (port == 0 || port > 65535) {
    return Status::InvalidArgument("port must be between 1 and 65535 (got '" + std::string(text) +
                                   "')");
  }
  return HostPort{host, static_cast<uint16_t>(port)};
}

bool IsValidLogLevel(std::string_view level) {
  static const std::set<std::string_view> kLevels = {"trace", "debug",    "info", "warn",
                                                     "error", "critical", "off"};
  return kLevels.count(level) > 0;
}

Result<NodeConfig> ParseConfig(std::string_view toml_text, const std::string& base_dir,
                               bool check_files) {
  toml::table root;
  try {
    root = toml::parse(toml_text);
  } catch (const toml::parse_error& e) {
    std::ostringstream msg;
    msg << "config is not valid TOML: " << e.description() << " (line " << e.source().begin.line
        << ", column " << e.source().begin.column << ")";
    return Status::InvalidArgument(msg.str());
  }
  LIC_RETURN_IF_ERROR(CheckKnownKeys(root));

  FieldReader r(root, base_dir, check_files);
  NodeConfig c;
  c.node_id = r.String("node_id", true);
  c.org = r.String("org", true);
  c.data_dir = r.Path("data_dir", false);
  c.genesis_path = r.Path("genesis", true);
  c.log_level = r.String("log_level", false, "info");
  if (r.status().ok() && !IsValidLogLevel(c.log_level)) {
    r.Fail("log_level", "must be one of trace, debug, info, warn, error, critical, off (got '" +
                            c.log_level + "')");
  }
  c.listen_peer = r.Address("listen.peer");
  c.listen_client = r.Address("listen.client");
  c.listen_http = r.Address("listen.http");
  c.client_auth.require_client_cert = r.Bool("listen.require_client_cert", false);
  if (root.at_path("listen.client_ca").node() != nullptr) {
    c.client_auth.client_ca = r.Path("listen.client_ca", true);
    if (r.status().ok() && !c.client_auth.require_client_cert) {
      r.Fail("listen.client_ca", "is set but listen.require_client_cert is not true");
    }
  }
  c.validator_key = r.Path("keys.validator_key", true);
  c.tls_ca = r.Path("keys.tls_ca", true);
  c.tls_cert = r.Path("keys.tls_cert", true);
  c.tls_key = r.Path("keys.tls_key", true);
  if (root.at_path("credentials.issuer_key").node() != nullptr) {
    c.credential_key = r.Path("credentials.issuer_key", true);
  }
  c.public_url = r.String("credentials.public_url", false);
  c.publish_status_lists = r.Bool("credentials.publish_status_lists", true);
  if (!c.public_url.empty() && c.public_url.rfind("http://", 0) != 0 &&
      c.public_url.rfind("https://", 0) != 0) {
    r.Fail("credentials.public_url", "must be an http:// or https:// URL");
  }
  while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();

  c.max_batch_txs = static_cast<uint32_t>(r.Uint("consensus.max_batch_txs", true, 2000, 1, 100000));
  c.max_batch_wait_ms = r.Uint("consensus.max_batch_wait_ms", true, 5, 0, 60000);
  c.checkpoint_interval = r.Uint("consensus.checkpoint_interval", true, 32, 1, 1000000);
  c.view_change_timeout_ms = r.Uint("consensus.view_change_timeout_ms", true, 2000, 10, 3600000);
  c.watermark_window = r.Uint("consensus.watermark_window", false, 0, 0, 10000000);
  c.max_clock_skew_ms = r.Uint("consensus.max_clock_skew_ms", false, 5000, 1, 3600000);

  c.max_message_bytes = static_cast<uint32_t>(
      r.Uint("limits.max_message_bytes", false, c.max_message_bytes, 64 * 1024, 1u << 30));
  c.peer_queue_messages = static_cast<uint32_t>(
      r.Uint("limits.peer_queue_messages", false, c.peer_queue_messages, 16, 10000000));
  c.mempool_max =
      static_cast<uint32_t>(r.Uint("limits.mempool_max", false, c.mempool_max, 1, 100000000));
  // Default: three blocks' worth (at most 3 x 100000, fits).
  c.admission_max_pending =
      static_cast<uint32_t>(r.Uint("limits.admission_max_pending", false,
                                   std::max<uint64_t>(1, c.max_batch_txs / 2), 1, 100000000));
  c.verify_threads =
      static_cast<uint32_t>(r.Uint("limits.verify_threads", false, c.verify_threads, 1, 64));
  c.verified_cache_max = static_cast<uint32_t>(
      r.Uint("limits.verified_cache_max", false, c.verified_cache_max, 1024, 100000000));
  c.db_cache_mib =
      static_cast<uint32_t>(r.Uint("limits.db_cache_mib", false, c.db_cache_mib, 1, 65536));
  c.db_write_buffer_mib = static_cast<uint32_t>(
      r.Uint("limits.db_write_buffer_mib", false, c.db_write_buffer_mib, 2, 65536));
  c.null_mode = r.Bool("bench.null_mode", false);
  LIC_RETURN_IF_ERROR(r.status());

  auto same = [](const HostPort& a, const HostPort& b) {
    return a.host == b.host && a.port == b.port;
  };
  if (same(c.listen_peer, c.listen_client) || same(c.listen_peer, c.listen_http) ||
      same(c.listen_client, c.listen_http)) {
    return Status::InvalidArgument(
        "config fields 'listen.peer', 'listen.client' and 'listen.http' must be distinct "
        "addresses");
  }
  if (c.watermark_window != 0 && c.watermark_window < c.checkpoint_interval) {
    return Status::InvalidArgument(
        "config field 'consensus.watermark_window' must be at least consensus.checkpoint_interval");
  }
  return c;
}

Result<NodeConfig> LoadConfig(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::InvalidArgument("cannot read config file " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  fs::path p = fs::absolute(fs::path(path));
  auto c = ParseConfig(ss.str(), p.parent_path().string(), true);
  if (!c.ok()) return Status(c.status().code(), path + ": " + c.status().message());
  return c;
}

}  // namespace licenced::node

namespace licenced::node {

Status CheckAgainstGenesis(const NodeConfig& config, const Genesis& genesis) {
  const GenesisValidator* self = nullptr;
  for (const auto& v : genesis.validators) {
    if (v.name == config.node_id) self = &v;
  }
  if (self == nullptr) {
    std::string names;
    for (const auto& v : genesis.validators) names += (names.empty() ? "" : ", ") + v.name;
    return Status::InvalidArgument("config field 'node_id' = '" + config.node_id +
                                   "' is not a validator in genesis " + config.genesis_path +
                                   " (validators: " + names + ")");
  }
  if (self->org != config.org) {
    return Status::InvalidArgument("config field 'org' = '" + config.org +
                                   "' does not match org '" + self->org + "' of validator '" +
                                   self->name + "' in genesis");
  }
  if (config.checkpoint_interval != genesis.consensus.checkpoint_interval) {
    return Status::InvalidArgument("config field 'consensus.checkpoint_interval' = " +
                                   std::to_string(config.checkpoint_interval) +
                                   " differs from genesis consensus.checkpoint_interval = " +
                                   std::to_string(genesis.consensus.checkpoint_interval) +
                                   " (all validators must agree)");
  }
  if (config.watermark_window != 0 &&
      config.watermark_window != genesis.consensus.watermark_window) {
    return Status::InvalidArgument(
        "config field 'consensus.watermark_window' differs from genesis "
        "consensus.watermark_window");
  }
  if (genesis.validators.size() < 1) {
    return Status::InvalidArgument("genesis has no validators");
  }
  return Status::Ok();
}

}  // namespace licenced::node
