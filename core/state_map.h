// The authenticated state map: a versioned, compact sparse Merkle tree over
// SHA-256(key) whose root is the block header's state_root, with compact
// proofs of a key's value or of its absence (docs/state-root.md).
//
// Shape: a binary tree over the 256 bits of key_hash = SHA-256(key), MSB
// first. A subtree holding no key hashes to 32 zero bytes; a subtree holding
// exactly one key is collapsed into a single leaf node (so depth is about
// log2(#keys), as in Diem's Jellyfish Merkle tree); otherwise its hash is an
// internal node over its two halves:
//   leaf     = SHA-256(0x02 || key_hash || SHA-256(value))
//   internal = SHA-256(0x03 || left || right)
//   empty    = 00..00 (32 bytes)
// The prefixes differ from RFC 9162's 0x00/0x01 (core/merkle.h).
//
// Storage: the binary tree is stored in groups of four levels (one stored
// node holds the binary nodes of a 16-way subtree, as Jellyfish Merkle trees
// store theirs), so a changed key rewrites about log16(#keys) stored nodes,
// not log2(#keys); leaves hold the value's hash, and each value is stored once
// in a value record of its own. Hashes and proofs are those of the binary tree.
//
// Versions: Update(version, changes) derives the tree of `version` from the
// newest tree below it and returns the groups and value records to store,
// each keyed by (position, version). Nothing is overwritten, so roots and
// proofs stay available for every retained version. The map does no I/O of its own: it
// reads nodes through a StateMapNodeReader, and the caller stores the returned
// writes (the executor puts them in the same batch as the block).
//
// Thread-safety: StateMap and the free functions are thread-safe when the
// reader is (StateMap only reads). MemStateNodeStore is not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/bytes.h"
#include "core/status.h"

namespace licenced::state {

inline constexpr size_t kKeyBits = 256;

// Storage key of a node: EncodePosition(depth, path) || u64 big-endian version.
// A position is u16 big-endian depth (0..256) followed by the first `depth`
// bits of the path, packed MSB-first into ceil(depth/8) bytes, unused low bits
// zero. All positions of one depth have the same length, so the keys of one
// position are contiguous and ordered by version: "the node at P as of
// version V" is SeekForPrev(P || u64(V)) followed by a prefix check.
Bytes EncodePosition(uint16_t depth, const Hash& path);
Bytes NodeKey(ByteView position, uint64_t version);
// Position of the value records of a key: u16 0xffff (no depth) || key_hash.
// Read only by exact (position, version), never by the tree's updates.
Bytes ValuePosition(const Hash& key_hash);
// Whether a NodeKey is a value record's (caches of the tree skip them).
bool IsValueNodeKey(ByteView node_key);

// Where the map reads its nodes from. Implementations: MemStateNodeStore
// (below), and the node's storage (a RocksDB iterator SeekForPrev).
class StateMapNodeReader {
 public:
  virtual ~StateMapNodeReader() = default;
  // The value of the node stored at `position` with the greatest version
  // <= max_version, or nullopt if there is none. An error only for a storage
  // failure.
  virtual Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                                     uint64_t max_version) const = 0;
  // The value of the node stored at exactly (`position`, `version`), or
  // nullopt. Parents record their children's versions, so this is the read
  // of every node below the root.
  virtual Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const = 0;
};

// One change to the map. nullopt value = delete (deleting an absent key is a
// no-op). Keys and values are arbitrary bytes.
struct StateChange {
  std::string key;
  std::optional<Bytes> value;
};

struct StateMapUpdate {
  Hash root{};
  // (NodeKey, stored value) pairs to store, groups and value records; all
  // carry the update's version.
  std::vector<std::pair<Bytes, Bytes>> node_writes;
};

// Proof that `key` maps to a value (or to nothing) in the tree with a given root.
// Canonical encoding (Encode/Decode, core/encoding.h rules), small: about
// log2(#keys) hashes:
//   depth u16 (0..256)
//   bitmap: ceil(depth/8) bytes, bit i (MSB-first) set iff siblings[i] is
//           not the empty hash; unused low bits zero
//   each non-empty sibling: 32 raw bytes, root side first
//   terminal u8: 0 = empty subtree, 1 = leaf, followed for a leaf by
//           key_hash 32 raw || value_hash 32 raw
// Decode rejects anything Encode cannot produce.
struct StateProof {
  uint16_t depth = 0;          // depth of the terminal node (== siblings.size())
  std::vector<Hash> siblings;  // siblings[i] = other child at depth i+1; zero = empty
  // The leaf at the end of the path: the key itself (presence), or a
  // different key sharing the first `depth` bits (absence). nullopt = the
  // path ends in an empty subtree (absence).
  struct Leaf {
    Hash key_hash{};
    Hash value_hash{};
    bool operator==(const Leaf&) const = default;
  };
  std::optional<Leaf> leaf;

  Bytes Encode() const;
  static Result<StateProof> Decode(ByteView data);
  bool operator==(const StateProof&) const = default;
};

// OK iff `proof` shows that, in the tree with root `root`, `key` maps to
// `value` (value given) or is absent (nullopt). Corruption otherwise, with a
// reason.
Status VerifyStateProof(const Hash& root, std::string_view key, const std::optional<Bytes>& value,
                        const StateProof& proof);

// Hash functions of the tree (exposed for tests and offline verifiers).
Hash KeyHash(std::string_view key);
Hash LeafHash(const Hash& key_hash, const Hash& value_hash);
Hash InternalHash(const Hash& left, const Hash& right);

struct StateLookup {
  std::optional<Bytes> value;  // nullopt = absent
  StateProof proof;
};

// The map over a node reader. Holds a reference: `reader` must outlive it.
class StateMap {
 public:
  explicit StateMap(const StateMapNodeReader& reader) : reader_(reader) {}

  // Applies `changes` on top of the newest tree with version < `version`
  // (the empty tree if there is none, or if version == 0) and returns the
  // new root and the nodes to store. Later entries for the same key win. Cost
  // grows with the number of keys changed, not with the size of the state;
  // no changes (or only no-op changes) give the same root and no writes.
  // REQUIRES: `version` is greater than every version already stored (or
  //           equal to the last one, when redoing an update that was never
  //           stored: the result is identical); the writes of the previous
  //           update are visible through the reader before the next Update.
  Result<StateMapUpdate> Update(uint64_t version, const std::vector<StateChange>& changes) const;

  // Root of the newest tree with version <= `version` (zero if none).
  Result<Hash> RootAt(uint64_t version) const;
  // The key's value and a proof against RootAt(version).
  Result<StateLookup> GetWithProof(std::string_view key, uint64_t version) const;
  Result<StateProof> Prove(std::string_view key, uint64_t version) const;
  Result<std::optional<Bytes>> Get(std::string_view key, uint64_t version) const;

 private:
  const StateMapNodeReader& reader_;
};

// In-memory node store (tests, simulator, tools). Not thread-safe.
class MemStateNodeStore final : public StateMapNodeReader {
 public:
  Result<std::optional<Bytes>> GetLatestNode(ByteView position,
                                             uint64_t max_version) const override;
  Result<std::optional<Bytes>> GetNode(ByteView position, uint64_t version) const override;
  void Apply(const std::vector<std::pair<Bytes, Bytes>>& writes);
  size_t size() const { return nodes_.size(); }

 private:
  std::map<Bytes, Bytes> nodes_;
};

}  // namespace licenced::state
