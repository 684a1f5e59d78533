#include "node/host/replica_host.h"

#include <algorithm>
#include <cassert>
#include <variant>

namespace licenced::host {

using consensus::Effect;

ReplicaHost::ReplicaHost(std::unique_ptr<consensus::Replica> replica, HostPorts ports,
                         HostOptions options)
    : replica_(std::move(replica)), ports_(ports), options_(options) {
  assert(replica_ && ports_.transport && ports_.timers && ports_.execution && ports_.fetcher &&
         ports_.log && ports_.clock);
  options_.max_blocks_per_fetch = std::max<uint64_t>(options_.max_blocks_per_fetch, 1);
}

void ReplicaHost::Start() {
  if (halted_) return;
  Run(replica_->Start(ports_.clock->Now()));
}

void ReplicaHost::OnMessage(consensus::InboundMessage message) {
  if (halted_) return;
  Run(replica_->OnMessage(std::move(message), ports_.clock->Now()));
}

void ReplicaHost::OnRequest(Bytes tx, Hash id) {
  if (halted_) return;
  Run(replica_->OnRequest(std::move(tx), id, ports_.clock->Now()));
}

void ReplicaHost::OnTimer(TimerId id, uint64_t generation) {
  if (halted_) return;
  auto it = timers_.find(id);
  // Re-armed, cancelled or already fired since this firing was scheduled.
  if (it == timers_.end() || !it->second.armed || it->second.generation != generation) return;
  it->second.armed = false;
  Run(replica_->OnTimer(id, ports_.clock->Now()));
}

void ReplicaHost::OnExecuted(uint64_t height, Hash block_hash, Hash state_root_after) {
  if (halted_) return;
  Run(replica_->OnExecuted(height, block_hash, state_root_after, ports_.clock->Now()));
}

void ReplicaHost::OnFetched(FetchedBlocks blocks, std::vector<consensus::TxInfo> txs,
                            std::vector<consensus::CheckpointProof> state_certificates) {
  fetch_in_flight_ = false;
  if (halted_) return;
  Run(replica_->OnFetchedBlocks(std::move(blocks), std::move(txs), ports_.clock->Now()));
  if (halted_ || state_certificates.empty()) return;
  Run(replica_->OnFetchedStateCertificates(std::move(state_certificates), ports_.clock->Now()));
}

void ReplicaHost::Run(std::vector<Effect> effects) {
  if (const auto& broken = replica_->broken_invariant()) {
    Halt(Status::Internal("consensus invariant violated: " + *broken));
    queue_.clear();
    return;
  }
  for (Effect& e : effects) queue_.push_back(std::move(e));
  if (running_) return;  // the outer Run picks them up, in order
  running_ = true;
  while (!queue_.empty() && !halted_) {
    if (auto* p = std::get_if<consensus::Persist>(&queue_.front())) {
      // Coalesce consecutive persists into one write.
      std::vector<std::pair<std::string, Bytes>> batch;
      while (!queue_.empty()) {
        p = std::get_if<consensus::Persist>(&queue_.front());
        if (p == nullptr) break;
        if (ports_.listener) ports_.listener->OnEffect(queue_.front());
        batch.emplace_back(std::move(p->key), std::move(p->value));
        queue_.pop_front();
      }
      Status s = ports_.log->Write(batch);
      if (!s.ok()) {
        Halt(Status(s.code(), "consensus log write failed: " + s.message()));
        break;
      }
      unsynced_ = true;
      continue;
    }
    // Whatever leaves the host comes after the votes it depends on are durable.
    if (!SyncLog()) break;
    Effect e = std::move(queue_.front());
    queue_.pop_front();
    if (ports_.listener) ports_.listener->OnEffect(e);
    RunOne(e);
  }
  if (halted_) queue_.clear();
  running_ = false;
  if (ports_.listener) ports_.listener->AfterStep();
}

void ReplicaHost::RunOne(Effect& effect) {
  if (auto* s = std::get_if<consensus::SendTo>(&effect)) {
    ports_.transport->Send(s->to, s->message);
  } else if (auto* b = std::get_if<consensus::Broadcast>(&effect)) {
    ports_.transport->Broadcast(b->message);
  } else if (auto* t = std::get_if<consensus::SetTimer>(&effect)) {
    // Generations only grow, so a firing scheduled for an earlier arming never matches.
    TimerState& timer = timers_[t->id];
    ++timer.generation;
    timer.armed = true;
    ports_.timers->Arm(t->id, timer.generation, t->deadline);
  } else if (auto* c = std::get_if<consensus::CancelTimer>(&effect)) {
    auto it = timers_.find(c->id);
    if (it != timers_.end() && it->second.armed) {
      it->second.armed = false;
      ports_.timers->Cancel(c->id);
    }
  } else if (auto* d = std::get_if<consensus::Deliver>(&effect)) {
    ports_.execution->Enqueue(std::move(*d));
  } else if (auto* c = std::get_if<consensus::Certified>(&effect)) {
    ports_.execution->Certified(std::move(*c));
  } else if (auto* x = std::get_if<consensus::HaltExecution>(&effect)) {
    ports_.execution->HaltExecution(*x);
  } else if (auto* f = std::get_if<consensus::FetchBlocks>(&effect)) {
    if (fetch_in_flight_ || f->to_height < f->from_height) return;
    const uint64_t to = std::min(f->to_height, f->from_height + options_.max_blocks_per_fetch - 1);
    fetch_in_flight_ = true;  // before Fetch: it may answer at once
    if (!ports_.fetcher->Fetch(f->peer, f->from_height, to)) fetch_in_flight_ = false;
  }
}

bool ReplicaHost::SyncLog() {
  if (!unsynced_) return true;
  Status s = ports_.log->Sync();
  if (!s.ok()) {
    Halt(Status(s.code(), "consensus log sync failed: " + s.message()));
    return false;
  }
  unsynced_ = false;
  return true;
}

void ReplicaHost::Halt(Status why) {
  if (halted_) return;
  halted_ = true;
  halt_reason_ = std::move(why);
  if (ports_.listener) ports_.listener->OnHalt(halt_reason_);
}

}  // namespace licenced::host
