// PeerLink: this node's outbound connection to one other validator. Owns a
// gRPC channel (mutual TLS), a bounded outbound queue (messages and bytes;
// drop oldest when full, counted) and a sender thread that keeps one long-lived PeerApi.Connect
// stream open, reconnecting with exponential backoff (100 ms doubling to 5 s).
// Also performs blocking FetchBlocks calls for state transfer.
//
// Thread-safe: Enqueue/FetchBlocks/connected from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include <grpcpp/grpcpp.h>

#include "core/bytes.h"
#include "core/mutex.h"
#include "core/status.h"
#include "node/block_fetch_worker.h"
#include "node/rpc/tls.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::node {

struct Metrics;

class PeerLink {
 public:
  struct Options {
    std::string name;                         // validator name (TLS target name override)
    std::string address;                      // host:port of its PeerApi
    size_t queue_capacity = 10000;            // messages
    size_t queue_capacity_bytes = 32u << 20;  // encoded bytes
    int max_message_bytes = 16 * 1024 * 1024;
  };

  PeerLink(Options options, const TlsSource& tls, Metrics* metrics);
  ~PeerLink();
  PeerLink(const PeerLink&) = delete;
  PeerLink& operator=(const PeerLink&) = delete;

  void Start();
  void Stop() EXCLUDES(mu_);

  // Queues a message; drops the oldest queued one if the queue is full.
  void Enqueue(Bytes message) EXCLUDES(mu_);
  // Blocks until the peer answers or `timeout_ms` passes. Returns the
  // (block, certificate) pairs the peer sent, in order.
  Result<RawBlocks> FetchBlocks(uint64_t from_height, uint64_t to_height, int timeout_ms);

  bool connected() const { return connected_.load(); }
  uint64_t dropped() const { return dropped_.load(); }
  const Options& options() const { return options_; }

 private:
  void Run() EXCLUDES(mu_);
  bool Stopping() EXCLUDES(mu_);
  // Next message; *more = whether others are queued behind it.
  bool PopBlocking(Bytes* out, bool* more) EXCLUDES(mu_);

  Options options_;
  Metrics* metrics_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<licenced::v1::PeerApi::Stub> stub_;

  Mutex mu_;
  CondVar cv_;  // signalled on Enqueue and Stop
  std::deque<Bytes> queue_ GUARDED_BY(mu_);
  size_t queued_bytes_ GUARDED_BY(mu_) = 0;
  bool stopping_ GUARDED_BY(mu_) = false;
  grpc::ClientContext* active_ GUARDED_BY(mu_) = nullptr;
  grpc::ClientContext* active_fetch_ GUARDED_BY(mu_) = nullptr;  // one fetch at a time
  std::atomic<bool> connected_{false};
  std::atomic<uint64_t> dropped_{0};
  std::thread thread_;
};

}  // namespace licenced::node
