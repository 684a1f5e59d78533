// The edge of the replica for peer messages: what the node does with a peer's
// message on that peer's gRPC reader thread, before the strand. It decodes
// the message once, checks every signature in it (envelope and nested), and
// inspects the client transactions it carries (TxVerifier::Inspect: decoded,
// id hashed and signature checked once per node), handing the replica their
// ids and verdicts with the message.
//
// Thread-safe (TxVerifier is).
#pragma once

#include <optional>

#include "consensus/block.h"
#include "consensus/messages.h"
#include "core/bytes.h"
#include "node/tx_verifier.h"

namespace licenced::node {

// The message for ReplicaHost::OnMessage, signatures_checked; nothing if it
// does not decode or a signature does not verify.
std::optional<consensus::InboundMessage> PreVerifyInbound(const consensus::ValidatorSet& validators,
                                                          TxVerifier& verifier,
                                                          consensus::ReplicaId from,
                                                          ByteView message);

}  // namespace licenced::node
