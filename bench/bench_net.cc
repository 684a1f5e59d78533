// licencectl bench: driving deploy/local-net (up, down, stop, start, wipe) and
// polling node status over the client API.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <fmt/core.h>

#include "bench/bench.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::bench {
using client::DeadlineIn;
using client::NetTargets;
using client::NodeTarget;
using client::OpenChannel;

namespace {

namespace fs = std::filesystem;

std::string Quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  return out + "'";
}

std::string SelfDir() {
  std::error_code ec;
  fs::path p = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string(".") : p.parent_path().string();
}

}  // namespace

std::string GuessBinDir() {
  fs::path d = SelfDir();
  if (d.filename() == "cli") d = d.parent_path();
  return d.string();
}

std::string GuessRepo() {
  for (fs::path d = SelfDir(); !d.empty() && d != d.root_path(); d = d.parent_path()) {
    if (fs::exists(d / "deploy" / "local-net")) return d.string();
  }
  std::error_code ec;
  return fs::current_path(ec).string();
}

LocalNet::LocalNet(std::string repo, std::string dir, std::string bin_dir)
    : repo_(std::move(repo)), dir_(std::move(dir)), bin_dir_(std::move(bin_dir)) {}

Status LocalNet::Run(const std::vector<std::string>& args, double timeout_s) const {
  std::string cmd = fmt::format("LICENCED_BIN_DIR={} LOCALNET_TIMEOUT={} {}", Quote(bin_dir_),
                                static_cast<int>(timeout_s), Quote(repo_ + "/deploy/local-net"));
  for (const auto& a : args) cmd += " " + Quote(a);
  cmd += " --dir " + Quote(dir_);
  const std::string log = dir_ + "/bench-local-net.log";
  std::error_code ec;
  fs::create_directories(dir_, ec);
  cmd += " >>" + Quote(log) + " 2>&1 </dev/null";
  int rc = std::system(cmd.c_str());
  if (rc != 0) {
    return Status::Unavailable(fmt::format("deploy/local-net {} failed (exit {}); see {}",
                                           args.empty() ? "" : args[0], rc, log));
  }
  return Status::Ok();
}

Status LocalNet::Up(double timeout_s, uint64_t order_ahead_window) {
  return Run({"up", "--order-ahead-window", std::to_string(order_ahead_window)}, timeout_s);
}
Status LocalNet::Down() { return Run({"down"}, 60); }
Status LocalNet::Stop(const std::string& org, bool kill) {
  if (kill) return Run({"stop", org, "--kill"}, 60);
  return Run({"stop", org}, 60);
}
Status LocalNet::Start(const std::string& org) { return Run({"start", org}, 60); }
Status LocalNet::Wipe(const std::string& org) { return Run({"wipe", org}, 60); }

std::vector<std::string> LocalNet::Orgs() const {
  std::vector<std::string> out;
  auto targets = NetTargets(dir_);
  if (!targets.ok()) return out;
  for (const auto& t : *targets) out.push_back(t.org);
  return out;
}

std::optional<int> LocalNet::Pid(const std::string& org) const {
  std::ifstream in(dir_ + "/" + org + "/licenced.pid");
  int pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return pid;
}

Status LocalNet::SetNullMode(bool on) {
  for (const auto& org : Orgs()) {
    const std::string path = dir_ + "/" + org + "/node.toml";
    std::ifstream in(path);
    if (!in) return Status::IoError("cannot read " + path);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    const std::string marker = "\n# licencectl bench --null\n";
    auto pos = text.find(marker);
    if (pos != std::string::npos) text.erase(pos);
    if (on) text += marker + "[bench]\nnull_mode = true\n";
    std::ofstream out(path, std::ios::trunc);
    out << text;
    if (!out) return Status::IoError("cannot write " + path);
  }
  return Status::Ok();
}

NodeStatusLite QueryStatus(const NodeTarget& t, double timeout_s) {
  NodeStatusLite r;
  auto ch = OpenChannel(t);
  if (!ch.ok()) return r;
  auto stub = ::licenced::v1::ClientApi::NewStub(*ch);
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(timeout_s));
  ::licenced::v1::NodeStatus s;
  if (!stub->GetStatus(&ctx, ::licenced::v1::GetStatusRequest(), &s).ok()) return r;
  r.up = true;
  r.height = s.height();
  r.view = s.view();
  r.network_id = s.network_id();
  return r;
}

}  // namespace licenced::bench
