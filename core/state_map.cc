#include "core/state_map.h"

#include <algorithm>
#include <deque>
#include <span>

#include "core/crypto.h"
#include "core/encoding.h"

namespace licenced::state {
namespace {

constexpr uint8_t kLeafPrefix = 0x02;
constexpr uint8_t kInternalPrefix = 0x03;
constexpr Hash kEmptyHash{};

// Stored node values (docs/state-root.md "Node values"):
//   empty    u8 0                      (only at the root: the tree became empty)
//   internal u8 1, left 32, right 32   (written before child versions; still read)
//   leaf     u8 2, key_hash 32, value_hash 32, key str, value var
//   internal u8 3, left 32, right 32, left_version u64, right_version u64
// Kind 3 records the version each non-empty child is stored under, so a read
// is one exact-key lookup (a bloom-filtered point read in RocksDB) instead of
// a seek for the newest version <= V. The versions are not hashed: roots and
// proofs are the same whichever kind is stored.
enum class NodeKind : uint8_t { kEmpty = 0, kInternal = 1, kLeaf = 2 };
constexpr uint8_t kInternalWithVersionsTag = 3;

// A child whose version is not recorded (kind 1 parents): read it as the
// newest node at its position not newer than the tree being read.
constexpr uint64_t kUnknownVersion = UINT64_MAX;

struct Node {
  NodeKind kind = NodeKind::kEmpty;
  Hash left{};
  Hash right{};
  uint64_t left_version = kUnknownVersion;   // internal only
  uint64_t right_version = kUnknownVersion;  // internal only
  uint64_t version = kUnknownVersion;        // the version this node was read at, if known
  Hash key_hash{};
  Hash value_hash{};
  std::string key;
  Bytes value;

