#include "node/node.h"

#include <deque>
#include <filesystem>

#include <spdlog/spdlog.h>
#include <boost/asio/bind_executor.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/thread_pool.hpp>

#include "consensus/messages.h"
#include "node/byzantine.h"
#include "node/credential_service.h"
#include "node/http_server.h"
#include "node/inbound.h"
#include "node/null_mode.h"
#include "node/rpc/client_service.h"
#include "node/rpc/health_service.h"
#include "node/rpc/peer_link.h"
#include "node/rpc/peer_service.h"
#include "node/rpc/servers.h"
#include "node/rpc/tls.h"
#include "node/status_list_publisher.h"
#include "node/storage/rocks_kv_store.h"
#include "proof/credential.h"
#include "web/web_assets.h"

namespace licenced::node {

namespace asio = boost::asio;
using consensus::Effect;

namespace {
constexpr auto kPendingExpiry = std::chrono::seconds(120);
}  // namespace

Node::Node(NodeConfig config)
    : config_(std::move(config)),
      strand_(asio::make_strand(ioc_)),
      submissions_(config_.mempool_max, kPendingExpiry) {}

Node::~Node() { Shutdown(); }

consensus::TimeMs Node::NowMs() {
  return static_cast<consensus::TimeMs>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                            std::chrono::system_clock::now().time_since_epoch())
                                            .count());
}

template <typename Fn>
void Node::OnStrand(Fn fn) {
  asio::post(strand_, std::move(fn));
}

