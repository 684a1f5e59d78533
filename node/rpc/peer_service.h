// PeerService: the server side of PeerApi (callback API). Accepts Connect
// streams only from peers whose TLS certificate names a genesis validator
// (CN or SAN), and passes on only messages signed by that same validator;
// everything else is rejected, counted and logged. Serves FetchBlocks from
// the block store through a callback.
//
// Thread-safe: handlers run on gRPC threads and only call the callbacks,
// which must be thread-safe (the node's just post to its strand).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "consensus/replica.h"
#include "core/bytes.h"
#include "core/status.h"
#include "proto/licenced.grpc.pb.h"

namespace licenced::node {

struct Metrics;

class PeerService final : public licenced::v1::PeerApi::CallbackService {
 public:
  static constexpr uint64_t kMaxBlocksPerFetch = consensus::kMaxFetchBlocks;

  struct Callbacks {
    // Validator index of a validator name, if it is one.
    std::function<std::optional<uint32_t>(const std::string& name)> validator_by_name;
    // The validator index that signed a consensus message, or nullopt if the
    // message does not decode.
    std::function<std::optional<uint32_t>(ByteView message)> signer_of;
    // A verified message from validator `from`.
    std::function<void(uint32_t from, Bytes message)> on_message;
    // Committed (block, certificate) at `height`, nullopt past the head.
    std::function<Result<std::optional<std::pair<Bytes, Bytes>>>(uint64_t height)> block_at;
    // The stored state certificate of block `height`, or nullopt (optional:
    // unset serves none).
    std::function<std::optional<Bytes>(uint64_t height)> state_certificate_at;
  };

  PeerService(uint32_t self, Callbacks callbacks, Metrics* metrics)
      : self_(self), callbacks_(std::move(callbacks)), metrics_(metrics) {}

  grpc::ServerBidiReactor<licenced::v1::PeerEnvelope, licenced::v1::PeerEnvelope>* Connect(
      grpc::CallbackServerContext* context) override;
  grpc::ServerWriteReactor<licenced::v1::BlockWithCert>* FetchBlocks(
      grpc::CallbackServerContext* context,
      const licenced::v1::FetchBlocksRequest* request) override;

  // Identity of a call's TLS peer as a validator index, or nullopt.
  std::optional<uint32_t> AuthenticatedValidator(const grpc::CallbackServerContext* context,
                                                 std::string* names) const;
  const Callbacks& callbacks() const { return callbacks_; }
  Metrics* metrics() const { return metrics_; }
  uint32_t self() const { return self_; }

 private:
  uint32_t self_;
  Callbacks callbacks_;
  Metrics* metrics_;
};

}  // namespace licenced::node
