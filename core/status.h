// Status and Result<T>: small error values returned across module boundaries.
//
// Modelled on leveldb::Status: cheap on success, explicit at every call site.
// No exceptions cross module boundaries; a Status carries a code a caller can
// branch on and a message a person can act on. Thread-compatible values.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace licenced {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,     // malformed input from a user, file or peer
  kNotFound,            // the thing asked for does not exist
  kAlreadyExists,       // duplicate (replayed tx, duplicate case, ...)
  kPermissionDenied,    // signer lacks the org or role for this action
  kFailedPrecondition,  // valid request, wrong state (step out of order, revoked licence)
  kCorruption,          // stored or received data fails an integrity check
  kIoError,             // disk or filesystem failure
  kUnavailable,         // retry later: peer down, not primary, not ready
  kInternal,            // a bug: "cannot happen"
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  static Status Ok() { return Status(); }
  static Status InvalidArgument(std::string m) {
    return {StatusCode::kInvalidArgument, std::move(m)};
  }
  static Status NotFound(std::string m) { return {StatusCode::kNotFound, std::move(m)}; }
  static Status AlreadyExists(std::string m) { return {StatusCode::kAlreadyExists, std::move(m)}; }
  static Status PermissionDenied(std::string m) {
    return {StatusCode::kPermissionDenied, std::move(m)};
  }
  static Status FailedPrecondition(std::string m) {
    return {StatusCode::kFailedPrecondition, std::move(m)};
  }
  static Status Corruption(std::string m) { return {StatusCode::kCorruption, std::move(m)}; }
  static Status IoError(std::string m) { return {StatusCode::kIoError, std::move(m)}; }
  static Status Unavailable(std::string m) { return {StatusCode::kUnavailable, std::move(m)}; }
  static Status Internal(std::string m) { return {StatusCode::kInternal, std::move(m)}; }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  // "INVALID_ARGUMENT: message" (or "OK").
  std::string ToString() const;

  bool operator==(const Status&) const = default;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// Either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}        // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {  // NOLINT: implicit by design
    assert(!std::get<Status>(v_).ok() && "Result constructed from OK status");
  }

  bool ok() const { return std::holds_alternative<T>(v_); }
  Status status() const { return ok() ? Status::Ok() : std::get<Status>(v_); }

  // REQUIRES: ok()
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace licenced

#define LIC_CONCAT_INNER_(a, b) a##b
#define LIC_CONCAT_(a, b) LIC_CONCAT_INNER_(a, b)

// Returns the Status from the enclosing function if `expr` is not OK.
#define LIC_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::licenced::Status lic_status_ = (expr);   \
    if (!lic_status_.ok()) return lic_status_; \
  } while (0)

// `LIC_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value or returns the error.
#define LIC_ASSIGN_OR_RETURN(lhs, expr) \
  LIC_ASSIGN_OR_RETURN_IMPL_(LIC_CONCAT_(lic_result_, __LINE__), lhs, expr)
#define LIC_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return tmp.status();              \
  lhs = std::move(tmp).value()