Result<std::unique_ptr<Node>> Node::Open(NodeConfig config) {
  LIC_RETURN_IF_ERROR(crypto::Init());
  std::unique_ptr<Node> n(new Node(std::move(config)));
  const NodeConfig& c = n->config_;

  auto genesis = Genesis::LoadFile(c.genesis_path);
  if (!genesis.ok()) {
    return Status::InvalidArgument("config field 'genesis' (" + c.genesis_path +
                                   "): " + genesis.status().message());
  }
  n->genesis_ = std::move(*genesis);
  n->genesis_hash_ = n->genesis_.ComputeHash();
  LIC_RETURN_IF_ERROR(CheckAgainstGenesis(c, n->genesis_));
  for (uint32_t i = 0; i < n->genesis_.validators.size(); ++i) {
    if (n->genesis_.validators[i].name == c.node_id) n->self_ = i;
  }

  auto key = crypto::ReadKeyFile(c.validator_key, std::nullopt);
  if (!key.ok()) {
    return Status::InvalidArgument("config field 'keys.validator_key' (" + c.validator_key +
                                   "): " + key.status().message());
  }
  if (key->public_key() != n->genesis_.validators[n->self_].public_key) {
    return Status::InvalidArgument("config field 'keys.validator_key': the key in " +
                                   c.validator_key + " does not match genesis validators[" +
                                   std::to_string(n->self_) + "].public_key of '" + c.node_id +
                                   "'");
  }
  n->key_.emplace(*key);

  std::error_code ec;
  std::filesystem::create_directories(c.data_dir, ec);
  if (ec) {
    return Status::IoError("config field 'data_dir': cannot create " + c.data_dir + ": " +
                           ec.message());
  }
  TlsRotation::Options tls;
  tls.ca_path = c.tls_ca;
  tls.cert_path = c.tls_cert;
  tls.key_path = c.tls_key;
  tls.identity = c.node_id;
  tls.active_dir = c.data_dir + "/tls";
  auto rotation = TlsRotation::Open(std::move(tls));
  if (!rotation.ok()) {
    return Status::InvalidArgument("TLS files (keys.tls_ca, keys.tls_cert, keys.tls_key): " +
                                   rotation.status().message());
  }
  n->tls_rotation_ = std::move(*rotation);
  storage::RocksKvStore::Options db_options;
  db_options.block_cache_bytes = size_t{c.db_cache_mib} << 20;
  db_options.total_write_buffer_bytes = size_t{c.db_write_buffer_mib} << 20;
  db_options.write_buffer_bytes =
      std::min<size_t>(db_options.write_buffer_bytes, db_options.total_write_buffer_bytes / 4);
  auto kv = storage::RocksKvStore::Open(c.data_dir + "/db", db_options);
  if (!kv.ok()) return kv.status();
  n->kv_ = std::move(*kv);
  if (c.null_mode) {
    spdlog::warn(
        "[bench] null_mode is ON: no client signature checks, no chaincode, no fsync. "
        "Benchmark only; never use it for a real network");
    n->kv_ = MakeUnsyncedKvStore(std::move(n->kv_));
  }
  LIC_ASSIGN_OR_RETURN(n->block_store_, storage::BlockStore::Open(n->kv_.get(), n->genesis_hash_));
  n->consensus_log_ = std::make_unique<storage::ConsensusLog>(n->kv_.get());
  n->executor_ = std::make_unique<Executor>(n->genesis_, n->block_store_.get(), c.null_mode);
  LIC_RETURN_IF_ERROR(n->executor_->CheckStateMap());
  n->ledger_ = std::make_unique<LedgerReader>(n->kv_.get(), n->block_store_.get(),
                                              &n->executor_->state_map(),
                                              n->genesis_.consensus.order_ahead_window);
  n->verifier_ =
      std::make_unique<TxVerifier>(n->genesis_.network_id, c.verify_threads, c.verified_cache_max,
                                   /*skip_signatures=*/c.null_mode);
  // Each tx signature is checked once per node: the executor asks the verifier.
  TxVerifier* tv = n->verifier_.get();
  n->executor_->SetSignatureCache(
      [tv](const Hash& id, const crypto::Signature& sig) { return tv->Verified(id, sig); });
  n->executor_->SetCheckedTxLookup([tv](ByteView encoded) { return tv->Lookup(encoded); });
  Node* self = n.get();
  ExecutionDriver::Callbacks exec;
  exec.executed = [self](uint64_t height, Hash block_hash, Hash root) {
    self->OnStrand(
        [self, height, block_hash, root] { self->host_->OnExecuted(height, block_hash, root); });
  };
  exec.committed = [self](const ExecutedBlock& b, double seconds) {
    self->OnCommitted(b, seconds);
  };
  exec.failed = [self](const Status& why) { self->OnExecutionFailed(why); };
  exec.halted = [self](const consensus::HaltExecution& halt) {
    // The node stays up: it still orders, serves reads and answers fetches.
    spdlog::critical(
        "execution halted at block {}: {}. This node's state is not the network's; it executes "
        "nothing more. Rebuild its ledger (stop it, move its data directory away, start it: "
        "state transfer refills it) and find out why it diverged",
        halt.height, halt.reason);
    self->metrics_.execution_halted = 1;
    MutexLock lock(&self->status_mu_);
    self->status_.execution_halted = halt.reason;
  };
  n->execution_ =
      std::make_unique<ExecutionDriver>(n->executor_.get(), n->block_store_.get(),
                                        n->genesis_.consensus.checkpoint_interval, std::move(exec));

  // Restore the replica from the consensus log and the executed head.
  const uint64_t head = n->block_store_->head_height();
  LIC_ASSIGN_OR_RETURN(Hash root, n->executor_->HeadStateRoot());
  uint64_t head_time = n->genesis_.genesis_time_ms;
  if (head > 0) {
    LIC_ASSIGN_OR_RETURN(auto raw, n->block_store_->BlockByHeight(head));
    if (!raw.has_value())
      return Status::Corruption("head block " + std::to_string(head) + " missing");
    LIC_ASSIGN_OR_RETURN(auto blk, consensus::Block::Decode(*raw));
    head_time = blk.header.timestamp_ms;
  }
  LIC_ASSIGN_OR_RETURN(auto persisted, n->consensus_log_->LoadAll());

  consensus::ReplicaConfig rc;
  for (const auto& v : n->genesis_.validators) n->validators_.keys.push_back(v.public_key);
  rc.validators = n->validators_;
  rc.self = n->self_;
  rc.max_batch_txs = c.max_batch_txs;
  rc.max_batch_wait = c.max_batch_wait_ms;
  rc.checkpoint_interval = n->genesis_.consensus.checkpoint_interval;
  rc.watermark_window = n->genesis_.consensus.watermark_window;
  rc.order_ahead_window = n->genesis_.consensus.order_ahead_window;
  for (uint64_t h = head > rc.order_ahead_window ? head - rc.order_ahead_window + 1 : 0; h < head;
       ++h) {
    LIC_ASSIGN_OR_RETURN(Hash r, n->executor_->StateRootAt(h));
    rc.recent_state_roots.emplace_back(h, r);
  }
  rc.view_change_timeout = c.view_change_timeout_ms;
  rc.max_clock_skew = c.max_clock_skew_ms;
  LIC_ASSIGN_OR_RETURN(rc.recently_committed,
                       RecentlyCommittedTxs(*n->block_store_, rc.committed_id_window));
  rc.genesis_hash = n->genesis_hash_;
  rc.genesis_time_ms = n->genesis_.genesis_time_ms;
  rc.executed_block_timestamp = head_time;
  rc.max_pending_requests = c.mempool_max;
  spdlog::info(
      "restoring replica {} ({}) at executed height {} with {} persisted consensus entries",
      n->self_, c.node_id, head, persisted.size());
  LIC_ASSIGN_OR_RETURN(
      auto replica, consensus::Replica::Create(std::move(rc), *n->key_, std::move(persisted), head,
                                               n->block_store_->head_hash(), root));
  host::HostPorts ports;
  ports.transport = n.get();  // the peer links
  if (!c.test_byzantine.empty()) {
    // Test mode: the behaviours sit between the host and the links.
    LIC_ASSIGN_OR_RETURN(n->byzantine_, Byzantine::Create(c.test_byzantine, n->self_,
                                                          n->genesis_.validators.size(), *n->key_));
    n->byzantine_transport_ =
        std::make_unique<ByzantineTransport>(n->byzantine_.get(), ports.transport);
    ports.transport = n->byzantine_transport_.get();
  }
  ports.timers = n.get();
  ports.execution = n->execution_.get();
  ports.fetcher = n.get();
  ports.log = n.get();
  ports.clock = n.get();
  ports.listener = n.get();
  n->host_ = std::make_unique<host::ReplicaHost>(std::move(replica), ports, host::HostOptions{});
  {
    MutexLock lock(&n->status_mu_);
    n->status_.height = head;
    n->status_.head_hash = n->block_store_->head_hash();
    n->status_.state_root = root;
    n->status_.head_time_ms = head_time;
  }
  n->metrics_.height = head;
  LIC_RETURN_IF_ERROR(n->OpenCredentials());
  return n;
}

