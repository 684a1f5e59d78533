# Keeps the deterministic code deterministic. Fails if consensus/, chaincode/
# or proof/
#   - include gRPC, protobuf, RocksDB or Asio headers (I/O frameworks), or
#   - read a clock, draw random numbers or start threads: <random>, <thread>,
#     <future>, <sys/time.h>; std::chrono's system_clock, steady_clock,
#     high_resolution_clock (and the other C++20 clocks); random engines
#     (random_device, mt19937, ...), libsodium's randombytes, rand()/srand(),
#     getrandom, arc4random; time(), gettimeofday, clock_gettime, clock(),
#     timespec_get; std::thread, std::jthread, std::async, std::this_thread,
#     pthread_create.
# Time comes in as an argument (block time, the host's "now"), randomness from
# the client (client/, lic_client). Durations as types (std::chrono::milliseconds)
# and locks (std::mutex) are fine. Comments (// to the end of the line) are
# not scanned.
# node/host/ (the replica host the simulator runs too) is held to the same rules,
# and in node/ only node/rpc/ (services, peer links, proto conversion, TLS) may
# include gRPC or generated headers.
# Usage: cmake -DROOT=<source dir> -P layering_check.cmake
set(dirs consensus chaincode proof node/host)
set(io_forbidden "grpc" "grpcpp" "google/protobuf" "rocksdb/" "boost/asio" "boost/beast" "\\.pb\\.h")
set(io_include_regex "^[ \t]*#[ \t]*include")
# Headers whose only use is clocks, randomness or threads.
set(nondet_include_regex "^[ \t]*#[ \t]*include[ \t]*<(random|thread|future|sys/time\\.h)>")
# Identifiers; "(^|[^A-Za-z0-9_])" stands for a word boundary, and calls
# through a member (x.time(), p->clock()) are not clock reads.
set(nondet_identifiers
  "system_clock" "steady_clock" "high_resolution_clock" "utc_clock" "tai_clock" "gps_clock"
  "file_clock"
  "random_device" "mt19937" "default_random_engine" "minstd_rand" "ranlux[0-9]" "knuth_b"
  "randombytes" "arc4random" "getrandom"
  "(^|[^A-Za-z0-9_.>])s?rand[ \t]*\\("
  "(^|[^A-Za-z0-9_.>])time\\("
  "gettimeofday" "clock_gettime" "timespec_get"
  "(^|[^A-Za-z0-9_.>])clock[ \t]*\\([ \t]*\\)"
  "std::j?thread" "std::async" "std::this_thread" "pthread_create")
string(JOIN "|" nondet_any ${nondet_identifiers})

set(io_violations "")
set(nondet_violations "")
foreach(dir ${dirs})
  file(GLOB_RECURSE files ${ROOT}/${dir}/*.h ${ROOT}/${dir}/*.cc)
  foreach(f ${files})
    file(STRINGS ${f} includes REGEX "${io_include_regex}")
    foreach(line ${includes})
      foreach(pat ${io_forbidden})
        if(line MATCHES "${pat}")
          string(APPEND io_violations "\n  ${f}: ${line}")
        endif()
      endforeach()
    endforeach()
    file(STRINGS ${f} includes REGEX "${nondet_include_regex}")
    foreach(line ${includes})
      string(APPEND nondet_violations "\n  ${f}: ${line}")
    endforeach()
    # Only the lines that mention a forbidden identifier, then without comments.
    file(STRINGS ${f} candidates REGEX "${nondet_any}")
    foreach(line ${candidates})
      string(REGEX REPLACE "//.*$" "" code "${line}")
      foreach(pat ${nondet_identifiers})
        if(code MATCHES "${pat}")
          string(STRIP "${line}" shown)
          string(APPEND nondet_violations "\n  ${f}: ${shown}")
          break()
        endif()
      endforeach()
    endforeach()
  endforeach()
endforeach()
# The wire has one room: in node/, only node/rpc/ includes gRPC or generated
# headers directly.
set(wire_violations "")
file(GLOB_RECURSE node_files ${ROOT}/node/*.h ${ROOT}/node/*.cc)
foreach(f ${node_files})
  if(f MATCHES "/node/rpc/")
    continue()
  endif()
  file(STRINGS ${f} includes REGEX "${io_include_regex}")
  foreach(line ${includes})
    if(line MATCHES "grpc|\\.pb\\.h")
      string(APPEND wire_violations "\n  ${f}: ${line}")
    endif()
  endforeach()
endforeach()
set(msg "")
if(io_violations)
  string(APPEND msg "consensus/, chaincode/, proof/ and node/host/ must not include I/O framework headers:${io_violations}\n")
endif()
if(wire_violations)
  string(APPEND msg "only node/rpc/ may include gRPC or generated headers in node/:${wire_violations}\n")
endif()
if(nondet_violations)
  string(APPEND msg "consensus/, chaincode/, proof/ and node/host/ must not read clocks, draw random numbers or start threads (take the time as an argument; client-side randomness is client/):${nondet_violations}\n")
endif()
if(msg)
  message(FATAL_ERROR "${msg}")
endif()
