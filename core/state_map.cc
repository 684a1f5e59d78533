#include "core/state_map.h"

#include <algorithm>
#include <array>
#include <bit>
#include <deque>
#include <span>

#include "core/crypto.h"
#include "core/encoding.h"

namespace licenced::state {
namespace {

constexpr uint8_t kLeafPrefix = 0x02;
constexpr uint8_t kInternalPrefix = 0x03;
constexpr Hash kEmptyHash{};

// Stored nodes (docs/state-root.md "Stored nodes"). A group holds the
// binary tree of kGroupBits levels below a position whose depth is a
// multiple of kGroupBits: its root slot, the internal nodes and leaves inside
// it, and at the bottom (relative depth kGroupBits) leaves and references to
// the groups below. So a changed key rewrites one group per kGroupBits levels
// of its path instead of one node per level, while hashes and proofs stay
// those of the binary tree. Internal hashes are not stored: they are
// recomputed when a group is read, which is also how a group is checked
// against the hash its parent holds.
//   group = u8 kGroupTag, slot (relative depth 0), in preorder:
//   slot  = u8 0                                  empty
//         | u8 1, key_hash 32, value_hash 32, value_version u64   leaf
//         | u8 2, slot, slot                      internal (relative depth < 4)
//         | u8 3, hash 32, version u64            group below (relative depth 4)
// A value record holds a leaf's value, stored once when the value is set and
// found by the exact (ValuePosition(key_hash), value_version) the leaf
// records; updating the tree never reads values.
constexpr int kGroupBits = 4;
constexpr int kGroupSlots = 2 << kGroupBits;  // heap order, slots 1..31
constexpr uint8_t kGroupTag = 0x10;
enum SlotTag : uint8_t { kTagEmpty = 0, kTagLeaf = 1, kTagInternal = 2, kTagGroup = 3 };
constexpr uint16_t kValueDepth = 0xffff;

// Tags of the binary layout of earlier releases (one node per level).
constexpr uint8_t kLastBinaryLayoutTag = 3;

Status BinaryLayoutRefusal() {
  return Status::FailedPrecondition(
      "state map: this ledger stores its state map in the binary node layout of an earlier "
      "licenced, which this version no longer reads. Upgrade: stop the node, move its data "
      "directory aside and start it with an empty one; it fetches and re-executes the ledger "
      "from its peers (docs/state-root.md \"Upgrading a ledger\")");
}

int RelativeDepth(int slot) { return std::bit_width(static_cast<unsigned>(slot)) - 1; }

struct Leaf {
  Hash key_hash{};
  Hash value_hash{};
  uint64_t value_version = 0;
  Hash ComputeHash() const;
};

struct Slot {
  enum class Kind : uint8_t { kAbsent, kEmpty, kLeaf, kInternal, kGroup };
  Kind kind = Kind::kAbsent;
  Hash hash{};           // empty: zero; group: as recorded; others: computed
  Leaf leaf;             // kLeaf
  uint64_t version = 0;  // kGroup: the version the group below is stored under
};

// A decoded group; slots[1] is its root, slots[2i] and slots[2i+1] the
// children of slot i.
struct Group {
  uint16_t depth = 0;
  std::array<Slot, kGroupSlots> slots;
  const Slot& root() const { return slots[1]; }
};

bool Bit(const Hash& h, size_t i) { return ((h[i / 8] >> (7 - i % 8)) & 1) != 0; }

bool SharePrefix(const Hash& a, const Hash& b, size_t bits) {
  for (size_t i = 0; i < bits; ++i) {
    if (Bit(a, i) != Bit(b, i)) return false;
  }
  return true;
}

std::string DepthString(size_t depth) { return "depth " + std::to_string(depth); }

// Node values and keys are built by hand rather than with Writer: they are
// made thousands of times per block, and one allocation each matters. Same
// bytes as Writer's (big-endian integers).
void AppendRaw(Bytes& out, ByteView v) { out.insert(out.end(), v.begin(), v.end()); }

void AppendBe(Bytes& out, uint64_t v, int bytes) {
  for (int i = bytes - 1; i >= 0; --i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

void AppendLeaf(Bytes& out, const Leaf& leaf) {
  out.push_back(kTagLeaf);
  AppendRaw(out, leaf.key_hash);
  AppendRaw(out, leaf.value_hash);
  AppendBe(out, leaf.value_version, 8);
}

Status ParseSlot(Reader& r, Group& g, int slot) {
  const int rel = RelativeDepth(slot);
  Slot& s = g.slots[slot];
  const uint8_t tag = r.U8();
  if (!r.ok()) return Status::Corruption("state map group: truncated");
  switch (tag) {
    case kTagEmpty:
      s.kind = Slot::Kind::kEmpty;
      return Status::Ok();
    case kTagLeaf:
      s.kind = Slot::Kind::kLeaf;
      s.leaf.key_hash = r.Fixed<32>();
      s.leaf.value_hash = r.Fixed<32>();
      s.leaf.value_version = r.U64();
      s.hash = s.leaf.ComputeHash();
      return Status::Ok();
    case kTagInternal: {
      if (rel >= kGroupBits || static_cast<size_t>(g.depth + rel) >= kKeyBits) break;
      s.kind = Slot::Kind::kInternal;
      LIC_RETURN_IF_ERROR(ParseSlot(r, g, 2 * slot));
      LIC_RETURN_IF_ERROR(ParseSlot(r, g, 2 * slot + 1));
      const Slot& left = g.slots[2 * slot];
      const Slot& right = g.slots[2 * slot + 1];
      // Compact: an internal node has two or more keys below it.
      auto lone = [](const Slot& c) {
        return c.kind == Slot::Kind::kEmpty || c.kind == Slot::Kind::kLeaf;
      };
      if ((left.kind == Slot::Kind::kEmpty && lone(right)) ||
          (right.kind == Slot::Kind::kEmpty && lone(left))) {
        return Status::Corruption("state map group: internal node with fewer than two keys at " +
                                  DepthString(g.depth + rel));
      }
      s.hash = InternalHash(left.hash, right.hash);
      return Status::Ok();
    }
    case kTagGroup:
      if (rel != kGroupBits) break;
      s.kind = Slot::Kind::kGroup;
      s.hash = r.Fixed<32>();
      s.version = r.U64();
      if (r.ok() && s.hash == kEmptyHash) {
        return Status::Corruption("state map group: reference to an empty group");
      }
      return Status::Ok();
    default:
      break;
  }
  return Status::Corruption("state map group: slot tag " + std::to_string(tag) +
                            " not allowed at " + DepthString(g.depth + rel));
}

// `is_root`: the group at depth 0, which may also be empty or a single leaf.
Result<Group> DecodeGroup(ByteView data, uint16_t depth, bool is_root) {
  if (data.empty()) return Status::Corruption("state map node is empty");
  if (data[0] != kGroupTag) {
    if (data[0] <= kLastBinaryLayoutTag) return BinaryLayoutRefusal();
    return Status::Corruption("state map node has unknown kind " + std::to_string(data[0]));
  }
  Reader r(data.subspan(1));
  Group g;
  g.depth = depth;
  LIC_RETURN_IF_ERROR(ParseSlot(r, g, 1));
  Status s = r.Finish("state map group");
  if (!s.ok()) return Status::Corruption(s.message());
  if (!is_root && g.root().kind != Slot::Kind::kInternal) {
    return Status::Corruption("state map: group below the root at " + DepthString(depth) +
                              " is not an internal node");
  }
  return g;
}

// Reads groups and values of the tree as of one version.
class TreeReader {
 public:
  TreeReader(const StateMapNodeReader& reader, std::optional<uint64_t> version)
      : reader_(reader), version_(version) {}

  // The root group; nullopt if the tree is empty.
  Result<std::optional<Group>> LoadRoot() const {
    if (!version_.has_value()) return std::optional<Group>();
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                         reader_.GetLatestNode(EncodePosition(0, kEmptyHash), *version_));
    if (!raw.has_value()) return std::optional<Group>();
    LIC_ASSIGN_OR_RETURN(Group g, DecodeGroup(*raw, 0, /*is_root=*/true));
    if (g.root().kind == Slot::Kind::kEmpty) return std::optional<Group>();
    return std::optional<Group>(std::move(g));
  }

  // The group a parent's `ref` (a kGroup slot) points to at (depth, path).
  Result<Group> LoadGroup(uint16_t depth, const Hash& path, const Slot& ref) const {
    if (!version_.has_value() || ref.version > *version_) {
      return Status::Corruption("state map: group version " + std::to_string(ref.version) +
                                " is newer than the tree read at " + DepthString(depth));
    }
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                         reader_.GetNode(EncodePosition(depth, path), ref.version));
    if (!raw.has_value()) {
      return Status::Corruption("state map: group missing at " + DepthString(depth) + " (version " +
                                std::to_string(ref.version) + ")");
    }
    LIC_ASSIGN_OR_RETURN(Group g, DecodeGroup(*raw, depth, /*is_root=*/false));
    if (g.root().hash != ref.hash) {
      return Status::Corruption("state map: group at " + DepthString(depth) +
                                " does not match its parent's hash");
    }
    return g;
  }

  // A leaf's value, checked against its value hash.
  Result<Bytes> LoadValue(const Leaf& leaf) const {
    LIC_ASSIGN_OR_RETURN(std::optional<Bytes> raw,
                         reader_.GetNode(ValuePosition(leaf.key_hash), leaf.value_version));
    if (!raw.has_value()) {
      return Status::Corruption("state map: value record missing (version " +
                                std::to_string(leaf.value_version) + ")");
    }
    if (crypto::Sha256(*raw) != leaf.value_hash) {
      return Status::Corruption("state map: value record does not match its leaf's hash");
    }
    return std::move(*raw);
  }

 private:
  const StateMapNodeReader& reader_;
  std::optional<uint64_t> version_;
};

// One change, prepared: its key hash and, unless it deletes, its value.
struct Item {
  Hash key_hash{};
  const Bytes* value = nullptr;  // nullptr: delete
  Hash value_hash{};
};

// The new content of a subtree, as its parent needs it.
struct Sub {
  enum class Kind : uint8_t {
    kEmpty,
    kLeaf,
    kInternal,  // built by this update, inside a group: children below
    kBase,      // an unchanged internal node inside a group of the base tree
    kGroup,     // an internal node at a group boundary: a stored group
  };
  Kind kind = Kind::kEmpty;
  Hash hash{};
  Leaf leaf;                     // kLeaf
  const Sub* left = nullptr;     // kInternal
  const Sub* right = nullptr;    // kInternal
  const Group* group = nullptr;  // kBase
  int slot = 0;                  // kBase
  uint64_t version = 0;          // kGroup

