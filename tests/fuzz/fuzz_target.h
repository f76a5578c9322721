// Fuzz targets: each takes arbitrary bytes, drives one parser that reads outside input, and
// aborts (FUZZ_CHECK) when a property that must hold for every input does not.
//
// The same target source builds two ways (tests/fuzz/CMakeLists.txt):
//  - with clang and libFuzzer (tools/fuzz): one binary per target, coverage-guided, long runs;
//  - with the project's compiler (every build, and the ASan+UBSan pass of tools/test): all targets in
//    one `fuzz_replay` binary that runs each target's seeds and corpus, then a fixed number of
//    deterministic mutations of them (ctest, label "fuzz").
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace ocop::fuzz {

struct FuzzTarget {
  const char* name;
  // Runs one input; returns 0 (libFuzzer's convention).
  int (*run)(const uint8_t* data, size_t size);
  // Valid inputs made at run time (a token signed by the target's own key, a real request ...),
  // the start of every corpus.
  std::vector<std::string> (*seeds)();
};

std::vector<FuzzTarget>& FuzzTargets();

struct RegisterFuzzTarget {
  explicit RegisterFuzzTarget(FuzzTarget target) { FuzzTargets().push_back(target); }
};

[[noreturn]] inline void FuzzCheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property failed: %s\n", file, line, condition);
  std::abort();
}

}  // namespace ocop::fuzz

#define FUZZ_CHECK(condition) \
  ((condition) ? (void)0 : ::ocop::fuzz::FuzzCheckFailed(__FILE__, __LINE__, #condition))

#define OCOP_FUZZ_TARGET(name, run, seeds) \
  static const ::ocop::fuzz::RegisterFuzzTarget registered_fuzz_target_##name({#name, run, seeds})
