#include "common/auth/access_policy.h"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ocop/batch/v1/batch.pb.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "ocop/registry/v1/evaluation.pb.h"
#include "ocop/registry/v1/identity.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "ocop/stamp/v1/stamp.pb.h"
#include "tests/support/status_matchers.h"

namespace ocop::auth {
namespace {

using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

// Every RPC of every service, read from the compiled proto descriptors (not from a list someone
// keeps by hand).
std::set<std::string> EveryRpc() {
  const google::protobuf::FileDescriptor* files[] = {
      registry::v1::Producer::descriptor()->file(), registry::v1::EvaluationRound::descriptor()->file(),
      registry::v1::User::descriptor()->file(),     batch::v1::Batch::descriptor()->file(),
      stamp::v1::Stamp::descriptor()->file(),       lookup::v1::ResolveResponse::descriptor()->file(),
      common::v1::AuditRecord::descriptor()->file(),
  };
  std::set<std::string> methods;
  for (const google::protobuf::FileDescriptor* file : files) {
    for (int s = 0; s < file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        methods.insert(absl::StrCat(service->full_name(), "/", service->method(m)->name()));
      }
    }
  }
  return methods;
}

TEST(AccessPolicy, EveryRpcHasARuleAndEveryRuleAnRpc) {
  const std::set<std::string> rpcs = EveryRpc();
  EXPECT_GE(rpcs.size(), 75u);  // seven services at the time of writing
  for (const std::string& rpc : rpcs) EXPECT_NE(RuleFor(rpc), nullptr) << rpc << " has no access rule";
  std::set<std::string> ruled;
  for (const MethodRule& rule : AccessPolicy()) {
    EXPECT_TRUE(rpcs.count(rule.method) > 0) << rule.method << " is not an RPC";
    EXPECT_TRUE(ruled.insert(rule.method).second) << rule.method << " has two rules";
    EXPECT_TRUE(rule.anonymous || !rule.roles.empty()) << rule.method;
    for (const std::string& role : rule.roles) {
      EXPECT_NE(std::find(std::begin(kRoles), std::end(kRoles), role), std::end(kRoles)) << role;
    }
  }
}

TEST(AccessPolicy, DefaultDenyAndTheRulesThatMatterMost) {
  EXPECT_THAT(CheckRole("/ocop.registry.v1.RegistryService/Unknown", "admin"),
              StatusIs(absl::StatusCode::kPermissionDenied, "no access rule (denied by default)"));
  // Ratings and imports only by an office or an admin.
  for (const char* method : {"ocop.registry.v1.RegistryService/AddRating", "ocop.registry.v1.RegistryService/ImportRecords"}) {
    EXPECT_THAT(CheckRole(method, "office"), IsOk());
    EXPECT_THAT(CheckRole(method, "admin"), IsOk());
    for (const char* role : {"producer", "printer", "integrator", "council", "service", ""}) {
      EXPECT_THAT(CheckRole(method, role), StatusIs(absl::StatusCode::kPermissionDenied)) << method << " " << role;
    }
  }
  EXPECT_THAT(CheckRole("/ocop.registry.v1.RegistryService/AddRating", "producer"),
              StatusIs(absl::StatusCode::kPermissionDenied,
                       "ocop.registry.v1.RegistryService/AddRating: only admin, office may call it, not producer"));
  // Printing is for the roll's producer or printer; an anonymous caller gets nothing but the
  // public side.
  EXPECT_THAT(CheckRole("ocop.stamp.v1.StampService/StreamStamps", "printer"), IsOk());
  EXPECT_THAT(CheckRole("ocop.stamp.v1.StampService/StreamStamps", "office"),
              StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckRole("ocop.lookup.v1.LookupService/Resolve", ""), IsOk());
  EXPECT_THAT(CheckRole("ocop.stamp.v1.StampService/GetStamp", ""), StatusIs(absl::StatusCode::kPermissionDenied));
  EXPECT_THAT(CheckRole("ocop.stamp.v1.StampService/RecordScans", "producer"),
              StatusIs(absl::StatusCode::kPermissionDenied));
}

// docs/identity.md shows this very table: a rule changed here and not there fails.
TEST(AccessPolicy, TheDocsTableIsTheRuleTable) {
  std::ifstream file(std::string(OCOP_SOURCE_DIR) + "/docs/identity.md");
  std::stringstream docs;
  docs << file.rdbuf();
  std::string expected;
  for (const MethodRule& rule : AccessPolicy()) {
    const std::string row =
        absl::StrCat("| `", rule.method.substr(rule.method.rfind('.') + 1), "` | ",
                     rule.anonymous ? "anyone, no credential" : absl::StrJoin(rule.roles, ", "), " | ", rule.ownership, " |");
    absl::StrAppend(&expected, row, "\n");
    EXPECT_NE(docs.str().find(row), std::string::npos) << "docs/identity.md lacks:\n" << row;
  }
  if (HasFailure()) std::fprintf(stderr, "The table as the code has it:\n%s", expected.c_str());
}

}  // namespace
}  // namespace ocop::auth