  Hash ComputeHash() const {
    switch (kind) {
      case NodeKind::kInternal:
        return InternalHash(left, right);
      case NodeKind::kLeaf:
        return LeafHash(key_hash, value_hash);
      case NodeKind::kEmpty:
        break;
    }
    return kEmptyHash;
  }
};

// Node values and keys are built by hand rather than with Writer: they are
// made tens of thousands of times per block, and one allocation each matters.
// Same bytes as Writer's (big-endian integers, u32 length prefixes).
void AppendRaw(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

void AppendBe(Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

Bytes EncodeInternal(const Hash& left, const Hash& right, uint64_t left_version,
                     uint64_t right_version) {
  Bytes out;
  out.reserve(1 + 32 + 32 + 8 + 8);
  out.push_back(kInternalWithVersionsTag);
  AppendRaw(out, left);
  AppendRaw(out, right);
  AppendBe(out, left_version, 8);
  AppendBe(out, right_version, 8);
  return out;
}

Bytes EncodeLeaf(const Hash& key_hash, const Hash& value_hash, std::string_view key,
                 ByteView value) {
  Bytes out;
  out.reserve(1 + 32 + 32 + 4 + key.size() + 4 + value.size());
  out.push_back(static_cast<uint8_t>(NodeKind::kLeaf));
  AppendRaw(out, key_hash);
  AppendRaw(out, value_hash);
  AppendBe(out, key.size(), 4);
  AppendRaw(out, AsBytes(key));
  AppendBe(out, value.size(), 4);
  AppendRaw(out, value);
  return out;
}

Bytes EncodeEmpty() { return Bytes{static_cast<uint8_t>(NodeKind::kEmpty)}; }

Result<Node> DecodeNode(ByteView data) {
  Reader r(data);
  Node n;
  uint8_t kind = r.U8();
  switch (kind) {
    case static_cast<uint8_t>(NodeKind::kEmpty):
      n.kind = NodeKind::kEmpty;
      break;
    case static_cast<uint8_t>(NodeKind::kInternal):
      n.kind = NodeKind::kInternal;
      n.left = r.Fixed<32>();
      n.right = r.Fixed<32>();
      break;
    case kInternalWithVersionsTag:
      n.kind = NodeKind::kInternal;
      n.left = r.Fixed<32>();
      n.right = r.Fixed<32>();
      n.left_version = r.U64();
      n.right_version = r.U64();
      break;
    case static_cast<uint8_t>(NodeKind::kLeaf):
      n.kind = NodeKind::kLeaf;
      n.key_hash = r.Fixed<32>();
      n.value_hash = r.Fixed<32>();
      n.key = r.Str();
      n.value = r.Var();
      break;
    default:
      return Status::Corruption("state map node has unknown kind " + std::to_string(kind));
  }
  Status s = r.Finish("state map node");
  if (!s.ok()) return Status::Corruption(s.message());
  if (n.kind == NodeKind::kLeaf &&
      (n.key_hash != KeyHash(n.key) || n.value_hash != crypto::Sha256(n.value))) {
    return Status::Corruption("state map leaf does not match its key or value hash");
  }
  return n;
}

bool Bit(const Hash& h, size_t i) { return ((h[i / 8] >> (7 - i % 8)) & 1) != 0; }

void SetBit(Hash& h, size_t i, bool v) {
  uint8_t mask = static_cast<uint8_t>(1u << (7 - i % 8));
  if (v) {
    h[i / 8] |= mask;
  } else {
    h[i / 8] &= static_cast<uint8_t>(~mask);
  }
}

bool SharePrefix(const Hash& a, const Hash& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (Bit(a, i) != Bit(b, i)) return false;
  }
  return true;
}

std::string DepthString(size_t depth) { return "depth " + std::to_string(depth); }

// Reads nodes of the tree as of one version.
class TreeReader {
 public:
  TreeReader(const StateMapNodeReader& reader, std::optional<uint64_t> version)
      : reader_(reader), version_(version) {}

  // The node at (depth, path); nullopt if none (or an explicit empty root).
  Result<std::optional<Node>> Load(uint16_t depth, const Hash& path) const {
    if (!version_.has_value()) return std::optional<Node>();
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                         reader_.GetLatestNode(EncodePosition(depth, path), *version_));
    if (!raw.has_value()) return std::optional<Node>();
    LIC_ASSIGN_OR_RETURN(Node n, DecodeNode(*raw));
    if (n.kind == NodeKind::kEmpty) {
      if (depth != 0) return Status::Corruption("state map: empty node below the root");
      return std::optional<Node>();
    }
    return std::optional<Node>(std::move(n));
  }

  // The node stored at (depth, path) under exactly `version`.
  Result<std::optional<Node>> LoadExact(uint16_t depth, const Hash& path, uint64_t version) const {
    if (!version_.has_value() || version > *version_) {
      return Status::Corruption("state map: child version " + std::to_string(version) +
                                " is newer than the tree read at " + DepthString(depth));
    }
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                         reader_.GetNode(EncodePosition(depth, path), version));
    if (!raw.has_value()) return std::optional<Node>();
    LIC_ASSIGN_OR_RETURN(Node n, DecodeNode(*raw));
    if (n.kind == NodeKind::kEmpty)
      return Status::Corruption("state map: empty node below the root");
    n.version = version;
    return std::optional<Node>(std::move(n));
  }

  // The child a parent points to with hash `expected` (non-empty), stored
  // under `version` (kUnknownVersion: the newest not newer than this tree):
  // it must exist and hash to `expected`.
  Result<Node> LoadChild(uint16_t depth, const Hash& path, const Hash& expected,
                         uint64_t version) const {
    std::optional<Node> n;
    if (version == kUnknownVersion) {
      LIC_ASSIGN_OR_RETURN(n, Load(depth, path));
    } else {
      LIC_ASSIGN_OR_RETURN(n, LoadExact(depth, path, version));
    }
    if (!n.has_value()) {
      return Status::Corruption("state map: node missing at " + DepthString(depth) +
                                " (version <= " + std::to_string(version_.value_or(0)) + ")");
    }
    if (n->ComputeHash() != expected) {
      return Status::Corruption("state map: node at " + DepthString(depth) +
                                " does not match its parent's hash");
    }
    return std::move(*n);
  }

