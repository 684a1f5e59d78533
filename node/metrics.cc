#include "node/metrics.h"

#include <chrono>
#include <utility>

#include <fmt/format.h>

namespace licenced::node {

void LatencyHistogram::Observe(double seconds) {
  size_t i = 0;
  while (i < kBounds.size() && seconds > kBounds[i]) ++i;
  buckets_[i].fetch_add(1, std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
  sum_micros_.fetch_add(static_cast<uint64_t>(seconds * 1e6), std::memory_order_relaxed);
}

void LatencyHistogram::Render(const std::string& name, const std::string& help,
                              std::string* out) const {
  *out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < kBounds.size(); ++i) {
    cumulative += buckets_[i].load(std::memory_order_relaxed);
    *out += fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, kBounds[i], cumulative);
  }
  cumulative += buckets_[kBounds.size()].load(std::memory_order_relaxed);
  *out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n", name, cumulative);
  *out += fmt::format("{}_sum {}\n", name,
                      static_cast<double>(sum_micros_.load(std::memory_order_relaxed)) / 1e6);
  *out += fmt::format("{}_count {}\n", name, count_.load(std::memory_order_relaxed));
}

namespace {
void Line(std::string* out, const char* name, const char* type, const char* help, uint64_t v) {
  *out += fmt::format("# HELP {} {}\n# TYPE {} {}\n{} {}\n", name, help, name, type, name, v);
}
}  // namespace

std::string Metrics::RenderPrometheus() const {
  std::string out;
  auto g = [](const std::atomic<uint64_t>& a) { return a.load(std::memory_order_relaxed); };
  Line(&out, "licenced_height", "gauge", "Executed (committed and applied) block height.",
       g(height));
  Line(&out, "licenced_view", "gauge", "Current PBFT view.", g(view));
  Line(&out, "licenced_committed_transactions_total", "counter",
       "Transactions committed in blocks (accepted or rejected by chaincode).",
       g(committed_transactions));
  Line(&out, "licenced_rejected_transactions_total", "counter",
       "Committed transactions rejected by chaincode or decoding.", g(rejected_transactions));
  Line(&out, "licenced_submitted_transactions_total", "counter",
       "Transactions accepted by this node's SubmitTransaction.", g(submitted_transactions));
  Line(&out, "licenced_admission_rejected_total", "counter",
       "Client submissions answered RESOURCE_EXHAUSTED (pending backlog over the admission bound).",
       g(admission_rejected));
  commit_latency.Render("licenced_commit_latency_seconds",
                        "Submit-to-commit latency of transactions submitted to this node.", &out);
  Line(&out, "licenced_peers_connected", "gauge", "Peers with an open outbound stream.",
       g(peers_connected));
  Line(&out, "licenced_mempool_size", "gauge", "Transactions waiting to be proposed.",
       g(mempool_size));
  Line(&out, "licenced_view_changes_total", "counter", "View changes completed.", g(view_changes));
  Line(&out, "licenced_state_transfer_blocks_total", "counter",
       "Blocks received by state transfer.", g(state_transfer_blocks));
  Line(&out, "licenced_state_transfer_txs_preverified_total", "counter",
       "Transactions of fetched blocks whose signatures were checked before execution.",
       g(state_transfer_txs_preverified));
  Line(&out, "licenced_stable_checkpoint", "gauge", "Height of the last stable checkpoint.",
       g(stable_checkpoint));
  Line(&out, "licenced_state_certified_height", "gauge",
       "Highest height whose state certificate (2f+1 signed state roots) this node holds.",
       g(certified_height));
  Line(&out, "licenced_execution_halted", "gauge",
       "1 if this node's execution disagreed with a certified state and stopped.",
       g(execution_halted));
  Line(&out, "licenced_peer_messages_dropped_total", "counter",
       "Outbound peer messages dropped because a peer queue was full.", g(peer_messages_dropped));
  Line(&out, "licenced_peer_messages_rejected_total", "counter",
       "Inbound peer messages rejected (bad signer or identity).", g(peer_messages_rejected));
  out +=
      "# HELP licenced_consensus_dropped_total Messages and requests the replica dropped, by "
      "reason.\n# TYPE licenced_consensus_dropped_total counter\n";
  for (size_t r = 0; r < consensus::kDropReasons; ++r) {
    out += std::string("licenced_consensus_dropped_total{reason=\"") +
           consensus::DropReasonName(static_cast<consensus::DropReason>(r)) + "\"} " +
           std::to_string(consensus_dropped[r].load(std::memory_order_relaxed)) + "\n";
  }
  // Days left, at the time of the scrape (fractional, so an alert can fire
  // on the hour); negative once expired.
  const auto now_ms = static_cast<double>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                              std::chrono::system_clock::now().time_since_epoch())
                                              .count());
  out +=
      "# HELP licenced_tls_certificate_expiry_days Days until the TLS certificate the node "
      "serves (certificate=\"node\") and its CA (certificate=\"ca\") expire.\n"
      "# TYPE licenced_tls_certificate_expiry_days gauge\n";
  for (const auto& [label, at] :
       {std::pair<const char*, const std::atomic<uint64_t>*>{"node", &tls_certificate_not_after_ms},
        {"ca", &tls_ca_not_after_ms}}) {
    out += fmt::format("licenced_tls_certificate_expiry_days{{certificate=\"{}\"}} {:.3f}\n", label,
                       (static_cast<double>(g(*at)) - now_ms) / 86'400'000.0);
  }
  out +=
      "# HELP licenced_tls_reloads_total Replacements of the TLS certificate and key seen while "
      "running: applied, or refused (a check failed; the old ones stay in use).\n"
      "# TYPE licenced_tls_reloads_total counter\n";
  out +=
      fmt::format("licenced_tls_reloads_total{{result=\"applied\"}} {}\n", g(tls_reloads_applied));
  out +=
      fmt::format("licenced_tls_reloads_total{{result=\"refused\"}} {}\n", g(tls_reloads_refused));
  return out;
}

}  // namespace licenced::node
