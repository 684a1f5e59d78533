#include "node/rpc/peer_link.h"

#include <chrono>

#include <spdlog/spdlog.h>

#include "node/metrics.h"

namespace licenced::node {

namespace v1 = licenced::v1;

PeerLink::PeerLink(Options options, const TlsSource& tls, Metrics* metrics)
    : options_(std::move(options)), metrics_(metrics) {
  grpc::ChannelArguments args;
  args.SetSslTargetNameOverride(options_.name);
  args.SetMaxSendMessageSize(options_.max_message_bytes);
  args.SetMaxReceiveMessageSize(options_.max_message_bytes);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIME_MS, 10000);
  args.SetInt(GRPC_ARG_KEEPALIVE_TIMEOUT_MS, 5000);
  args.SetInt(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 5000);
  channel_ = grpc::CreateCustomChannel(options_.address, PeerChannelCredentials(tls), args);
  stub_ = v1::PeerApi::NewStub(channel_);
}

PeerLink::~PeerLink() { Stop(); }

void PeerLink::Start() {
  thread_ = std::thread([this] { Run(); });
}

void PeerLink::Stop() {
  {
    MutexLock lock(&mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    if (active_ != nullptr) active_->TryCancel();
    if (active_fetch_ != nullptr) active_fetch_->TryCancel();
  }
  cv_.SignalAll();
  if (thread_.joinable()) thread_.join();
}

void PeerLink::Enqueue(Bytes message) {
  {
    MutexLock lock(&mu_);
    if (stopping_) return;
    while (!queue_.empty() && (queue_.size() >= options_.queue_capacity ||
                               queued_bytes_ + message.size() > options_.queue_capacity_bytes)) {
      queued_bytes_ -= queue_.front().size();
      queue_.pop_front();
      dropped_.fetch_add(1);
      if (metrics_ != nullptr) metrics_->peer_messages_dropped.fetch_add(1);
    }
    queued_bytes_ += message.size();
    queue_.push_back(std::move(message));
  }
  cv_.Signal();
}

bool PeerLink::Stopping() {
  MutexLock lock(&mu_);
  return stopping_;
}

bool PeerLink::PopBlocking(Bytes* out, bool* more) {
  MutexLock lock(&mu_);
  while (!stopping_ && queue_.empty()) cv_.Wait(&mu_);
  if (stopping_) return false;
  *out = std::move(queue_.front());
  queue_.pop_front();
  queued_bytes_ -= out->size();
  *more = !queue_.empty();
  return true;
}

void PeerLink::Run() {
  const auto kWaitSlice = std::chrono::milliseconds(100);
  auto backoff = std::chrono::milliseconds(100);
  const auto kMaxBackoff = std::chrono::milliseconds(5000);
  bool logged_down = false;
  while (true) {
    if (Stopping()) break;
    // Wait for the TCP + TLS connection before opening the stream (in short
    // slices, so that Stop() is prompt).
    bool up = false;
    for (auto waited = std::chrono::milliseconds(0); waited < backoff && !up;
         waited += kWaitSlice) {
      if (Stopping()) break;
      up = channel_->WaitForConnected(std::chrono::system_clock::now() + kWaitSlice);
    }
    if (Stopping()) break;
    if (!up) {
      if (!logged_down) {
        spdlog::info("peer {} ({}) unreachable; retrying with backoff", options_.name,
                     options_.address);
        logged_down = true;
      }
      backoff = std::min(backoff * 2, kMaxBackoff);
      continue;
    }
    grpc::ClientContext ctx;
    {
      MutexLock lock(&mu_);
      if (stopping_) break;
      active_ = &ctx;
    }
    auto stream = stub_->Connect(&ctx);
    connected_ = true;
    if (metrics_ != nullptr) metrics_->peers_connected.fetch_add(1);
    spdlog::info("peer {} ({}) connected", options_.name, options_.address);
    logged_down = false;
    backoff = std::chrono::milliseconds(100);
    Bytes msg;
    bool more = false;
    v1::PeerEnvelope env;
    while (PopBlocking(&msg, &more)) {
      env.set_message(msg.data(), msg.size());
      // More queued: let gRPC coalesce this write with the next ones.
      grpc::WriteOptions wo;
      if (more) wo.set_buffer_hint();
      if (!stream->Write(env, wo)) break;
    }
    connected_ = false;
    if (metrics_ != nullptr) metrics_->peers_connected.fetch_sub(1);
    {
      MutexLock lock(&mu_);
      active_ = nullptr;
    }
    ctx.TryCancel();
    grpc::Status st = stream->Finish();
    if (Stopping()) break;
    spdlog::warn("peer {} ({}) stream closed: {} {}; reconnecting", options_.name, options_.address,
                 static_cast<int>(st.error_code()), st.error_message());
    {
      MutexLock lock(&mu_);
      const auto deadline = std::chrono::steady_clock::now() + backoff;
      while (!stopping_ && cv_.WaitUntil(&mu_, deadline)) {
      }
    }
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

Result<RawBlocks> PeerLink::FetchBlocks(uint64_t from_height, uint64_t to_height, int timeout_ms) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::milliseconds(timeout_ms));
  {
    MutexLock lock(&mu_);
    if (stopping_) return Status::Unavailable("peer link to " + options_.name + " is stopping");
    active_fetch_ = &ctx;
  }
  struct Clear {
    PeerLink* link;
    ~Clear() {
      MutexLock lock(&link->mu_);
      link->active_fetch_ = nullptr;
    }
  } clear{this};
  v1::FetchBlocksRequest req;
  req.set_from_height(from_height);
  req.set_to_height(to_height);
  auto reader = stub_->FetchBlocks(&ctx, req);
  RawBlocks out;
  v1::BlockWithCert bc;
  while (reader->Read(&bc)) {
    out.emplace_back(Bytes(bc.block().begin(), bc.block().end()),
                     Bytes(bc.certificate().begin(), bc.certificate().end()),
                     Bytes(bc.state_certificate().begin(), bc.state_certificate().end()));
  }
  grpc::Status st = reader->Finish();
  if (!st.ok() && out.empty()) {
    return Status::Unavailable("FetchBlocks from " + options_.name +
                               " failed: " + st.error_message());
  }
  return out;
}

}  // namespace licenced::node
