// What every service's main() shares: the server flags and the serve-until-signal loop.
//
// Flags: --listen (host:port; port 0 picks a free one), --port_file, --max_threads,
// --shutdown_grace_ms, --grpc_reflection, --max_message_mb, --metrics_listen and --metrics_port_file; TLS: --tls_cert_file and --tls_key_file (the port speaks TLS only),
// --tls_client_ca_file (clients must present a certificate it signed), --tls_ca_file (calls to our
// other services use TLS, check their certificates against it, and present ours).
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/grpc/server.h"

namespace ocop::grpcutil {

// ServerOptions from the flags above; `default_listen` when --listen is not given. First configures
// the process's logs for service `name` (logs::ConfigureFromFlags: --log_level,
// --access_log_sample, --slow_request_ms), then sets its client TLS (SetClientTls) from
// --tls_ca_file. Exits with a message when a logging flag is bad or a TLS file cannot be read: a
// service must not fall back to plaintext.
ServerOptions ServerOptionsFromFlags(const std::string& name, const std::string& default_listen);

// The address this process reaches its own server at: the listen host (loopback when it listens
// on every interface) with the bound `port`.
std::string SelfAddress(const std::string& listen_address, int port);

// Starts `services` (health and reflection included; none at all when `services` is empty, for a
// process that serves only HTTP), logs "serving gRPC" with its port and `details`, runs `on_serving(port)` when given (e.g. to follow its own feed), waits for
// SIGINT/SIGTERM, runs `before_shutdown` (stop feeds, HTTP, ...), then shuts the server down within the grace period. A shutdown still running one second after the
// grace period is cut short (logged, exit 0), so a stop is always bounded. Returns main()'s exit
// code: 1 if the server could not start. Call BlockShutdownSignals() first thing in main().
int ServeUntilSignal(const ServerOptions& options,
                     const std::vector<grpc::Service*>& services, const std::string& details,
                     const std::function<void()>& before_shutdown,
                     const std::function<void(int)>& on_serving = {});

}  // namespace ocop::grpcutil