 private:
  const StateMapNodeReader& reader_;
  std::optional<uint64_t> version_;
};

// A leaf-to-be during an update. Pointers refer to the caller's changes or to
// nodes the Updater keeps alive.
struct Entry {
  Hash key_hash{};
  const std::string* key = nullptr;
  const Bytes* value = nullptr;  // nullptr: delete
  Hash value_hash{};
  int stored_depth = -1;  // depth where this exact leaf is already stored, or -1
  uint64_t stored_version = kUnknownVersion;  // its version there, if known
};

// The new content of a subtree, as its parent needs it.
struct Sub {
  enum class Kind { kEmpty, kLeaf, kInternal, kUntouched };
  Kind kind = Kind::kEmpty;
  Hash hash{};
  uint64_t version = kUnknownVersion;  // kInternal/kUntouched: where its root node is stored
  Entry leaf;                          // kLeaf only

  static Sub Empty() { return {}; }
  static Sub Leaf(const Entry& e) {
    Sub s;
    s.kind = Kind::kLeaf;
    s.hash = LeafHash(e.key_hash, e.value_hash);
    s.leaf = e;
    return s;
  }
  static Sub Internal(const Hash& h, uint64_t version) {
    Sub s;
    s.kind = Kind::kInternal;
    s.hash = h;
    s.version = version;
    return s;
  }
  // Unchanged, non-empty subtree whose shape has not been read.
  static Sub Untouched(const Hash& h, uint64_t version) {
    Sub s;
    s.kind = Kind::kUntouched;
    s.hash = h;
    s.version = version;
    return s;
  }
};

// One batch update: walks only the paths of the changed keys.
class Updater {
 public:
  Updater(const TreeReader& base, uint64_t version) : base_(base), version_(version) {}

  // New content of the subtree at (depth, path), whose current node is
  // `existing` (nullptr: empty), after applying `items` (sorted by key hash,
  // unique, non-empty, all inside the subtree).
  Result<Sub> UpdateAt(uint16_t depth, const Node* existing, std::span<const Entry> items) {
    if (existing != nullptr && existing->kind == NodeKind::kInternal) {
      auto mid = std::partition_point(items.begin(), items.end(),
                                      [&](const Entry& e) { return !Bit(e.key_hash, depth); });
      std::span<const Entry> sides[2] = {{items.begin(), mid}, {mid, items.end()}};
      const Hash* child_hash[2] = {&existing->left, &existing->right};
      const uint64_t child_version[2] = {existing->left_version, existing->right_version};
      Sub subs[2];
      for (int side = 0; side < 2; ++side) {
        if (sides[side].empty()) {
          subs[side] = *child_hash[side] == kEmptyHash
                           ? Sub::Empty()
                           : Sub::Untouched(*child_hash[side], child_version[side]);
        } else if (*child_hash[side] == kEmptyHash) {
          LIC_ASSIGN_OR_RETURN(subs[side], UpdateAt(depth + 1, nullptr, sides[side]));
        } else {
          LIC_ASSIGN_OR_RETURN(Node child, base_.LoadChild(depth + 1, sides[side].front().key_hash,
                                                           *child_hash[side], child_version[side]));
          // Kept alive: the result may point at this node's key and value.
          kept_.push_back(std::move(child));
          LIC_ASSIGN_OR_RETURN(subs[side], UpdateAt(depth + 1, &kept_.back(), sides[side]));
        }
      }
      return Combine(depth, items.front().key_hash, subs[0], subs[1], existing);
    }

    // The subtree is empty or a single leaf: rebuild it from its (few) keys.
    std::vector<Entry> entries;
    entries.reserve(items.size() + 1);
    std::optional<Entry> old_leaf;
    if (existing != nullptr) {
      Entry e;
      e.key_hash = existing->key_hash;
      e.key = &existing->key;
      e.value = &existing->value;
      e.value_hash = existing->value_hash;
      e.stored_depth = depth;
      e.stored_version = existing->version;
      old_leaf = e;
    }
    for (const Entry& item : items) {
      if (old_leaf.has_value() && old_leaf->key_hash < item.key_hash) {
        entries.push_back(*old_leaf);
        old_leaf.reset();
      }
      if (old_leaf.has_value() && old_leaf->key_hash == item.key_hash) {
        // Same value: keep the stored leaf so a no-op change writes nothing.
        if (item.value != nullptr && item.value_hash == old_leaf->value_hash) {
          entries.push_back(*old_leaf);
        } else if (item.value != nullptr) {
          entries.push_back(item);
        }
        old_leaf.reset();
        continue;
      }
      if (item.value != nullptr) entries.push_back(item);
    }
    if (old_leaf.has_value()) entries.push_back(*old_leaf);
    return Build(depth, entries);
  }

