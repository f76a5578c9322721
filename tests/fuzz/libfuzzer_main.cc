// libFuzzer's entry points for a binary that links exactly one target. Setting
// OCOP_FUZZ_WRITE_SEEDS=<folder> writes the target's seeds there and exits (tools/fuzz does this
// to start a corpus).
#include <fstream>
#include <string>

#include "tests/fuzz/fuzz_target.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  auto& targets = ocop::fuzz::FuzzTargets();
  if (targets.size() != 1) {
    std::fprintf(stderr, "fuzz: a libFuzzer binary links exactly one target, this one %zu\n", targets.size());
    std::abort();
  }
  if (const char* folder = std::getenv("OCOP_FUZZ_WRITE_SEEDS")) {
    int index = 0;
    for (const std::string& seed : targets.front().seeds()) {
      std::ofstream(std::string(folder) + "/seed-" + std::to_string(index++), std::ios::binary) << seed;
    }
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  return ocop::fuzz::FuzzTargets().front().run(data, size);
}
