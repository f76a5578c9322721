// ocopctl's identity commands: create-user, login, token, create-api-key, revoke-credential, audit.
// A login keeps the session in a 0600 credentials file; `token` prints a fresh access token from
// it (or from --api_key / OCOP_API_KEY) for other tools (grpcurl -H "authorization: Bearer ...").
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <map>

#include "absl/flags/flag.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "common/keys/secret_files.h"
#include "common/status/status_macros.h"
#include "ocop/common/v1/common.grpc.pb.h"
#include "ocop/registry/v1/identity.grpc.pb.h"
#include "tools/ocopctl/cli.h"

ABSL_FLAG(std::string, username, "", "create-user, login: the username");
ABSL_FLAG(std::string, password_file, "",
          "create-user, login: a file holding the password (passwords are never flag values: flags show in ps)");
ABSL_FLAG(std::string, user_role, "", "create-user: admin, office, council, producer, printer or integrator");
ABSL_FLAG(std::string, printer_id, "", "create-user: the printing house of a printer");
ABSL_FLAG(std::string, user, "", "create-api-key: the owner, users/{id}");
ABSL_FLAG(std::string, credentials_file, "",
          "Where login keeps the session (0600; default $OCOP_CREDENTIALS or ~/.config/ocop-trace/credentials)");
ABSL_FLAG(std::string, api_key, "", "token: an API key to exchange (default $OCOP_API_KEY)");
ABSL_FLAG(std::string, name, "", "revoke-credential: sessions/{id}, apiKeys/{id} or users/{id}");
ABSL_FLAG(std::string, audit_service, "registry", "audit: whose trail: registry, batch or stamp");
ABSL_FLAG(std::string, audit_subject, "", "audit: only this subject (users/{id})");
ABSL_FLAG(std::string, audit_method, "", "audit: only methods containing this, e.g. AppendEvent");
ABSL_FLAG(std::string, audit_resource, "", "audit: only records naming a resource containing this");
ABSL_FLAG(bool, denied_only, false, "audit: only refused attempts");
ABSL_FLAG(std::string, since, "", "audit: only records at or after this time (RFC 3339)");
ABSL_DECLARE_FLAG(std::string, producer);
ABSL_DECLARE_FLAG(std::string, batch_service);
ABSL_DECLARE_FLAG(std::string, stamp);
ABSL_DECLARE_FLAG(std::string, province_code);
ABSL_DECLARE_FLAG(std::string, display_name);
ABSL_DECLARE_FLAG(std::string, request_id);
ABSL_DECLARE_FLAG(std::string, reason);

