# Helpers shared by every CMakeLists.txt in the project.

# Strict warnings, applied privately to our own targets only (generated code is exempt).
function(ocop_strict_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Werror)
endfunction()

# ocop_cc_library(NAME name SRCS ... DEPS ... [PRIVATE_DEPS ...])
# Creates ocop_<name> with the alias ocop::<name>. Headers are included as "common/<dir>/x.h",
# so the project root is the include root.
function(ocop_cc_library)
  cmake_parse_arguments(ARG "" "NAME" "SRCS;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(ocop_${ARG_NAME} STATIC ${ARG_SRCS})
  add_library(ocop::${ARG_NAME} ALIAS ocop_${ARG_NAME})
  target_include_directories(ocop_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR})
  target_link_libraries(ocop_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
  ocop_strict_warnings(ocop_${ARG_NAME})
endfunction()

# ocop_cc_test(NAME name SRCS ... DEPS ... [LABEL unit|integration])
# One test binary per library or service; ctest discovers its cases.
function(ocop_cc_test)
  cmake_parse_arguments(ARG "" "NAME;LABEL" "SRCS;DEPS" ${ARGN})
  if(NOT ARG_LABEL)
    set(ARG_LABEL unit)
  endif()
  add_executable(${ARG_NAME} ${ARG_SRCS})
  target_link_libraries(${ARG_NAME} PRIVATE ${ARG_DEPS} GTest::gmock GTest::gtest_main)
  ocop_strict_warnings(${ARG_NAME})
  gtest_discover_tests(${ARG_NAME}
    PROPERTIES LABELS ${ARG_LABEL}
    DISCOVERY_TIMEOUT 60)
endfunction()