// The credential service (docs/credentials.md): its issuing key must be an
// admin key of this node's org in the genesis.
Status Node::OpenCredentials() {
  const NodeConfig& c = config_;
  std::optional<crypto::KeyPair> issuer;
  if (!c.credential_key.empty()) {
    auto k = crypto::ReadKeyFile(c.credential_key, std::nullopt);
    if (!k.ok()) {
      return Status::InvalidArgument("config field 'credentials.issuer_key' (" + c.credential_key +
                                     "): " + k.status().message());
    }
    Status owned = proof::vc::CheckIssuerKey(genesis_, c.org, k->public_key());
    if (!owned.ok()) {
      return Status::InvalidArgument("config field 'credentials.issuer_key': " + owned.message());
    }
    issuer.emplace(*k);
  }
  std::string url = c.public_url;
  if (url.empty()) {
    HostPort hp = c.listen_http;
    if (hp.host == "0.0.0.0" || hp.host == "[::]") hp.host = "127.0.0.1";
    url = "http://" + hp.ToString();
  }
  CredentialService::Sources src;
  src.members = [this](const std::string& org) {
    return chaincode::StatusListMembers(KvStateView(kv_.get()), org);
  };
  src.state_proof = [this](std::string_view key, uint64_t height) {
    return ledger_->StateProof(key, height);
  };
  src.certified_state_proof = [this](std::string_view key,
                                     uint64_t height) -> Result<StateInclusion> {
    LIC_ASSIGN_OR_RETURN(CertifiedStateInclusion c, ledger_->CertifiedStateProof(key, height));
    StateInclusion out;
    out.value = std::move(c.value);
    out.proof = std::move(c.proof);
    out.header = c.header;
    return out;
  };
  src.latest = [this](std::string_view key) -> Result<std::optional<Bytes>> {
    return KvStateView(kv_.get()).Get(key);
  };
  auto credentials_now = [] {
    return static_cast<uint64_t>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::system_clock::now().time_since_epoch())
                                     .count());
  };
  src.now_ms = credentials_now;
  // Null mode executes no chaincode: nothing would ever land.
  const std::optional<crypto::KeyPair> publisher_key =
      c.publish_status_lists && !c.null_mode ? issuer : std::nullopt;
  credentials_ = std::make_unique<CredentialService>(&genesis_, c.org, std::move(issuer),
                                                     std::move(url), std::move(src));
  if (publisher_key) {
    StatusListPublisher::Ports p;
    p.build = [this](proof::vc::StatusPurpose purpose, uint64_t list) {
      return credentials_->BuildOwnList(purpose, list);
    };
    p.published = [this](proof::vc::StatusPurpose purpose, uint64_t list) {
      return credentials_->Published(config_.org, purpose, list);
    };
    p.list_count = [this] { return credentials_->OwnListCount(); };
    p.submit = [this](Transaction tx) {
      const Bytes encoded = tx.Encode();
      Submit(std::move(tx), encoded, false, 0, [](Result<SubmitOutcome> r) {
        if (!r.ok()) spdlog::warn("status lists: publication refused: {}", r.status().ToString());
      });
    };
    p.now_ms = credentials_now;
    publisher_ = std::make_unique<StatusListPublisher>(
        genesis_.network_id, *publisher_key, std::move(p), StatusListPublisher::Options{});
  }
  return Status::Ok();
}

