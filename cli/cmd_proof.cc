// Holder and verifier commands (docs/cli.md, docs/proof-format.md):
//   proof export LICENCE_ID --out proof.json [--format v3|v2|v1|vc]
//   proof status-list ORG --purpose revocation|suspension --out list.json
//   proof present --proof proof.json --key holder.key --challenge C [--disclose F,...]
//                 [--secrets FILE] --out presentation.json [--qr FILE.png | --qr-terminal]
//   proof verify presentation.json --genesis genesis.json --challenge C [--max-age DUR]
//                [--node ADDR | --net DIR]   (a fresh status proof; offline otherwise)
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include <fmt/core.h>
#include <nlohmann/json.hpp>

#include "chaincode/licence_status.h"
#include "cli/app.h"
#include "cli/qr_png.h"
#include "client/conn.h"
#include "client/files.h"
#include "client/session.h"
#include "core/genesis.h"
#include "proof/bundle.h"
#include "proof/credential.h"
#include "proof/verify.h"

namespace licenced::cli {
using client::DeadlineIn;
using client::DescribeRpcError;
using client::ExitCodeFor;
using client::NodeTarget;
using client::OpenChannel;
using client::ReadPassphraseFile;
using client::ReadTextFile;
using client::ResolveTargets;
using client::WriteTextFile;

namespace {

using json = nlohmann::json;
namespace pb = ::licenced::v1;
namespace fs = std::filesystem;

uint64_t NowMs() {
  return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::system_clock::now().time_since_epoch())
                                   .count());
}

Result<Bytes> ReadBinaryFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::NotFound("cannot read " + path + ": no such file or not readable");
  std::stringstream ss;
  ss << in.rdbuf();
  return ToBytes(ss.str());
}

Status WriteBinaryFile(const std::string& path, const Bytes& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return Status::InvalidArgument("cannot write " + path);
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (!out) return Status::InvalidArgument("failed writing " + path);
  return Status::Ok();
}

// "90s", "10m", "24h", "7d"; "none" = no limit.
Result<std::optional<uint64_t>> ParseDuration(const std::string& text) {
  if (text == "none") return std::optional<uint64_t>();
  if (text.size() < 2)
    return Status::InvalidArgument("--max-age: expected e.g. 10m, 24h, 7d or none");
  uint64_t unit = 0;
  switch (text.back()) {
    case 's':
      unit = 1000;
      break;
    case 'm':
      unit = 60'000;
      break;
    case 'h':
      unit = 3'600'000;
      break;
    case 'd':
      unit = 86'400'000;
      break;
    default:
      return Status::InvalidArgument("--max-age: unit must be s, m, h or d (e.g. 10m)");
  }
  std::string num = text.substr(0, text.size() - 1);
  if (num.empty() || num.size() > 9 || num.find_first_not_of("0123456789") != std::string::npos)
    return Status::InvalidArgument("--max-age: expected a whole number before the unit (e.g. 10m)");
  return std::optional<uint64_t>(std::stoull(num) * unit);
}

std::string Ago(uint64_t ms) {
  if (ms < 120'000) return fmt::format("{} s ago", ms / 1000);
  if (ms < 7'200'000) return fmt::format("{} min ago", ms / 60'000);
  if (ms < 172'800'000) return fmt::format("{} h ago", ms / 3'600'000);
  return fmt::format("{} days ago", ms / 86'400'000);
}

// ---- node access ----

struct Rpc {
  NodeTarget target;
  std::unique_ptr<pb::ClientApi::Stub> stub;
  double timeout_s;
};

Result<Rpc> Connect(const GlobalOptions& g) {
  LIC_ASSIGN_OR_RETURN(auto targets, ResolveTargets(g, /*all_nodes=*/false));
  if (targets.empty()) return Status::InvalidArgument("no node to ask");
  LIC_ASSIGN_OR_RETURN(auto channel, OpenChannel(targets[0]));
  return Rpc{targets[0], pb::ClientApi::NewStub(channel), g.timeout_s};
}

// `certified`: in the state after block `height` under its state certificate
// (0 = the newest certified), else against the header of block `height`.
CliResult<pb::StateProof> GetStateProof(Rpc& rpc, const std::string& key, uint64_t height,
                                        bool certified = false) {
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(rpc.timeout_s));
  pb::GetStateProofRequest req;
  req.set_key(key);
  req.set_height(height);
  req.set_certified_state(certified);
  pb::StateProof out;
  grpc::Status s = rpc.stub->GetStateProof(&ctx, req, &out);
  if (!s.ok()) return CliError{ExitCodeFor(s), "GetStateProof: " + DescribeRpcError(rpc.target, s)};
  return out;
}

Result<proof::StatusEvidence> EvidenceFrom(const pb::StateProof& sp, const std::string& key) {
  if (!sp.found()) {
    return Status::NotFound("the node has no state entry " + key + " (unknown licence?)");
  }
  proof::StatusEvidence e;
  LIC_ASSIGN_OR_RETURN(e.header, consensus::BlockHeader::Decode(AsBytes(sp.header())));
  if (!sp.state_certificate().empty()) {
    LIC_ASSIGN_OR_RETURN(const consensus::CheckpointProof cert,
                         consensus::CheckpointProof::Decode(AsBytes(sp.state_certificate())));
    LIC_ASSIGN_OR_RETURN(e.state, proof::StateVotesFor(cert, e.header));
  } else {
    LIC_ASSIGN_OR_RETURN(e.certificate,
                         consensus::CommitCertificate::Decode(AsBytes(sp.certificate())));
  }
  e.value = ToBytes(sp.value());
  LIC_ASSIGN_OR_RETURN(e.proof, state::StateProof::Decode(AsBytes(sp.proof())));
  return e;
}

// The genesis to check an exported bundle against, if any: --genesis FILE,
// else DIR/genesis.json with --net, else none.
CliResult<std::optional<Genesis>> LoadOptionalGenesis(const GlobalOptions& g,
                                                      const std::string& path) {
  std::string p = path;
  if (p.empty() && !g.net.empty()) p = (fs::path(g.net) / "genesis.json").string();
  if (p.empty()) return std::optional<Genesis>();
  CLI_ASSIGN_OR_RETURN(Genesis gen, Lift(Genesis::LoadFile(p), kExitUsage));
  return std::optional<Genesis>(std::move(gen));
}

// ---- proof export ----

struct ExportOpts {
  std::string id;
  std::string out;
  std::string genesis;
  std::string format = "v3";
  std::string wait = "15s";
  bool no_status = false;
  // --format vc: the issuing org's key and where its status lists are served.
  std::string issuer_key;
  std::string status_base;
};

// ---- credentials (docs/credentials.md) ----

// The issuer's signing key: --issuer-key, else DIR/<org>/admin.key with --net.
std::string IssuerKeyPath(const GlobalOptions& g, const std::string& path, const std::string& org) {
  if (path.empty() && !g.net.empty()) return (fs::path(g.net) / org / "admin.key").string();
  return path;
}

CliResult<crypto::KeyPair> LoadIssuerKey(const GlobalOptions& g, const std::string& path,
                                         const std::string& org) {
  const std::string p = IssuerKeyPath(g, path, org);
  if (p.empty()) {
    return CliError{kExitUsage, "credentials are signed by an admin key of the issuing org '" +
                                    org + "': give --issuer-key FILE (or --net DIR)"};
  }
  std::optional<std::string> pass;
  if (!g.passphrase_file.empty()) {
    CLI_ASSIGN_OR_RETURN(pass, Lift(ReadPassphraseFile(g.passphrase_file), kExitUsage));
  }
  return Lift(crypto::ReadKeyFile(p, pass), kExitUsage);
}

// The base URL of the issuer's status lists: --status-base, else the HTTP
// listener of the org's node in --net's directory.
CliResult<std::string> StatusBase(const GlobalOptions& g, const std::string& given,
                                  const std::string& org) {
  std::string base = given;
  if (base.empty() && !g.net.empty()) {
    auto targets = client::NetTargets(g.net);
    if (targets.ok()) {
      for (const auto& t : *targets) {
        if (t.org == org && !t.http_address.empty()) base = "http://" + t.http_address;
      }
    }
  }
  if (base.empty()) {
    return CliError{kExitUsage, "no node of org '" + org +
                                    "' serves its status lists here: give --status-base URL "
                                    "(where the issuer publishes them, e.g. http://host:port)"};
  }
  if (base.rfind("http://", 0) != 0 && base.rfind("https://", 0) != 0) {
    return CliError{kExitUsage, "--status-base must be an http:// or https:// URL"};
  }
  while (!base.empty() && base.back() == '/') base.pop_back();
  return base;
}

CliResult<json> RunQuery(Rpc& rpc, const std::string& method, const json& args) {
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(rpc.timeout_s));
  pb::QueryRequest req;
  req.set_chaincode("licence");
  req.set_method(method);
  req.set_args_json(args.dump());
  pb::QueryResponse resp;
  grpc::Status s = rpc.stub->Query(&ctx, req, &resp);
  if (!s.ok())
    return CliError{ExitCodeFor(s), "Query " + method + ": " + DescribeRpcError(rpc.target, s)};
  json r = json::parse(resp.result_json(), nullptr, false);
  if (r.is_discarded()) return CliError{kExitUsage, "the node's " + method + " answer is not JSON"};
  return r;
}