  static Sub OfLeaf(const Leaf& l) {
    Sub s;
    s.kind = Kind::kLeaf;
    s.hash = l.ComputeHash();
    s.leaf = l;
    return s;
  }
  static Sub OfGroup(const Hash& h, uint64_t version) {
    Sub s;
    s.kind = Kind::kGroup;
    s.hash = h;
    s.version = version;
    return s;
  }
  // The unchanged subtree at `slot` of a base group.
  static Sub FromBase(const Group& g, int slot) {
    const Slot& b = g.slots[slot];
    Sub s;
    switch (b.kind) {
      case Slot::Kind::kAbsent:
      case Slot::Kind::kEmpty:
        return s;
      case Slot::Kind::kLeaf:
        return OfLeaf(b.leaf);
      case Slot::Kind::kInternal:
        s.kind = Kind::kBase;
        s.hash = b.hash;
        s.group = &g;
        s.slot = slot;
        return s;
      case Slot::Kind::kGroup:
        return OfGroup(b.hash, b.version);
    }
    return s;
  }
};

// One batch update: walks only the paths of the changed keys, reading and
// rewriting one group per kGroupBits levels.
class Updater {
 public:
  Updater(const TreeReader& base, uint64_t version) : base_(base), version_(version) {}

  // New content of the subtree at (depth, path) whose current node is slot
  // `slot` of base group `g` (g == nullptr: an empty subtree), after applying
  // `items` (sorted by key hash, unique, non-empty, all inside the subtree).
  Result<Sub> UpdateAt(uint16_t depth, const Group* g, int slot, std::span<const Item> items) {
    uint64_t group_version = 0;  // of the group rooted here, if one is (never read at the root)
    if (g != nullptr && g->slots[slot].kind == Slot::Kind::kGroup) {
      group_version = g->slots[slot].version;
      LIC_ASSIGN_OR_RETURN(Group below,
                           base_.LoadGroup(depth, items.front().key_hash, g->slots[slot]));
      kept_.push_back(std::move(below));
      g = &kept_.back();
      slot = 1;
    }
    const Slot* current = g != nullptr ? &g->slots[slot] : nullptr;
    if (current != nullptr && current->kind == Slot::Kind::kAbsent) {
      return Status::Internal("state map: update walked below a leaf");
    }
    if (current != nullptr && current->kind == Slot::Kind::kInternal) {
      auto mid = std::partition_point(items.begin(), items.end(),
                                      [&](const Item& e) { return !Bit(e.key_hash, depth); });
      std::span<const Item> sides[2] = {{items.begin(), mid}, {mid, items.end()}};
      Sub subs[2];
      for (int side = 0; side < 2; ++side) {
        const int child = 2 * slot + side;
        if (sides[side].empty()) {
          subs[side] = Sub::FromBase(*g, child);
        } else {
          LIC_ASSIGN_OR_RETURN(subs[side], UpdateAt(depth + 1, g, child, sides[side]));
        }
      }
      // The group stored at this position, if it is a group root.
      const Slot* existing = slot == 1 ? current : nullptr;
      return Combine(depth, items.front().key_hash, subs[0], subs[1], existing, group_version);
    }

    // The subtree is empty or a single leaf: rebuild it from its (few) keys.
    std::vector<Leaf> leaves;
    leaves.reserve(items.size() + 1);
    std::optional<Leaf> old;
    if (current != nullptr && current->kind == Slot::Kind::kLeaf) old = current->leaf;
    for (const Item& item : items) {
      if (old.has_value() && old->key_hash < item.key_hash) {
        leaves.push_back(*old);
        old.reset();
      }
      if (old.has_value() && old->key_hash == item.key_hash) {
        // Same value: keep the stored leaf so a no-op change writes nothing.
        if (item.value != nullptr && item.value_hash == old->value_hash) {
          leaves.push_back(*old);
        } else if (item.value != nullptr) {
          leaves.push_back(StoreValue(item));
        }
        old.reset();
        continue;
      }
      if (item.value != nullptr) leaves.push_back(StoreValue(item));
    }
    if (old.has_value()) leaves.push_back(*old);
    return Build(depth, leaves);
  }

