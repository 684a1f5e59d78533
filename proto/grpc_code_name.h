// The wire name of a gRPC status code ("INVALID_ARGUMENT", ...), as the
// ClientApi reports per-tx codes and licencectl prints errors. One table for
// the node and the CLI. Thread-safe (pure function).
#pragma once

#include <grpcpp/support/status_code_enum.h>

namespace licenced::proto {

// "UNKNOWN" for a value outside gRPC's codes.
const char* GrpcCodeName(grpc::StatusCode code);

}  // namespace licenced::proto