Status WriteCredential(const std::string& path, const json& credential) {
  return WriteTextFile(path, credential.dump(2) + "\n", 0644);
}

// The licence's latest committed status value, read from the node's newest
// state (after its head block; not yet under any certified header).
struct LatestStatus {
  Bytes value;
  uint64_t updated_height = 0;
  std::string status;
};

CliResult<LatestStatus> QueryLatestStatus(Rpc& rpc, const std::string& id) {
  grpc::ClientContext ctx;
  ctx.set_deadline(DeadlineIn(rpc.timeout_s));
  pb::QueryRequest req;
  req.set_chaincode("licence");
  req.set_method("licence_status");
  req.set_args_json(json{{"identifier", id}}.dump());
  pb::QueryResponse resp;
  grpc::Status s = rpc.stub->Query(&ctx, req, &resp);
  if (!s.ok())
    return CliError{ExitCodeFor(s), "Query licence_status: " + DescribeRpcError(rpc.target, s)};
  json r = json::parse(resp.result_json(), nullptr, false);
  if (r.is_discarded() || !r.contains("status_value_hex"))
    return CliError{kExitUsage, "the node's licence_status query returned no status value"};
  auto v = FromHex(r.value("status_value_hex", ""));
  if (!v.ok()) return CliError{kExitUsage, "the node's status_value_hex is not hex"};
  LatestStatus out;
  out.value = *v;
  out.updated_height = r.value("updated_height", uint64_t{0});
  out.status = r.value("status", "");
  return out;
}

// The record's exact bytes and the status evidence, both proven in one
// certified state, such that the proven status is the latest committed one.
// `certified` (v3): the state after the newest block with a state
// certificate, which forms as soon as a quorum has executed the block, so
// this waits (up to `wait_ms`) only for that. Otherwise (v1, v2): the state
// the head H's header carries (after block H-W, W = the order-ahead window);
// a change made by one of the last W blocks is under no certified header yet,
// so this waits for more blocks to commit.
struct ProvenLicence {
  Bytes record;
  proof::StatusEvidence status;
};

