// Conversions between the wire types (proto/licenced.proto) and domain types,
// at the edge of the node. Every FromProto-style function rejects malformed
// input with InvalidArgument and a message naming the field.
//
// Pure functions; thread-safe.
#pragma once

#include <string>
#include <utility>

#include <grpcpp/grpcpp.h>

#include "consensus/block.h"
#include "core/bytes.h"
#include "core/genesis.h"
#include "core/status.h"
#include "core/transaction.h"
#include "node/state_store.h"
#include "proto/licenced.pb.h"

namespace licenced::node {

// Status -> grpc::Status with the matching code (kCorruption/kIoError ->
// INTERNAL/UNAVAILABLE).
grpc::Status ToGrpc(const Status& status);
grpc::StatusCode ToGrpcCode(StatusCode code);

// A 64-hex-character transaction id (field named in errors as `field`).
Result<Hash> HashFromProtoHex(const std::string& hex, const char* field);

// SubmitRequest.transaction -> Transaction (size bound, canonical decode).
Result<Transaction> TransactionFromProto(const licenced::v1::SubmitRequest& request);

// A (block, certificate) pair received by state transfer.
Result<std::pair<consensus::Block, consensus::CommitCertificate>> BlockWithCertFromProto(
    const licenced::v1::BlockWithCert& item);

// Fills a BlockInfo from stored block and certificate bytes.
Status FillBlockInfo(ByteView block_bytes, ByteView cert_bytes, const Genesis& genesis,
                     licenced::v1::BlockInfo* out);

void EventToProto(const EventRecord& event, licenced::v1::Event* out);
// True iff `event` passes `filter` (org audience, kinds). An event with no
// audience orgs is addressed to everyone.
bool EventMatches(const licenced::v1::EventFilter& filter, const EventRecord& event);

void TxRecordToProto(const Hash& id, const TxRecord& record, licenced::v1::TransactionInfo* out);

}  // namespace licenced::node
