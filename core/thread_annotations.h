// Clang thread-safety analysis attributes (-Wthread-safety), as macros that
// expand to nothing on compilers without them (gcc). See
// https://clang.llvm.org/docs/ThreadSafetyAnalysis.html. Use them with the
// annotated licenced::Mutex of core/mutex.h (std::mutex is not annotated in
// libstdc++, so the analysis cannot see it).
//
//   Mutex mu_;
//   int n_ GUARDED_BY(mu_);            // read/written only with mu_ held
//   void AddLocked() REQUIRES(mu_);    // caller holds mu_
//   void Add() EXCLUDES(mu_);          // takes mu_ itself
//
// Abseil's absl/base/internal/thread_annotations.h (included by gRPC headers)
// defines some of the same names with the same attributes: each macro here is
// defined only if not already, so either header may come first.
//
// Macros only; nothing here has state.
#pragma once

#if defined(__clang__)
#define LIC_THREAD_ANNOTATION(x) __attribute__((x))
#else
#define LIC_THREAD_ANNOTATION(x)
#endif

// A type that is a lock (a capability named `x`, e.g. "mutex").
#ifndef CAPABILITY
#define CAPABILITY(x) LIC_THREAD_ANNOTATION(capability(x))
#endif
// An RAII type that holds a capability for its lifetime.
#ifndef SCOPED_CAPABILITY
#define SCOPED_CAPABILITY LIC_THREAD_ANNOTATION(scoped_lockable)
#endif
// The member is read and written only with the capability held.
#ifndef GUARDED_BY
#define GUARDED_BY(x) LIC_THREAD_ANNOTATION(guarded_by(x))
#endif
// The pointee of the member is accessed only with the capability held.
#ifndef PT_GUARDED_BY
#define PT_GUARDED_BY(x) LIC_THREAD_ANNOTATION(pt_guarded_by(x))
#endif
// The caller must hold the capabilities (exclusively).
#ifndef REQUIRES
#define REQUIRES(...) LIC_THREAD_ANNOTATION(requires_capability(__VA_ARGS__))
#endif
// The caller must hold the capabilities at least shared.
#ifndef REQUIRES_SHARED
#define REQUIRES_SHARED(...) LIC_THREAD_ANNOTATION(requires_shared_capability(__VA_ARGS__))
#endif
// The caller must not hold the capabilities (the function takes them).
#ifndef EXCLUDES
#define EXCLUDES(...) LIC_THREAD_ANNOTATION(locks_excluded(__VA_ARGS__))
#endif
// The function acquires / releases the capabilities.
#ifndef ACQUIRE
#define ACQUIRE(...) LIC_THREAD_ANNOTATION(acquire_capability(__VA_ARGS__))
#endif
#ifndef RELEASE
#define RELEASE(...) LIC_THREAD_ANNOTATION(release_capability(__VA_ARGS__))
#endif
// The function acquires the capability iff it returns `ret`.
#ifndef TRY_ACQUIRE
#define TRY_ACQUIRE(...) LIC_THREAD_ANNOTATION(try_acquire_capability(__VA_ARGS__))
#endif
// Lock ordering.
#ifndef ACQUIRED_BEFORE
#define ACQUIRED_BEFORE(...) LIC_THREAD_ANNOTATION(acquired_before(__VA_ARGS__))
#endif
#ifndef ACQUIRED_AFTER
#define ACQUIRED_AFTER(...) LIC_THREAD_ANNOTATION(acquired_after(__VA_ARGS__))
#endif
// The function returns a reference to the capability.
#ifndef RETURN_CAPABILITY
#define RETURN_CAPABILITY(x) LIC_THREAD_ANNOTATION(lock_returned(x))
#endif
// Tells the analysis the capability is held (a runtime-checked assertion).
#ifndef ASSERT_CAPABILITY
#define ASSERT_CAPABILITY(x) LIC_THREAD_ANNOTATION(assert_capability(x))
#endif
// Turns the analysis off for one function (say why at the use).
#ifndef NO_THREAD_SAFETY_ANALYSIS
#define NO_THREAD_SAFETY_ANALYSIS LIC_THREAD_ANNOTATION(no_thread_safety_analysis)
#endif
