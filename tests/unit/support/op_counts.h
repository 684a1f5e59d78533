// Reading the operation counters of core/op_counters.h in a test: linking
// this library defines the hook, so the product's CountOp calls count.
//
// Thread-safe (relaxed atomics; read them once the work has finished).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "core/op_counters.h"

namespace licenced::testing {

using OpCounts = std::array<uint64_t, static_cast<std::size_t>(Op::kCount)>;

// Counts since the process started.
OpCounts ReadOpCounts();

// Counts between construction and Take().
class OpCountDelta {
 public:
  OpCountDelta() : start_(ReadOpCounts()) {}
  uint64_t operator[](Op op) const;  // since construction
  void Restart() { start_ = ReadOpCounts(); }

 private:
  OpCounts start_;
};

}  // namespace licenced::testing
