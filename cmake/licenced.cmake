# Shared build settings for licenced's own targets.

# Warnings as errors on our code only (generated protobuf code is exempt).
# With clang, also the thread-safety analysis of the annotations in
# core/thread_annotations.h (GUARDED_BY, REQUIRES, ...).
function(lic_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
  # GCC's -Wmaybe-uninitialized misfires in libstdc++ (std::regex, std::function)
  # under the sanitizers' instrumentation; it stays on in the normal builds.
  if(LICENCED_SANITIZE AND CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    target_compile_options(${target} PRIVATE -Wno-maybe-uninitialized)
  endif()
  if(CMAKE_CXX_COMPILER_ID MATCHES "Clang")
    target_compile_options(${target} PRIVATE -Wthread-safety)
  endif()
endfunction()

if(LICENCED_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# ThreadSanitizer (the `tsan` preset, clang): every target, ours and Catch2's main.
# System libraries (gRPC, protobuf, RocksDB, Boost) stay uninstrumented; see
# tests/tsan.supp.
if(LICENCED_TSAN)
  if(LICENCED_SANITIZE)
    message(FATAL_ERROR "LICENCED_TSAN and LICENCED_SANITIZE cannot be combined")
  endif()
  add_compile_options(-fsanitize=thread -fno-omit-frame-pointer -g)
  add_link_options(-fsanitize=thread)
endif()

# lic_library(NAME SOURCES ... DEPS ...)
function(lic_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  lic_warnings(${name})
endfunction()

# lic_test(NAME LABEL unit|sim|e2e [EXTRA_LABELS tsan ...] SOURCES ... DEPS ...)
# A Catch2 test binary; each TEST_CASE becomes a ctest entry carrying LABEL
# (and EXTRA_LABELS: `tsan` marks the threaded tests that deploy/test-tsan.sh runs).
function(lic_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS;EXTRA_LABELS" ${ARGN})
  # Catch2's runner (tests/catch_main.cc) is compiled once for every test
  # binary: it is most of Catch2's implementation, about 4 s per compile with
  # gcc and 25 s with clang's ASan, which ~30 test binaries each paid.
  if(NOT TARGET lic_catch_main)
    add_library(lic_catch_main STATIC ${PROJECT_SOURCE_DIR}/tests/catch_main.cc)
    target_include_directories(lic_catch_main PRIVATE ${PROJECT_SOURCE_DIR})
    target_link_libraries(lic_catch_main PUBLIC Catch2::Catch2 PRIVATE lic_core)
    lic_warnings(lic_catch_main)
  endif()
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE lic_catch_main Catch2::Catch2 ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE
    LICENCED_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    LICENCED_BINARY_DIR="${PROJECT_BINARY_DIR}")
  lic_warnings(${name})
  catch_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 120
    TEST_LIST ${name}_TESTS)
  # tests/CMakeLists.txt builds the unit and sim binaries alone for the sanitizer run.
  set_property(GLOBAL APPEND PROPERTY LIC_TEST_TARGETS_${ARG_LABEL} ${name})
  if(ARG_EXTRA_LABELS)
    # catch_discover_tests passes PROPERTIES through a flat list, so a second
    # label is set by a script ctest runs after the discovered tests' file.
    set(labels ${ARG_LABEL} ${ARG_EXTRA_LABELS})
    set(script "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
    file(WRITE ${script}
      "foreach(t IN LISTS ${name}_TESTS)\n"
      "  set_tests_properties(\"\${t}\" PROPERTIES LABELS \"${labels}\")\n"
      "endforeach()\n")
    set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES ${script})
    foreach(label ${ARG_EXTRA_LABELS})
      set_property(GLOBAL APPEND PROPERTY LIC_TEST_TARGETS_${label} ${name})
    endforeach()
  endif()
endfunction()
