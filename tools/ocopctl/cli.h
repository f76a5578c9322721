// What every ocopctl command uses: connection flags, call setup, output and error reporting.
#pragma once

#include <google/protobuf/message.h>
#include <grpcpp/client_context.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/declare.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/time/time.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "tools/ocopctl/registry_words.h"

ABSL_DECLARE_FLAG(std::string, registry);
ABSL_DECLARE_FLAG(int, deadline_ms);

namespace ocop::ctl {

// The deadline (--deadline_ms, or `deadline`) and the caller's access token (CallerToken()).
void Prepare(grpc::ClientContext& context);
void Prepare(grpc::ClientContext& context, absl::Duration deadline);
// The deadline only: for calls that need no credential (login, public keys).
void PrepareAnonymous(grpc::ClientContext& context);
// Configures logs (--log_level) and makes this invocation one request: every call it makes carries
// the same new request id (x-request-id metadata). Call once in main() after parsing flags.
void StartRequest();
// Prints the status and the request id to stderr; returns the exit code 1.
int Fail(const grpc::Status& status);
// Prints a usage error to stderr; returns the exit code 2.
int Usage(const std::string& message);
// Prints `message` as indented JSON on stdout; returns 0.
int PrintJson(const google::protobuf::Message& message);

// Identity (identity_commands.cc).
int CreateUser();
int Login();
int Token();
int CreateApiKey();
int RevokeCredential();
// The audit trail of a service, as CSV (identity_commands.cc).
int Audit();
// The caller's access token: minted from --api_key / $OCOP_API_KEY, else the one `login` stored
// while it is valid, else minted from the stored session. Asked once per run.
absl::StatusOr<std::string> CallerToken();
// Prints one CSV record to stdout. Reports are opened in spreadsheets: cells that would run as a
// formula are defused (csv::Formulas::kNeutralise).
void PrintCsv(const std::vector<std::string>& cells);

std::unique_ptr<registry::v1::RegistryService::Stub> Registry();

// Registry reporting and bulk commands (registry_commands.cc); each returns the exit code.
int ReportCertified();
int ReportProducers();
int ListExpiring();
int SetPlan();
int PlanProgress();
int SetSalesPoints();
int ListSalesPoints();
int SetProductIdeas();
int ReportProductIdeas();
int ListProductCategories();
int Import();

// Batch commands (batch_commands.cc).
int CreateArea();
int CreateSeason();
int CreateBatch();
int AppendEvent();
int ListEvents();
int SplitBatch();
int MergeBatches();
int RecallBatch();
int Trace();
int VerifyChain();
int ExportEpcis();

// Evaluation commands (evaluation_commands.cc).
int CreateRound();
int SubmitDossier();
int AcceptDossier();
int ReturnDossier();
int ListDossiers();
int ScoreSheet();
int CloseRound();
int RoundResult();

}  // namespace ocop::ctl
