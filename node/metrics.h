// Metrics: the counters and gauges the node exports on /metrics, rendered in
// the Prometheus text exposition format (version 0.0.4).
//
// Thread-safe: every field is atomic; writers are the node's strand and
// transport threads, the reader is the HTTP thread.
#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <string>

#include "consensus/replica.h"

namespace licenced::node {

// A fixed-bucket histogram of seconds.
class LatencyHistogram {
 public:
  static constexpr std::array<double, 14> kBounds = {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
                                                     0.25,  0.5,    1.0,   2.5,  5.0,   10.0, 30.0};
  void Observe(double seconds);
  // Appends the _bucket, _sum and _count lines for `name`.
  void Render(const std::string& name, const std::string& help, std::string* out) const;

 private:
  std::array<std::atomic<uint64_t>, kBounds.size() + 1> buckets_{};  // last = +Inf
  std::atomic<uint64_t> count_{0};
  std::atomic<uint64_t> sum_micros_{0};
};

struct Metrics {
  std::atomic<uint64_t> height{0};
  std::atomic<uint64_t> view{0};
  std::atomic<uint64_t> committed_transactions{0};  // accepted and rejected, excluding duplicates
  std::atomic<uint64_t> rejected_transactions{0};   // chaincode or decoding rejected
  std::atomic<uint64_t> peers_connected{0};
  std::atomic<uint64_t> mempool_size{0};
  std::atomic<uint64_t> view_changes{0};
  std::atomic<uint64_t> state_transfer_blocks{0};
  std::atomic<uint64_t> state_transfer_txs_preverified{0};  // signatures checked on fetch
  std::atomic<uint64_t> stable_checkpoint{0};
  std::atomic<uint64_t> certified_height{0};
  std::atomic<uint64_t> execution_halted{0};  // 1 once halted
  std::atomic<uint64_t> peer_messages_dropped{0};
  std::atomic<uint64_t> peer_messages_rejected{0};
  std::atomic<uint64_t> submitted_transactions{0};
  std::atomic<uint64_t> admission_rejected{0};  // RESOURCE_EXHAUSTED answers (backlog full)
  // Messages and requests the replica dropped, per consensus::DropReason.
  std::array<std::atomic<uint64_t>, consensus::kDropReasons> consensus_dropped{};
  // The TLS certificate the node serves and its CA (Unix ms; node/tls_rotation.h),
  // rendered as days to expiry at the time of the scrape.
  std::atomic<uint64_t> tls_certificate_not_after_ms{0};
  std::atomic<uint64_t> tls_ca_not_after_ms{0};
  std::atomic<uint64_t> tls_reloads_applied{0};
  std::atomic<uint64_t> tls_reloads_refused{0};
  LatencyHistogram commit_latency;  // submit (at this node) to executed, seconds

  std::string RenderPrometheus() const;
};

}  // namespace licenced::node
