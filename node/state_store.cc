#include "node/state_store.h"

#include <spdlog/spdlog.h>

#include "core/encoding.h"

namespace licenced::node {

namespace {
void AppendBe(std::string* s, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) s->push_back(static_cast<char>((v >> (8 * i)) & 0xff));
}
}  // namespace

std::string StateKey(std::string_view key) { return std::string(kStatePrefix) + std::string(key); }

std::string TxKey(const Hash& id) {
  std::string k(kTxPrefix);
  k.append(reinterpret_cast<const char*>(id.data()), id.size());
  return k;
}

std::string EventHeightPrefix(uint64_t height) {
  std::string k(kEventPrefix);
  AppendBe(&k, height, 8);
  return k;
}

std::string EventKey(uint64_t height, uint32_t tx_index, uint32_t n) {
  std::string k = EventHeightPrefix(height);
  AppendBe(&k, tx_index, 4);
  AppendBe(&k, n, 4);
  return k;
}

std::string RootKey(uint64_t height) {
  std::string k(kRootPrefix);
  AppendBe(&k, height, 8);
  return k;
}

const char* CodeName(StatusCode code) { return StatusCodeName(code); }

Bytes TxRecord::Encode() const {
  Writer w;
  w.U64(height).U32(index).U8(static_cast<uint8_t>(code)).Str(message).Str(result_json);
  return w.Take();
}

Result<TxRecord> TxRecord::Decode(ByteView data) {
  Reader r(data);
  TxRecord t;
  t.height = r.U64();
  t.index = r.U32();
  uint8_t code = r.U8();
  t.message = r.Str();
  t.result_json = r.Str();
  LIC_RETURN_IF_ERROR(r.Finish("tx record"));
  if (code > static_cast<uint8_t>(StatusCode::kInternal)) {
    return Status::Corruption("tx record has unknown status code " + std::to_string(code));
  }
  t.code = static_cast<StatusCode>(code);
  return t;
}

Bytes EventRecord::Encode() const {
  Writer w;
  w.U64(height)
      .U32(tx_index)
      .Raw(tx_id)
      .U64(timestamp_ms)
      .Str(kind)
      .U32(static_cast<uint32_t>(orgs.size()));
  for (const auto& o : orgs) w.Str(o);
  w.Str(payload_json);
  return w.Take();
}

Result<EventRecord> EventRecord::Decode(ByteView data) {
  Reader r(data);
  EventRecord e;
  e.height = r.U64();
  e.tx_index = r.U32();
  e.tx_id = r.Fixed<32>();
  e.timestamp_ms = r.U64();
  e.kind = r.Str();
  uint32_t n = r.U32();
  if (n > 1024) return Status::Corruption("event record has too many orgs");
  for (uint32_t i = 0; i < n && r.ok(); ++i) e.orgs.push_back(r.Str());
  e.payload_json = r.Str();
  LIC_RETURN_IF_ERROR(r.Finish("event record"));
  return e;
}

std::optional<Bytes> KvStateView::Get(std::string_view key) const {
  auto r = kv_->Get(storage::Column::kState, StateKey(key));
  if (!r.ok()) {
    // A read error here cannot be reported through StateView; it is fatal for
    // determinism, so log loudly. The block commit that follows will fail too.
    spdlog::critical("state read of '{}' failed: {}", key, r.status().ToString());
    return std::nullopt;
  }
  return std::move(*r);
}

std::vector<std::pair<std::string, Bytes>> KvStateView::Scan(std::string_view prefix,
                                                             size_t limit) const {
  auto r = kv_->ScanPrefix(storage::Column::kState, StateKey(prefix), limit);
  std::vector<std::pair<std::string, Bytes>> out;
  if (!r.ok()) {
    spdlog::critical("state scan of '{}' failed: {}", prefix, r.status().ToString());
    return out;
  }
  out.reserve(r->size());
  for (auto& [k, v] : *r) out.emplace_back(k.substr(kStatePrefix.size()), std::move(v));
  return out;
}

std::string StateNodeKey(ByteView node_key) {
  std::string k(kStateNodePrefix);
  k.append(reinterpret_cast<const char*>(node_key.data()), node_key.size());
  return k;
}

