#include "tests/unit/support/op_counts.h"

#include <atomic>

namespace {
std::array<std::atomic<uint64_t>, static_cast<size_t>(licenced::Op::kCount)> g_counts{};
}  // namespace

extern "C" void licenced_count_op(int op) {
  if (op >= 0 && op < static_cast<int>(licenced::Op::kCount)) {
    g_counts[static_cast<size_t>(op)].fetch_add(1, std::memory_order_relaxed);
  }
}

namespace licenced::testing {

OpCounts ReadOpCounts() {
  OpCounts out{};
  for (size_t i = 0; i < out.size(); ++i) out[i] = g_counts[i].load(std::memory_order_relaxed);
  return out;
}

uint64_t OpCountDelta::operator[](Op op) const {
  const size_t i = static_cast<size_t>(op);
  return ReadOpCounts()[i] - start_[i];
}

}  // namespace licenced::testing