Status Node::Start() {
  const NodeConfig& c = config_;
  tls_source_ = std::make_unique<TlsSource>(TlsSource::Watched(tls_rotation_->active_ca_path(),
                                                               tls_rotation_->active_cert_path(),
                                                               tls_rotation_->active_key_path()));
  // Peer links: dial every other validator.
  links_.resize(genesis_.validators.size());
  for (uint32_t i = 0; i < genesis_.validators.size(); ++i) {
    if (i == self_) continue;
    PeerLink::Options o;
    o.name = genesis_.validators[i].name;
    o.address = genesis_.validators[i].address;
    o.queue_capacity = c.peer_queue_messages;
    o.max_message_bytes = static_cast<int>(c.max_message_bytes);
    links_[i] = std::make_unique<PeerLink>(o, *tls_source_, &metrics_);
  }

  PeerService::Callbacks cb;
  cb.validator_by_name = [this](const std::string& name) -> std::optional<uint32_t> {
    for (uint32_t i = 0; i < genesis_.validators.size(); ++i) {
      if (genesis_.validators[i].name == name) return i;
    }
    return std::nullopt;
  };
  cb.signer_of = [this](ByteView m) { return SignerOf(m); };
  cb.on_message = [this](uint32_t from, Bytes m) {
    // On the gRPC reader thread of this peer's stream (messages of one peer
    // stay in order): every signature is checked here, off the strand.
    auto inbound = PreVerifyInbound(validators_, *verifier_, from, m);
    if (!inbound) {
      uint64_t n = metrics_.peer_messages_rejected.fetch_add(1);
      if (n % 1000 == 0) {
        spdlog::warn(
            "rejected a message from {}: a signature does not verify (rejected so far: {})",
            genesis_.validators[from].name, n + 1);
      }
      return;
    }
    OnStrand([this, in = std::move(*inbound)]() mutable { host_->OnMessage(std::move(in)); });
  };
  cb.block_at = [this](uint64_t h) -> Result<std::optional<std::pair<Bytes, Bytes>>> {
    // Test mode "silent" serves nothing (the modes never change: safe off the strand).
    if (byzantine_ && !byzantine_->AnswersFetch()) return std::optional<std::pair<Bytes, Bytes>>();
    LIC_ASSIGN_OR_RETURN(auto b, block_store_->BlockByHeight(h));
    if (!b.has_value()) return std::optional<std::pair<Bytes, Bytes>>();
    LIC_ASSIGN_OR_RETURN(auto cert, block_store_->CertByHeight(h));
    if (!cert.has_value()) return Status::Corruption("certificate missing at " + std::to_string(h));
    return std::optional<std::pair<Bytes, Bytes>>(std::make_pair(std::move(*b), std::move(*cert)));
  };
  cb.state_certificate_at = [this](uint64_t h) -> std::optional<Bytes> {
    auto sc = block_store_->StateCertificate(h);
    return sc.ok() ? *sc : std::nullopt;  // a read error serves the block without it
  };
  peer_service_ = std::make_unique<PeerService>(self_, std::move(cb), &metrics_);

  client_service_ = std::make_unique<ClientService>(this);
  health_service_ = std::make_unique<HealthService>();
  LIC_ASSIGN_OR_RETURN(rpc_, RpcServers::Start(c, *tls_source_, peer_service_.get(),
                                               client_service_.get(), health_service_.get()));
  HttpServer::Handlers h;
  h.metrics = [this] {
    const TlsRotation::Snapshot t = tls_rotation_->snapshot();
    metrics_.tls_certificate_not_after_ms = t.active.certificate.not_after_ms;
    metrics_.tls_ca_not_after_ms = t.active.ca.not_after_ms;
    metrics_.tls_reloads_applied = t.applied;
    metrics_.tls_reloads_refused = t.refused;
    return metrics_.RenderPrometheus();
  };
  h.health = [this]() -> std::string {
    MutexLock lock(&shutdown_mu_);
    if (fatal_.load()) return "fatal error: see the log";
    return shut_down_ || shutdown_requested_ ? "shutting down" : "";
  };
  h.get = [this](std::string_view path) -> std::optional<HttpReply> {
    if (const web::WebAsset* a = web::FindWebAsset(path)) {
      return HttpReply{200, std::string(a->content_type), std::string(a->body)};
    }
    return credentials_->Get(path);
  };
  http_ = std::make_unique<HttpServer>(c.listen_http, std::move(h));
  LIC_RETURN_IF_ERROR(http_->Start());

  for (auto& l : links_) {
    if (l) l->Start();
  }
  work_.emplace(ioc_.get_executor());
  loop_threads_.emplace_back([this] { ioc_.run(); });
  execution_->Start();
  fetcher_.Start();
  OnStrand([this] { host_->Start(); });
  if (publisher_) publisher_->Start();
  tls_rotation_->Start();
  started_ = true;
  spdlog::info(
      "licenced {} (org {}, replica {}/{}) serving: peer {} (mTLS), client {} (TLS), http {}; "
      "height {}",
      config_.node_id, config_.org, self_, genesis_.validators.size(), c.listen_peer.ToString(),
      c.listen_client.ToString(), c.listen_http.ToString(), block_store_->head_height());
  return Status::Ok();
}

