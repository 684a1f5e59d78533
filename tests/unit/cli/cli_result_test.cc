// client/cli_result.h and cli/app.h: CliResult holds a value or a CliError,
// Lift keeps a Status's message with the chosen exit code, the CLI_ macros
// propagate the first error, ExitCode returns the code of a result and
// Guarded turns an exception into exit code 2.
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "cli/app.h"
#include "client/cli_result.h"

using namespace licenced;
using namespace licenced::client;

namespace {

CliResult<int> Half(int n) {
  if (n % 2 != 0) return CliError{kExitRejected, std::to_string(n) + " is odd"};
  return n / 2;
}

CliResult<int> Quarter(int n) {
  CLI_ASSIGN_OR_RETURN(int h, Half(n));
  CLI_ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

CliResult<void> CheckEven(int n) {
  CLI_RETURN_IF_ERROR(Half(n));
  return {};
}

CliResult<std::string> ReadName(const Result<std::string>& r) {
  CLI_ASSIGN_OR_RETURN(std::string name, Lift(r, kExitUsage));
  return "name " + name;
}

}  // namespace

TEST_CASE("cli_result: a value or an error with its exit code and message") {
  CliResult<int> ok = Half(8);
  REQUIRE(ok.ok());
  CHECK(*ok == 4);
  CliResult<int> bad = Half(7);
  REQUIRE(!bad.ok());
  CHECK(bad.error().exit_code == kExitRejected);
  CHECK(bad.error().message == "7 is odd");
  CliResult<void> done;
  CHECK(done.ok());
  CliResult<void> failed = CliError{kExitUsage, "no"};
  REQUIRE(!failed.ok());
  CHECK(failed.error().exit_code == kExitUsage);
}

TEST_CASE("cli_result: a CliResult<Json> is an error when given a CliError") {
  CliResult<nlohmann::json> j = CliError{kExitRejected, "refused"};
  REQUIRE(!j.ok());
  CHECK(j.error().message == "refused");
  CliResult<nlohmann::json> v = nlohmann::json{{"a", 1}};
  REQUIRE(v.ok());
  CHECK((*v)["a"] == 1);
}

TEST_CASE("cli_result: the macros return the first error unchanged") {
  CHECK(*Quarter(12) == 3);
  CliResult<int> r = Quarter(6);  // 6 -> 3, odd
  REQUIRE(!r.ok());
  CHECK(r.error().message == "3 is odd");
  CHECK(r.error().exit_code == kExitRejected);
  CHECK(CheckEven(2).ok());
  CHECK(CheckEven(5).error().message == "5 is odd");
}

TEST_CASE("cli_result: Lift keeps the Status's message with the chosen exit code") {
  CHECK(Lift(Status::Ok(), kExitRejected).ok());
  CliResult<void> s = Lift(Status::NotFound("no such file x"), kExitRejected);
  REQUIRE(!s.ok());
  CHECK(s.error().exit_code == kExitRejected);
  CHECK(s.error().message == "no such file x");
  CHECK(*ReadName(std::string("bob")) == "name bob");
  CliResult<std::string> e = ReadName(Status::InvalidArgument("bad --key"));
  REQUIRE(!e.ok());
  CHECK(e.error().exit_code == kExitUsage);
  CHECK(e.error().message == "bad --key");
  CHECK(ErrorFrom(Status::Internal("m"), 7).exit_code == 7);
}

TEST_CASE("cli_result: ExitCode and Guarded") {
  CHECK(cli::ExitCode(kExitOk) == kExitOk);
  CHECK(cli::ExitCode(kExitRejected) == kExitRejected);  // a verdict the command printed
  CHECK(cli::ExitCode(CliError{kExitRejected, "rejected"}) == kExitRejected);
  CHECK(*cli::Guarded([]() -> cli::CommandResult { return kExitOk; }) == kExitOk);
  cli::CommandResult thrown = cli::Guarded([]() -> cli::CommandResult {
    nlohmann::json j = 1;
    return j.at("missing").get<int>();
  });
  REQUIRE(!thrown.ok());
  CHECK(thrown.error().exit_code == kExitUsage);
  CHECK(thrown.error().message.rfind("unexpected data from the node or a file (", 0) == 0);
}
