#include "tools/ocopctl/cli.h"

#include <google/protobuf/util/json_util.h>

#include <cstdio>

#include "absl/flags/flag.h"
#include "absl/status/status.h"
#include "absl/time/time.h"
#include "common/csv/csv.h"
#include "common/grpc/client.h"
#include "common/log/log.h"

ABSL_FLAG(std::string, registry, "127.0.0.1:50051", "Registry service address");
ABSL_FLAG(int, deadline_ms, 10000, "Deadline of each call");


namespace ocop::ctl {

void Prepare(grpc::ClientContext& context) {
  Prepare(context, absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms)));
}

void Prepare(grpc::ClientContext& context, absl::Duration deadline) {
  grpcutil::PrepareContext(context, deadline);
  // Without a token the call goes out anyway: public methods need none, and the others answer
  // UNAUTHENTICATED with the reason, which Fail() prints.
  absl::StatusOr<std::string> token = CallerToken();
  if (token.ok()) {
    context.AddMetadata("authorization", "Bearer " + *token);
  } else {
    std::fprintf(stderr, "ocopctl: %s\n", std::string(token.status().message()).c_str());
  }
}

void PrepareAnonymous(grpc::ClientContext& context) {
  grpcutil::PrepareContext(context, absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms)));
}

void StartRequest() {
  (void)logs::ConfigureFromFlags("ocopctl");
  // Not --request_id, which names a write for idempotency; this id is for the logs. Never
  // destroyed: at exit the thread's id is gone before static objects are.
  static auto* scope = new logs::RequestScope(logs::NewRequestId());
  (void)scope;
}

int Fail(const grpc::Status& status) {
  // The request id finds the call in the services' logs.
  std::fprintf(stderr, "ocopctl: %s: %s (request id %s)\n",
               absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())).c_str(),
               status.error_message().c_str(), logs::CurrentRequestId().c_str());
  return 1;
}

int Usage(const std::string& message) {
  std::fprintf(stderr, "ocopctl: %s\n", message.c_str());
  return 2;
}

void PrintCsv(const std::vector<std::string>& cells) {
  std::fputs(csv::FormatRecord(cells, csv::Formulas::kNeutralise).c_str(), stdout);
}

int PrintJson(const google::protobuf::Message& message) {
  std::string json;
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) return 1;
  std::printf("%s", json.c_str());
  return 0;
}

std::unique_ptr<registry::v1::RegistryService::Stub> Registry() {
  return registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(absl::GetFlag(FLAGS_registry)));
}

}  // namespace ocop::ctl
