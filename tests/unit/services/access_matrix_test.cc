// The role x method table enforced by the running services: every RPC of registry, batch and stamp
// (read from the compiled descriptors) is called with no credential and with a token of every
// role, over real gRPC on loopback. A role the table refuses must get PERMISSION_DENIED naming the
// rule; an allowed role must get past the gate (whatever the empty request then earns); no
// credential must get UNAUTHENTICATED unless the method is public. Ownership (which producer,
// which province) is tested per service; here the scope matches nothing in the empty databases.
#include <gtest/gtest.h>

#include <grpcpp/generic/generic_stub.h>

#include <algorithm>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/access_policy.h"
#include "common/grpc/client.h"
#include "ocop/batch/v1/batch.pb.h"
#include "ocop/common/v1/common.pb.h"
#include "ocop/registry/v1/evaluation.pb.h"
#include "ocop/registry/v1/identity.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "ocop/stamp/v1/stamp.pb.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"

namespace ocop {
namespace {

using ::ocop::testing::IsOk;

class AccessMatrixTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto registry = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
    ASSERT_THAT(registry, IsOk());
    registry_ = std::move(*registry);
    auto batch = ocop::testing::BatchHarness::Start(dir_.File("batch.db"), registry_->address());
    ASSERT_THAT(batch, IsOk());
    batch_ = std::move(*batch);
    stamp::StampsConfig config;
    config.public_base_url = "https://ocop.tn.gov.vn";
    auto stamp = ocop::testing::StampHarness::Start(dir_.File("stamp.db"), dir_.File("keys"), batch_->address(),
                                                    registry_->address(), config);
    ASSERT_THAT(stamp, IsOk());
    stamp_ = std::move(*stamp);
  }

  // Calls `method` ("/pkg.Service/Method") on `address` with an empty request as `caller` (no
  // credential when null); a streaming method is cut short by the deadline once past the gate.
  grpc::Status Call(const std::string& address, const std::string& method, const Actor* caller,
                    absl::Duration deadline) {
    grpc::GenericStub stub(grpcutil::MakeChannel(address));
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline);
    if (caller != nullptr) context.AddMetadata("authorization", "Bearer " + ocop::testing::TestToken(*caller));
    grpc::Slice empty("");
    grpc::ByteBuffer request(&empty, 1);
    grpc::ByteBuffer response;
    grpc::CompletionQueue queue;
    std::unique_ptr<grpc::GenericClientAsyncResponseReader> call =
        stub.PrepareUnaryCall(&context, method, request, &queue);
    call->StartCall();
    grpc::Status status;
    call->Finish(&response, &status, reinterpret_cast<void*>(1));
    void* tag = nullptr;
    bool ok = false;
    queue.Next(&tag, &ok);
    queue.Shutdown();
    while (queue.Next(&tag, &ok)) {
    }
    return status;
  }

  // A caller of `role` with a scope that owns nothing here.
  static Actor CallerWithRole(const std::string& role) {
    Actor caller(absl::StrCat("users/matrix-", role), role);
    if (role == "producer") caller.producer = "producers/matrix";
    if (role == "office") caller.province = "19";
    if (role == "printer") caller.printer = "matrix-press";
    return caller;
  }

  ocop::testing::TempDir dir_;
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  std::unique_ptr<ocop::testing::BatchHarness> batch_;
  std::unique_ptr<ocop::testing::StampHarness> stamp_;
};

TEST_F(AccessMatrixTest, EveryRoleGetsExactlyWhatTheTableSaysOnEveryMethod) {
  struct Server {
    const google::protobuf::FileDescriptor* file;
    std::string address;
  };
  const Server servers[] = {
      {registry::v1::Producer::descriptor()->file(), registry_->address()},
      {registry::v1::EvaluationRound::descriptor()->file(), registry_->address()},
      {registry::v1::User::descriptor()->file(), registry_->address()},
      {batch::v1::Batch::descriptor()->file(), batch_->address()},
      {stamp::v1::Stamp::descriptor()->file(), stamp_->address()},
      {common::v1::AuditRecord::descriptor()->file(), registry_->address()},
      {common::v1::AuditRecord::descriptor()->file(), batch_->address()},
      {common::v1::AuditRecord::descriptor()->file(), stamp_->address()},
  };
  int methods = 0;
  int denials = 0;
  for (const Server& server : servers) {
    for (int s = 0; s < server.file->service_count(); ++s) {
      const google::protobuf::ServiceDescriptor* service = server.file->service(s);
      for (int m = 0; m < service->method_count(); ++m) {
        const std::string method = absl::StrCat(service->full_name(), "/", service->method(m)->name());
        // A stream that got past the gate runs until the deadline; a unary call answers at once
        // (a long deadline keeps slow sanitizer builds from turning answers into timeouts).
        const absl::Duration deadline =
            service->method(m)->server_streaming() ? absl::Seconds(1) : absl::Seconds(10);
        const auth::MethodRule* rule = auth::RuleFor(method);
        ASSERT_NE(rule, nullptr) << method;
        ++methods;
        grpc::Status anonymous = Call(server.address, "/" + method, nullptr, deadline);
        if (rule->anonymous) {  // past the gate (Login may still refuse the empty password)
          EXPECT_FALSE(absl::StrContains(anonymous.error_message(), "no credential")) << method;
        } else {
          EXPECT_EQ(anonymous.error_code(), grpc::StatusCode::UNAUTHENTICATED) << method << ": " << anonymous.error_message();
          EXPECT_TRUE(absl::StrContains(anonymous.error_message(), "no credential")) << method;
        }
        for (const char* role : auth::kRoles) {
          const Actor caller = CallerWithRole(role);
          grpc::Status status = Call(server.address, "/" + method, &caller, deadline);
          const bool allowed = rule->anonymous ||
                               std::find(rule->roles.begin(), rule->roles.end(), role) != rule->roles.end();
          const std::string gate = absl::StrCat("may call it, not ", role);
          if (allowed) {
            EXPECT_FALSE(absl::StrContains(status.error_message(), gate)) << method << " as " << role;
            EXPECT_FALSE(absl::StrContains(status.error_message(), "no credential")) << method << " as " << role;
          } else {
            ++denials;
            EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << method << " as " << role;
            EXPECT_TRUE(absl::StrContains(status.error_message(), gate))
                << method << " as " << role << ": " << status.error_message();
          }
        }
      }
    }
  }
  EXPECT_GE(methods, 72);  // every RPC but lookup's two public ones
  EXPECT_GT(denials, 200);
}

}  // namespace
}  // namespace ocop
