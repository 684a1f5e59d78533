// ClientService: the ClientApi gRPC service (callback API). Thin: decodes
// the request, calls the Node, encodes the reply with proper status codes.
// See docs/api.md.
//
// Thread-safe (handlers run on gRPC threads; Node's methods are thread-safe).
#pragma once

#include "proto/licenced.grpc.pb.h"

namespace licenced::node {

class Node;

class ClientService final : public licenced::v1::ClientApi::CallbackService {
 public:
  // SubmitTransactions refuses larger batches (INVALID_ARGUMENT).
  static constexpr int kMaxBatchTxs = 1000;

  explicit ClientService(Node* node) : node_(node) {}

  grpc::ServerUnaryReactor* SubmitTransaction(grpc::CallbackServerContext* ctx,
                                              const licenced::v1::SubmitRequest* req,
                                              licenced::v1::SubmitResponse* resp) override;
  grpc::ServerUnaryReactor* SubmitTransactions(grpc::CallbackServerContext* ctx,
                                               const licenced::v1::SubmitBatchRequest* req,
                                               licenced::v1::SubmitBatchResponse* resp) override;
  grpc::ServerUnaryReactor* GetTransaction(grpc::CallbackServerContext* ctx,
                                           const licenced::v1::GetTransactionRequest* req,
                                           licenced::v1::TransactionInfo* resp) override;
  grpc::ServerUnaryReactor* GetBlock(grpc::CallbackServerContext* ctx,
                                     const licenced::v1::GetBlockRequest* req,
                                     licenced::v1::BlockInfo* resp) override;
  grpc::ServerUnaryReactor* Query(grpc::CallbackServerContext* ctx,
                                  const licenced::v1::QueryRequest* req,
                                  licenced::v1::QueryResponse* resp) override;
  grpc::ServerWriteReactor<licenced::v1::Event>* StreamEvents(
      grpc::CallbackServerContext* ctx, const licenced::v1::EventFilter* req) override;
  grpc::ServerUnaryReactor* GetStatus(grpc::CallbackServerContext* ctx,
                                      const licenced::v1::GetStatusRequest* req,
                                      licenced::v1::NodeStatus* resp) override;
  grpc::ServerUnaryReactor* GetStateProof(grpc::CallbackServerContext* ctx,
                                          const licenced::v1::GetStateProofRequest* req,
                                          licenced::v1::StateProof* resp) override;
  grpc::ServerUnaryReactor* GetTxProof(grpc::CallbackServerContext* ctx,
                                       const licenced::v1::GetTxProofRequest* req,
                                       licenced::v1::TxProof* resp) override;

 private:
  Node* node_;
};

}  // namespace licenced::node