CliResult<ProvenLicence> FetchProven(Rpc& rpc, const std::string& id, uint64_t wait_ms,
                                     bool certified) {
  const uint64_t deadline = NowMs() + wait_ms;
  const std::string rec_key = chaincode::LicenceRecordKey(id);
  const std::string st_key = chaincode::LicenceStatusKey(id);
  bool told = false;
  while (true) {
    CLI_ASSIGN_OR_RETURN(const LatestStatus latest, QueryLatestStatus(rpc, id));
    auto rec_sp = GetStateProof(rpc, rec_key, 0, certified);
    // No certified state yet (a node that just started, or a quorum still
    // executing): retry until the deadline like a state not yet proven.
    const bool retry = !rec_sp.ok() && certified && rec_sp.error().exit_code == kExitRejected;
    if (!rec_sp.ok() && !retry) return std::move(rec_sp).error();
    if (rec_sp.ok() && rec_sp->found()) {
      CLI_ASSIGN_OR_RETURN(const pb::StateProof st_sp,
                           GetStateProof(rpc, st_key, rec_sp->height(), certified));
      CLI_ASSIGN_OR_RETURN(proof::StatusEvidence ev,
                           Lift(EvidenceFrom(st_sp, st_key), kExitRejected));
      if (ev.value == latest.value) return ProvenLicence{ToBytes(rec_sp->value()), std::move(ev)};
    }
    if (NowMs() >= deadline) {
      if (retry) return std::move(rec_sp).error();
      if (certified) {
        return CliError{
            kExitRejected,
            fmt::format("licence {} changed in block {} (status now: {}), and the node holds no "
                        "state certificate of that block's state yet (a quorum of validators "
                        "has not executed it, or this node was away). Retry, or raise --wait",
                        id, latest.updated_height, latest.status)};
      }
      return CliError{
          kExitRejected,
          fmt::format(
              "licence {} changed in block {} (status now: {}), and no certified header covers "
              "that block yet: a status proof proves the state a header carries, the state W "
              "blocks before it (W = the genesis consensus.order_ahead_window, 1 by default), so "
              "W more blocks must commit first. Retry when the ledger has moved on, raise --wait, "
              "or use --format v3",
              id, latest.updated_height, latest.status)};
    }
    if (!told) {
      std::fprintf(stderr,
                   certified ? "licencectl: the licence changed in block %llu; waiting for the "
                               "state certificate of that block...\n"
                             : "licencectl: the licence changed in block %llu, the node's newest "
                               "block; waiting for the next block to certify that state...\n",
                   static_cast<unsigned long long>(latest.updated_height));
      told = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(certified ? 50 : 250));
  }
}

// --format vc: the verified v3 bundle `b` as a signed licence credential.
CommandResult WriteLicenceCredential(const GlobalOptions& g, const ExportOpts& o,
                                     const Genesis& genesis, proof::Bundle b, Rpc& rpc) {
  const json rec = json::parse(b.record.begin(), b.record.end(), nullptr, false);
  const std::string org = rec.value("issuer_org", "");
  CLI_ASSIGN_OR_RETURN(const crypto::KeyPair key, LoadIssuerKey(g, o.issuer_key, org));
  CLI_RETURN_IF_ERROR(Lift(proof::vc::CheckIssuerKey(genesis, org, key.public_key()), kExitUsage));
  CLI_ASSIGN_OR_RETURN(const std::string base, StatusBase(g, o.status_base, org));
  CLI_ASSIGN_OR_RETURN(const json pos,
                       RunQuery(rpc, "status_list_position", {{"identifier", o.id}}));
  if (!pos.contains("position") || !pos["position"].is_number_unsigned()) {
    return CliError{kExitUsage, "the node's status_list_position answer has no position"};
  }
  proof::vc::LicenceCredentialInput in;
  in.bundle = std::move(b);
  in.position = pos["position"].get<uint64_t>();
  in.status_base_url = base;
  CLI_ASSIGN_OR_RETURN(
      const json cred,
      Lift(proof::vc::LicenceCredential(genesis, in, key, NowMs()), kExitRejected));
  CLI_RETURN_IF_ERROR(Lift(proof::vc::VerifyProof(cred, key.public_key()), kExitRejected));
  CLI_RETURN_IF_ERROR(Lift(WriteCredential(o.out, cred), kExitUsage));
  const json& st = cred["credentialStatus"];
  if (g.json) {
    std::cout << json{{"out", o.out},
                      {"licence_id", o.id},
                      {"format", "vc"},
                      {"issuer", cred["issuer"]["id"]},
                      {"status_height", in.bundle.status->header.height},
                      {"status_list_index", st[0]["statusListIndex"]},
                      {"status_lists",
                       {st[0]["statusListCredential"], st[1]["statusListCredential"]}}}
                     .dump()
              << "\n";
  } else {
    std::cout << fmt::format(
        "Wrote {}: licence {} as a W3C Verifiable Credential (eddsa-jcs-2022)\n  issuer {} ({})\n"
        "  status entry {} of {} and {}\n  ledger evidence: v{} bundle proven at block {}, "
        "checked against the genesis\n",
        o.out, o.id, cred["issuer"]["id"].get<std::string>(), org,
        st[0]["statusListIndex"].get<std::string>(),
        st[0]["statusListCredential"].get<std::string>(),
        st[1]["statusListCredential"].get<std::string>(), static_cast<int>(in.bundle.format),
        in.bundle.status->header.height);
  }
  return kExitOk;
}

// ---- proof status-list ----

struct StatusListOpts {
  std::string org;
  std::string purpose;
  uint64_t list = 0;
  std::string out;
  std::string genesis;
  std::string issuer_key;
  std::string status_base;
  bool publish = false;
};