std::string StateNodeStoreKey(ByteView node_key) {
  // node_key = position || BE64(version)
  std::string k;
  if (node_key.size() < 8) return k;
  const size_t pos_size = node_key.size() - 8;
  k.reserve(node_key.size());
  k.append(reinterpret_cast<const char*>(node_key.data()) + pos_size, 8);
  k.append(reinterpret_cast<const char*>(node_key.data()), pos_size);
  return k;
}

namespace {
std::string VersionFirstKey(ByteView position, uint64_t version) {
  std::string k;
  k.reserve(8 + position.size());
  AppendBe(&k, version, 8);
  k.append(reinterpret_cast<const char*>(position.data()), position.size());
  return k;
}

constexpr uint8_t kRootPosition[2] = {0, 0};  // state::EncodePosition(0, ...)

bool IsRootPosition(ByteView position) {
  return position.size() == 2 && position[0] == 0 && position[1] == 0;
}

// Versions looked at before giving up on finding a root (every version that
// stored any node stored its root, so one is enough unless data is missing).
constexpr int kMaxRootProbes = 64;
}  // namespace

Result<std::optional<Bytes>> KvStateNodeReader::NewestRoot(uint64_t max_version) const {
  auto it = kv_->NewIterator(storage::Column::kStateNodes);
  uint64_t version = max_version;
  for (int probe = 0; probe < kMaxRootProbes; ++probe) {
    // Group positions start with a big-endian depth <= 256, so 0xff sorts
    // after every group of this version (value records, 0xffff..., sort
    // after it, but a version that stored a value also stored its root).
    std::string target;
    AppendBe(&target, version, 8);
    target.push_back(static_cast<char>(0xff));
    it->SeekForPrev(target);
    if (!it->Valid()) {
      LIC_RETURN_IF_ERROR(it->status());
      return std::optional<Bytes>();
    }
    std::string_view key = it->key();
    if (key.size() < 8 + 2) return Status::Corruption("state map: short node key in state_nodes");
    uint64_t found = 0;
    for (size_t i = 0; i < 8; ++i) found = (found << 8) | static_cast<uint8_t>(key[i]);
    const std::string root_key = VersionFirstKey(ByteView(kRootPosition, 2), found);
    LIC_ASSIGN_OR_RETURN(auto root, kv_->Get(storage::Column::kStateNodes, root_key));
    if (root.has_value()) return root;
    if (found == 0) return std::optional<Bytes>();
    version = found - 1;
  }
  return Status::Corruption("state map: no root stored among the newest " +
                            std::to_string(kMaxRootProbes) +
                            " versions <= " + std::to_string(max_version));
}

Result<std::optional<Bytes>> KvStateNodeReader::LegacyLatestNode(ByteView position,
                                                                 uint64_t max_version) const {
  std::string prefix = StateNodeKey(position);
  std::string target = prefix;
  AppendBe(&target, max_version, 8);
  auto it = kv_->NewIterator(storage::Column::kState);
  it->SeekForPrev(target);
  if (!it->Valid()) {
    LIC_RETURN_IF_ERROR(it->status());
    return std::optional<Bytes>();
  }
  std::string_view key = it->key();
  if (key.size() != prefix.size() + 8 || !key.starts_with(prefix)) return std::optional<Bytes>();
  ByteView v = it->value();
  return std::optional<Bytes>(Bytes(v.begin(), v.end()));
}

Result<std::optional<Bytes>> KvStateNodeReader::GetLatestNode(ByteView position,
                                                              uint64_t max_version) const {
  // The map asks for "the newest node <= V" only at the root, and below it
  // only for children of nodes written before child versions were recorded:
  // those children are all in the earlier layout.
  if (IsRootPosition(position)) {
    LIC_ASSIGN_OR_RETURN(auto root, NewestRoot(max_version));
    if (root.has_value()) return root;
  }
  return LegacyLatestNode(position, max_version);
}