  std::vector<std::pair<Bytes, Bytes>> TakeWrites() { return std::move(writes_); }

  // Stores the root group holding the tree's only leaf, or nothing (empty).
  void WriteRoot(const Sub& sub) {
    Bytes out{kGroupTag};
    if (sub.kind == Sub::Kind::kLeaf) {
      AppendLeaf(out, sub.leaf);
    } else {
      out.push_back(kTagEmpty);
    }
    writes_.emplace_back(NodeKey(EncodePosition(0, kEmptyHash), version_), std::move(out));
  }

 private:
  // A new leaf for `item`, its value stored under this update's version.
  Leaf StoreValue(const Item& item) {
    writes_.emplace_back(NodeKey(ValuePosition(item.key_hash), version_), *item.value);
    return Leaf{item.key_hash, item.value_hash, version_};
  }

  // Compact subtree at `depth` over `leaves` (sorted by key hash).
  Result<Sub> Build(uint16_t depth, std::span<const Leaf> leaves) {
    if (leaves.empty()) return Sub{};
    if (leaves.size() == 1) return Sub::OfLeaf(leaves.front());
    if (depth >= kKeyBits) return Status::Internal("state map: two keys with one key hash");
    auto mid = std::partition_point(leaves.begin(), leaves.end(),
                                    [&](const Leaf& l) { return !Bit(l.key_hash, depth); });
    LIC_ASSIGN_OR_RETURN(Sub left, Build(depth + 1, {leaves.begin(), mid}));
    LIC_ASSIGN_OR_RETURN(Sub right, Build(depth + 1, {mid, leaves.end()}));
    return Combine(depth, leaves.front().key_hash, left, right, nullptr, 0);
  }

