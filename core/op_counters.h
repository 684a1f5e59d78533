// Counts of a few costly operations, for tests that bound how often a path
// performs them (signature verifications, transaction decodes, transaction id
// hashes, store reads).
//
// The product counts nothing: CountOp calls a weak hook that only test
// binaries define (tests/support/op_counts.cc). In licenced and licencectl the
// hook's address is null and CountOp is one well-predicted branch.
//
// Thread-safe (the hook is).
#pragma once

namespace licenced {

enum class Op : int {
  kSignatureVerify = 0,  // crypto::VerifyRaw
  kTxDecode,             // Transaction::Decode
  kTxIdHash,             // Transaction::Id
  kStoreRead,            // a KvStore point read (MemKvStore, RocksKvStore)
  kCount
};

}  // namespace licenced

extern "C" void licenced_count_op(int op) __attribute__((weak));

namespace licenced {

inline void CountOp(Op op) {
  if (licenced_count_op != nullptr) licenced_count_op(static_cast<int>(op));
}

}  // namespace licenced