  std::vector<std::pair<Bytes, Bytes>> TakeWrites() { return std::move(writes_); }

  // Stores the leaf of `sub` at (depth, its key hash) unless it is already there.
  void Place(const Sub& sub, uint16_t depth) {
    if (sub.leaf.stored_depth == depth) return;
    writes_.emplace_back(
        NodeKey(EncodePosition(depth, sub.leaf.key_hash), version_),
        EncodeLeaf(sub.leaf.key_hash, sub.leaf.value_hash, *sub.leaf.key, *sub.leaf.value));
  }

  void WriteEmptyRoot() {
    writes_.emplace_back(NodeKey(EncodePosition(0, kEmptyHash), version_), EncodeEmpty());
  }

 private:
  // Compact subtree at `depth` over `entries` (sorted, all present).
  Result<Sub> Build(uint16_t depth, std::span<const Entry> entries) {
    if (entries.empty()) return Sub::Empty();
    if (entries.size() == 1) return Sub::Leaf(entries.front());
    if (depth >= kKeyBits) return Status::Internal("state map: two keys with one key hash");
    auto mid = std::partition_point(entries.begin(), entries.end(),
                                    [&](const Entry& e) { return !Bit(e.key_hash, depth); });
    LIC_ASSIGN_OR_RETURN(Sub left, Build(depth + 1, {entries.begin(), mid}));
    LIC_ASSIGN_OR_RETURN(Sub right, Build(depth + 1, {mid, entries.end()}));
    return Combine(depth, entries.front().key_hash, left, right, nullptr);
  }

  // Joins two child results into the subtree at (depth, path). `existing` is
  // the internal node stored there before (nullptr if none).
  Result<Sub> Combine(uint16_t depth, const Hash& path, Sub left, Sub right, const Node* existing) {
    // An unread subtree next to an empty one may be a lone leaf that must move up.
    Sub* subs[2] = {&left, &right};
    for (int side = 0; side < 2; ++side) {
      Sub& s = *subs[side];
      Sub& other = *subs[1 - side];
      if (s.kind != Sub::Kind::kUntouched || other.kind != Sub::Kind::kEmpty) continue;
      Hash child_path = path;
      SetBit(child_path, depth, side == 1);
      LIC_ASSIGN_OR_RETURN(Node child, base_.LoadChild(depth + 1, child_path, s.hash, s.version));
      if (child.kind == NodeKind::kLeaf) {
        kept_.push_back(std::move(child));
        const Node& n = kept_.back();
        Entry e;
        e.key_hash = n.key_hash;
        e.key = &n.key;
        e.value = &n.value;
        e.value_hash = n.value_hash;
        e.stored_depth = depth + 1;
        e.stored_version = child.version;
        s = Sub::Leaf(e);
      } else {
        s = Sub::Internal(s.hash, s.version);
      }
    }
    if (left.kind == Sub::Kind::kEmpty && right.kind == Sub::Kind::kEmpty) return Sub::Empty();
    if (left.kind == Sub::Kind::kEmpty && right.kind == Sub::Kind::kLeaf) return right;
    if (right.kind == Sub::Kind::kEmpty && left.kind == Sub::Kind::kLeaf) return left;
    if (left.kind == Sub::Kind::kLeaf) Place(left, depth + 1);
    if (right.kind == Sub::Kind::kLeaf) Place(right, depth + 1);
    const Hash hash = InternalHash(left.hash, right.hash);
    if (existing != nullptr && existing->left == left.hash && existing->right == right.hash) {
      return Sub::Internal(hash, existing->version);
    }
    writes_.emplace_back(NodeKey(EncodePosition(depth, path), version_),
                         EncodeInternal(left.hash, right.hash, ChildVersion(left, depth + 1),
                                        ChildVersion(right, depth + 1)));
    return Sub::Internal(hash, version_);
  }

