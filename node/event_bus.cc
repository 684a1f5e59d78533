#include "node/event_bus.h"

#include <utility>

namespace licenced::node {

uint64_t EventBus::Subscribe(Sink sink) {
  MutexLock lock(&mu_);
  const uint64_t token = next_token_++;
  sinks_.emplace(token, std::move(sink));
  return token;
}

void EventBus::Unsubscribe(uint64_t token) {
  MutexLock lock(&mu_);
  sinks_.erase(token);
}

void EventBus::Publish(const std::vector<EventRecord>& events) {
  if (events.empty()) return;
  MutexLock lock(&mu_);
  for (auto& [token, sink] : sinks_) sink(events);
}

size_t EventBus::subscribers() const {
  MutexLock lock(&mu_);
  return sinks_.size();
}

}  // namespace licenced::node
