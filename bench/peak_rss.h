// Peak resident set size of this process, for the benchmark programs.
#pragma once

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <string>

namespace licenced::bench {

// VmHWM in KiB, 0 if unknown.
inline uint64_t PeakRssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::strtoull(line.c_str() + 6, nullptr, 10);
  }
  return 0;
}

}  // namespace licenced::bench