  // The version `sub`'s root node is stored under once placed at `depth`
  // (0 for an empty subtree: no node).
  uint64_t ChildVersion(const Sub& sub, uint16_t depth) const {
    switch (sub.kind) {
      case Sub::Kind::kEmpty:
        return 0;
      case Sub::Kind::kLeaf:
        return sub.leaf.stored_depth == depth ? sub.leaf.stored_version : version_;
      case Sub::Kind::kInternal:
      case Sub::Kind::kUntouched:
        break;
    }
    return sub.version;
  }

  const TreeReader& base_;
  uint64_t version_;
  std::vector<std::pair<Bytes, Bytes>> writes_;
  std::deque<Node> kept_;  // leaves read while updating; Entry points into them
};

}  // namespace

Hash KeyHash(std::string_view key) { return crypto::Sha256(AsBytes(key)); }

Hash LeafHash(const Hash& key_hash, const Hash& value_hash) {
  const uint8_t prefix = kLeafPrefix;
  return crypto::Sha256Hasher()
      .Update(ByteView(&prefix, 1))
      .Update(key_hash)
      .Update(value_hash)
      .Final();
}

Hash InternalHash(const Hash& left, const Hash& right) {
  const uint8_t prefix = kInternalPrefix;
  return crypto::Sha256Hasher().Update(ByteView(&prefix, 1)).Update(left).Update(right).Final();
}

Bytes EncodePosition(uint16_t depth, const Hash& path) {
  Bytes out;
  size_t nbytes = (static_cast<size_t>(depth) + 7) / 8;
  out.reserve(2 + nbytes + 8);
  out.push_back(static_cast<uint8_t>(depth >> 8));
  out.push_back(static_cast<uint8_t>(depth & 0xff));
  for (size_t i = 0; i < nbytes && i < path.size(); ++i) {
    uint8_t b = path[i];
    size_t bits_here = std::min<size_t>(8, depth - i * 8);
    if (bits_here < 8) b &= static_cast<uint8_t>(0xff << (8 - bits_here));
    out.push_back(b);
  }
  return out;
}

Bytes NodeKey(ByteView position, uint64_t version) {
  Bytes out;
  out.reserve(position.size() + 8);
  AppendRaw(out, position);
  AppendBe(out, version, 8);
  return out;
}

// ---- StateProof ----

Bytes StateProof::Encode() const {
  Writer w;
  w.U8(static_cast<uint8_t>(depth >> 8)).U8(static_cast<uint8_t>(depth & 0xff));
  Bytes bitmap((static_cast<size_t>(depth) + 7) / 8, 0);
  for (size_t i = 0; i < siblings.size() && i < depth; ++i) {
    if (siblings[i] != kEmptyHash) bitmap[i / 8] |= static_cast<uint8_t>(0x80 >> (i % 8));
  }
  w.Raw(bitmap);
  for (size_t i = 0; i < siblings.size() && i < depth; ++i) {
    if (siblings[i] != kEmptyHash) w.Raw(siblings[i]);
  }
  if (leaf.has_value()) {
    w.U8(1).Raw(leaf->key_hash).Raw(leaf->value_hash);
  } else {
    w.U8(0);
  }
  return w.Take();
}