// Every member of the list issued by block H, the newest block with a state
// certificate, with its status in the state after H, checked against the
// genesis (one state certificate check, cached).
CommandResult RunStatusList(const GlobalOptions& g, const StatusListOpts& o) {
  const auto purpose = proof::vc::StatusPurposeFromName(o.purpose);
  if (!purpose) return CliError{kExitUsage, "--purpose must be revocation or suspension"};
  if (o.genesis.empty() && g.net.empty()) {
    return CliError{kExitUsage, "status-list needs the genesis (--genesis FILE, or --net DIR)"};
  }
  CLI_ASSIGN_OR_RETURN(const std::optional<Genesis> genesis, LoadOptionalGenesis(g, o.genesis));
  if (genesis->FindOrg(o.org) == nullptr) {
    return CliError{kExitUsage, "no organisation '" + o.org + "' in the genesis"};
  }
  CLI_ASSIGN_OR_RETURN(const crypto::KeyPair key, LoadIssuerKey(g, o.issuer_key, o.org));
  CLI_RETURN_IF_ERROR(
      Lift(proof::vc::CheckIssuerKey(*genesis, o.org, key.public_key()), kExitUsage));
  CLI_ASSIGN_OR_RETURN(const std::string base, StatusBase(g, o.status_base, o.org));
  CLI_ASSIGN_OR_RETURN(Rpc rpc, Lift(Connect(g), kExitUsage));
  // The newest certified state H: every status is proven in the state after H.
  CLI_ASSIGN_OR_RETURN(const pb::StateProof head_sp,
                       GetStateProof(rpc, "licence/status/", 0, /*certified=*/true));
  const uint64_t head = head_sp.height();
  proof::vc::StatusListInput in;
  in.org = o.org;
  in.purpose = *purpose;
  in.list = o.list;
  in.base_url = base;
  auto header = consensus::BlockHeader::Decode(AsBytes(head_sp.header()));
  auto head_cert = consensus::CheckpointProof::Decode(AsBytes(head_sp.state_certificate()));
  if (!header.ok() || !head_cert.ok()) {
    return CliError{kExitUsage, "the node's certified header or state certificate does not decode"};
  }
  {
    // The list names this block: its certificate must hold even when no licence is listed.
    consensus::ValidatorSet vs;
    for (const auto& v : genesis->validators) vs.keys.push_back(v.public_key);
    if (head_cert->checkpoint.height != header->height ||
        head_cert->checkpoint.block_hash != header->ComputeHash()) {
      return CliError{kExitRejected, "the node's state certificate is for another block"};
    }
    Status certified = consensus::VerifyStateCertificate(vs, *head_cert);
    if (!certified.ok()) {
      return CliError{kExitRejected,
                      "the node's newest certified state does not verify: " + certified.message()};
    }
  }
  in.header = *header;
  proof::Verifier verifier(*genesis);
  proof::CertificateCache cache;
  proof::VerifyOptions vo;
  vo.now_ms = NowMs();
  vo.cache = &cache;
  const uint64_t first = o.list * chaincode::kStatusListLength;
  uint64_t from = first;
  size_t skipped = 0;
  while (true) {
    CLI_ASSIGN_OR_RETURN(const json page,
                         RunQuery(rpc, "status_list_members",
                                  {{"issuer_org", o.org}, {"from", from}, {"limit", 1000}}));
    const json& members = page["members"];
    if (!members.is_array() || members.empty()) break;
    for (const auto& m : members) {
      const uint64_t position = m.value("position", uint64_t{0});
      if (position >= first + chaincode::kStatusListLength) break;
      from = position + 1;
      if (m.value("issued_height", head) > head) {
        ++skipped;  // issued after the certified state
        continue;
      }
      const std::string id = m.value("identifier", "");
      CLI_ASSIGN_OR_RETURN(const pb::StateProof rec_sp,
                           GetStateProof(rpc, chaincode::LicenceRecordKey(id), head, true));
      CLI_ASSIGN_OR_RETURN(const pb::StateProof st_sp,
                           GetStateProof(rpc, chaincode::LicenceStatusKey(id), head, true));
      proof::Bundle b;
      b.licence_id = id;
      b.record = ToBytes(rec_sp.value());
      CLI_ASSIGN_OR_RETURN(
          b.status, Lift(EvidenceFrom(st_sp, chaincode::LicenceStatusKey(id)), kExitRejected));
      if (b.status->header != in.header) {
        return CliError{kExitRejected, "the node answered a status proof of another block"};
      }
      CLI_ASSIGN_OR_RETURN(b, Lift(proof::ToV3(std::move(b)), kExitRejected));
      const proof::Verdict v = verifier.VerifyBundle(b, vo);
      // A revoked or suspended licence is INVALID as a proof, and that is the
      // point here: what must hold is that the evidence is certified.
      if (v.reason != proof::Reason::kNone && v.reason != proof::Reason::kLicenceSuspended &&
          v.reason != proof::Reason::kLicenceRevoked &&
          v.reason != proof::Reason::kLicenceCancelled &&
          v.reason != proof::Reason::kLicenceExpired &&
          v.reason != proof::Reason::kLicenceNotYetValid) {
        return CliError{kExitRejected,
                        fmt::format("the status proof of {} does not verify: {} ({})", id,
                                    proof::ReasonName(v.reason), v.detail)};
      }
      CLI_ASSIGN_OR_RETURN(
          const auto value,
          Lift(chaincode::LicenceStatusValue::Decode(b.status->value), kExitRejected));
      in.entries.push_back({position, value.status});
    }
    if (members.size() < 1000) break;
  }
  CLI_ASSIGN_OR_RETURN(
      const json cred,
      Lift(proof::vc::StatusListCredential(*genesis, in, key, NowMs()), kExitRejected));
  CLI_RETURN_IF_ERROR(Lift(WriteCredential(o.out, cred), kExitUsage));
  std::optional<client::SubmitResult> published;
  if (o.publish) {
    // On the ledger, every node serves it (docs/credentials.md §3); the
    // transaction is signed by the same admin key as the list.
    GlobalOptions pg = g;
    if (pg.key.empty()) pg.key = IssuerKeyPath(g, o.issuer_key, o.org);
    CLI_ASSIGN_OR_RETURN(std::unique_ptr<client::Session> session, client::Session::Open(pg, true));
    CLI_ASSIGN_OR_RETURN(published,
                         session->Submit("licence", "publish_status_list", {{"credential", cred}}));
  }
  size_t set = 0;
  for (const auto& [p, st] : in.entries) set += proof::vc::StatusBit(st, *purpose);
  if (g.json) {
    json out = {{"out", o.out},
                {"org", o.org},
                {"purpose", o.purpose},
                {"list", o.list},
                {"id", cred["id"]},
                {"height", head},
                {"entries", in.entries.size()},
                {"set", set},
                {"not_yet_certified", skipped}};
    if (published) out["published"] = {{"tx_id", published->tx_id}, {"height", published->height}};
    std::cout << out.dump() << "\n";
  } else {
    std::cout << fmt::format(
        "Wrote {}: {} status list {} of {} at block {} ({} licences, {} bits set{})\n  id {}\n",
        o.out, o.purpose, o.list, o.org, head, in.entries.size(), set,
        skipped ? fmt::format(", {} issued too recently to be proven", skipped) : "",
        cred["id"].get<std::string>());
    if (published) {
      std::cout << fmt::format(
          "Published on the ledger in block {} (tx {}): every node serves it at "
          "/credentials/status/{}/{}/{}\n",
          published->height, published->tx_id.substr(0, 16), o.org, o.purpose, o.list);
    }
  }
  return kExitOk;
}

