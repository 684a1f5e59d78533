// licenced::Mutex, MutexLock and CondVar: std::mutex and
// std::condition_variable with the clang thread-safety annotations of
// core/thread_annotations.h, so that -Wthread-safety checks GUARDED_BY
// members and REQUIRES functions at compile time.
//
//   Mutex mu_;
//   std::deque<Bytes> queue_ GUARDED_BY(mu_);
//   ...
//   MutexLock lock(&mu_);
//   while (queue_.empty()) cv_.Wait(&mu_);   // predicate checked with mu_ held
//
// Thread-safe (they are the synchronisation); a MutexLock belongs to the
// thread that made it.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>

#include "core/thread_annotations.h"

namespace licenced {

class CondVar;

class CAPABILITY("mutex") Mutex {
 public:
  Mutex() = default;
  Mutex(const Mutex&) = delete;
  Mutex& operator=(const Mutex&) = delete;

  void Lock() ACQUIRE() { mu_.lock(); }
  void Unlock() RELEASE() { mu_.unlock(); }
  bool TryLock() TRY_ACQUIRE(true) { return mu_.try_lock(); }
  // For documentation and the analysis: the caller holds this mutex.
  void AssertHeld() const ASSERT_CAPABILITY(this) {}

 private:
  friend class CondVar;
  std::mutex mu_;
};

// Holds a Mutex for its scope.
class SCOPED_CAPABILITY MutexLock {
 public:
  explicit MutexLock(Mutex* mu) ACQUIRE(mu) : mu_(mu) { mu_->Lock(); }
  ~MutexLock() RELEASE() { mu_->Unlock(); }
  MutexLock(const MutexLock&) = delete;
  MutexLock& operator=(const MutexLock&) = delete;

 private:
  Mutex* const mu_;
};

// A condition variable used with a Mutex the caller holds. Waits may wake
// spuriously: re-check the condition in a loop.
class CondVar {
 public:
  // Releases `mu`, waits for a Signal (or a spurious wake-up), re-acquires it.
  void Wait(Mutex* mu) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    cv_.wait(lock);
    lock.release();  // still held: the caller's scope owns it
  }
  // As Wait, until `deadline` at the latest. Returns false iff it timed out.
  template <typename Clock, typename Duration>
  bool WaitUntil(Mutex* mu, const std::chrono::time_point<Clock, Duration>& deadline) REQUIRES(mu) {
    std::unique_lock<std::mutex> lock(mu->mu_, std::adopt_lock);
    const bool woken = cv_.wait_until(lock, deadline) == std::cv_status::no_timeout;
    lock.release();
    return woken;
  }
  void Signal() { cv_.notify_one(); }
  void SignalAll() { cv_.notify_all(); }

 private:
  std::condition_variable cv_;
};

}  // namespace licenced
