#include "node/http_server.h"

#include <spdlog/spdlog.h>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace licenced::node {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// The path of a request target, without its query string.
std::string_view Path(std::string_view target) {
  const size_t q = target.find('?');
  return q == std::string_view::npos ? target : target.substr(0, q);
}

// One connection: read one request, write one response, close.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, const HttpServer::Handlers* handlers)
      : stream_(std::move(socket)), handlers_(handlers) {}

  void Run() {
    stream_.expires_after(std::chrono::seconds(10));
    http::async_read(stream_, buffer_, request_,
                     [self = shared_from_this()](beast::error_code ec, size_t) {
                       if (!ec) self->Respond();
                     });
  }

 private:
  void Respond() {
    auto res = std::make_shared<http::response<http::string_body>>();
    res->version(request_.version());
    res->keep_alive(false);
    res->set(http::field::server, "licenced");
    std::string target(request_.target());
    if (request_.method() != http::verb::get && request_.method() != http::verb::head) {
      res->result(http::status::method_not_allowed);
      res->set(http::field::content_type, "text/plain");
      res->body() = "only GET is supported\n";
    } else if (target == "/metrics") {
      res->result(http::status::ok);
      res->set(http::field::content_type, "text/plain; version=0.0.4; charset=utf-8");
      res->body() = handlers_->metrics();
    } else if (target == "/healthz") {
      std::string reason = handlers_->health();
      res->set(http::field::content_type, "text/plain");
      if (reason.empty()) {
        res->result(http::status::ok);
        res->body() = "ok\n";
      } else {
        res->result(http::status::service_unavailable);
        res->body() = reason + "\n";
      }
    } else if (auto reply = handlers_->get ? handlers_->get(Path(target)) : std::nullopt) {
      res->result(static_cast<http::status>(reply->status));
      res->set(http::field::content_type, reply->content_type);
      // The page and the credentials are read by browsers from saved files
      // and other origins too: they are public and carry no cookies.
      res->set(http::field::access_control_allow_origin, "*");
      res->body() = std::move(reply->body);
    } else {
      res->result(http::status::not_found);
      res->set(http::field::content_type, "text/plain");
      res->body() = "not found: try /metrics, /healthz or /verify/\n";
    }
    res->prepare_payload();
    http::async_write(stream_, *res, [self = shared_from_this(), res](beast::error_code, size_t) {
      beast::error_code ignored;
      self->stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    });
  }

  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::request<http::string_body> request_;
  const HttpServer::Handlers* handlers_;
};

}  // namespace

struct HttpServer::Impl {
  asio::io_context ioc{1};
  tcp::acceptor acceptor{ioc};
  const Handlers* handlers = nullptr;

  void Accept() {
    acceptor.async_accept([this](beast::error_code ec, tcp::socket socket) {
      if (ec) {
        if (ec != asio::error::operation_aborted) Accept();
        return;
      }
      std::make_shared<Session>(std::move(socket), handlers)->Run();
      Accept();
    });
  }
};

HttpServer::HttpServer(HostPort listen, Handlers handlers)
    : listen_(std::move(listen)), handlers_(std::move(handlers)) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() {
  impl_ = std::make_unique<Impl>();
  impl_->handlers = &handlers_;
  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  auto results = resolver.resolve(listen_.host, std::to_string(listen_.port), ec);
  if (ec || results.empty()) {
    return Status::IoError("cannot resolve listen.http " + listen_.ToString() + ": " +
                           ec.message());
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  impl_->acceptor.open(endpoint.protocol(), ec);
  if (!ec) impl_->acceptor.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) impl_->acceptor.bind(endpoint, ec);
  if (!ec) impl_->acceptor.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::IoError("cannot listen on listen.http " + listen_.ToString() + ": " +
                           ec.message() + " (is another process using the port?)");
  }
  bound_port_ = impl_->acceptor.local_endpoint().port();
  impl_->Accept();
  thread_ = std::thread([this] { impl_->ioc.run(); });
  return Status::Ok();
}

void HttpServer::Stop() {
  if (!impl_) return;
  impl_->ioc.stop();
  if (thread_.joinable()) thread_.join();
  impl_.reset();
}

}  // namespace licenced::node
