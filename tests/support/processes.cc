#include "tests/support/processes.h"

#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace ocop::testing {

int FreePort() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address));
  socklen_t length = sizeof(address);
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
  close(fd);
  return ntohs(address.sin_port);
}

TempDir::TempDir() {
  const char* base = getenv("TMPDIR");
  std::string pattern = absl::StrCat(base != nullptr ? base : "/tmp", "/ocop-test-XXXXXX");
  char* made = mkdtemp(pattern.data());
  if (made == nullptr) {
    // Never fall back to a shared folder: the destructor deletes what it holds.
    std::fprintf(stderr, "TempDir: cannot make a temporary folder %s: %s\n", pattern.c_str(), std::strerror(errno));
    std::abort();
  }
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ignored;
  std::filesystem::remove_all(path_, ignored);
}

absl::StatusOr<std::unique_ptr<ChildProcess>> ChildProcess::Start(const std::vector<std::string>& argv,
                                                                  const std::string& log_file, bool own_group) {
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = fork();
  if (pid < 0) return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  if (pid == 0) {
    if (own_group) setpgid(0, 0);
    int log = open(log_file.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (log >= 0) {
      dup2(log, STDOUT_FILENO);
      dup2(log, STDERR_FILENO);
    }
    // The parent may block signals (gRPC threads); the child must start with none blocked.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    // Nothing else of ours (ctest's log and pipes, sockets) reaches the child: a server that
    // outlived the test would otherwise keep ctest waiting on its output.
    closefrom(STDERR_FILENO + 1);
    execvp(args[0], args.data());
    _exit(127);
  }
  return std::unique_ptr<ChildProcess>(new ChildProcess(pid));
}

ChildProcess::~ChildProcess() { Stop(absl::Seconds(3)); }

int ChildProcess::Stop(absl::Duration timeout) {
  if (pid_ <= 0) return 0;
  kill(pid_, SIGCONT);
  kill(pid_, SIGTERM);
  absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (true) {
    pid_t done = waitpid(pid_, &status, WNOHANG);
    if (done == pid_) break;
    if (absl::Now() > deadline) {
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

void ChildProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = 0;
}

absl::StatusOr<int> ChildProcess::WaitForExit(absl::Duration timeout) {
  if (pid_ <= 0) return absl::FailedPreconditionError("the process is not running");
  absl::Time deadline = absl::Now() + timeout;
  int status = 0;
  while (waitpid(pid_, &status, WNOHANG) != pid_) {
    if (absl::Now() > deadline) return absl::DeadlineExceededError("still running");
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  pid_ = 0;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status);
}

namespace {

// Whether every thread of `pid` is stopped (state 't' or 'T' in /proc/{pid}/task/{tid}/stat).
bool AllThreadsStopped(pid_t pid) {
  std::error_code error;
  for (const auto& task : std::filesystem::directory_iterator(absl::StrCat("/proc/", pid, "/task"), error)) {
    std::ifstream in(task.path() / "stat");
    std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const size_t name_end = stat.rfind(')');  // the state follows the command name, which may hold spaces
    if (name_end == std::string::npos || name_end + 2 >= stat.size()) continue;  // the thread ended
    const char state = stat[name_end + 2];
    if (state != 'T' && state != 't') return false;
  }
  return !error;
}

}  // namespace

void ChildProcess::Pause() {
  if (pid_ <= 0) return;
  kill(pid_, SIGSTOP);
  // SIGSTOP wakes one thread, which then stops the others; until it has run, the other threads go
  // on serving (a loaded machine may take many milliseconds to schedule it). A test that pauses a
  // service must not be answered by it afterwards, so wait until every thread has stopped.
  const absl::Time deadline = absl::Now() + absl::Seconds(5);
  while (!AllThreadsStopped(pid_) && absl::Now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
}
void ChildProcess::Resume() {
  if (pid_ > 0) kill(pid_, SIGCONT);
}

absl::StatusOr<int> WaitForPortFile(const std::string& path, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    std::ifstream in(path);
    std::string text;
    int port = 0;
    if (in && std::getline(in, text) && absl::SimpleAtoi(text, &port) && port > 0) return port;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("no port file at ", path));
}

absl::Status WaitForTcp(int port, absl::Duration timeout) {
  absl::Time deadline = absl::Now() + timeout;
  while (absl::Now() < deadline) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = htons(static_cast<uint16_t>(port));
    bool connected = connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0;
    close(fd);
    if (connected) return absl::OkStatus();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return absl::DeadlineExceededError(absl::StrCat("nothing listens on port ", port));
}

HttpResult HttpGet(int port, const std::string& target) { return HttpGet(port, target, ""); }

HttpResult HttpGet(int port, const std::string& target, const std::string& extra_headers) {
  return HttpExchange(port, "GET", target, extra_headers, "");
}

HttpResult HttpPostForm(int port, const std::string& target, const std::string& extra_headers,
                        const std::string& body) {
  return HttpExchange(port, "POST", target,
                      absl::StrCat("Content-Type: application/x-www-form-urlencoded\r\n", extra_headers), body);
}

HttpResult HttpExchange(int port, const std::string& method, const std::string& target,
                        const std::string& extra_headers, const std::string& body) {
  HttpResult result;
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = htons(static_cast<uint16_t>(port));
  if (connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
    close(fd);
    return result;
  }
  std::string request = absl::StrCat(method, " ", target, " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n",
                                     body.empty() ? "" : absl::StrCat("Content-Length: ", body.size(), "\r\n"),
                                     extra_headers, "\r\n", body);
  send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string response;
  char buffer[4096];
  ssize_t n;
  while ((n = recv(fd, buffer, sizeof(buffer), 0)) > 0) response.append(buffer, static_cast<size_t>(n));
  close(fd);
  size_t split = response.find("\r\n\r\n");
  if (response.size() < 12 || split == std::string::npos) return result;
  if (!absl::SimpleAtoi(response.substr(9, 3), &result.status)) result.status = 0;  // not an HTTP status line
  result.headers = response.substr(0, split);
  result.body = response.substr(split + 4);
  return result;
}

std::string RunCommand(const std::string& command) {
  std::string output;
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  while (fgets(buffer, sizeof(buffer), pipe) != nullptr) output += buffer;
  pclose(pipe);
  return output;
}

std::optional<double> MetricSample(const std::string& exposition, const std::string& series) {
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, series) || line.size() <= series.size() || line[series.size()] != ' ') continue;
    double value = 0;
    if (absl::SimpleAtod(line.substr(series.size() + 1), &value)) return value;
  }
  return std::nullopt;
}

