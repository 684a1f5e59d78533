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
  consensus::InboundMessage in{from, std::move(*decoded), /*signatures_checked=*/true, {}};
  const std::vector<Bytes> txs = consensus::CarriedTxs(in.envelope);
  in.txs.reserve(txs.size());
  for (const Bytes& tx : txs) in.txs.push_back(verifier.Inspect(tx));
  return in;
}

}  // namespace licenced::node