  // Joins two child results into the subtree at (depth, path). `existing`:
  // the root slot of the group stored at this position before (under
  // `existing_version`), if any.
  Result<Sub> Combine(uint16_t depth, const Hash& path, const Sub& left, const Sub& right,
                      const Slot* existing, uint64_t existing_version) {
    using K = Sub::Kind;
    if (left.kind == K::kEmpty && right.kind == K::kEmpty) return Sub{};
    if (left.kind == K::kEmpty && right.kind == K::kLeaf) return right;  // the leaf moves up
    if (right.kind == K::kEmpty && left.kind == K::kLeaf) return left;
    const Hash hash = InternalHash(left.hash, right.hash);
    if (depth % kGroupBits != 0) {
      Sub s;
      s.kind = K::kInternal;
      s.hash = hash;
      s.left = &subs_.emplace_back(left);
      s.right = &subs_.emplace_back(right);
      return s;
    }
    // A group boundary: the subtree from here down to the next boundary is one stored group.
    if (existing != nullptr && existing->kind == Slot::Kind::kInternal && existing->hash == hash) {
      return Sub::OfGroup(hash, existing_version);  // unchanged: nothing to write
    }
    Bytes out{kGroupTag, kTagInternal};
    LIC_RETURN_IF_ERROR(AppendSlot(out, left, 1));
    LIC_RETURN_IF_ERROR(AppendSlot(out, right, 1));
    writes_.emplace_back(NodeKey(EncodePosition(depth, path), version_), std::move(out));
    return Sub::OfGroup(hash, version_);
  }

