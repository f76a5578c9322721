// The whole system as an operator starts it, for the end-to-end tests and tools/soak: a real
// redis-server and the four service binaries as separate processes on loopback ports chosen at run
// time, the registry's bootstrap admin logged in over gRPC, and each other service given its own
// API key (role service) by that admin.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "tests/support/processes.h"

namespace grpc {
class Channel;
}

namespace ocop::testing {

struct DeploymentOptions {
  std::string services_dir;                // holds {name}/{name}: build/services
  std::string redis_max_memory = "64mb";
  std::vector<std::string> stamp_flags;    // after the defaults (a later flag wins)
  std::vector<std::string> lookup_flags;   // after the defaults, for every lookup started
};

class Deployment {
 public:
  // Someone signed in with a password: users/{id} and an access token (15 minutes).
  struct Person {
    std::string name;
    std::string token;
  };

  // Starts redis-server, the registry, batch, stamp and lookup, in that order, with every file in
  // `dir()`. Each service log is {name}.log there.
  absl::Status Start(const DeploymentOptions& options);

  // Starts {services_dir}/{binary}/{binary} (default: `name`) on a free port and returns the port it
  // bound; its files are named after `name`.
  absl::StatusOr<int> Launch(const std::string& name, std::vector<std::string> flags, std::string binary = "");
  // SIGTERM, then SIGKILL after the grace the process is given.
  void Stop(const std::string& name) { processes[name]->Stop(); }
  // Stops `name` (if it runs) and starts it again on the same port with `extra_flags` added.
  absl::Status Restart(const std::string& name, const std::vector<std::string>& extra_flags);
  // What `name`'s /metrics serves now (every service is started with --metrics_listen); empty when
  // it does not answer.
  std::string Metrics(const std::string& name);
  // Lookup's flags, its files named after `name` (a second lookup shares Redis and the backends).
  std::vector<std::string> LookupFlags(const std::string& name) const;

  // A user `username` with `role` (and scope) created by the admin, then logged in with a password.
  absl::StatusOr<Person> SignIn(const std::string& username, const std::string& role, const std::string& producer = "",
                                const std::string& province = "");
  // Logs `username` in again (a fresh access token).
  absl::StatusOr<std::string> Login(const std::string& username, const std::string& password);
  static std::string PasswordOf(const std::string& username) { return "password of " + username; }
  static std::string AdminPassword() { return "deployment admin password 2026"; }

  // Opens the channel to the registry again (after grpcutil::SetClientTls, for a TLS deployment).
  void Reconnect();

  std::string Address(const std::string& name) { return LoopbackAddress(ports[name]); }
  static std::string LoopbackAddress(int port);
  const std::string& admin_token() const { return admin_token_; }
  int http_port() const { return http_port_; }
  const TempDir& dir() const { return dir_; }
  // The process ids of redis-server and every service, by name.
  std::map<std::string, pid_t> Pids() const;

  std::unique_ptr<RedisServer> redis;
  std::map<std::string, std::unique_ptr<ChildProcess>> processes;
  std::map<std::string, std::vector<std::string>> argv;
  std::map<std::string, int> ports;

 private:
  absl::Status CreateServiceKey(const std::string& service);

  DeploymentOptions options_;
  std::shared_ptr<grpc::Channel> registry_channel_;
  TempDir dir_;
  std::string admin_token_;
  int http_port_ = 0;
};

}  // namespace ocop::testing