Result<StateProof> StateProof::Decode(ByteView data) {
  Reader r(data);
  StateProof p;
  uint16_t hi = r.U8();
  uint16_t lo = r.U8();
  p.depth = static_cast<uint16_t>(hi << 8 | lo);
  if (!r.ok() || p.depth > kKeyBits) {
    return Status::InvalidArgument("state proof: depth missing or above 256");
  }
  Bytes bitmap((p.depth + 7) / 8);
  for (auto& b : bitmap) b = r.U8();
  if (!r.ok()) return Status::InvalidArgument("state proof: truncated bitmap");
  if (p.depth % 8 != 0 && (bitmap.back() & (0xff >> (p.depth % 8))) != 0) {
    return Status::InvalidArgument("state proof: bitmap has bits set beyond its depth");
  }
  p.siblings.resize(p.depth);
  for (size_t i = 0; i < p.depth; ++i) {
    if ((bitmap[i / 8] & (0x80 >> (i % 8))) == 0) continue;
    p.siblings[i] = r.Fixed<32>();
    if (r.ok() && p.siblings[i] == kEmptyHash) {
      return Status::InvalidArgument("state proof: explicit empty sibling (must be in the bitmap)");
    }
  }
  uint8_t terminal = r.U8();
  if (terminal == 1) {
    StateProof::Leaf leaf;
    leaf.key_hash = r.Fixed<32>();
    leaf.value_hash = r.Fixed<32>();
    p.leaf = leaf;
  } else if (terminal != 0) {
    return Status::InvalidArgument("state proof: unknown terminal kind " +
                                   std::to_string(terminal));
  }
  LIC_RETURN_IF_ERROR(r.Finish("state proof"));
  return p;
}

Status VerifyStateProof(const Hash& root, std::string_view key, const std::optional<Bytes>& value,
                        const StateProof& proof) {
  if (proof.depth > kKeyBits || proof.siblings.size() != proof.depth) {
    return Status::Corruption("state proof: depth does not match its siblings");
  }
  const Hash key_hash = KeyHash(key);
  if (value.has_value()) {
    if (!proof.leaf.has_value() || proof.leaf->key_hash != key_hash) {
      return Status::Corruption("state proof: does not end at the key's leaf");
    }
    if (proof.leaf->value_hash != crypto::Sha256(*value)) {
      return Status::Corruption("state proof: the key's leaf holds a different value");
    }
  } else if (proof.leaf.has_value()) {
    if (proof.leaf->key_hash == key_hash) {
      return Status::Corruption("state proof: the key is present, not absent");
    }
    if (!SharePrefix(proof.leaf->key_hash, key_hash, proof.depth)) {
      return Status::Corruption("state proof: terminal leaf is not on the key's path");
    }
  }
  // In a compact tree the last sibling of a non-root terminal is never empty.
  if (proof.depth > 0 && proof.siblings.back() == kEmptyHash) {
    return Status::Corruption("state proof: not canonical (empty last sibling)");
  }
  Hash h =
      proof.leaf.has_value() ? LeafHash(proof.leaf->key_hash, proof.leaf->value_hash) : kEmptyHash;
  for (size_t i = proof.depth; i-- > 0;) {
    h = Bit(key_hash, i) ? InternalHash(proof.siblings[i], h) : InternalHash(h, proof.siblings[i]);
  }
  if (h != root) return Status::Corruption("state proof: computed root does not match");
  return Status::Ok();
}

// ---- StateMap ----

