// Test harness: drives chaincode::Engine like the node does (one OverlayView per
// tx, committed only on success) over an in-memory state, with the dev genesis,
// deterministic keys, salts and block times. Every rejected tx is checked to
// leave the state byte-for-byte unchanged.
#pragma once

#include <catch2/catch.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "chaincode/engine.h"
#include "chaincode/identifiers.h"
#include "chaincode/licence_status.h"
#include "chaincode/state_view.h"
#include "client/prepare.h"
#include "core/genesis.h"

namespace licenced::chaincode::testing {

using json = nlohmann::json;
// The client-side preparation the flow tests drive (lic_client).
using client::CheckSealedData;
using client::OpenSealed;
using client::PrepareHouseholdRegistration;
using client::PrepareIssueLicence;
using client::PrepareOpenCase;
using client::RandomBytes;

// Thursday 2026-11-26 10:00 in China (UTC+8).
inline constexpr uint64_t kThursday10am = 1795658400000ULL;
inline constexpr uint64_t kHourMs = 3'600'000ULL;
inline constexpr uint64_t kDayMs = 24 * kHourMs;

inline std::string ReadExample(const std::string& name) {
  std::ifstream in(std::string(LICENCED_SOURCE_DIR) + "/examples/" + name);
  REQUIRE(in);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}
inline json ExampleJson(const std::string& name) { return json::parse(ReadExample(name)); }

class Harness {
 public:
  explicit Harness(DevNetwork net = MakeDevNetwork())
      : net_(std::move(net)), engine_(net_.genesis) {}

  const DevNetwork& net() const { return net_; }
  const Engine& engine() const { return engine_; }
  MemStateView& state() { return state_; }
  const crypto::KeyPair& admin(const std::string& org) const { return net_.admin_keys.at(org); }
  uint64_t now() const { return time_ms_; }
  void SetTime(uint64_t t) { time_ms_ = t; }
  void Advance(uint64_t ms) { time_ms_ += ms; }

  // Deterministic "random" bytes for client salts.
  Bytes Random(size_t n) {
    Bytes out(n);
    for (size_t i = 0; i < n; ++i)
      out[i] = static_cast<uint8_t>((salt_counter_ * 131 + i * 7) & 0xff);
    ++salt_counter_;
    return out;
  }
  RandomBytes RandomSource() {
    return [this](size_t n) { return Random(n); };
  }

  TxOutcome Submit(const crypto::KeyPair& key, const std::string& chaincode,
                   const std::string& method, const json& args) {
    Transaction tx;
    tx.network_id = net_.genesis.network_id;
    tx.chaincode = chaincode;
    tx.method = method;
    tx.args = ToBytes(args.dump());
    tx.nonce = ++nonce_;
    tx.SignWith(key);
    return SubmitTx(tx);
  }

  // Every transaction submitted, encoded as a block carries it (blocks keep
  // rejected transactions too).
  const std::vector<Bytes>& tx_bytes() const { return tx_bytes_; }
  // The block time each of tx_bytes() ran at (its height is its index + 1).
  const std::vector<uint64_t>& tx_times() const { return tx_times_; }
  // Needles (personal values) found in clear in any submitted transaction.
  std::vector<std::string> FoundInTxs(const std::vector<std::string>& needles) const {
    std::vector<std::string> found;
    for (const auto& n : needles) {
      for (const auto& b : tx_bytes_) {
        if (std::search(b.begin(), b.end(), n.begin(), n.end()) != b.end()) {
          found.push_back(n);
          break;
        }
      }
    }
    return found;
  }

  TxOutcome SubmitTx(const Transaction& tx) {
    tx_bytes_.push_back(tx.Encode());
    tx_times_.push_back(time_ms_);
    TxContext ctx{++height_, time_ms_, 0, tx.Id()};
    OverlayView overlay(state_);
    TxOutcome out = engine_.Execute(tx, ctx, overlay);
    if (out.status.ok()) {
      overlay.Commit();
    } else {
      CHECK(overlay.writes().empty());
      CHECK(out.events.empty());
    }
    events_.insert(events_.end(), out.events.begin(), out.events.end());
    return out;
  }

  json Ok(const crypto::KeyPair& key, const std::string& chaincode, const std::string& method,
          const json& args) {
    TxOutcome out = Submit(key, chaincode, method, args);
    INFO(chaincode << "." << method << " " << args.dump().substr(0, 400));
    INFO(out.status.ToString());
    REQUIRE(out.status.ok());
    return json::parse(out.result_json);
  }

  // Expects a rejection with `code` whose message contains `needle`, and that
  // the state did not change at all.
  void Fail(const crypto::KeyPair& key, const std::string& chaincode, const std::string& method,
            const json& args, StatusCode code, const std::string& needle = "") {
    MemStateView before = state_;
    TxOutcome out = Submit(key, chaincode, method, args);
    INFO(chaincode << "." << method << " -> " << out.status.ToString());
    CHECK_FALSE(out.status.ok());
    CHECK(out.status.code() == code);
    if (!needle.empty()) CHECK_THAT(out.status.message(), Catch::Contains(needle));
    CHECK(state_ == before);  // a rejected tx changes nothing
  }

  json Query(const std::string& method, const json& args) {
    auto r = engine_.Query(method, args.dump(), state_, time_ms_);
    INFO(method << " " << r.status().ToString());
    REQUIRE(r.ok());
    return json::parse(*r);
  }

  // Enrols a clerk of `org` with deterministic keys.
  crypto::KeyPair Enrol(const std::string& org, const std::string& name,
                        const std::vector<std::string>& roles) {
    crypto::KeyPair k = crypto::KeyPair::FromSeed(DevSeed("clerk", org + "/" + name));
    Ok(admin(org), "identity", "enrol_clerk",
       {{"name", name}, {"public_key", ToHex(k.public_key())}, {"roles", roles}});
    return k;
  }

  // Opens a case from an example application file; returns (case_id, secrets).
  std::pair<std::string, json> OpenFromExample(const crypto::KeyPair& window,
                                               const std::string& file) {
    auto prepared = PrepareOpenCase(net_.genesis, ReadExample(file), RandomSource(), time_ms_);
    REQUIRE(prepared.ok());
    json r = Ok(window, "workflow", "open_case", prepared->args);
    return {r["case_id"].get<std::string>(), prepared->secrets};
  }

  const std::vector<Event>& events() const { return events_; }

 private:
  DevNetwork net_;
  Engine engine_;
  MemStateView state_;
  uint64_t height_ = 0;
  uint64_t time_ms_ = kThursday10am;
  uint64_t nonce_ = 0;
  uint64_t salt_counter_ = 1;
  std::vector<Event> events_;
  std::vector<Bytes> tx_bytes_;
  std::vector<uint64_t> tx_times_;
};

}  // namespace licenced::chaincode::testing
