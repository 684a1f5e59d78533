// Child process of the real-RocksDB crash test (rocks_crash_test.cc).
//
// Usage: storage_crash_writer DATA_DIR
// Opens the block store in DATA_DIR and commits the test chain from its head
// on, forever. After each commit returns OK it writes the height (8 bytes,
// big-endian) to stdout with write(2), so the parent learns exactly which
// commits were acknowledged before it kills this process with SIGKILL.
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include "core/crypto.h"
#include "node/storage/block_store.h"
#include "node/storage/consensus_log.h"
#include "node/storage/rocks_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

namespace {

bool WriteAll(int fd, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    ssize_t n = write(fd, data.data() + done, data.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace licenced;
  using namespace licenced::storage;
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s DATA_DIR\n", argv[0]);
    return 2;
  }
  if (!crypto::Init().ok()) return 2;
  auto kv = RocksKvStore::Open(argv[1]);
  if (!kv.ok()) {
    std::fprintf(stderr, "open: %s\n", kv.status().ToString().c_str());
    return 3;
  }
  auto store = BlockStore::Open(kv->get());
  if (!store.ok()) {
    std::fprintf(stderr, "block store: %s\n", store.status().ToString().c_str());
    return 3;
  }
  ConsensusLog log(kv->get());
  for (uint64_t h = (*store)->head_height() + 1;; ++h) {
    Status s = log.Put("vote", ToBytes(std::to_string(h)));
    if (s.ok()) s = (*kv)->Put(Column::kMeta, "scratch", ToBytes(std::to_string(h)), false);
    if (s.ok()) s = (*store)->Commit(testing::ChainRecord(h, 512));
    if (!s.ok()) {
      std::fprintf(stderr, "commit %llu: %s\n", static_cast<unsigned long long>(h),
                   s.ToString().c_str());
      return 4;
    }
    if (!WriteAll(STDOUT_FILENO, HeightKey(h))) return 5;
  }
}