  // Appends `sub` as the slot at relative depth `rel` of a group.
  Status AppendSlot(Bytes& out, const Sub& sub, int rel) const {
    switch (sub.kind) {
      case Sub::Kind::kEmpty:
        out.push_back(kTagEmpty);
        return Status::Ok();
      case Sub::Kind::kLeaf:
        AppendLeaf(out, sub.leaf);
        return Status::Ok();
      case Sub::Kind::kInternal:
        if (rel >= kGroupBits) break;
        out.push_back(kTagInternal);
        LIC_RETURN_IF_ERROR(AppendSlot(out, *sub.left, rel + 1));
        return AppendSlot(out, *sub.right, rel + 1);
      case Sub::Kind::kBase:
        if (rel >= kGroupBits) break;
        return AppendBaseSlot(out, *sub.group, sub.slot);
      case Sub::Kind::kGroup:
        if (rel != kGroupBits) break;
        out.push_back(kTagGroup);
        AppendRaw(out, sub.hash);
        AppendBe(out, sub.version, 8);
        return Status::Ok();
    }
    return Status::Internal("state map: subtree kind out of place at relative depth " +
                            std::to_string(rel));
  }

  // Copies slot `slot` of a base group, and everything below it in that group.
  static Status AppendBaseSlot(Bytes& out, const Group& g, int slot) {
    const Slot& s = g.slots[slot];
    switch (s.kind) {
      case Slot::Kind::kEmpty:
        out.push_back(kTagEmpty);
        return Status::Ok();
      case Slot::Kind::kLeaf:
        AppendLeaf(out, s.leaf);
        return Status::Ok();
      case Slot::Kind::kInternal:
        out.push_back(kTagInternal);
        LIC_RETURN_IF_ERROR(AppendBaseSlot(out, g, 2 * slot));
        return AppendBaseSlot(out, g, 2 * slot + 1);
      case Slot::Kind::kGroup:
        out.push_back(kTagGroup);
        AppendRaw(out, s.hash);
        AppendBe(out, s.version, 8);
        return Status::Ok();
      case Slot::Kind::kAbsent:
        break;
    }
    return Status::Internal("state map: absent slot in a base group");
  }