CommandResult RunExport(const GlobalOptions& g, const ExportOpts& o) {
  if (o.format != "v1" && o.format != "v2" && o.format != "v3" && o.format != "vc") {
    return CliError{kExitUsage, "--format must be v3, v2, v1 or vc"};
  }
  const bool vc = o.format == "vc";
  const bool v3 = o.format == "v3" || vc;
  // v2 and v3 leave out the issuance; vc carries a v3 bundle.
  const bool v2 = o.format == "v2" || vc || v3;
  if (vc && o.genesis.empty() && g.net.empty()) {
    return CliError{kExitUsage,
                    "--format vc needs the genesis (--genesis FILE, or --net DIR): the credential "
                    "is tied to it and checked against it before it is written"};
  }
  if (v2 && o.no_status) {
    return CliError{kExitUsage,
                    "a v2 or v3 bundle always carries the status proof (it is what authenticates "
                    "the record); use --format v1 --no-status"};
  }
  CLI_ASSIGN_OR_RETURN(const std::optional<uint64_t> wait, Lift(ParseDuration(o.wait), kExitUsage));
  CLI_ASSIGN_OR_RETURN(const std::optional<Genesis> genesis, LoadOptionalGenesis(g, o.genesis));
  CLI_ASSIGN_OR_RETURN(Rpc rpc, Lift(Connect(g), kExitUsage));

  proof::Bundle b;
  b.licence_id = o.id;
  auto proven = FetchProven(rpc, o.id, wait.value_or(0), v3);
  if (proven.ok()) {
    b.record = std::move(proven->record);
    if (!o.no_status) b.status = std::move(proven->status);
  } else if (v2) {
    return std::move(proven).error();
  } else {
    // v1 fallback when the node cannot serve state proofs: the record from a
    // query (re-encoded exactly as the chaincode writes it: compact, sorted keys) and no status.
    std::fprintf(stderr, "licencectl: warning: %s\n", proven.error().message.c_str());
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(rpc.timeout_s));
    pb::QueryRequest req;
    req.set_chaincode("licence");
    req.set_method("licence");
    req.set_args_json(json{{"identifier", o.id}}.dump());
    pb::QueryResponse resp;
    grpc::Status s = rpc.stub->Query(&ctx, req, &resp);
    if (!s.ok()) {
      return CliError{ExitCodeFor(s), "Query licence: " + DescribeRpcError(rpc.target, s)};
    }
    json r = json::parse(resp.result_json(), nullptr, false);
    if (r.is_discarded() || !r.contains("record"))
      return CliError{kExitUsage, "the node's licence query returned no record"};
    b.record = ToBytes(r["record"].dump());
  }
  json rec = json::parse(b.record.begin(), b.record.end(), nullptr, false);
  if (rec.is_discarded() || !rec.contains("issuing_tx"))
    return CliError{kExitUsage, "the licence record has no issuing_tx"};

  if (!v2) {
    // The issuing transaction with its audit path and certified block.
    grpc::ClientContext ctx;
    ctx.set_deadline(DeadlineIn(rpc.timeout_s));
    pb::GetTxProofRequest req;
    req.set_tx_id_hex(rec["issuing_tx"].get<std::string>());
    pb::TxProof tp;
    grpc::Status s = rpc.stub->GetTxProof(&ctx, req, &tp);
    if (!s.ok()) return CliError{ExitCodeFor(s), "GetTxProof: " + DescribeRpcError(rpc.target, s)};
    proof::TxInclusion& t = b.issuance;
    t.tx = ToBytes(tp.tx());
    t.index = tp.index();
    for (const auto& h : tp.audit_path()) {
      if (h.size() != 32)
        return CliError{kExitUsage, "GetTxProof: an audit path entry is not 32 bytes"};
      Hash x;
      std::copy(h.begin(), h.end(), x.begin());
      t.path.push_back(x);
    }
    t.tree_size = proof::CanonicalTreeSize(tp.index(), tp.tree_size(), t.path.size());
    auto hdr = consensus::BlockHeader::Decode(AsBytes(tp.header()));
    auto cert = consensus::CommitCertificate::Decode(AsBytes(tp.certificate()));
    if (!hdr.ok() || !cert.ok())
      return CliError{kExitUsage, "GetTxProof: header or certificate does not decode"};
    t.header = *hdr;
    t.certificate = *cert;
  }
  if (genesis) {
    consensus::ValidatorSet vs;
    for (const auto& v : genesis->validators) vs.keys.push_back(v.public_key);
    b.issuance.certificate = proof::TrimCertificate(b.issuance.certificate, vs.quorum());
    if (b.status)
      b.status->certificate = proof::TrimCertificate(b.status->certificate, vs.quorum());
    if (b.status && b.status->state)
      b.status->state = proof::TrimStateVotes(*b.status->state, vs.quorum());
  }
  if (v3) {
    CLI_ASSIGN_OR_RETURN(b, Lift(proof::ToV3(std::move(b)), kExitRejected));
  } else if (v2) {
    CLI_ASSIGN_OR_RETURN(b, Lift(proof::ToV2(std::move(b)), kExitRejected));
  }
  std::string verdict_json = "null";
  if (genesis) {
    proof::Verifier verifier(*genesis);
    proof::VerifyOptions vo;
    vo.now_ms = NowMs();
    // Check what verifiers will read: the canonical bytes.
    proof::Verdict v = verifier.VerifyBundleEncoded(b.Encode(), vo);
    verdict_json = v.ToJson();
    if (v.outcome == proof::Outcome::kInvalid) {
      return CliError{kExitRejected, fmt::format("the exported proof does not verify: {} ({})",
                                                 proof::ReasonName(v.reason), v.detail)};
    }
  }
  if (vc) return WriteLicenceCredential(g, o, *genesis, std::move(b), rpc);
  std::string text = proof::BundleToJson(b);
  CLI_RETURN_IF_ERROR(Lift(WriteTextFile(o.out, text, 0644), kExitUsage));
  size_t bytes = b.Encode().size();
  const uint64_t issued_height = rec.value("issued_height", uint64_t{0});
  if (g.json) {
    json j = {{"out", o.out},
              {"licence_id", o.id},
              {"format", o.format},
              {"issued_height", issued_height},
              {"status_height", b.status ? json(b.status->header.height) : json(nullptr)},
              {"bundle_bytes", bytes},
              {"check", json::parse(verdict_json)}};
    std::cout << j.dump() << "\n";
  } else {
    std::cout << fmt::format("Wrote {}: licence {} (proof format {})\n  issued in block {}", o.out,
                             o.id, o.format, issued_height);
    if (!v2) {
      std::cout << fmt::format(" (tx {} of {})", b.issuance.index + 1, b.issuance.tree_size);
    }
    if (b.status && b.status->state) {
      std::cout << fmt::format(
          ", record and status proven in the state after block {} (its state certificate)",
          b.status->header.height);
    } else if (b.status) {
      std::cout << fmt::format(", {} proven at block {} (the state its header carries)",
                               v2 ? "record and status" : "status", b.status->header.height);
    } else {
      std::cout
          << ", NO status proof (verifiers will answer STATUS_UNKNOWN unless they use --node)";
    }
    std::cout << fmt::format("\n  {} bytes canonical{}\n", bytes,
                             genesis ? ", checked against the genesis" : "");
  }
  return kExitOk;
}

