// Checker shared by the simulator and the replica fuzz target: watches every
// message an honest replica sends and reports the first time it has signed
// two different pre-prepares, prepares or commits for one (view, height).
// It looks at the message itself and at the replica's own messages carried
// inside it (a NewView's pre-prepares, a ViewChange's prepared certificates),
// and keeps its record across the replica's restarts: an honest replica must
// never contradict what it signed, whatever it forgot.
//
// Test-only; not thread-safe.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <tuple>

#include "consensus/messages.h"

namespace licenced::consensus::testing {

class EquivocationChecker {
 public:
  // `wire` is a message `self` sent. Returns what it contradicts, if anything.
  std::optional<std::string> Observe(ReplicaId self, ByteView wire) {
    auto m = SignedMessage::Decode(wire);
    if (!m.ok()) return std::nullopt;  // other checks report undecodable messages
    if (auto v = Record(self, *m)) return v;
    if (m->type == MsgType::kNewView) {
      auto nv = NewViewMsg::Decode(m->body);
      if (!nv.ok()) return std::nullopt;
      for (const SignedMessage& pp : nv->pre_prepares) {
        if (auto v = Record(self, pp)) return v;
      }
    } else if (m->type == MsgType::kViewChange) {
      auto vc = ViewChangeMsg::Decode(m->body);
      if (!vc.ok()) return std::nullopt;
      for (const PreparedCert& c : vc->prepared) {
        if (auto v = Record(self, c.pre_prepare)) return v;
        for (const SignedMessage& p : c.prepares) {
          if (auto v = Record(self, p)) return v;
        }
      }
    }
    return std::nullopt;
  }

  size_t size() const { return signed_.size(); }

 private:
  std::optional<std::string> Record(ReplicaId self, const SignedMessage& m) {
    if (m.sender != self) return std::nullopt;  // relayed: someone else's signature
    uint64_t view = 0, height = 0;
    Hash digest{};
    if (m.type == MsgType::kPrePrepare) {
      auto pp = PrePrepareMsg::Decode(m.body);
      if (!pp.ok()) return std::nullopt;
      view = pp->view;
      height = pp->block.header.height;
      digest = pp->block.ComputeHash();  // covers the header only: stripped copies agree
    } else if (m.type == MsgType::kPrepare || m.type == MsgType::kCommit) {
      auto v = VoteMsg::Decode(m.body);
      if (!v.ok()) return std::nullopt;
      view = v->view;
      height = v->height;
      digest = v->block_hash;
    } else {
      return std::nullopt;
    }
    auto key = std::make_tuple(self, static_cast<int>(m.type), view, height);
    auto [it, fresh] = signed_.emplace(key, digest);
    if (fresh || it->second == digest) return std::nullopt;
    return "replica " + std::to_string(self) + " signed two different " + MsgTypeName(m.type) +
           " for view " + std::to_string(view) + " height " + std::to_string(height) + " (" +
           ToHex(it->second).substr(0, 16) + " and " + ToHex(digest).substr(0, 16) + ")";
  }

  std::map<std::tuple<ReplicaId, int, uint64_t, uint64_t>, Hash> signed_;
};

}  // namespace licenced::consensus::testing