Result<std::optional<Bytes>> KvStateNodeReader::GetNode(ByteView position, uint64_t version) const {
  LIC_ASSIGN_OR_RETURN(auto node,
                       kv_->Get(storage::Column::kStateNodes, VersionFirstKey(position, version)));
  if (node.has_value()) return node;
  std::string legacy = StateNodeKey(position);
  AppendBe(&legacy, version, 8);
  return kv_->Get(storage::Column::kState, legacy);
}

Result<std::optional<Bytes>> CachingStateNodeReader::GetLatestNode(ByteView position,
                                                                   uint64_t max_version) const {
  {
    MutexLock lock(&mu_);
    std::string key(position.begin(), position.end());
    // The cached node is the newest ever written at this position (current
    // generation first: it is newer than the previous one), so it is the
    // answer whenever it is not newer than max_version.
    for (const Generation* gen : {&current_, &previous_}) {
      auto it = gen->nodes.find(key);
      if (it == gen->nodes.end()) continue;
      if (it->second.first <= max_version) return std::optional<Bytes>(it->second.second);
      break;  // newer than asked: the store has the older version
    }
  }
  return store_.GetLatestNode(position, max_version);
}

Result<std::optional<Bytes>> CachingStateNodeReader::GetNode(ByteView position,
                                                             uint64_t version) const {
  {
    MutexLock lock(&mu_);
    std::string key(position.begin(), position.end());
    for (const Generation* gen : {&current_, &previous_}) {
      auto it = gen->nodes.find(key);
      if (it != gen->nodes.end() && it->second.first == version) {
        return std::optional<Bytes>(it->second.second);
      }
    }
  }
  return store_.GetNode(position, version);
}

void CachingStateNodeReader::Rotate() {
  previous_ = std::move(current_);
  current_ = Generation{};
}

void CachingStateNodeReader::Record(std::vector<std::pair<Bytes, Bytes>> node_writes) {
  MutexLock lock(&mu_);
  const size_t generation_bytes = max_bytes_ / 2;
  for (auto& [key, value] : node_writes) {
    // Value records are read only by proofs and history queries, never by
    // the tree's updates, which this cache is for.
    if (key.size() < 8 || state::IsValueNodeKey(key)) continue;
    const size_t charge = EntryCharge(key.size() - 8, value.size());
    uint64_t version = 0;
    for (size_t i = key.size() - 8; i < key.size(); ++i) version = (version << 8) | key[i];
    std::string position(key.begin(), key.end() - 8);
    if (charge > generation_bytes) {
      // Would not fit even alone: not cached, and an older version of the
      // position must not stay cached as if it were the newest.
      for (Generation* gen : {&current_, &previous_}) {
        auto old = gen->nodes.find(position);
        if (old == gen->nodes.end()) continue;
        gen->bytes -= EntryCharge(position.size(), old->second.second.size());
        gen->nodes.erase(old);
      }
      continue;
    }
    auto it = current_.nodes.find(position);
    const size_t replaced =
        it == current_.nodes.end() ? 0 : EntryCharge(position.size(), it->second.second.size());
    if (current_.bytes - replaced + charge > generation_bytes) {
      // The current generation is full: it becomes the previous one (the
      // older previous is dropped).
      Rotate();
      it = current_.nodes.end();
    } else if (it != current_.nodes.end()) {
      current_.bytes -= replaced;
    }
    if (it == current_.nodes.end())
      it = current_.nodes.emplace(std::move(position), std::pair<uint64_t, Bytes>{}).first;
    it->second.first = version;
    it->second.second = std::move(value);
    current_.bytes += charge;
  }
}

size_t CachingStateNodeReader::cached_bytes() const {
  MutexLock lock(&mu_);
  return current_.bytes + previous_.bytes;
}

Result<std::optional<TxRecord>> ReadTxRecord(storage::KvStore* kv, const Hash& id) {
  LIC_ASSIGN_OR_RETURN(auto raw, kv->Get(storage::Column::kIndex, TxKey(id)));
  if (!raw.has_value()) return std::optional<TxRecord>();
  LIC_ASSIGN_OR_RETURN(TxRecord rec, TxRecord::Decode(*raw));
  return std::optional<TxRecord>(std::move(rec));
}

}  // namespace licenced::node