// ---- present ----

struct PresentOpts {
  std::string proof_file;
  std::string challenge;
  std::string disclose;
  std::string secrets;
  std::string out;
  std::string qr_png;
  bool qr_terminal = false;
};

CommandResult RunPresent(const GlobalOptions& g, const PresentOpts& o) {
  if (g.key.empty()) {
    return CliError{kExitUsage, "present needs --key HOLDER.key (the licence holder's key file)"};
  }
  CLI_ASSIGN_OR_RETURN(const std::string text, Lift(ReadTextFile(o.proof_file), kExitUsage));
  auto bundle = proof::BundleFromJson(text);
  if (!bundle.ok()) {
    return CliError{kExitUsage,
                    o.proof_file + ": not a proof bundle: " + bundle.status().message()};
  }
  std::optional<std::string> pass;
  if (!g.passphrase_file.empty()) {
    CLI_ASSIGN_OR_RETURN(pass, Lift(ReadPassphraseFile(g.passphrase_file), kExitUsage));
  }
  CLI_ASSIGN_OR_RETURN(const crypto::KeyPair key,
                       Lift(crypto::ReadKeyFile(g.key, pass), kExitUsage));
  json rec = json::parse(bundle->record.begin(), bundle->record.end(), nullptr, false);
  if (rec.is_discarded()) return CliError{kExitUsage, "the bundle's licence record is not JSON"};
  if (rec.value("holder_key", "") != ToHex(key.public_key())) {
    return CliError{kExitRejected, "the key " + g.key + " is not this licence's holder key (" +
                                       rec.value("holder_key", "") +
                                       "); use the holder's key file"};
  }
  std::vector<proof::Disclosure> ds;
  if (!o.disclose.empty()) {
    if (o.secrets.empty()) {
      return CliError{kExitUsage,
                      "--disclose needs --secrets FILE (field -> {\"value\", \"salt\"})"};
    }
    CLI_ASSIGN_OR_RETURN(const std::string st, Lift(ReadTextFile(o.secrets), kExitUsage));
    json sec = json::parse(st, nullptr, false);
    if (!sec.is_discarded() && sec.contains("secrets")) sec = sec["secrets"];
    if (sec.is_discarded() || !sec.is_object()) {
      return CliError{kExitUsage,
                      o.secrets + ": expected a JSON object field -> {\"value\", \"salt\"}"};
    }
    std::stringstream fields(o.disclose);
    std::string f;
    while (std::getline(fields, f, ',')) {
      if (f.empty()) continue;
      auto it = sec.find(f);
      if (it == sec.end() || !it->is_object() || !(*it)["value"].is_string() ||
          !(*it)["salt"].is_string()) {
        return CliError{kExitUsage, "--secrets has no {\"value\", \"salt\"} for field '" + f + "'"};
      }
      auto salt = FromHex((*it)["salt"].get<std::string>());
      if (!salt.ok()) return CliError{kExitUsage, "--secrets: salt of '" + f + "' is not hex"};
      proof::Disclosure d{f, (*it)["value"].get<std::string>(), *salt};
      std::string want = rec["commitments"].value(f, "");
      if (want.empty()) {
        return CliError{kExitUsage, "the licence has no commitment for field '" + f +
                                        "'; it has: " + rec["commitments"].dump()};
      }
      if (ToHex(chaincode::FieldCommitment(d.field, d.value, d.salt)) != want) {
        return CliError{kExitRejected, "the value/salt of '" + f + "' in " + o.secrets +
                                           " do not match the licence's commitment"};
      }
      ds.push_back(std::move(d));
    }
  }
  CLI_ASSIGN_OR_RETURN(
      auto p, Lift(proof::Present(std::move(*bundle), std::move(ds), o.challenge, NowMs(), key),
                   kExitUsage));
  CLI_RETURN_IF_ERROR(Lift(WriteTextFile(o.out, proof::PresentationToJson(p), 0644), kExitUsage));
  Bytes enc = p.Encode();
  json out = {{"out", o.out},
              {"licence_id", p.bundle.licence_id},
              {"challenge", p.challenge},
              {"disclosed", json::array()},
              {"presentation_bytes", enc.size()}};
  for (const auto& d : p.disclosures) out["disclosed"].push_back(d.field);
  if (!o.qr_png.empty() || o.qr_terminal) {
    // QR payload: the canonical presentation, zlib-compressed (docs/proof-format.md).
    CLI_ASSIGN_OR_RETURN(const Bytes z, Lift(Compress(enc), kExitUsage));
    auto qr = EncodeQr(z);
    if (!qr.ok()) {
      return CliError{kExitRejected,
                      fmt::format("the presentation ({} bytes compressed) does not fit in a QR "
                                  "code (max 2953); disclose fewer fields",
                                  z.size())};
    }
    out["qr_bytes"] = z.size();
    out["qr_version"] = qr->version;
    if (!o.qr_png.empty()) {
      auto png = QrPng(*qr, 4);
      CLI_RETURN_IF_ERROR(
          Lift(png.ok() ? WriteBinaryFile(o.qr_png, *png) : png.status(), kExitUsage));
      out["qr_png"] = o.qr_png;
    }
    if (o.qr_terminal && !g.json) std::cout << QrTerminalText(*qr);
  }
  if (g.json) {
    std::cout << out.dump() << "\n";
  } else {
    std::cout << fmt::format("Wrote {}: licence {} answering challenge '{}', {} bytes", o.out,
                             p.bundle.licence_id, p.challenge, enc.size());
    std::string fields;
    for (const auto& d : p.disclosures) fields += (fields.empty() ? "" : ", ") + d.field;
    std::cout << "\n  disclosed: " << (fields.empty() ? "(nothing)" : fields) << "\n";
    if (!o.qr_png.empty())
      std::cout << fmt::format("  QR code (version {}, {} bytes zlib): {}\n",
                               out["qr_version"].get<int>(), out["qr_bytes"].get<size_t>(),
                               o.qr_png);
  }
  return kExitOk;
}

