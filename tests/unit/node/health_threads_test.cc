// HealthService (node/rpc/health_service.h) over a real gRPC server: Watch
// streams opened, read and cancelled from several threads while another
// thread calls SetNotServing. Every stream sees SERVING* then NOT_SERVING
// and ends OK, or ends CANCELLED when its client cancelled first; streams
// opened afterwards see NOT_SERVING at once. Label tsan.
#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <grpcpp/grpcpp.h>
#include <catch2/catch.hpp>

#include "node/rpc/health_service.h"
#include "proto/health.grpc.pb.h"
#include "tests/unit/node/threads_test_util.h"

namespace licenced::node {
namespace {

namespace hv1 = grpc::health::v1;
using testing::FailureLog;

struct Server {
  explicit Server(HealthService* service) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service);
    server = builder.BuildAndStart();
  }
  ~Server() {
    server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
    server->Wait();
  }
  int port = 0;
  std::unique_ptr<grpc::Server> server;
};

TEST_CASE("threads: health Watch streams race SetNotServing and cancellation",
          "[threads][health]") {
  HealthService health;
  Server server(&health);
  REQUIRE(server.server != nullptr);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port),
                                     grpc::InsecureChannelCredentials());
  auto stub = hv1::Health::NewStub(channel);

  constexpr int kThreads = 4;
  constexpr int kStreamsPerThread = 12;
  FailureLog failures;
  std::atomic<int> opened{0};
  std::atomic<int> ended_not_serving{0};
  std::atomic<int> ended_cancelled{0};
  std::atomic<int> unknown_ok{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kStreamsPerThread; ++i) {
        grpc::ClientContext ctx;
        ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
        hv1::HealthCheckRequest req;
        const bool unknown = i % 6 == 5;
        req.set_service(unknown ? "no.such.Service" : i % 2 ? "licenced.v1.PeerApi" : "");
        auto reader = stub->Watch(&ctx, req);
        hv1::HealthCheckResponse resp;
        if (!reader->Read(&resp)) {
          failures.Add("stream ended before its first status: " + reader->Finish().error_message());
          continue;
        }
        opened.fetch_add(1);
        if (unknown) {
          if (resp.status() != hv1::HealthCheckResponse::SERVICE_UNKNOWN) {
            failures.Add("unknown service watched as " + std::to_string(resp.status()));
          }
        }
        const bool cancel = (t + i) % 3 == 0;
        if (cancel) {
          ctx.TryCancel();
          while (reader->Read(&resp)) {
          }
          grpc::Status st = reader->Finish();
          // Cancelled by us, or ended by SetNotServing just before.
          if (st.error_code() == grpc::StatusCode::CANCELLED) {
            ended_cancelled.fetch_add(1);
          } else if (!st.ok()) {
            failures.Add("cancelled stream ended with " + st.error_message());
          }
          continue;
        }
        // Not cancelled: read to the end, which SetNotServing brings.
        auto last = resp.status();
        bool bad_order = false;
        while (reader->Read(&resp)) {
          if (last == hv1::HealthCheckResponse::NOT_SERVING) bad_order = true;
          last = resp.status();
        }
        grpc::Status st = reader->Finish();
        if (!st.ok()) failures.Add("stream ended with " + st.error_message());
        if (bad_order) failures.Add("a status after NOT_SERVING");
        if (unknown) {
          if (last == hv1::HealthCheckResponse::SERVICE_UNKNOWN) unknown_ok.fetch_add(1);
        } else if (last == hv1::HealthCheckResponse::NOT_SERVING) {
          ended_not_serving.fetch_add(1);
        } else {
          failures.Add("stream ended on status " + std::to_string(last));
        }
      }
    });
  }
  // Let a few streams open, then stop serving while the rest are opening.
  REQUIRE(testing::WaitFor([&] { return opened.load() >= kThreads; }));
  std::thread stopper([&] {
    health.SetNotServing();
    health.SetNotServing();  // idempotent
  });
  stopper.join();
  for (auto& th : threads) th.join();
  INFO(failures.All());
  CHECK(failures.All() == "");
  CHECK(opened.load() == kThreads * kStreamsPerThread);
  CHECK(ended_not_serving.load() + ended_cancelled.load() + unknown_ok.load() <= opened.load());
  CHECK(ended_not_serving.load() > 0);
  CHECK(health.StatusOf("") == hv1::HealthCheckResponse::NOT_SERVING);
  CHECK(health.StatusOf("licenced.v1.ClientApi") == hv1::HealthCheckResponse::NOT_SERVING);

  // A Watch opened now gets NOT_SERVING and ends OK.
  grpc::ClientContext ctx;
  hv1::HealthCheckRequest req;
  auto reader = stub->Watch(&ctx, req);
  hv1::HealthCheckResponse resp;
  REQUIRE(reader->Read(&resp));
  CHECK(resp.status() == hv1::HealthCheckResponse::NOT_SERVING);
  CHECK_FALSE(reader->Read(&resp));
  CHECK(reader->Finish().ok());
}

TEST_CASE("threads: health Check answers from many threads during SetNotServing",
          "[threads][health]") {
  HealthService health;
  Server server(&health);
  auto channel = grpc::CreateChannel("127.0.0.1:" + std::to_string(server.port),
                                     grpc::InsecureChannelCredentials());
  auto stub = hv1::Health::NewStub(channel);
  std::atomic<bool> stopped{false};
  FailureLog failures;
  std::atomic<int> serving_after_stop{0};
  std::atomic<int> answers{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 60; ++i) {
        const bool was_stopped = stopped.load();
        grpc::ClientContext ctx;
        hv1::HealthCheckRequest req;
        hv1::HealthCheckResponse resp;
        grpc::Status st = stub->Check(&ctx, req, &resp);
        if (!st.ok()) {
          failures.Add("Check failed: " + st.error_message());
          continue;
        }
        answers.fetch_add(1);
        if (was_stopped && resp.status() == hv1::HealthCheckResponse::SERVING) {
          serving_after_stop.fetch_add(1);
        }
      }
    });
  }
  REQUIRE(testing::WaitFor([&] { return answers.load() >= 20; }));
  health.SetNotServing();
  stopped = true;
  for (auto& th : threads) th.join();
  CHECK(failures.All() == "");
  CHECK(answers.load() == 240);
  CHECK(serving_after_stop.load() == 0);
}

}  // namespace
}  // namespace licenced::node