void Node::Shutdown() {
  {
    MutexLock lock(&shutdown_mu_);
    if (shut_down_) return;
    shut_down_ = true;
  }
  shutdown_cv_.SignalAll();
  if (started_) spdlog::info("shutting down");
  if (health_service_) health_service_->SetNotServing();
  // A short grace: streams are cancelled at its end, unary calls finish.
  if (rpc_) rpc_->Shutdown(std::chrono::milliseconds(250));
  for (auto& l : links_) {
    if (l) l->Stop();
  }
  if (http_) http_->Stop();
  if (publisher_) publisher_->Stop();
  if (tls_rotation_) tls_rotation_->Stop();
  // A fetch in flight waits for the verifier pool (InspectFetched): it ends
  // first (the links are stopped), then the pool.
  fetcher_.Stop();
  if (verifier_) verifier_->Stop();
  work_.reset();
  ioc_.stop();
  for (auto& t : loop_threads_) {
    if (t.joinable()) t.join();
  }
  // A block being executed finishes (its commit is atomic); queued ones are
  // dropped and re-delivered after a restart.
  if (execution_) execution_->Stop();
  // Fail outstanding waiters.
  for (auto& w : submissions_.TakeAll()) w(Status::Unavailable("node is shutting down"));
}

void Node::RequestShutdown() {
  {
    MutexLock lock(&shutdown_mu_);
    shutdown_requested_ = true;
  }
  shutdown_cv_.SignalAll();
}