// ---- verify ----

struct VerifyOpts {
  std::string file;
  std::string genesis;
  std::string challenge;
  std::string max_age = "24h";
};

// Prints a verifier's verdict (JSON with --json) and gives its exit code.
// `status_label`: what the status line is ("status" fetched or proven,
// "evidence" carried by a credential), padded to the other labels.
int PrintVerdict(const GlobalOptions& g, const proof::Verdict& v, std::string_view status_label) {
  if (g.json) {
    std::cout << v.ToJson() << "\n";
    return v.valid() ? kExitOk : kExitRejected;
  }
  std::string head = proof::OutcomeName(v.outcome);
  if (!v.valid()) head += std::string(" (") + proof::ReasonName(v.reason) + ")";
  std::cout << head << ": " << v.detail << "\n";
  if (!v.licence_id.empty()) {
    std::cout << fmt::format("  licence   {} ({}, issued by {} {} in block {})\n", v.licence_id,
                             v.type_code, v.issuer_org, v.issuer_kind, v.issued_height);
  }
  if (v.status_height) {
    std::cout << fmt::format("  {} {} at block {}, {}\n", status_label,
                             v.status.empty() ? "?" : v.status, *v.status_height,
                             Ago(*v.status_age_ms));
  }
  for (const auto& [f, val] : v.disclosed)
    std::cout << fmt::format("  disclosed {} = {}\n", f, val);
  return v.valid() ? kExitOk : kExitRejected;
}

CommandResult RunVerify(const GlobalOptions& g, const VerifyOpts& o) {
  CLI_ASSIGN_OR_RETURN(const Genesis gen, Lift(Genesis::LoadFile(o.genesis), kExitUsage));
  CLI_ASSIGN_OR_RETURN(const std::optional<uint64_t> max_age,
                       Lift(ParseDuration(o.max_age), kExitUsage));
  CLI_ASSIGN_OR_RETURN(Bytes data, Lift(ReadBinaryFile(o.file), kExitUsage));
  if (!data.empty() && data[0] == 0x78) {  // zlib: a QR payload saved to a file
    auto inflated = Inflate(data);
    if (inflated.ok()) data = *inflated;
  }
  proof::VerifyOptions vo;
  vo.challenge = o.challenge;
  vo.now_ms = NowMs();
  vo.max_age_ms = max_age;
  proof::Verifier verifier(gen);
  proof::Verdict v;
  auto p = proof::PresentationFromFileBytes(data);
  if (!p.ok()) {
    v.outcome = proof::Outcome::kInvalid;
    v.reason = proof::Reason::kBadEncoding;
    v.detail = o.file + ": " + p.status().message();
  } else {
    std::string fetched;
    if (!g.node.empty() || !g.net.empty()) {
      CLI_ASSIGN_OR_RETURN(Rpc rpc, Lift(Connect(g), kExitUsage));
      std::string key = chaincode::LicenceStatusKey(p->bundle.licence_id);
      // The newest certified state; a node without state certificates (none
      // within its lookback) still proves the state its head header carries.
      auto sp = GetStateProof(rpc, key, 0, /*certified=*/true);
      if (!sp.ok()) sp = GetStateProof(rpc, key, 0);
      if (!sp.ok()) return std::move(sp).error();
      CLI_ASSIGN_OR_RETURN(vo.fresh_status, Lift(EvidenceFrom(*sp, key), kExitRejected));
      fetched = rpc.target.address;
    }
    v = verifier.Verify(*p, vo);
    if (!fetched.empty()) v.detail += " (status fetched from " + fetched + ")";
  }
  return PrintVerdict(g, v, "status   ");
}

// ---- verify-credential ----

struct VerifyCredentialOpts {
  std::string file;
  std::string genesis;
  std::vector<std::string> status_lists;
  std::string max_age = "24h";
};

CommandResult RunVerifyCredential(const GlobalOptions& g, const VerifyCredentialOpts& o) {
  CLI_ASSIGN_OR_RETURN(const Genesis gen, Lift(Genesis::LoadFile(o.genesis), kExitUsage));
  CLI_ASSIGN_OR_RETURN(const std::optional<uint64_t> max_age,
                       Lift(ParseDuration(o.max_age), kExitUsage));
  proof::vc::CredentialVerifyOptions vo;
  vo.now_ms = NowMs();
  vo.max_age_ms = max_age;
  for (const auto& f : o.status_lists) {
    CLI_ASSIGN_OR_RETURN(const std::string text, Lift(ReadTextFile(f), kExitUsage));
    json l = json::parse(text, nullptr, false);
    if (l.is_discarded()) return CliError{kExitUsage, f + ": not JSON"};
    vo.status_lists.push_back(std::move(l));
  }
  proof::Verdict v;
  auto text = ReadTextFile(o.file);
  json c = text.ok() ? json::parse(*text, nullptr, false) : json();
  if (!text.ok()) return CliError{kExitUsage, text.status().message()};
  if (c.is_discarded()) {
    v.outcome = proof::Outcome::kInvalid;
    v.reason = proof::Reason::kBadEncoding;
    v.detail = o.file + ": not JSON";
  } else {
    v = proof::vc::VerifyLicenceCredential(gen, c, vo);
  }
  return PrintVerdict(g, v, "evidence ");
}

CLI::App* AddPresentCommand(CLI::App* parent, CliContext& ctx) {
  auto po = std::make_shared<PresentOpts>();
  auto* pr = parent->add_subcommand(
      "present",
      "sign a presentation of a proof bundle for a verifier's challenge with the holder's key "
      "(global --key HOLDER.key), optionally disclosing committed fields");
  pr->add_option("--proof", po->proof_file, "proof bundle file from 'proof export'")->required();
  pr->add_option("--challenge", po->challenge, "the verifier's challenge (nonce)")->required();
  pr->add_option("--disclose", po->disclose, "fields to disclose, comma separated");
  pr->add_option("--secrets", po->secrets,
                 "JSON file field -> {\"value\", \"salt\" (hex)} (the window client's secrets)");
  pr->add_option("--out", po->out, "output file, e.g. presentation.json")->required();
  auto* png = pr->add_option("--qr", po->qr_png, "also write a QR code PNG (zlib payload)");
  auto* term = pr->add_flag("--qr-terminal", po->qr_terminal, "also print the QR code");
  png->excludes(term);
  pr->callback([&ctx, po]() { ctx.run = [&ctx, po]() { return RunPresent(ctx.global, *po); }; });
  return pr;
}

