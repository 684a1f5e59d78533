// EventBus: the live event feed of committed blocks. The execution thread
// publishes each block's events; subscribers (SubscribeEvents streams) get
// them in commit order.
//
// A sink runs on the publishing thread, with the bus's lock held, so that
// once Unsubscribe returns the sink is never called again (the stream that
// owned it may then be destroyed). A sink must therefore be quick (queue
// and return) and must not call back into the bus.
//
// Thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <vector>

#include "core/mutex.h"
#include "core/thread_annotations.h"
#include "node/state_store.h"

namespace licenced::node {

class EventBus {
 public:
  using Sink = std::function<void(const std::vector<EventRecord>&)>;

  // Returns a token for Unsubscribe (never 0).
  uint64_t Subscribe(Sink sink) EXCLUDES(mu_);
  void Unsubscribe(uint64_t token) EXCLUDES(mu_);
  // Calls every sink with `events` (nothing if empty).
  void Publish(const std::vector<EventRecord>& events) EXCLUDES(mu_);
  size_t subscribers() const EXCLUDES(mu_);

 private:
  mutable Mutex mu_;
  std::map<uint64_t, Sink> sinks_ GUARDED_BY(mu_);
  uint64_t next_token_ GUARDED_BY(mu_) = 1;
};

}  // namespace licenced::node
