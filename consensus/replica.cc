// First draft: compiling stubs so that the node can build against the API.
#include "consensus/replica.h"

namespace licenced::consensus {

class ReplicaCore {
 public:
  ReplicaConfig config;
};

Replica::Replica(std::unique_ptr<ReplicaCore> core) : core_(std::move(core)) {}
Replica::~Replica() = default;

Result<std::unique_ptr<Replica>> Replica::Create(ReplicaConfig config, crypto::KeyPair,
                                                 std::vector<std::pair<std::string, Bytes>>,
                                                 uint64_t, Hash, Hash) {
  auto core = std::make_unique<ReplicaCore>();
  core->config = std::move(config);
  return std::unique_ptr<Replica>(new Replica(std::move(core)));
}

std::vector<Effect> Replica::Start(TimeMs) { return {}; }
std::vector<Effect> Replica::OnMessage(ReplicaId, ByteView, TimeMs) { return {}; }
std::vector<Effect> Replica::OnRequest(Bytes, TimeMs) { return {}; }
std::vector<Effect> Replica::OnTimer(TimerId, TimeMs) { return {}; }
std::vector<Effect> Replica::OnExecuted(uint64_t, Hash, Hash, TimeMs) { return {}; }
std::vector<Effect> Replica::OnFetchedBlocks(std::vector<std::pair<Block, CommitCertificate>>,
                                             TimeMs) {
  return {};
}
uint64_t Replica::view() const { return 0; }
ReplicaId Replica::primary() const { return 0; }
bool Replica::in_view_change() const { return false; }
uint64_t Replica::committed_height() const { return 0; }
uint64_t Replica::executed_height() const { return 0; }
uint64_t Replica::stable_checkpoint() const { return 0; }
size_t Replica::pending_requests() const { return 0; }
uint64_t Replica::view_changes() const { return 0; }

}  // namespace licenced::consensus
