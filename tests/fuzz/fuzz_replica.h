// Op codes of the replica fuzz target's input (shared with the seed
// generator). An input is: self u8, then ops until the input ends; each op is
// a code u8 followed by its fields (fuzz_replica.cc documents them).
#pragma once

#include <cstdint>

namespace licenced::fuzz {

enum ReplicaOp : uint8_t {
  kRawMessage = 0,  // from u8, bytes Blob
  kSignedBody = 1,  // type u8, sender u8, body Blob
  kPrePrepare = 2,  // view u8, height_delta u8, ntx u8, each tx Blob, corrupt u8
  kVote = 3,        // commit? u8, sender u8, view u8, height_delta u8, hash pick u8
  kVoteBurst = 4,   // proposal pick u8 (0xff: the latest), which u8 (1 prepares, 2 commits, 3 both)
  kCheckpoint = 5,  // sender u8 (>=4: all others), height pick u8, corrupt u8
  kViewChange = 6,  // sender u8 (>=4: all others), view u8, prepared pick u8
  kNewView = 7,     // view u8, with_pre_prepare u8
  kTimer = 8,       // timer pick u8
  kRequest = 9,     // tx Blob
  kAdvance = 10,    // ms u16
  kFetched = 11,    // nblocks u8, corrupt u8
  kRestart = 12,    // (none)
  kStatus = 13,     // sender u8, view u8, flag u8, executed_delta u8
  kNumLegacyOps = 14,
  // Written as the byte 0xF0 + (op - 14) (see OpByte), so that inputs made
  // before these existed keep their meaning (op = byte % 14 below 0xF0).
  kRequestBatch = 14,   // sender u8, ntx u8, each tx Blob
  kBlockRequest = 15,   // sender u8, proposal pick u8, wrong hash u8
  kBlockResponse = 16,  // sender u8, proposal pick u8, corrupt u8
  kVerified = 17,       // from u8, bytes Blob: marked as checked if its signatures check
  kNumReplicaOps = 18,
};

inline uint8_t OpByte(ReplicaOp op) {
  return op < kNumLegacyOps ? static_cast<uint8_t>(op)
                            : static_cast<uint8_t>(0xF0 + (op - kNumLegacyOps));
}
inline ReplicaOp OpOf(uint8_t byte) {
  if (byte >= 0xF0) {
    return static_cast<ReplicaOp>(kNumLegacyOps + (byte - 0xF0) % (kNumReplicaOps - kNumLegacyOps));
  }
  return static_cast<ReplicaOp>(byte % kNumLegacyOps);
}

}  // namespace licenced::fuzz
