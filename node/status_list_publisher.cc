#include "node/status_list_publisher.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "core/data_integrity.h"

namespace licenced::node {
namespace {

using json = nlohmann::json;

uint64_t StatusHeightOf(const json& list) {
  const json* ev =
      list.contains("evidence") && list["evidence"].is_array() && !list["evidence"].empty()
          ? &list["evidence"][0]
          : nullptr;
  if (ev == nullptr || !ev->is_object() || !ev->contains("statusHeight") ||
      !(*ev)["statusHeight"].is_number_unsigned()) {
    return 0;
  }
  return (*ev)["statusHeight"].get<uint64_t>();
}

uint64_t ValidFromOf(const json& list) {
  if (!list.contains("validFrom") || !list["validFrom"].is_string()) return 0;
  auto t = data_integrity::ParseIsoTime(list["validFrom"].get<std::string>());
  return t.ok() ? *t : 0;
}

}  // namespace

StatusListPublisher::StatusListPublisher(std::string network_id, crypto::KeyPair key, Ports ports,
                                         Options options)
    : network_id_(std::move(network_id)),
      key_(std::move(key)),
      ports_(std::move(ports)),
      options_(options) {}

StatusListPublisher::~StatusListPublisher() { Stop(); }

void StatusListPublisher::Start() {
  thread_ = std::thread([this] { Run(); });
}

void StatusListPublisher::Stop() {
  {
    MutexLock lock(&mu_);
    stop_ = true;
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void StatusListPublisher::OnBlock(uint64_t height, bool status_changed) {
  {
    MutexLock lock(&mu_);
    if (status_changed) {
      check_bits_ = true;
      last_change_height_ = std::max(last_change_height_, height);
    }
    if (!status_changed && !follow_up_) return;  // nothing can be due: no pass
    wake_ = true;
  }
  cv_.Signal();
}

void StatusListPublisher::Run() {
  uint64_t wait_ms = options_.check_interval_ms;
  while (true) {
    {
      MutexLock lock(&mu_);
      const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
      while (!stop_ && !wake_) {
        if (!cv_.WaitUntil(&mu_, until)) break;  // the periodic check of the lists' age
      }
      if (stop_) return;
      wake_ = false;
    }
    auto n = PublishDue();
    // No certified state yet (a network that just started: the first
    // block's certificate forms a round after it executes): try again
    // shortly instead of at the next block, which may be long in coming.
    const bool not_yet = !n.ok() && n.status().code() == StatusCode::kUnavailable;
    wait_ms = not_yet ? std::min<uint64_t>(kRetrySoonMs, options_.check_interval_ms)
                      : options_.check_interval_ms;
    if (not_yet) {
      spdlog::debug("status lists: not yet: {}", n.status().ToString());
    } else if (!n.ok()) {
      spdlog::warn("status lists: not published this time: {}", n.status().ToString());
    } else if (*n > 0) {
      spdlog::info("status lists: submitted {} publication(s)", *n);
    }
  }
}

Result<size_t> StatusListPublisher::PublishDue() {
  bool check_bits = false;
  uint64_t last_change = 0;
  {
    MutexLock lock(&mu_);
    check_bits = check_bits_;
    check_bits_ = false;
    last_change = last_change_height_;
    follow_up_ = false;
  }
  size_t submitted = 0;
  bool follow_up = false;
  Status failed;
  auto count = ports_.list_count();
  if (!count.ok()) {
    failed = count.status();
  } else {
    for (const auto purpose : proof::vc::kStatusPurposes) {
      for (uint64_t list = 0; list < *count && failed.ok(); ++list) {
        auto r = PublishIfDue(purpose, list, check_bits, last_change);
        if (!r.ok()) {
          failed = r.status();
        } else {
          submitted += r->submitted ? 1 : 0;
          follow_up = follow_up || r->follow_up;
        }
      }
    }
  }
  {
    MutexLock lock(&mu_);
    follow_up_ = follow_up_ || follow_up || !failed.ok();
    if (!failed.ok()) check_bits_ = check_bits_ || check_bits;  // the next pass checks again
  }
  if (!failed.ok()) return failed;
  return submitted;
}

Result<StatusListPublisher::Pass> StatusListPublisher::PublishIfDue(
    proof::vc::StatusPurpose purpose, uint64_t list, bool check_bits, uint64_t last_change) {
  LIC_ASSIGN_OR_RETURN(const std::optional<json> published, ports_.published(purpose, list));
  const uint64_t now = ports_.now_ms();
  const uint64_t published_height = published ? StatusHeightOf(*published) : 0;
  const auto slot = std::make_pair(static_cast<int>(purpose), list);
  if (auto it = in_flight_.find(slot); it != in_flight_.end()) {
    if (published && published_height >= it->second.status_height) {
      in_flight_.erase(it);  // landed
    } else if (now < it->second.deadline_ms) {
      return Pass{false, true};  // still on its way
    } else {
      in_flight_.erase(it);  // refused or lost: try again
    }
  }
  // Lists are of the certified state after their block: a change at block
  // `last_change` shows in lists of that block and later.
  const bool uncovered = last_change > 0 && last_change > published_height;
  bool due = !published || uncovered || now >= ValidFromOf(*published) + options_.refresh_after_ms;
  std::optional<json> fresh;
  if (!due && check_bits) {
    LIC_ASSIGN_OR_RETURN(fresh, ports_.build(purpose, list));
    LIC_ASSIGN_OR_RETURN(const Bytes want, proof::vc::DecodeStatusList(*fresh));
    auto have = proof::vc::DecodeStatusList(*published);
    due = !have.ok() || *have != want;
  }
  if (!due) return Pass{false, false};
  if (!fresh) {
    LIC_ASSIGN_OR_RETURN(fresh, ports_.build(purpose, list));
  }
  const uint64_t fresh_height = StatusHeightOf(*fresh);
  if (published && fresh_height < published_height) {
    return Pass{false, true};  // this node's head is behind the ledger's publication
  }
  if (published && fresh_height == published_height) {
    // The newest certified state is the published list's (its change is not
    // certified yet): the same list again would gain nothing. Next block.
    auto have = proof::vc::DecodeStatusList(*published);
    auto want = proof::vc::DecodeStatusList(*fresh);
    if (have.ok() && want.ok() && *have == *want) return Pass{false, true};
  }
  Transaction tx;
  tx.network_id = network_id_;
  tx.chaincode = "licence";
  tx.method = "publish_status_list";
  tx.args = ToBytes(json{{"credential", *fresh}}.dump());
  tx.submitter = key_.public_key();
  tx.nonce = now * 1000 + (++nonce_ % 1000);
  tx.SignWith(key_);
  in_flight_[slot] = InFlight{fresh_height, now + options_.retry_after_ms};
  ports_.submit(std::move(tx));
  return Pass{true, true};
}

}  // namespace licenced::node
