#include "node/block_fetch_worker.h"

#include <spdlog/spdlog.h>

namespace licenced::node {

DecodedFetch DecodeFetchedBlocks(const RawBlocks& raw, std::string* error) {
  DecodedFetch fetched;
  host::FetchedBlocks& out = fetched.blocks;
  out.reserve(raw.size());
  for (const RawBlock& r : raw) {
    const Bytes& block_bytes = r.block;
    const Bytes& cert_bytes = r.certificate;
    auto block = consensus::Block::Decode(block_bytes);
    if (!block.ok()) {
      *error = "a fetched block does not decode: " + block.status().message();
      break;
    }
    auto cert = consensus::CommitCertificate::Decode(cert_bytes);
    if (!cert.ok()) {
      *error = "the certificate of fetched block " + std::to_string(block->header.height) +
               " does not decode: " + cert.status().message();
      break;
    }
    if (cert->height != block->header.height || cert->block_hash != block->ComputeHash()) {
      *error = "the certificate of fetched block " + std::to_string(block->header.height) +
               " is for another block";
      break;
    }
    if (!r.state_certificate.empty()) {
      auto state = consensus::CheckpointProof::Decode(r.state_certificate);
      if (!state.ok() || state->checkpoint.height != cert->height ||
          state->checkpoint.block_hash != cert->block_hash) {
        *error = "the state certificate of fetched block " + std::to_string(cert->height) +
                 " does not decode or is for another block: left out";
      } else {
        fetched.state_certificates.push_back(std::move(*state));
      }
    }
    out.emplace_back(std::move(*block), std::move(*cert));
  }
  return fetched;
}

BlockFetchWorker::~BlockFetchWorker() { Stop(); }

void BlockFetchWorker::Start() {
  if (thread_.joinable()) return;
  thread_ = std::thread([this] { Loop(); });
}

void BlockFetchWorker::Stop() {
  {
    MutexLock lock(&mu_);
    stopping_ = true;
  }
  wake_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

bool BlockFetchWorker::Fetch(std::string peer, Source source, Done done) {
  {
    MutexLock lock(&mu_);
    if (stopping_ || !thread_.joinable() || job_.has_value() || running_job_) return false;
    job_ = Job{std::move(peer), std::move(source), std::move(done)};
  }
  wake_.Signal();
  return true;
}

bool BlockFetchWorker::busy() const {
  MutexLock lock(&mu_);
  return job_.has_value() || running_job_;
}

void BlockFetchWorker::Loop() {
  for (;;) {
    Job job;
    {
      MutexLock lock(&mu_);
      while (!stopping_ && !job_.has_value()) wake_.Wait(&mu_);
      // A job accepted before Stop still runs, so its `done` runs once.
      if (!job_.has_value()) return;
      job = std::move(*job_);
      job_.reset();
      running_job_ = true;
    }
    DecodedFetch blocks;
    auto raw = job.source();
    if (!raw.ok()) {
      spdlog::warn("state transfer from {} failed: {}", job.peer, raw.status().ToString());
    } else {
      std::string error;
      blocks = DecodeFetchedBlocks(*raw, &error);
      if (!error.empty()) spdlog::warn("state transfer from {}: {}", job.peer, error);
    }
    {
      // Before `done`: it hands the blocks to the host, which may start the
      // next fetch at once (queued behind this call on this thread).
      MutexLock lock(&mu_);
      running_job_ = false;
    }
    job.done(std::move(blocks));
  }
}

}  // namespace licenced::node
