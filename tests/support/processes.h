// Test helpers that deal with real processes and ports: free loopback ports, temporary folders,
// child processes that are always killed, and a redis-server per fixture.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace ocop::testing {

// A TCP port on 127.0.0.1 that was free a moment ago (bind to 0, read back, close).
int FreePort();

// A fresh folder under $TMPDIR (or /tmp), removed with its contents on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::string& path() const { return path_; }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// A child process, killed (SIGTERM, then SIGKILL) when this object goes away, even if a test fails.
class ChildProcess {
 public:
  // Starts argv[0] (searched in PATH) with its output appended to `log_file`.
  // With `own_group`, the child leads a process group of its own (its id is the child's pid), so
  // that KillGroup() reaches whatever it started.
  static absl::StatusOr<std::unique_ptr<ChildProcess>> Start(const std::vector<std::string>& argv,
                                                             const std::string& log_file, bool own_group = false);
  ~ChildProcess();
  pid_t pid() const { return pid_; }
  // Sends SIGTERM and waits up to `timeout`, then SIGKILL. Returns the exit status (or -signal).
  int Stop(absl::Duration timeout = absl::Seconds(5));
  // Waits up to `timeout` for the process to exit by itself: its exit status (or -signal), or
  // DEADLINE_EXCEEDED while it still runs.
  absl::StatusOr<int> WaitForExit(absl::Duration timeout);
  // Sends SIGKILL (a crash: no handler runs, nothing is flushed) and reaps the process.
  void Kill();
  // Sends SIGSTOP and returns once every thread has stopped / sends SIGCONT (a hung peer).
  void Pause();
  void Resume();
  bool running() const { return pid_ > 0; }

 private:
  explicit ChildProcess(pid_t pid) : pid_(pid) {}
  pid_t pid_;
};

// Reads an integer port written by a service's --port_file, waiting up to `timeout` for it.
absl::StatusOr<int> WaitForPortFile(const std::string& path, absl::Duration timeout);

// Waits until something accepts TCP connections on 127.0.0.1:port.
absl::Status WaitForTcp(int port, absl::Duration timeout);

struct HttpResult {
  int status = 0;            // 0 when nothing answered
  std::string headers;       // the raw header block
  std::string body;
};
// A plain HTTP/1.1 GET to 127.0.0.1:port (Connection: close).
HttpResult HttpGet(int port, const std::string& target);
// The same with more header lines, each ending in "\r\n" (e.g. "X-Forwarded-For: 192.0.2.1\r\n").
HttpResult HttpGet(int port, const std::string& target, const std::string& extra_headers);
// A form POST (application/x-www-form-urlencoded `body`).
HttpResult HttpPostForm(int port, const std::string& target, const std::string& extra_headers,
                        const std::string& body);
// Any method, with a body when not empty.
HttpResult HttpExchange(int port, const std::string& method, const std::string& target,
                        const std::string& extra_headers, const std::string& body);

// Runs `command` with /bin/sh and returns what it wrote to stdout.
std::string RunCommand(const std::string& command);

// The value of one sample in Prometheus text exposition: `series` as it is printed, e.g.
// `grpc_server_handled_total{grpc_code="OK",grpc_method="Check",...}` (labels in name order, as
// prometheus-cpp prints them); nothing when no line has it.
std::optional<double> MetricSample(const std::string& exposition, const std::string& series);
// The sum of every sample of `name` whose labels contain each of `labels` (`key="value"` pieces);
// nothing when there is none.
std::optional<double> MetricSum(const std::string& exposition, const std::string& name,
                                const std::vector<std::string>& labels = {});
// Runs Debian's `promtool check metrics` on `exposition` (its parser and its lint rules); OK, or
// INVALID_ARGUMENT with what promtool said.
absl::Status PromtoolCheck(const std::string& exposition);

// Decodes the QR code in the PNG file at `path` with zbar's command-line decoder (a real reader,
// independent of the encoder); empty when nothing decodes.
std::string DecodeQrWithZbar(const std::string& path);
// Decodes each label of page `page` (from 1) of an A4 stamp sheet PDF (common/label/pdf.cc's grid:
// 3 x 8 labels of 64 x 34 mm, centred) one label at a time: the label's area is rasterised at
// 300 dpi and given to zbar alone, since zbar on a whole sheet of 24 codes now and then misses some.
// Returns `labels` texts in label order, each empty when its code did not decode. Scratch files go
// to `scratch_dir`.
std::vector<std::string> DecodeEachLabelOfA4Sheet(const std::string& pdf, int page, int labels,
                                                  const std::string& scratch_dir);

// A redis-server on a free loopback port, configured as production runs it (volatile-ttl, AOF),
// with its files in its own temporary folder.
class RedisServer {
 public:
  // `max_memory` as redis-server takes it ("64mb"), with the policy lookup asks for (volatile-ttl).
  // A non-empty `password` is required of clients (requirepass).
  static absl::StatusOr<std::unique_ptr<RedisServer>> Start(const std::string& max_memory = "64mb",
                                                            const std::string& password = "");
  int port() const { return port_; }
  pid_t pid() const { return process_ ? process_->pid() : 0; }
  void Stop() { process_.reset(); }
  // SIGSTOP / SIGCONT: the socket stays open but nothing answers (a hung server).
  void Pause() { process_->Pause(); }
  void Resume() { process_->Resume(); }
  // Starts it again on the same port (after Stop()).
  absl::Status Restart();

 private:
  RedisServer() = default;
  absl::Status Launch();
  TempDir dir_;
  int port_ = 0;
  std::string max_memory_;
  std::string password_;
  std::unique_ptr<ChildProcess> process_;
};

}  // namespace ocop::testing
