# Fails when a Catch2 TEST_CASE name contains ';'. catch_discover_tests hands
# names to ctest as a CMake list, so such a test is split into names that match
# nothing and "passes" without running.
# Usage: cmake -DROOT=<source dir> -P test_names_check.cmake
file(GLOB_RECURSE sources ${ROOT}/tests/*.cc)
set(bad "")
foreach(f ${sources})
  file(STRINGS ${f} lines REGEX "TEST_CASE\\(\"[^\"]*;")
  foreach(l ${lines})
    list(APPEND bad "${f}: ${l}")
  endforeach()
endforeach()
if(bad)
  string(REPLACE ";" "\n" msg "${bad}")
  message(FATAL_ERROR "TEST_CASE names must not contain ';' (ctest splits them):\n${msg}")
endif()
