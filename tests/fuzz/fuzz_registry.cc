#include <google/protobuf/stubs/logging.h>

#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

void Quiet(google::protobuf::LogLevel, const char*, int, const std::string&) {}

// Protobuf logs every malformed string it parses; fuzz inputs are malformed by design, and a line
// per input would slow the runs and bury real reports.
const bool kProtobufQuiet = (google::protobuf::SetLogHandler(&Quiet), true);

}  // namespace

std::vector<FuzzTarget>& FuzzTargets() {
  static auto* targets = new std::vector<FuzzTarget>();
  return *targets;
}

}  // namespace ocop::fuzz