Result<StateMapUpdate> StateMap::Update(uint64_t version,
                                        const std::vector<StateChange>& changes) const {
  std::optional<uint64_t> base_version;
  if (version > 0) base_version = version - 1;
  TreeReader base(reader_, base_version);

  std::vector<Entry> items;
  items.reserve(changes.size());
  for (const StateChange& c : changes) {
    Entry e;
    e.key_hash = KeyHash(c.key);
    e.key = &c.key;
    if (c.value.has_value()) {
      e.value = &*c.value;
      e.value_hash = crypto::Sha256(*c.value);
    }
    items.push_back(e);
  }
  // Sort by key hash; for equal keys the later change wins.
  std::stable_sort(items.begin(), items.end(),
                   [](const Entry& a, const Entry& b) { return a.key_hash < b.key_hash; });
  std::vector<Entry> unique;
  unique.reserve(items.size());
  for (const Entry& e : items) {
    if (!unique.empty() && unique.back().key_hash == e.key_hash) {
      unique.back() = e;
    } else {
      unique.push_back(e);
    }
  }

  LIC_ASSIGN_OR_RETURN(std::optional<Node> root_node, base.Load(0, kEmptyHash));
  StateMapUpdate out;
  if (unique.empty()) {
    out.root = root_node.has_value() ? root_node->ComputeHash() : kEmptyHash;
    return out;
  }
  Updater updater(base, version);
  LIC_ASSIGN_OR_RETURN(Sub sub,
                       updater.UpdateAt(0, root_node.has_value() ? &*root_node : nullptr, unique));
  switch (sub.kind) {
    case Sub::Kind::kEmpty:
      if (root_node.has_value()) updater.WriteEmptyRoot();
      out.root = kEmptyHash;
      break;
    case Sub::Kind::kLeaf:
      updater.Place(sub, 0);
      out.root = sub.hash;
      break;
    case Sub::Kind::kInternal:
    case Sub::Kind::kUntouched:
      out.root = sub.hash;
      break;
  }
  out.node_writes = updater.TakeWrites();
  return out;
}

Result<Hash> StateMap::RootAt(uint64_t version) const {
  TreeReader tree(reader_, version);
  LIC_ASSIGN_OR_RETURN(std::optional<Node> root, tree.Load(0, kEmptyHash));
  return root.has_value() ? root->ComputeHash() : kEmptyHash;
}

Result<StateLookup> StateMap::GetWithProof(std::string_view key, uint64_t version) const {
  TreeReader tree(reader_, version);
  const Hash key_hash = KeyHash(key);
  StateLookup out;
  LIC_ASSIGN_OR_RETURN(std::optional<Node> node, tree.Load(0, kEmptyHash));
  uint16_t depth = 0;
  while (node.has_value()) {
    if (node->kind == NodeKind::kLeaf) {
      out.proof.leaf = StateProof::Leaf{node->key_hash, node->value_hash};
      if (node->key_hash == key_hash) out.value = std::move(node->value);
      break;
    }
    if (depth >= kKeyBits) return Status::Corruption("state map: path deeper than 256");
    bool right = Bit(key_hash, depth);
    out.proof.siblings.push_back(right ? node->left : node->right);
    Hash child = right ? node->right : node->left;
    ++depth;
    if (child == kEmptyHash) break;
    LIC_ASSIGN_OR_RETURN(
        Node next,
        tree.LoadChild(depth, key_hash, child, right ? node->right_version : node->left_version));
    node = std::move(next);
  }
  out.proof.depth = depth;
  return out;
}

Result<StateProof> StateMap::Prove(std::string_view key, uint64_t version) const {
  LIC_ASSIGN_OR_RETURN(StateLookup l, GetWithProof(key, version));
  return std::move(l.proof);
}

Result<std::optional<Bytes>> StateMap::Get(std::string_view key, uint64_t version) const {
  LIC_ASSIGN_OR_RETURN(StateLookup l, GetWithProof(key, version));
  return std::move(l.value);
}

// ---- MemStateNodeStore ----

Result<std::optional<Bytes>> MemStateNodeStore::GetLatestNode(ByteView position,
                                                              uint64_t max_version) const {
  Bytes target = NodeKey(position, max_version);
  auto it = nodes_.upper_bound(target);
  if (it == nodes_.begin()) return std::optional<Bytes>();
  --it;
  const Bytes& k = it->first;
  if (k.size() != position.size() + 8 || !std::equal(position.begin(), position.end(), k.begin())) {
    return std::optional<Bytes>();
  }
  return std::optional<Bytes>(it->second);
}

Result<std::optional<Bytes>> MemStateNodeStore::GetNode(ByteView position, uint64_t version) const {
  auto it = nodes_.find(NodeKey(position, version));
  if (it == nodes_.end()) return std::optional<Bytes>();
  return std::optional<Bytes>(it->second);
}

void MemStateNodeStore::Apply(const std::vector<std::pair<Bytes, Bytes>>& writes) {
  for (const auto& [k, v] : writes) nodes_[k] = v;
}

}  // namespace licenced::state
