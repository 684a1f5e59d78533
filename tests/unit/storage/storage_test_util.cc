#include "tests/unit/storage/storage_test_util.h"

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <system_error>

#include "core/crypto.h"

namespace licenced::storage::testing {
namespace {

Bytes B(std::string_view s) { return ToBytes(s); }

std::string K(std::string_view prefix, uint64_t height) {
  return std::string(prefix) + HeightKey(height);
}

Bytes BlockBytes(uint64_t height, size_t payload_bytes) {
  Bytes block = B("block-" + std::to_string(height) + "|");
  for (size_t i = 0; i < payload_bytes; ++i) {
    block.push_back(static_cast<uint8_t>((height * 131 + i * 7) & 0xff));
  }
  return block;
}

}  // namespace

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/lic-storage-XXXXXX";
  char* made = mkdtemp(pattern.data());
  path_ = made ? std::string(made) : pattern;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

Dump DumpAll(KvStore& kv) {
  Dump out;
  for (Column column : kAllColumns) {
    auto entries = kv.ScanPrefix(column, "", KvStore::kNoLimit);
    if (!entries.ok()) continue;
    for (auto& [key, value] : *entries) out.emplace_back(column, key, value);
  }
  return out;
}

Hash ChainBlockHash(uint64_t height) { return crypto::Sha256(BlockBytes(height, 0)); }

BlockStore::CommitRecord ChainRecord(uint64_t height, size_t payload_bytes) {
  BlockStore::CommitRecord r;
  r.height = height;
  r.block = BlockBytes(height, payload_bytes);
  r.block_hash = ChainBlockHash(height);
  r.cert = B("cert-" + std::to_string(height));
  r.extra.Put(Column::kState, K("s/", height), B("value-" + std::to_string(height)));
  r.extra.Put(Column::kState, "latest", B(HeightKey(height)));
  r.extra.Put(Column::kState, K("tmp/", height), B("t"));
  if (height > 1) r.extra.Delete(Column::kState, K("tmp/", height - 1));
  r.extra.Put(Column::kIndex, K("tx:", height), B("tx-" + std::to_string(height)));
  return r;
}

std::string CheckChain(KvStore& kv, uint64_t min_head, uint64_t* head_out) {
  auto store = BlockStore::Open(&kv);
  if (!store.ok()) return "BlockStore::Open failed: " + store.status().ToString();
  const uint64_t head = (*store)->head_height();
  if (head_out) *head_out = head;
  const std::string at_head = " (head " + std::to_string(head) + ")";
  if (head < min_head) {
    return "acknowledged block lost: head " + std::to_string(head) + " < acknowledged " +
           std::to_string(min_head);
  }
  auto get = [&kv](Column c, const std::string& key) -> std::optional<Bytes> {
    auto v = kv.Get(c, key);
    return v.ok() ? *v : std::nullopt;
  };
  for (uint64_t h = 1; h <= head + 3; ++h) {
    const bool want = h <= head;
    const std::string at = " at height " + std::to_string(h) + at_head;
    BlockStore::CommitRecord r = ChainRecord(h);
    auto block = (*store)->BlockByHeight(h);
    auto cert = (*store)->CertByHeight(h);
    auto by_hash = (*store)->HeightByHash(r.block_hash);
    if (!block.ok() || !cert.ok() || !by_hash.ok()) return "read error" + at;
    if (want) {
      // Block bytes carry padding of unknown length; check the prefix.
      Bytes prefix = B("block-" + std::to_string(h) + "|");
      if (!*block || block->value().size() < prefix.size() ||
          !std::equal(prefix.begin(), prefix.end(), block->value().begin())) {
        return "block missing or wrong" + at;
      }
      if (*cert != r.cert) return "certificate missing or wrong" + at;
      if (*by_hash != h) return "hash index missing or wrong" + at;
      if (get(Column::kState, K("s/", h)) != B("value-" + std::to_string(h))) {
        return "extra state write missing" + at;
      }
      if (get(Column::kIndex, K("tx:", h)) != B("tx-" + std::to_string(h))) {
        return "extra index write missing" + at;
      }
    } else {
      if (*block) return "block present above the head" + at;
      if (*cert) return "certificate present above the head" + at;
      if (*by_hash) return "hash index present above the head" + at;
      if (get(Column::kState, K("s/", h))) return "state write present above the head" + at;
      if (get(Column::kIndex, K("tx:", h))) return "index write present above the head" + at;
    }
  }
  if (head == 0) {
    if (get(Column::kState, "latest")) return "\"latest\" present with an empty chain";
    return "";
  }
  if ((*store)->head_hash() != ChainBlockHash(head)) return "head hash wrong" + at_head;
  if (get(Column::kState, "latest") != B(HeightKey(head))) {
    return "\"latest\" does not name the head" + at_head;
  }
  if (!get(Column::kState, K("tmp/", head))) return "tmp key of the head missing" + at_head;
  if (head > 1 && get(Column::kState, K("tmp/", head - 1))) {
    return "tmp key below the head not deleted" + at_head;
  }
  return "";
}

}  // namespace licenced::storage::testing
