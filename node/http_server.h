// HttpServer: a tiny Boost.Beast HTTP/1.1 server on its own thread serving
// GET /metrics (Prometheus text), GET /healthz ("ok" when the node is
// healthy, 503 otherwise) and whatever the `get` handler answers (the
// credentials and the verification page). One request per connection.
//
// Thread-safe: Start/Stop from the owner; handlers run on the server thread
// and only call the provided callbacks (which must be thread-safe).
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <thread>

#include "core/status.h"
#include "node/config.h"
#include "node/credential_service.h"

namespace licenced::node {

class HttpServer {
 public:
  struct Handlers {
    std::function<std::string()> metrics;
    // Returns an empty string when healthy, else the reason.
    std::function<std::string()> health;
    // Any other GET path: nullopt = 404. May be empty.
    std::function<std::optional<HttpReply>(std::string_view path)> get;
  };

  HttpServer(HostPort listen, Handlers handlers);
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds and starts the thread. IoError if the address cannot be bound.
  Status Start();
  void Stop();
  uint16_t bound_port() const { return bound_port_; }

 private:
  struct Impl;
  HostPort listen_;
  Handlers handlers_;
  std::unique_ptr<Impl> impl_;
  std::thread thread_;
  uint16_t bound_port_ = 0;
};

}  // namespace licenced::node