void Node::Wait() {
  MutexLock lock(&shutdown_mu_);
  while (!shut_down_ && !shutdown_requested_) shutdown_cv_.Wait(&shutdown_mu_);
}

// ---------------------------------------------------------------- strand

void Node::Send(consensus::ReplicaId to, const Bytes& message) {
  if (to < links_.size() && links_[to]) links_[to]->Enqueue(message);
}

void Node::Broadcast(const Bytes& message) {
  for (auto& l : links_) {
    if (l) l->Enqueue(message);
  }
}

Status Node::Write(const std::vector<std::pair<std::string, Bytes>>& batch) {
  return consensus_log_->PutAll(batch);
}

void Node::OnHalt(const Status& why) {
  spdlog::critical("{}; stopping the node", why.ToString());
  fatal_ = true;
  RequestShutdown();
}

void Node::Arm(consensus::TimerId id, uint64_t generation, consensus::TimeMs deadline) {
  auto& timer = timers_[id];
  if (!timer) timer = std::make_unique<asio::steady_timer>(ioc_);
  consensus::TimeMs now = NowMs();
  timer->expires_after(std::chrono::milliseconds(deadline > now ? deadline - now : 0));
  timer->async_wait(
      asio::bind_executor(strand_, [this, id, generation](boost::system::error_code ec) {
        if (!ec) host_->OnTimer(id, generation);
      }));
}

void Node::Cancel(consensus::TimerId id) {
  auto it = timers_.find(id);
  if (it != timers_.end()) it->second->cancel();
}

void Node::OnCommitted(const ExecutedBlock& block, double seconds) {
  uint64_t accepted = 0, rejected = 0, dups = 0;
  for (const auto& tx : block.txs) {
    if (tx.duplicate) {
      ++dups;
    } else if (tx.record.code == StatusCode::kOk) {
      ++accepted;
    } else {
      ++rejected;
    }
    verifier_->Forget(tx.id);
  }
  metrics_.committed_transactions += accepted + rejected;
  metrics_.rejected_transactions += rejected;
  metrics_.height = block.height;
  {
    MutexLock lock(&status_mu_);
    status_.height = block.height;
    status_.head_hash = block.block_hash;
    status_.state_root = block.state_root;
    status_.head_time_ms = block.timestamp_ms;
  }
  spdlog::log(
      block.height % 100 == 0 || accepted + rejected > 0 ? spdlog::level::info
                                                         : spdlog::level::debug,
      "committed block {} ({} txs: {} ok, {} rejected, {} duplicate) hash {} root {} in {} ms",
      block.height, block.txs.size(), accepted, rejected, dups,
      ToHex(block.block_hash).substr(0, 16), ToHex(block.state_root).substr(0, 16),
      static_cast<int64_t>(seconds * 1000));
  if (publisher_) {
    bool changed = false;
    for (const auto& ev : block.events) {
      if (ev.kind != "licence_status_changed") continue;
      changed = changed || std::find(ev.orgs.begin(), ev.orgs.end(), config_.org) != ev.orgs.end();
    }
    publisher_->OnBlock(block.height, changed);
  }
  auto completed = submissions_.Complete(block, std::chrono::steady_clock::now());
  for (double latency : completed.latencies_seconds) metrics_.commit_latency.Observe(latency);
  for (auto& [waiter, outcome] : completed.waiters) waiter(std::move(outcome));
  events_.Publish(block.events);
}

