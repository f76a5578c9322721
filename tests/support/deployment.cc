#include "tests/support/deployment.h"

#include <cstdio>
#include <grpcpp/grpcpp.h>

#include "absl/strings/str_cat.h"
#include "common/grpc/client.h"
#include "common/status/grpc_status.h"
#include "common/keys/secret_files.h"
#include "ocop/registry/v1/identity.grpc.pb.h"

namespace ocop::testing {
namespace {

std::unique_ptr<grpc::ClientContext> ContextWith(const std::string& token) {
  auto context = std::make_unique<grpc::ClientContext>();
  grpcutil::PrepareContext(*context, absl::Seconds(10));
  // These calls follow a service's start: on a loaded machine its first handshake can outlast the
  // channel's connect timeout, which fails a call at once unless it waits (up to its deadline).
  context->set_wait_for_ready(true);
  if (!token.empty()) context->AddMetadata("authorization", "Bearer " + token);
  return context;
}

}  // namespace

std::string Deployment::LoopbackAddress(int port) { return absl::StrCat("127.0.0.1:", port); }

absl::Status Deployment::Start(const DeploymentOptions& options) {
  options_ = options;
  auto started = RedisServer::Start(options.redis_max_memory);
  if (!started.ok()) return started.status();
  redis = std::move(*started);
  // The registry first, with a bootstrap admin, who logs in and gives each other service its key.
  const std::string admin_password = dir_.File("secrets/admin-password");
  if (absl::Status status = keys::EnsureSecretFolder(dir_.File("secrets")); !status.ok()) return status;
  if (absl::Status status = keys::WriteSecretFile(admin_password, AdminPassword()); !status.ok()) return status;
  absl::StatusOr<int> port =
      Launch("registry", {"--db=" + dir_.File("registry.db"), "--token_key_dir=" + dir_.File("registry-keys"),
                          "--bootstrap_admin=admin", "--bootstrap_admin_password_file=" + admin_password});
  if (!port.ok()) return port.status();
  Reconnect();
  absl::StatusOr<std::string> token = Login("admin", AdminPassword());
  if (!token.ok()) return token.status();
  admin_token_ = *token;
  for (const char* service : {"batch", "stamp", "lookup"}) {
    if (absl::Status status = CreateServiceKey(service); !status.ok()) return status;
  }
  port = Launch("batch", {"--db=" + dir_.File("batch.db"), "--key_dir=" + dir_.File("batch-keys"),
                          "--registry=" + Address("registry"), "--api_key_file=" + dir_.File("secrets/batch.key")});
  if (!port.ok()) return port.status();
  std::vector<std::string> stamp_flags = {
      "--db=" + dir_.File("stamp.db"), "--key_dir=" + dir_.File("keys"), "--pin_secret_dir=" + dir_.File("pin-secrets"),
      "--batch=" + Address("batch"), "--registry=" + Address("registry"), "--public_base_url=https://ocop.tn.gov.vn",
      "--api_key_file=" + dir_.File("secrets/stamp.key")};
  stamp_flags.insert(stamp_flags.end(), options.stamp_flags.begin(), options.stamp_flags.end());
  port = Launch("stamp", stamp_flags);
  if (!port.ok()) return port.status();
  port = Launch("lookup", LookupFlags("lookup"));
  if (!port.ok()) return port.status();
  absl::StatusOr<int> http_port = WaitForPortFile(dir_.File("lookup-http.port"), absl::Seconds(10));
  if (!http_port.ok()) return http_port.status();
  http_port_ = *http_port;
  return absl::OkStatus();
}

std::vector<std::string> Deployment::LookupFlags(const std::string& name) const {
  std::vector<std::string> flags = {
      "--redis=" + LoopbackAddress(redis->port()), "--registry=" + LoopbackAddress(ports.at("registry")),
      "--batch=" + LoopbackAddress(ports.at("batch")), "--stamp=" + LoopbackAddress(ports.at("stamp")),
      "--public_base_url=https://ocop.tn.gov.vn", "--http_port=0", "--http_port_file=" + dir_.File(name + "-http.port"),
      "--scan_salt_file=" + dir_.File("secrets/scan-salt"), "--api_key_file=" + dir_.File("secrets/lookup.key")};
  flags.insert(flags.end(), options_.lookup_flags.begin(), options_.lookup_flags.end());
  return flags;
}

absl::StatusOr<int> Deployment::Launch(const std::string& name, std::vector<std::string> flags, std::string binary) {
  if (binary.empty()) binary = name;
  const std::string port_file = dir_.File(name + ".port");
  std::vector<std::string> command = {absl::StrCat(options_.services_dir, "/", binary, "/", binary),
                                      "--listen=127.0.0.1:0", "--port_file=" + port_file, "--shutdown_grace_ms=500",
                                      "--metrics_listen=127.0.0.1:0", "--access_log_sample=1",
                                      "--metrics_port_file=" + dir_.File(name + ".metrics-port")};
  command.insert(command.end(), flags.begin(), flags.end());
  argv[name] = command;
  auto process = ChildProcess::Start(command, dir_.File(name + ".log"));
  if (!process.ok()) return process.status();
  processes[name] = std::move(*process);
  absl::StatusOr<int> port = WaitForPortFile(port_file, absl::Seconds(10));
  if (!port.ok()) {
    return absl::Status(port.status().code(), absl::StrCat(name, ": ", port.status().message(), " (see ",
                                                           dir_.File(name + ".log"), ")"));
  }
  ports[name] = *port;
  return *port;
}

std::string Deployment::Metrics(const std::string& name) {
  // Written before the gRPC port file, so it is there by now (also after a restart).
  absl::StatusOr<int> port = WaitForPortFile(dir_.File(name + ".metrics-port"), absl::Seconds(1));
  if (!port.ok()) return "";
  HttpResult scraped = HttpGet(*port, "/metrics");
  return scraped.status == 200 ? scraped.body : "";
}

absl::Status Deployment::Restart(const std::string& name, const std::vector<std::string>& extra_flags) {
  if (processes[name] != nullptr) processes[name]->Stop();
  std::vector<std::string> command = argv[name];
  for (std::string& arg : command) {
    if (arg.starts_with("--listen=")) arg = "--listen=" + Address(name);
  }
  command.insert(command.end(), extra_flags.begin(), extra_flags.end());
  const std::string port_file = dir_.File(name + ".port");
  std::remove(port_file.c_str());
  auto process = ChildProcess::Start(command, dir_.File(name + ".log"));
  if (!process.ok()) return process.status();
  processes[name] = std::move(*process);
  absl::StatusOr<int> port = WaitForPortFile(port_file, absl::Seconds(10));
  if (!port.ok()) return port.status();
  if (*port != ports[name]) return absl::InternalError(absl::StrCat(name, " came back on port ", *port));
  return absl::OkStatus();
}

void Deployment::Reconnect() { registry_channel_ = grpcutil::MakeChannel(Address("registry")); }

absl::StatusOr<std::string> Deployment::Login(const std::string& username, const std::string& password) {
  auto identity = registry::v1::IdentityService::NewStub(registry_channel_);
  registry::v1::LoginRequest login;
  login.set_username(username);
  login.set_password(password);
  registry::v1::LoginResponse session;
  grpc::Status status = identity->Login(ContextWith("").get(), login, &session);
  if (!status.ok()) return FromGrpcStatus("Login " + username, status);
  return session.access_token().token();
}

absl::StatusOr<Deployment::Person> Deployment::SignIn(const std::string& username, const std::string& role,
                                                      const std::string& producer, const std::string& province) {
  auto identity = registry::v1::IdentityService::NewStub(registry_channel_);
  registry::v1::CreateUserRequest create;
  create.set_request_id("deployment-" + username);
  create.mutable_user()->set_username(username);
  create.mutable_user()->set_role(role);
  create.mutable_user()->set_producer(producer);
  create.mutable_user()->set_province_code(province);
  create.set_password(PasswordOf(username));
  registry::v1::User user;
  grpc::Status status = identity->CreateUser(ContextWith(admin_token_).get(), create, &user);
  if (!status.ok()) return FromGrpcStatus("CreateUser " + username, status);
  absl::StatusOr<std::string> token = Login(username, PasswordOf(username));
  if (!token.ok()) return token.status();
  return Person{user.name(), *token};
}

absl::Status Deployment::CreateServiceKey(const std::string& service) {
  auto identity = registry::v1::IdentityService::NewStub(registry_channel_);
  registry::v1::CreateUserRequest create;
  create.mutable_user()->set_username("svc-" + service);
  create.mutable_user()->set_role("service");
  registry::v1::User user;
  grpc::Status status = identity->CreateUser(ContextWith(admin_token_).get(), create, &user);
  if (!status.ok()) return FromGrpcStatus("CreateUser svc-" + service, status);
  registry::v1::CreateApiKeyRequest key_request;
  key_request.set_user(user.name());
  key_request.set_display_name(service + " service");
  registry::v1::CreateApiKeyResponse key;
  status = identity->CreateApiKey(ContextWith(admin_token_).get(), key_request, &key);
  if (!status.ok()) return FromGrpcStatus("CreateApiKey " + service, status);
  return keys::WriteSecretFile(dir_.File("secrets/" + service + ".key"), key.key());
}

std::map<std::string, pid_t> Deployment::Pids() const {
  std::map<std::string, pid_t> pids;
  if (redis != nullptr && redis->pid() > 0) pids["redis-server"] = redis->pid();
  for (const auto& [name, process] : processes) {
    if (process != nullptr && process->running()) pids[name] = process->pid();
  }
  return pids;
}

}  // namespace ocop::testing