namespace ocop::ctl {
namespace {

std::unique_ptr<registry::v1::IdentityService::Stub> Identity() {
  return registry::v1::IdentityService::NewStub(grpcutil::MakeChannel(absl::GetFlag(FLAGS_registry)));
}

std::string CredentialsPath() {
  if (!absl::GetFlag(FLAGS_credentials_file).empty()) return absl::GetFlag(FLAGS_credentials_file);
  if (const char* path = std::getenv("OCOP_CREDENTIALS"); path != nullptr && *path != '\0') return path;
  const char* home = std::getenv("HOME");
  return absl::StrCat(home != nullptr ? home : ".", "/.config/ocop-trace/credentials");
}

absl::StatusOr<std::string> ReadPassword() {
  if (absl::GetFlag(FLAGS_password_file).empty()) {
    return absl::InvalidArgumentError("--password_file: required (a file holding the password)");
  }
  absl::StatusOr<std::string> password = keys::ReadSecretFile(absl::GetFlag(FLAGS_password_file));
  if (!password.ok()) return password.status();
  return std::string(absl::StripTrailingAsciiWhitespace(*password));
}

// "key=value" lines.
std::map<std::string, std::string> ReadCredentials() {
  std::map<std::string, std::string> values;
  absl::StatusOr<std::string> text = keys::ReadSecretFile(CredentialsPath());
  if (!text.ok()) return values;
  for (absl::string_view line : absl::StrSplit(*text, '\n')) {
    std::pair<std::string, std::string> entry = absl::StrSplit(line, absl::MaxSplits('=', 1));
    if (!entry.first.empty()) values[entry.first] = entry.second;
  }
  return values;
}

absl::Status WriteCredentials(const std::map<std::string, std::string>& values) {
  const std::filesystem::path path = CredentialsPath();
  if (path.has_parent_path()) {
    absl::Status folder = keys::EnsureSecretFolder(path.parent_path().string());
    if (!folder.ok()) return folder;
  }
  std::error_code ignored;
  std::filesystem::remove(path, ignored);
  std::string text;
  for (const auto& [key, value] : values) absl::StrAppend(&text, key, "=", value, "\n");
  return keys::WriteSecretFile(path.string(), text);
}

}  // namespace

namespace {

// The API key of --api_key or $OCOP_API_KEY, else empty.
std::string ApiKey() {
  if (!absl::GetFlag(FLAGS_api_key).empty()) return absl::GetFlag(FLAGS_api_key);
  const char* key = std::getenv("OCOP_API_KEY");
  return key != nullptr ? key : "";
}

// A fresh access token from the API key or the stored session; the session's token is stored.
absl::StatusOr<std::string> MintToken() {
  const std::string api_key = ApiKey();
  std::map<std::string, std::string> values = ReadCredentials();
  registry::v1::MintAccessTokenRequest request;
  if (!api_key.empty()) {
    request.set_api_key(api_key);
  } else if (!values["session_secret"].empty()) {
    request.set_session_secret(values["session_secret"]);
  } else {
    return absl::UnauthenticatedError("not signed in: run ocopctl login, or pass --api_key (or set OCOP_API_KEY)");
  }
  grpc::ClientContext context;
  grpcutil::PrepareContext(context, absl::Milliseconds(absl::GetFlag(FLAGS_deadline_ms)));
  registry::v1::AccessToken token;
  if (grpc::Status status = Identity()->MintAccessToken(&context, request, &token); !status.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
  }
  if (api_key.empty()) {
    values["access_token"] = token.token();
    values["access_token_expires"] = absl::StrCat(token.expire_time().seconds());
    OCOP_RETURN_IF_ERROR(WriteCredentials(values));
  }
  return token.token();
}

}  // namespace

absl::StatusOr<std::string> CallerToken() {
  static const auto* token = new absl::StatusOr<std::string>([]() -> absl::StatusOr<std::string> {
    // A token from elsewhere (e.g. the province's OpenID Connect provider, or a script that ran
    // `ocopctl token`) is used as it is.
    if (const char* given = std::getenv("OCOP_ACCESS_TOKEN"); given != nullptr && *given != '\0') return given;
    if (ApiKey().empty()) {
      std::map<std::string, std::string> values = ReadCredentials();
      int64_t expires = 0;
      if (!values["access_token"].empty() && absl::SimpleAtoi(values["access_token_expires"], &expires) &&
          absl::FromUnixSeconds(expires) > absl::Now() + absl::Seconds(60)) {
        return values["access_token"];
      }
    }
    return MintToken();
  }());
  return *token;
}

int CreateUser() {
  registry::v1::CreateUserRequest request;
  request.mutable_user()->set_username(absl::GetFlag(FLAGS_username));
  request.mutable_user()->set_display_name(absl::GetFlag(FLAGS_display_name));
  request.mutable_user()->set_role(absl::GetFlag(FLAGS_user_role));
  request.mutable_user()->set_producer(absl::GetFlag(FLAGS_producer));
  request.mutable_user()->set_province_code(absl::GetFlag(FLAGS_province_code));
  request.mutable_user()->set_printer(absl::GetFlag(FLAGS_printer_id));
  request.set_request_id(absl::GetFlag(FLAGS_request_id));
  if (!absl::GetFlag(FLAGS_password_file).empty()) {
    absl::StatusOr<std::string> password = ReadPassword();
    if (!password.ok()) return Usage(std::string(password.status().message()));
    request.set_password(*password);
  }
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::User user;
  grpc::Status status = Identity()->CreateUser(&context, request, &user);
  if (!status.ok()) return Fail(status);
  std::printf("%s\n", user.name().c_str());
  return 0;
}

int Login() {
  absl::StatusOr<std::string> password = ReadPassword();
  if (!password.ok()) return Usage(std::string(password.status().message()));
  registry::v1::LoginRequest request;
  request.set_username(absl::GetFlag(FLAGS_username));
  request.set_password(*password);
  grpc::ClientContext context;
  PrepareAnonymous(context);
  registry::v1::LoginResponse response;
  grpc::Status status = Identity()->Login(&context, request, &response);
  if (!status.ok()) return Fail(status);
  absl::Status written = WriteCredentials(
      {{"session", response.session()},
       {"session_secret", response.session_secret()},
       {"access_token", response.access_token().token()},
       {"access_token_expires", absl::StrCat(response.access_token().expire_time().seconds())}});
  if (!written.ok()) return Usage(absl::StrCat("credentials file: ", written.message()));
  std::printf("%s (credentials in %s)\n", response.session().c_str(), CredentialsPath().c_str());
  return 0;
}

int Token() {
  absl::StatusOr<std::string> token = MintToken();
  if (!token.ok()) return Usage(absl::StrCat("token: ", token.status().message()));
  std::printf("%s\n", token->c_str());
  return 0;
}

int CreateApiKey() {
  registry::v1::CreateApiKeyRequest request;
  request.set_user(absl::GetFlag(FLAGS_user));
  request.set_display_name(absl::GetFlag(FLAGS_display_name));
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::CreateApiKeyResponse response;
  grpc::Status status = Identity()->CreateApiKey(&context, request, &response);
  if (!status.ok()) return Fail(status);
  // The key is shown once: on stdout only, for the caller to keep.
  std::printf("%s %s\n", response.name().c_str(), response.key().c_str());
  return 0;
}

int Audit() {
  const std::string service = absl::GetFlag(FLAGS_audit_service);
  std::string address;
  if (service == "registry") address = absl::GetFlag(FLAGS_registry);
  if (service == "batch") address = absl::GetFlag(FLAGS_batch_service);
  if (service == "stamp") address = absl::GetFlag(FLAGS_stamp);
  if (address.empty()) return Usage("--audit_service must be registry, batch or stamp");
  common::v1::ListAuditRecordsRequest request;
  request.set_subject(absl::GetFlag(FLAGS_audit_subject));
  request.set_method(absl::GetFlag(FLAGS_audit_method));
  request.set_resource(absl::GetFlag(FLAGS_audit_resource));
  request.set_denied_only(absl::GetFlag(FLAGS_denied_only));
  if (const std::string since = absl::GetFlag(FLAGS_since); !since.empty()) {
    absl::Time time;
    std::string error;
    if (!absl::ParseTime(absl::RFC3339_full, since, &time, &error)) return Usage("--since: " + error);
    grpcutil::ToProtoTime(time, request.mutable_since());
  }
  auto stub = common::v1::AuditService::NewStub(grpcutil::MakeChannel(address));
  PrintCsv({"position", "time", "subject", "role", "credential", "method", "resources", "peer", "request_id",
            "outcome"});
  do {
    grpc::ClientContext context;
    Prepare(context);
    common::v1::ListAuditRecordsResponse response;
    grpc::Status status = stub->ListAuditRecords(&context, request, &response);
    if (!status.ok()) return Fail(status);
    for (const common::v1::AuditRecord& record : response.records()) {
      PrintCsv({absl::StrCat(record.position()),
                absl::FormatTime(absl::RFC3339_sec, grpcutil::FromProtoTime(record.time()), absl::UTCTimeZone()),
                record.subject(), record.role(), record.credential(), record.method(),
                absl::StrJoin(record.resources(), " "), record.peer(), record.request_id(), record.outcome()});
    }
    request.set_page_token(response.next_page_token());
  } while (!request.page_token().empty());
  return 0;
}

int RevokeCredential() {
  registry::v1::RevokeCredentialRequest request;
  request.set_name(absl::GetFlag(FLAGS_name));
  request.set_reason(absl::GetFlag(FLAGS_reason));
  grpc::ClientContext context;
  Prepare(context);
  registry::v1::RevokeCredentialResponse response;
  grpc::Status status = Identity()->RevokeCredential(&context, request, &response);
  if (!status.ok()) return Fail(status);
  return 0;
}

}  // namespace ocop::ctl
