// BlockFetchWorker: the state-transfer client's one thread. A fetch runs a
// blocking call to a peer (PeerLink::FetchBlocks), decodes what arrived once,
// straight from the peer's bytes into blocks and certificates, and hands them
// to `done` on this thread (the node pre-checks their signatures there, then
// posts them to the strand). One fetch in flight at a time, as the replica
// host asks for them.
//
// Thread-safe: Fetch from any thread; Start and Stop from the owner's thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/mutex.h"
#include "core/status.h"
#include "core/thread_annotations.h"
#include "node/host/replica_host.h"

namespace licenced::node {

// A fetched block as a peer sent it: the block's, its commit certificate's
// and (when the peer holds one; else empty) its state certificate's encodings.
struct RawBlock {
  RawBlock(Bytes b, Bytes c, Bytes s = {})
      : block(std::move(b)), certificate(std::move(c)), state_certificate(std::move(s)) {}
  Bytes block;
  Bytes certificate;
  Bytes state_certificate;
};
using RawBlocks = std::vector<RawBlock>;  // in height order

struct DecodedFetch {
  host::FetchedBlocks blocks;
  // Of the blocks kept, those that came with one (votes not checked here:
  // the replica checks them).
  std::vector<consensus::CheckpointProof> state_certificates;
};

// Decodes fetched blocks, keeping the prefix up to the first one that does
// not decode or whose certificate is for another block (`*error` says why).
// A state certificate that does not decode or is for another block is left
// out (the block is kept; `*error` says so).
DecodedFetch DecodeFetchedBlocks(const RawBlocks& raw, std::string* error);

class BlockFetchWorker {
 public:
  using Source = std::function<Result<RawBlocks>()>;
  using Done = std::function<void(DecodedFetch fetched)>;

  BlockFetchWorker() = default;
  ~BlockFetchWorker();
  BlockFetchWorker(const BlockFetchWorker&) = delete;
  BlockFetchWorker& operator=(const BlockFetchWorker&) = delete;

  void Start();
  // Waits for a running fetch to finish (its `done` runs); drops nothing else,
  // since there is at most one. Idempotent.
  void Stop() EXCLUDES(mu_);

  // Starts a fetch from `peer` (for the log). False, and nothing runs, if
  // one is still in flight or the worker is stopped; otherwise `done` runs
  // exactly once, with what arrived (possibly nothing).
  bool Fetch(std::string peer, Source source, Done done) EXCLUDES(mu_);
  bool busy() const EXCLUDES(mu_);

 private:
  struct Job {
    std::string peer;
    Source source;
    Done done;
  };
  void Loop() EXCLUDES(mu_);

  mutable Mutex mu_;
  CondVar wake_;
  std::optional<Job> job_ GUARDED_BY(mu_);
  bool running_job_ GUARDED_BY(mu_) = false;
  bool stopping_ GUARDED_BY(mu_) = false;
  std::thread thread_;
};

}  // namespace licenced::node
