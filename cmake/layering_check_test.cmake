# Test of layering_check.cmake: on a copy of consensus/, chaincode/ and proof/
# the check passes; each planted clock read, random draw or thread start makes
# it fail naming the planted file, and uses that are fine (a duration type, a
# comment naming a clock, a member called time()) keep it passing.
# Usage: cmake -DROOT=<source dir> -DWORK=<scratch dir> -P layering_check_test.cmake
set(tree ${WORK}/tree)
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${tree})
foreach(dir consensus chaincode proof)
  file(COPY ${ROOT}/${dir} DESTINATION ${tree})
endforeach()
file(COPY ${ROOT}/node DESTINATION ${tree})

function(run_check out_rc out_text)
  execute_process(
    COMMAND ${CMAKE_COMMAND} -DROOT=${tree} -P ${ROOT}/cmake/layering_check.cmake
    RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  set(${out_rc} ${rc} PARENT_SCOPE)
  set(${out_text} "${out}${err}" PARENT_SCOPE)
endfunction()

run_check(rc text)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "layering check fails on an unchanged copy of the tree:\n${text}")
endif()

# Each planted file must make the check fail, naming the file.
function(expect_refused dir name code)
  file(WRITE ${tree}/${dir}/${name} "// planted by layering_check_test\n${code}\n")
  run_check(rc text)
  file(REMOVE ${tree}/${dir}/${name})
  if(rc EQUAL 0)
    message(FATAL_ERROR "layering check passed with ${dir}/${name}: ${code}")
  endif()
  if(NOT text MATCHES "${name}")
    message(FATAL_ERROR "layering check failed without naming ${dir}/${name}:\n${text}")
  endif()
endfunction()

expect_refused(chaincode planted_clock.cc
  "uint64_t Now() { return std::chrono::system_clock::now().time_since_epoch().count(); }")
expect_refused(chaincode planted_steady.h
  "inline auto Start() { return std::chrono::steady_clock::now(); }")
expect_refused(consensus planted_hrc.cc "auto t = std::chrono::high_resolution_clock::now();")
expect_refused(chaincode planted_random.cc "#include <random>")
expect_refused(proof planted_device.cc "std::random_device rd;")
expect_refused(chaincode planted_sodium.cc "void Salt(unsigned char* b) { randombytes_buf(b, 16); }")
expect_refused(consensus planted_rand.cc "int Pick() { return std::rand() % 4; }")
expect_refused(chaincode planted_time.cc "long Now() { return time(nullptr); }")
expect_refused(proof planted_gtod.cc "void Now(timeval* tv) { gettimeofday(tv, nullptr); }")
expect_refused(consensus planted_cgt.cc
  "void Now(timespec* ts) { clock_gettime(CLOCK_REALTIME, ts); }")
expect_refused(chaincode planted_thread.cc "void Run() { std::thread t([] {}); t.join(); }")
expect_refused(consensus planted_thread_h.h "#include <thread>")
expect_refused(proof planted_grpc.h "#include <grpcpp/grpcpp.h>")
expect_refused(node/host planted_host_clock.cc "auto t = std::chrono::steady_clock::now();")
expect_refused(node/host planted_host_thread.cc "void Run() { std::thread t([] {}); t.join(); }")

# node/node.h includes no gRPC or generated header.
file(READ ${tree}/node/node.h node_h)
file(WRITE ${tree}/node/node.h "#include \"proto/licenced.pb.h\"\n${node_h}")
run_check(rc text)
file(WRITE ${tree}/node/node.h "${node_h}")
if(rc EQUAL 0 OR NOT text MATCHES "node/node.h")
  message(FATAL_ERROR "layering check passed with a generated header in node/node.h:\n${text}")
endif()

# Outside node/rpc/, no node file includes gRPC or generated headers.
expect_refused(node planted_wire.cc "#include <grpcpp/grpcpp.h>")
expect_refused(node/storage planted_wire.h "#include \"proto/licenced.grpc.pb.h\"")
file(WRITE ${tree}/node/rpc/planted_rpc.cc "#include <grpcpp/grpcpp.h>\n")
run_check(rc text)
file(REMOVE ${tree}/node/rpc/planted_rpc.cc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "layering check refuses gRPC in node/rpc/:\n${text}")
endif()

# Fine: durations as types, clocks named in comments, members called time().
file(WRITE ${tree}/chaincode/planted_fine.cc
  "// Never reads std::chrono::system_clock: time(nullptr) is the host's job.\n"
  "constexpr std::chrono::milliseconds kTimeout{2000};\n"
  "uint64_t At(const Block& b) { return b.time() + header->time(); }\n"
  "uint64_t block_time(uint64_t t) { return t; }\n")
run_check(rc text)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "layering check refuses code that reads no clock:\n${text}")
endif()
file(REMOVE_RECURSE ${WORK})
