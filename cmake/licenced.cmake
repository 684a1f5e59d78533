# Shared build settings for licenced's own targets.

# Warnings as errors on our code only (generated protobuf code is exempt).
function(lic_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

if(LICENCED_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# lic_library(NAME SOURCES ... DEPS ...)
function(lic_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(${name} PUBLIC ${ARG_DEPS})
  lic_warnings(${name})
endfunction()

# lic_test(NAME LABEL unit|sim|e2e SOURCES ... DEPS ...)
# A Catch2 test binary; each TEST_CASE becomes a ctest entry carrying LABEL.
function(lic_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${PROJECT_SOURCE_DIR}/tests/catch_main.cc ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Catch2::Catch2 ${ARG_DEPS})
  target_compile_definitions(${name} PRIVATE
    LICENCED_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    LICENCED_BINARY_DIR="${PROJECT_BINARY_DIR}")
  lic_warnings(${name})
  catch_discover_tests(${name} PROPERTIES LABELS ${ARG_LABEL} DISCOVERY_TIMEOUT 120)
  # tests/CMakeLists.txt builds the unit and sim binaries alone for the sanitizer run.
  set_property(GLOBAL APPEND PROPERTY LIC_TEST_TARGETS_${ARG_LABEL} ${name})
endfunction()