void Node::OnExecutionFailed(const Status& why) {
  spdlog::critical("{}; stopping the node", why.ToString());
  fatal_ = true;
  RequestShutdown();
}

bool Node::Fetch(consensus::ReplicaId peer, uint64_t from, uint64_t to) {
  if (peer >= links_.size() || !links_[peer]) return false;
  PeerLink* link = links_[peer].get();
  spdlog::info("state transfer: fetching blocks {}..{} from {}", from, to, link->options().name);
  return fetcher_.Fetch(
      link->options().name, [link, from, to] { return link->FetchBlocks(from, to, 30000); },
      [this](DecodedFetch fetched) {
        std::vector<consensus::TxInfo> txs = InspectFetched(fetched.blocks);
        OnStrand([this, fetched = std::move(fetched), txs = std::move(txs)]() mutable {
          metrics_.state_transfer_blocks += fetched.blocks.size();
          host_->OnFetched(std::move(fetched.blocks), std::move(txs),
                           std::move(fetched.state_certificates));
        });
      });
}

std::vector<consensus::TxInfo> Node::InspectFetched(const host::FetchedBlocks& blocks) {
  std::vector<const Bytes*> txs;
  for (const auto& [block, cert] : blocks) {
    for (const Bytes& tx : block.txs) txs.push_back(&tx);
  }
  std::vector<consensus::TxInfo> infos(txs.size());
  // Inspected (decoded, id hashed, signature checked, remembered for the
  // executor) in parallel on the verifier pool and this thread. Beyond what
  // the verifier remembers before they execute (a quarter of its cache, half
  // of that per fetch), only the id is taken: the executor checks the rest.
  const size_t remembered = config_.null_mode ? txs.size() : config_.verified_cache_max / 8;
  const size_t inspect = std::min(txs.size(), remembered);
  constexpr size_t kChunk = 256;
  std::atomic<size_t> left{0};
  Mutex mu;
  CondVar done;
  for (size_t i = kChunk; i < inspect; i += kChunk) {
    left.fetch_add(1);
    verifier_->Post([&, i] {
      for (size_t j = i; j < std::min(inspect, i + kChunk); ++j)
        infos[j] = verifier_->Inspect(*txs[j]);
      if (left.fetch_sub(1) == 1) {
        MutexLock lock(&mu);
        done.SignalAll();
      }
    });
  }
  for (size_t j = 0; j < std::min(inspect, kChunk); ++j) infos[j] = verifier_->Inspect(*txs[j]);
  for (size_t j = inspect; j < txs.size(); ++j) {
    infos[j] =
        consensus::TxInfo{ConsensusTxId(*txs[j]), true};  // committed: valid or not, executed
  }
  {
    MutexLock lock(&mu);
    while (left.load() != 0) done.Wait(&mu);
  }
  metrics_.state_transfer_txs_preverified += inspect;
  return infos;
}

void Node::RefreshGauges() {
  const consensus::Replica& replica = host_->replica();
  metrics_.view = replica.view();
  metrics_.view_changes = replica.view_changes();
  metrics_.stable_checkpoint = replica.stable_checkpoint();
  metrics_.certified_height = replica.certified_height();
  metrics_.mempool_size = replica.pending_requests();
  for (size_t r = 0; r < consensus::kDropReasons; ++r) {
    metrics_.consensus_dropped[r] = replica.dropped(static_cast<consensus::DropReason>(r));
  }
  MutexLock lock(&status_mu_);
  status_.view = replica.view();
  status_.primary = replica.primary();
  status_.stable_checkpoint = replica.stable_checkpoint();
  status_.certified_height = replica.certified_height();
  status_.mempool_size = replica.pending_requests();
  status_.view_changes = replica.view_changes();
}

std::optional<uint32_t> Node::SignerOf(ByteView message) const {
  // The claimed sender; the replica verifies the signature itself.
  auto m = consensus::SignedMessage::Decode(message);
  if (!m.ok() || m->sender >= genesis_.validators.size()) return std::nullopt;
  return m->sender;
}

// ---------------------------------------------------------------- services