  const TreeReader& base_;
  uint64_t version_;
  std::vector<std::pair<Bytes, Bytes>> writes_;
  std::deque<Group> kept_;  // base groups read while updating; kBase subs point into them
  std::deque<Sub> subs_;    // children of kInternal subs
};

Hash Leaf::ComputeHash() const { return LeafHash(key_hash, value_hash); }

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

Bytes ValuePosition(const Hash& key_hash) {
  Bytes out;
  out.reserve(2 + key_hash.size() + 8);
  out.push_back(static_cast<uint8_t>(kValueDepth >> 8));
  out.push_back(static_cast<uint8_t>(kValueDepth & 0xff));
  AppendRaw(out, key_hash);
  return out;
}

bool IsValueNodeKey(ByteView node_key) {
  return node_key.size() >= 2 && node_key[0] == (kValueDepth >> 8) &&
         node_key[1] == (kValueDepth & 0xff);
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

  std::vector<Item> items;
  items.reserve(changes.size());
  for (const StateChange& c : changes) {
    Item e;
    e.key_hash = KeyHash(c.key);
    if (c.value.has_value()) {
      e.value = &*c.value;
      e.value_hash = crypto::Sha256(*c.value);
    }
    items.push_back(e);
  }
  // Sort by key hash; for equal keys the later change wins.
  std::stable_sort(items.begin(), items.end(),
                   [](const Item& a, const Item& b) { return a.key_hash < b.key_hash; });
  std::vector<Item> unique;
  unique.reserve(items.size());
  for (const Item& e : items) {
    if (!unique.empty() && unique.back().key_hash == e.key_hash) {
      unique.back() = e;
    } else {
      unique.push_back(e);
    }
  }

  LIC_ASSIGN_OR_RETURN(std::optional<Group> root, base.LoadRoot());
  const Hash old_root = root.has_value() ? root->root().hash : kEmptyHash;
  StateMapUpdate out;
  out.root = old_root;
  if (unique.empty()) return out;
  Updater updater(base, version);
  LIC_ASSIGN_OR_RETURN(Sub sub,
                       updater.UpdateAt(0, root.has_value() ? &*root : nullptr, 1, unique));
  switch (sub.kind) {
    case Sub::Kind::kEmpty:
    case Sub::Kind::kLeaf:
      if (sub.hash != old_root) updater.WriteRoot(sub);
      break;
    case Sub::Kind::kGroup:
      break;  // written by the update (or unchanged)
    case Sub::Kind::kInternal:
    case Sub::Kind::kBase:
      return Status::Internal("state map: the root is not a group");
  }
  out.root = sub.hash;
  out.node_writes = updater.TakeWrites();
  return out;
}

Result<Hash> StateMap::RootAt(uint64_t version) const {
  TreeReader tree(reader_, version);
  LIC_ASSIGN_OR_RETURN(std::optional<Group> root, tree.LoadRoot());
  return root.has_value() ? root->root().hash : kEmptyHash;
}

Result<StateLookup> StateMap::GetWithProof(std::string_view key, uint64_t version) const {
  TreeReader tree(reader_, version);
  const Hash key_hash = KeyHash(key);
  StateLookup out;
  LIC_ASSIGN_OR_RETURN(std::optional<Group> group, tree.LoadRoot());
  uint16_t depth = 0;
  int slot = 1;
  while (group.has_value()) {
    const Slot& s = group->slots[slot];
    if (s.kind == Slot::Kind::kGroup) {
      LIC_ASSIGN_OR_RETURN(Group below, tree.LoadGroup(depth, key_hash, s));
      group = std::move(below);
      slot = 1;
      continue;
    }
    if (s.kind == Slot::Kind::kLeaf) {
      out.proof.leaf = StateProof::Leaf{s.leaf.key_hash, s.leaf.value_hash};
      if (s.leaf.key_hash == key_hash) {
        LIC_ASSIGN_OR_RETURN(Bytes value, tree.LoadValue(s.leaf));
        out.value = std::move(value);
      }
      break;
    }
    if (s.kind != Slot::Kind::kInternal) break;  // empty
    if (depth >= kKeyBits) return Status::Corruption("state map: path deeper than 256");
    const bool right = Bit(key_hash, depth);
    out.proof.siblings.push_back(group->slots[2 * slot + (right ? 0 : 1)].hash);
    slot = 2 * slot + (right ? 1 : 0);
    ++depth;
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
