#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "core/crypto.h"

int main(int argc, char* argv[]) {
  if (!licenced::crypto::Init().ok()) return 3;
  return Catch::Session().run(argc, argv);
}
