// The registry's protobuf text files: council rules, criteria sets and province plans, through
// the loaders the services run at start (ParseCouncilRules, ParseCriteriaSet) and the plan's
// FromProto. The first input byte picks the file kind.
// Properties: a refused file is refused with a message naming it; an accepted criteria set prints
// back to text that is accepted again with the same parts and points.
#include <fstream>
#include <sstream>

#include <google/protobuf/text_format.h>

#include "absl/strings/match.h"
#include "common/grpc/text_proto.h"
#include "services/registry/evaluation_convert.h"
#include "services/registry/proto_convert.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

int Run(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 3) {
    case 0: {
      absl::StatusOr<registry::CouncilRules> rules = registry::ParseCouncilRules(text, "fuzz.textproto");
      if (!rules.ok() && rules.status().code() == absl::StatusCode::kFailedPrecondition) {
        FUZZ_CHECK(absl::StrContains(rules.status().message(), "fuzz.textproto"));
      }
      break;
    }
    case 1: {
      absl::StatusOr<registry::CriteriaSet> set = registry::ParseCriteriaSet(text, "fuzz.textproto");
      if (!set.ok()) {
        FUZZ_CHECK(absl::StrContains(set.status().message(), "fuzz.textproto"));
        break;
      }
      std::string printed;
      FUZZ_CHECK(google::protobuf::TextFormat::PrintToString(registry::ToProto(*set), &printed));
      absl::StatusOr<registry::CriteriaSet> again = registry::ParseCriteriaSet(printed, "printed");
      FUZZ_CHECK(again.ok());
      FUZZ_CHECK(again->name == set->name && again->parts.size() == set->parts.size());
      for (size_t i = 0; i < set->parts.size(); ++i) {
        FUZZ_CHECK(again->parts[i].max_points == set->parts[i].max_points);
        FUZZ_CHECK(again->parts[i].criteria.size() == set->parts[i].criteria.size());
      }
      break;
    }
    default: {
      registry::v1::ProvincePlan plan;
      if (grpcutil::ParseTextProto(text, &plan).ok()) (void)registry::FromProto(plan);
      break;
    }
  }
  return 0;
}

std::string Read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<std::string> Seeds() {
  return {std::string(1, '\0') + Read(OCOP_REGISTRY_CONFIG_DIR "/council_rules.textproto"),
          std::string(1, '\1') + Read(OCOP_REGISTRY_CONFIG_DIR "/criteria/ocop-2023.textproto"),
          std::string(1, '\1') + Read(OCOP_REGISTRY_CONFIG_DIR "/criteria/ocop-2019.textproto"),
          std::string(1, '\2') + Read(OCOP_DEPLOY_DIR "/demo/thai-nguyen-plan-2021-2025.textproto")};
}

}  // namespace

OCOP_FUZZ_TARGET(text_proto, Run, Seeds);

}  // namespace ocop::fuzz
