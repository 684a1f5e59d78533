#include "node/inbound.h"

#include <utility>

namespace licenced::node {

std::optional<consensus::InboundMessage> PreVerifyInbound(const consensus::ValidatorSet& validators,
                                                          TxVerifier& verifier,
                                                          consensus::ReplicaId from,
                                                          ByteView message) {
  auto decoded = consensus::SignedMessage::Decode(message);
  if (!decoded.ok()) return std::nullopt;
  if (!consensus::VerifyMessageSignatures(validators, *decoded).ok()) return std::nullopt;
  for (const Bytes& tx : consensus::CarriedTxs(*decoded)) verifier.IsValid(tx);
  return consensus::InboundMessage{from, std::move(*decoded), /*signatures_checked=*/true};
}

}  // namespace licenced::node