std::optional<double> MetricSum(const std::string& exposition, const std::string& name,
                                const std::vector<std::string>& labels) {
  std::optional<double> sum;
  for (absl::string_view line : absl::StrSplit(exposition, '\n')) {
    if (!absl::StartsWith(line, name) || line.size() <= name.size()) continue;
    const char next = line[name.size()];
    if (next != ' ' && next != '{') continue;
    const size_t space = line.rfind(' ');
    const absl::string_view series = line.substr(0, space);
    if (!std::all_of(labels.begin(), labels.end(),
                     [&](const std::string& label) { return absl::StrContains(series, label); })) {
      continue;
    }
    double value = 0;
    if (absl::SimpleAtod(line.substr(space + 1), &value)) sum = sum.value_or(0) + value;
  }
  return sum;
}

absl::Status PromtoolCheck(const std::string& exposition) {
  TempDir dir;
  const std::string path = dir.File("metrics.txt");
  {
    std::ofstream out(path);
    out << exposition;
  }
  std::string output = RunCommand(absl::StrCat("promtool check metrics < '", path, "' 2>&1; echo \"exit $?\""));
  if (absl::EndsWith(output, "exit 0\n")) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrCat("promtool check metrics: ", output));
}

std::string DecodeQrWithZbar(const std::string& path) {
  // QR codes only: with every symbology on, zbar now and then also "finds" a linear barcode in a
  // QR code's modules and prints it as a second line (seen once in CI: the URL, then "D30B").
  std::string output =
      RunCommand(absl::StrCat("zbarimg --quiet --raw -Sdisable -Sqrcode.enable '", path, "' 2>/dev/null"));
  while (!output.empty() && (output.back() == '\n' || output.back() == '\r')) output.pop_back();
  return output;
}

std::vector<std::string> DecodeEachLabelOfA4Sheet(const std::string& pdf, int page, int labels,
                                                  const std::string& scratch_dir) {
  constexpr int kColumns = 3, kRows = 8;
  constexpr double kLabelWidthMm = 64, kLabelHeightMm = 34;
  constexpr double kMarginXMm = (210 - kColumns * kLabelWidthMm) / 2;
  constexpr double kMarginYMm = (297 - kRows * kLabelHeightMm) / 2;
  constexpr int kDpi = 300;
  auto pixels = [](double mm) { return static_cast<int>(mm / 25.4 * kDpi); };
  std::vector<std::string> decoded;
  for (int slot = 0; slot < labels && slot < kColumns * kRows; ++slot) {
    const std::string prefix = absl::StrCat(scratch_dir, "/label-", page, "-", slot);
    RunCommand(absl::StrCat("pdftoppm -r ", kDpi, " -f ", page, " -l ", page, " -singlefile -png",
                            " -x ", pixels(kMarginXMm + (slot % kColumns) * kLabelWidthMm),
                            " -y ", pixels(kMarginYMm + (slot / kColumns) * kLabelHeightMm),
                            " -W ", pixels(kLabelWidthMm), " -H ", pixels(kLabelHeightMm), " '", pdf, "' '",
                            prefix, "'"));
    decoded.push_back(DecodeQrWithZbar(prefix + ".png"));
  }
  return decoded;
}

absl::StatusOr<std::unique_ptr<RedisServer>> RedisServer::Start(const std::string& max_memory,
                                                                const std::string& password) {
  std::unique_ptr<RedisServer> server(new RedisServer());
  server->port_ = FreePort();
  server->max_memory_ = max_memory;
  server->password_ = password;
  absl::Status launched = server->Launch();
  if (!launched.ok()) return launched;
  return server;
}

absl::Status RedisServer::Restart() { return Launch(); }

absl::Status RedisServer::Launch() {
  std::vector<std::string> argv = {"redis-server", "--port", absl::StrCat(port_), "--bind", "127.0.0.1", "--dir",
                                   dir_.path(), "--save", "", "--appendonly", "yes", "--maxmemory", max_memory_,
                                   "--maxmemory-policy", "volatile-ttl", "--daemonize", "no"};
  if (!password_.empty()) argv.insert(argv.end(), {"--requirepass", password_});
  auto process = ChildProcess::Start(argv, dir_.File("redis.log"));
  if (!process.ok()) return process.status();
  process_ = std::move(*process);
  return WaitForTcp(port_, absl::Seconds(10));
}

}  // namespace ocop::testing