Status Node::Admit() {
  size_t backlog = submissions_.size();
  backlog = std::max<size_t>(backlog, metrics_.mempool_size.load(std::memory_order_relaxed));
  if (backlog < config_.admission_max_pending) return Status::Ok();
  metrics_.admission_rejected++;
  return Status::Unavailable("node is busy: " + std::to_string(backlog) +
                             " transactions pending, the admission limit is " +
                             std::to_string(config_.admission_max_pending) +
                             " (limits.admission_max_pending); retry later");
}

void Node::Submit(Transaction tx, Bytes encoded, bool wait_for_commit, uint32_t timeout_ms,
                  std::function<void(Result<SubmitOutcome>)> done) {
  const Hash id = tx.Id();
  auto rec = TxRecordOf(id);
  if (!rec.ok()) return done(rec.status());
  if (rec->has_value()) {
    return done(
        Status::AlreadyExists("transaction " + ToHex(id) + " is already committed at height " +
                              std::to_string((*rec)->height) +
                              "; a replay is rejected: sign a new transaction with a fresh nonce"));
  }
  auto waiter = std::make_shared<std::atomic<bool>>(false);
  auto shared_done = std::make_shared<std::function<void(Result<SubmitOutcome>)>>(std::move(done));
  auto finish_once = [waiter, shared_done](Result<SubmitOutcome> r) {
    if (!waiter->exchange(true)) (*shared_done)(std::move(r));
  };
  Status added = submissions_.Add(id, encoded,
                                  wait_for_commit ? SubmissionTable::Waiter(finish_once) : nullptr,
                                  std::chrono::steady_clock::now());
  if (!added.ok()) return finish_once(added);
  verifier_->Post([this, tx = std::move(tx), encoded = std::move(encoded), id, wait_for_commit,
                   timeout_ms, finish_once]() mutable {
    Status s = verifier_->Check(tx, id, encoded);
    if (!s.ok()) {
      submissions_.Remove(id);
      return finish_once(s);
    }
    metrics_.submitted_transactions++;
    OnStrand([this, encoded = std::move(encoded), id]() mutable {
      host_->OnRequest(std::move(encoded), id);
    });
    if (!wait_for_commit) return finish_once(SubmitOutcome{id, false, {}});
    auto timer = std::make_shared<asio::steady_timer>(
        ioc_, std::chrono::milliseconds(timeout_ms == 0 ? 10000 : timeout_ms));
    timer->async_wait([timer, finish_once, id](boost::system::error_code) {
      finish_once(SubmitOutcome{id, false, {}});
    });
  });
}

Result<std::optional<TxRecord>> Node::TxRecordOf(const Hash& id) const {
  return ReadTxRecord(kv_.get(), id);
}

bool Node::IsPending(const Hash& id) const { return submissions_.Contains(id); }

Result<std::optional<Bytes>> Node::PendingTx(const Hash& id) const {
  return submissions_.Encoded(id);
}

Result<std::string> Node::Query(const std::string& method, const std::string& args_json,
                                uint64_t* height) const {
  uint64_t now_ms;
  {
    MutexLock lock(&status_mu_);
    *height = status_.height;
    now_ms = status_.head_time_ms;
  }
  KvStateView view(kv_.get());
  return executor_->engine().Query(method, args_json.empty() ? "{}" : args_json, view, now_ms);
}

NodeStatusView Node::StatusSnapshot() const {
  MutexLock lock(&status_mu_);
  return status_;
}

std::vector<PeerView> Node::PeerStatuses() const {
  std::vector<PeerView> out;
  for (uint32_t i = 0; i < genesis_.validators.size(); ++i) {
    if (i == self_) continue;
    PeerView p;
    p.name = genesis_.validators[i].name;
    p.org = genesis_.validators[i].org;
    p.address = genesis_.validators[i].address;
    if (i < links_.size() && links_[i]) {
      p.connected = links_[i]->connected();
      p.dropped_messages = links_[i]->dropped();
    }
    out.push_back(std::move(p));
  }
  return out;
}

}  // namespace licenced::node
