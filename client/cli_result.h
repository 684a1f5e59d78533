// The one error type of licencectl and lic_client's clerk-facing helpers:
// CliResult<T> holds either a value or a CliError, the exit code to return
// and the message to print (docs/cli.md "Exit codes"). lic_client's lower
// layers (client/conn.h, client/files.h, client/prepare.h) return core
// Status/Result; Lift turns those into a CliResult with the exit code the
// caller chooses. The macros are modelled on core/status.h's
// LIC_RETURN_IF_ERROR / LIC_ASSIGN_OR_RETURN. licencectl prints a CliError in
// one place (cli/app.h ExitCode). Thread-compatible values.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "client/options.h"
#include "core/status.h"

namespace licenced::client {

// A failed step: the exit code to return and the message to print (after
// "licencectl: error: ").
struct CliError {
  int exit_code = kExitUsage;
  std::string message;
};

// Either a value or a CliError.
template <typename T>
class [[nodiscard]] CliResult {
 public:
  CliResult(T value) : v_(std::in_place_index<0>, std::move(value)) {}         // NOLINT: implicit
  CliResult(CliError error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return v_.index() == 0; }
  // REQUIRES: !ok()
  const CliError& error() const& { return std::get<1>(v_); }
  CliError&& error() && { return std::get<1>(std::move(v_)); }

  // REQUIRES: ok()
  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, CliError> v_;
};

// Success without a value, or a CliError.
template <>
class [[nodiscard]] CliResult<void> {
 public:
  CliResult() = default;
  CliResult(CliError error) : error_(std::move(error)) {}  // NOLINT: implicit by design

  bool ok() const { return !error_.has_value(); }
  // REQUIRES: !ok()
  const CliError& error() const& { return *error_; }
  CliError&& error() && { return std::move(*error_); }

 private:
  std::optional<CliError> error_;
};

// A non-OK Status as a CliError with `exit_code` and the Status's message.
inline CliError ErrorFrom(const Status& status, int exit_code) {
  return CliError{exit_code, status.message()};
}

// Lifts a Status or Result<T> into a CliResult: on error, the Status's
// message with `exit_code`.
inline CliResult<void> Lift(const Status& status, int exit_code) {
  if (status.ok()) return {};
  return ErrorFrom(status, exit_code);
}
template <typename T>
CliResult<T> Lift(Result<T> result, int exit_code) {
  if (!result.ok()) return ErrorFrom(result.status(), exit_code);
  return std::move(result).value();
}

}  // namespace licenced::client

// Returns the CliError from the enclosing function if the CliResult `expr`
// holds one.
#define CLI_RETURN_IF_ERROR(expr)                                 \
  do {                                                            \
    auto cli_result_ = (expr);                                    \
    if (!cli_result_.ok()) return std::move(cli_result_).error(); \
  } while (0)

// `CLI_ASSIGN_OR_RETURN(auto x, MakeX());` binds the value of a CliResult or
// returns its CliError.
#define CLI_ASSIGN_OR_RETURN(lhs, expr) \
  CLI_ASSIGN_OR_RETURN_IMPL_(LIC_CONCAT_(cli_result_, __LINE__), lhs, expr)
#define CLI_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return std::move(tmp).error();    \
  lhs = std::move(tmp).value()
