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
  kNumReplicaOps = 14,
};

}  // namespace licenced::fuzz