CLI::App* AddVerifyCommand(CLI::App* parent, CliContext& ctx) {
  auto vo = std::make_shared<VerifyOpts>();
  auto* ve = parent->add_subcommand(
      "verify",
      "verify a presentation offline against the genesis: VALID (exit 0), INVALID or "
      "STATUS_UNKNOWN (exit 1); --node/--net fetches a fresh status proof");
  ve->add_option("PRESENTATION", vo->file, "presentation.json (or a saved QR payload)")->required();
  ve->add_option("--genesis", vo->genesis, "the network's genesis.json")->required();
  ve->add_option("--challenge", vo->challenge, "the challenge you gave the holder")->required();
  ve->add_option("--max-age", vo->max_age,
                 "oldest acceptable status proof: e.g. 10m, 24h, 7d, or none (default 24h)");
  ve->callback([&ctx, vo]() { ctx.run = [&ctx, vo]() { return RunVerify(ctx.global, *vo); }; });
  return ve;
}

}  // namespace

void AddProofCommands(CLI::App& app, CliContext& ctx) {
  auto* proof_cmd = app.add_subcommand("proof", "licence proofs for holders");
  proof_cmd->require_subcommand(1);
  auto eo = std::make_shared<ExportOpts>();
  auto* exp = proof_cmd->add_subcommand(
      "export",
      "fetch a licence's proof bundle from a node (--node/--net/--org) and write it as JSON: "
      "format v3 (default) = the record and its status in the state after a block, under that "
      "block's state certificate; v2 = the same in the state a certified header carries; v1 "
      "adds the issuing tx with its audit path and block");
  exp->add_option("LICENCE_ID", eo->id, "licence identifier")->required();
  exp->add_option("--out", eo->out, "output file, e.g. proof.json")->required();
  exp->add_option("--genesis", eo->genesis,
                  "genesis.json to check the bundle against and trim certificates to a quorum "
                  "(default with --net: DIR/genesis.json)");
  exp->add_option("--format", eo->format,
                  "v3 (default: proves a change as soon as its block is certified), v2, v1, or vc "
                  "(a W3C Verifiable Credential signed by the issuing org, carrying a v3 bundle; "
                  "docs/credentials.md)");
  exp->add_option("--issuer-key", eo->issuer_key,
                  "--format vc: an admin key of the issuing org (default with --net: "
                  "DIR/<org>/admin.key)");
  exp->add_option("--status-base", eo->status_base,
                  "--format vc: base URL of the issuer's status lists (default with --net: the "
                  "HTTP listener of the org's node)");
  exp->add_option("--wait", eo->wait,
                  "if the licence's latest change is not yet in a certified state, wait this long "
                  "for it (v3: that block's state certificate; v1/v2: the next block; default "
                  "15s; e.g. 0s, 1m)");
  exp->add_flag("--no-status", eo->no_status, "leave out the status proof (--format v1 only)");
  exp->callback([&ctx, eo]() { ctx.run = [&ctx, eo]() { return RunExport(ctx.global, *eo); }; });

  auto so = std::make_shared<StatusListOpts>();
  auto* sl = proof_cmd->add_subcommand(
      "status-list",
      "write an issuing org's Bitstring Status List credential (revocation or suspension), "
      "derived from the statuses proven at the node's head block and signed by the org");
  sl->add_option("ORG", so->org, "issuing organisation, e.g. market")->required();
  sl->add_option("--purpose", so->purpose, "revocation or suspension")->required();
  sl->add_option("--list", so->list, "list number (positions list*131072 ...; default 0)");
  sl->add_option("--out", so->out, "output file, e.g. revocation-0.json")->required();
  sl->add_option("--genesis", so->genesis, "genesis.json (default with --net: DIR/genesis.json)");
  sl->add_option("--issuer-key", so->issuer_key,
                 "an admin key of ORG (default with --net: DIR/ORG/admin.key)");
  sl->add_option("--status-base", so->status_base,
                 "base URL the list is published under (default with --net: ORG's node)");
  sl->add_flag("--publish", so->publish,
               "also put the list on the ledger (licence.publish_status_list, signed by the "
               "issuer key), so that every node serves it");
  sl->callback([&ctx, so]() { ctx.run = [&ctx, so]() { return RunStatusList(ctx.global, *so); }; });

  auto vc_opts = std::make_shared<VerifyCredentialOpts>();
  auto* vcred = proof_cmd->add_subcommand(
      "verify-credential",
      "check a licence credential (proof export --format vc) against the genesis: the issuer's "
      "genesis admin key, its proof, the ledger evidence it carries, and the status lists given; "
      "VALID (exit 0), INVALID or STATUS_UNKNOWN (exit 1)");
  vcred->add_option("CREDENTIAL", vc_opts->file, "licence.vc.json")->required();
  vcred->add_option("--genesis", vc_opts->genesis, "the network's genesis.json")->required();
  vcred->add_option("--status-list", vc_opts->status_lists,
                    "a status list credential of the issuer (repeatable: revocation, suspension)");
  vcred->add_option("--max-age", vc_opts->max_age,
                    "oldest acceptable status (the evidence's block or a list's validFrom): e.g. "
                    "10m, 24h, 7d, or none (default 24h)");
  vcred->callback([&ctx, vc_opts]() {
    ctx.run = [&ctx, vc_opts]() { return RunVerifyCredential(ctx.global, *vc_opts); };
  });

  // `proof present` and `proof verify` are the documented spelling; the top-level `present` and
  // `verify` stay as aliases for scripts written against them.
  AddPresentCommand(proof_cmd, ctx);
  AddVerifyCommand(proof_cmd, ctx);
  AddPresentCommand(&app, ctx)->group("");
  AddVerifyCommand(&app, ctx)->group("");
}

}  // namespace licenced::cli
