// Real crash test: a child process (storage_crash_writer) commits blocks to
// RocksDB in a loop, reporting each acknowledged height through a pipe, and
// is killed with SIGKILL at a random moment. The parent then reopens the
// data dir and checks that every acknowledged block is complete, the head is
// consistent and nothing of a later block exists. Several rounds continue
// the same chain. The seed is printed on failure; set LIC_CRASH_SEED to
// replay it.
#include <catch2/catch.hpp>

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <random>

#include "node/storage/rocks_kv_store.h"
#include "tests/unit/storage/storage_test_util.h"

extern char** environ;

namespace licenced::storage {
namespace {

// Reads one 8-byte height; false at EOF.
bool ReadHeight(int fd, uint64_t* height) {
  std::string buf(8, '\0');
  size_t got = 0;
  while (got < buf.size()) {
    ssize_t n = read(fd, buf.data() + got, buf.size() - got);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  *height = DecodeHeightKey(buf);
  return true;
}

TEST_CASE("storage: RocksDB block store survives SIGKILL of the writer",
          "[storage][crash][rocks]") {
  uint64_t seed = std::random_device{}();
  if (const char* env = std::getenv("LIC_CRASH_SEED")) seed = std::strtoull(env, nullptr, 10);
  INFO("seed " << seed << " (replay with LIC_CRASH_SEED=" << seed << ")");
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  uint64_t durable_head = 0;  // what the parent has seen after a reopen

  for (int round = 0; round < 6; ++round) {
    INFO("round " << round);
    int fds[2];
    REQUIRE(pipe(fds) == 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addclose(&actions, fds[1]);
    std::string program = STORAGE_CRASH_WRITER;
    std::string data_dir = dir.path();
    char* argv[] = {program.data(), data_dir.data(), nullptr};
    pid_t pid = 0;
    REQUIRE(posix_spawn(&pid, program.c_str(), &actions, nullptr, argv, environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);

    // Let it acknowledge a random number of commits, then kill it at a
    // random moment (possibly in the middle of the next commit).
    const uint64_t wait_for = 1 + rng() % 25;
    uint64_t acked = 0;
    uint64_t height = 0;
    for (uint64_t i = 0; i < wait_for && ReadHeight(fds[0], &height); ++i) acked = height;
    REQUIRE(acked > durable_head);  // the child made progress before we killed it
    if (round == 0) {
      // While the child runs, the data dir is locked against a second process.
      auto second = RocksKvStore::Open(dir.path());
      REQUIRE_FALSE(second.ok());
      INFO(second.status().ToString());
      CHECK(second.status().code() == StatusCode::kIoError);
      CHECK(second.status().message().find("another licenced") != std::string::npos);
    }
    usleep(static_cast<useconds_t>(rng() % 20000));
    REQUIRE(kill(pid, SIGKILL) == 0);
    int wstatus = 0;
    REQUIRE(waitpid(pid, &wstatus, 0) == pid);
    INFO("child exit status " << wstatus);
    REQUIRE((WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL));
    // Commits acknowledged after we stopped reading but before the kill.
    while (ReadHeight(fds[0], &height)) acked = height;
    close(fds[0]);

    auto kv = RocksKvStore::Open(dir.path());
    REQUIRE(kv.ok());
    uint64_t head = 0;
    std::string violation = testing::CheckChain(**kv, acked, &head);
    INFO("acknowledged " << acked << ", head after reopen " << head);
    CHECK(violation == "");
    // A commit can be durable without its acknowledgement reaching us, but
    // only the one in flight when the child died.
    CHECK(head <= acked + 1);
    durable_head = head;
  }
  CHECK(durable_head > 0);
}

}  // namespace
}  // namespace licenced::storage
