#include "node/rpc/convert.h"

#include <algorithm>

#include "core/merkle.h"

namespace licenced::node {

namespace v1 = licenced::v1;

grpc::StatusCode ToGrpcCode(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return grpc::StatusCode::OK;
    case StatusCode::kInvalidArgument:
      return grpc::StatusCode::INVALID_ARGUMENT;
    case StatusCode::kNotFound:
      return grpc::StatusCode::NOT_FOUND;
    case StatusCode::kAlreadyExists:
      return grpc::StatusCode::ALREADY_EXISTS;
    case StatusCode::kPermissionDenied:
      return grpc::StatusCode::PERMISSION_DENIED;
    case StatusCode::kFailedPrecondition:
      return grpc::StatusCode::FAILED_PRECONDITION;
    case StatusCode::kCorruption:
      return grpc::StatusCode::DATA_LOSS;
    case StatusCode::kIoError:
      return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kUnavailable:
      return grpc::StatusCode::UNAVAILABLE;
    case StatusCode::kInternal:
      return grpc::StatusCode::INTERNAL;
  }
  return grpc::StatusCode::UNKNOWN;
}

grpc::Status ToGrpc(const Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(ToGrpcCode(status.code()), status.message());
}

Result<Hash> HashFromProtoHex(const std::string& hex, const char* field) {
  auto h = HashFromHex(hex);
  if (!h.ok()) {
    return Status::InvalidArgument(std::string(field) +
                                   " must be 64 hex characters (a SHA-256 id), got '" +
                                   hex.substr(0, 80) + "'");
  }
  return *h;
}

Result<Transaction> TransactionFromProto(const v1::SubmitRequest& request) {
  const std::string& raw = request.transaction();
  if (raw.empty()) {
    return Status::InvalidArgument(
        "transaction is empty: put the bytes of Transaction::Encode() in "
        "SubmitRequest.transaction");
  }
  auto tx = Transaction::Decode(AsBytes(raw));
  if (!tx.ok()) {
    return Status::InvalidArgument("transaction does not decode: " + tx.status().message());
  }
  return tx;
}

Result<std::pair<consensus::Block, consensus::CommitCertificate>> BlockWithCertFromProto(
    const v1::BlockWithCert& item) {
  auto block = consensus::Block::Decode(AsBytes(item.block()));
  if (!block.ok()) {
    return Status::InvalidArgument("BlockWithCert.block does not decode: " +
                                   block.status().message());
  }
  auto cert = consensus::CommitCertificate::Decode(AsBytes(item.certificate()));
  if (!cert.ok()) {
    return Status::InvalidArgument("BlockWithCert.certificate does not decode: " +
                                   cert.status().message());
  }
  if (item.height() != 0 && item.height() != block->header.height) {
    return Status::InvalidArgument("BlockWithCert.height " + std::to_string(item.height()) +
                                   " differs from the block's height " +
                                   std::to_string(block->header.height));
  }
  if (cert->height != block->header.height || cert->block_hash != block->ComputeHash()) {
    return Status::InvalidArgument("BlockWithCert.certificate is not for this block");
  }
  return std::make_pair(std::move(*block), std::move(*cert));
}

Status FillBlockInfo(ByteView block_bytes, ByteView cert_bytes, const Genesis& genesis,
                     v1::BlockInfo* out) {
  auto block = consensus::Block::Decode(block_bytes);
  if (!block.ok())
    return Status::Corruption("stored block does not decode: " + block.status().message());
  auto cert = consensus::CommitCertificate::Decode(cert_bytes);
  if (!cert.ok())
    return Status::Corruption("stored certificate does not decode: " + cert.status().message());
  const auto& h = block->header;
  out->set_block(block_bytes.data(), block_bytes.size());
  out->set_certificate(cert_bytes.data(), cert_bytes.size());
  out->set_height(h.height);
  out->set_hash_hex(ToHex(h.ComputeHash()));
  out->set_prev_hash_hex(ToHex(h.prev_hash));
  out->set_timestamp_ms(h.timestamp_ms);
  out->set_tx_root_hex(ToHex(h.tx_root));
  out->set_state_root_hex(ToHex(h.state_root));
  out->set_proposer(h.proposer);
  if (h.proposer < genesis.validators.size()) {
    out->set_proposer_name(genesis.validators[h.proposer].name);
  }
  for (const Bytes& raw : block->txs) {
    auto tx = Transaction::Decode(raw);
    out->add_tx_ids_hex(ToHex(tx.ok() ? tx->Id() : crypto::Sha256(raw)));
  }
  out->set_view(cert->view);
  out->set_signatures(static_cast<uint32_t>(cert->signatures.size()));
  return Status::Ok();
}

void EventToProto(const EventRecord& e, v1::Event* out) {
  out->set_height(e.height);
  out->set_tx_id_hex(ToHex(e.tx_id));
  out->set_tx_index(e.tx_index);
  out->set_kind(e.kind);
  for (const auto& o : e.orgs) out->add_orgs(o);
  out->set_payload_json(e.payload_json);
  out->set_timestamp_ms(e.timestamp_ms);
}

bool EventMatches(const v1::EventFilter& filter, const EventRecord& e) {
  if (!filter.org().empty() && !e.orgs.empty() &&
      std::find(e.orgs.begin(), e.orgs.end(), filter.org()) == e.orgs.end()) {
    return false;
  }
  if (filter.kinds_size() > 0 &&
      std::find(filter.kinds().begin(), filter.kinds().end(), e.kind) == filter.kinds().end()) {
    return false;
  }
  return true;
}

void TxRecordToProto(const Hash& id, const TxRecord& r, v1::TransactionInfo* out) {
  out->set_tx_id_hex(ToHex(id));
  out->set_committed(true);
  out->set_height(r.height);
  out->set_index(r.index);
  out->set_status(CodeName(r.code));
  out->set_message(r.message);
  out->set_result_json(r.result_json);
}

}  // namespace licenced::node
