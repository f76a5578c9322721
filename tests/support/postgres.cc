#include "tests/support/postgres.h"

#include <fcntl.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <mutex>

#include "absl/strings/str_cat.h"

namespace ocop::testing {
namespace {

// Where Debian's postgresql-15 package keeps initdb and postgres.
constexpr char kBinaries[] = "/usr/lib/postgresql/15/bin";
constexpr char kServerUser[] = "postgres";

// argv prefixed so that it runs as the server user when we are root.
std::vector<std::string> AsServerUser(std::vector<std::string> argv) {
  if (geteuid() != 0) return argv;
  std::vector<std::string> wrapped = {"setpriv", absl::StrCat("--reuid=", kServerUser),
                                      absl::StrCat("--regid=", kServerUser), "--init-groups", "--"};
  wrapped.insert(wrapped.end(), argv.begin(), argv.end());
  return wrapped;
}

absl::Status ChownToServerUser(const std::string& path) {
  if (geteuid() != 0) return absl::OkStatus();
  const passwd* user = getpwnam(kServerUser);
  if (user == nullptr) {
    return absl::UnavailableError("the postgres user does not exist (tools/setup installs postgresql-15)");
  }
  std::string command = absl::StrCat("chown -R ", user->pw_uid, ":", user->pw_gid, " '", path, "'");
  if (std::system(command.c_str()) != 0) return absl::InternalError(absl::StrCat("cannot run ", command));
  return absl::OkStatus();
}

// The initdb'd template folder, made once per machine and user under a file lock.
absl::StatusOr<std::string> TemplateFolder(const TempDir& scratch) {
  const char* base = getenv("TMPDIR");
  const std::string folder = absl::StrCat(base != nullptr ? base : "/tmp", "/ocop-postgres-15-template-", geteuid());
  const int lock = open((folder + ".lock").c_str(), O_CREAT | O_RDWR, 0600);
  if (lock < 0) return absl::InternalError(absl::StrCat("cannot open ", folder, ".lock"));
  flock(lock, LOCK_EX);
  absl::Status status = absl::OkStatus();
  if (!std::filesystem::exists(folder + "/PG_VERSION")) {
    const std::string making = folder + ".making";
    std::filesystem::remove_all(making);
    mkdir(making.c_str(), 0700);
    status = ChownToServerUser(making);
    if (status.ok()) {
      auto initdb = ChildProcess::Start(
          AsServerUser({absl::StrCat(kBinaries, "/initdb"), "-D", making, "-U", "ocop", "-A", "trust", "-E", "UTF8",
                        "--locale=C", "--no-sync", "--no-instructions"}),
          scratch.File("initdb.log"));
      if (!initdb.ok()) {
        status = initdb.status();
      } else {
        absl::StatusOr<int> exit = (*initdb)->WaitForExit(absl::Seconds(60));
        if (!exit.ok() || *exit != 0) {
          status = absl::UnavailableError(absl::StrCat("initdb failed; see ", scratch.File("initdb.log")));
        } else {
          std::filesystem::remove_all(folder);
          std::filesystem::rename(making, folder);
        }
      }
    }
  }
  flock(lock, LOCK_UN);
  close(lock);
  if (!status.ok()) return status;
  return folder;
}

}  // namespace

absl::StatusOr<PostgresServer*> PostgresServer::Shared() {
  static std::mutex mutex;
  static std::unique_ptr<PostgresServer> server;
  std::lock_guard lock(mutex);
  if (server != nullptr) return server.get();
  absl::StatusOr<std::unique_ptr<PostgresServer>> made = Start(/*durable=*/false);
  if (!made.ok()) return made.status();
  server = std::move(*made);
  return server.get();
}

absl::StatusOr<std::unique_ptr<PostgresServer>> PostgresServer::Start(bool durable) {
  if (access(absl::StrCat(kBinaries, "/postgres").c_str(), X_OK) != 0) {
    return absl::UnavailableError("PostgreSQL 15 is not installed (tools/setup installs postgresql-15)");
  }
  std::unique_ptr<PostgresServer> made(new PostgresServer());
  absl::Status launched = made->Launch(durable);
  if (!launched.ok()) return launched;
  return made;
}

absl::Status PostgresServer::Launch(bool durable) {
  absl::StatusOr<std::string> folder = TemplateFolder(dir_);
  if (!folder.ok()) return folder.status();
  // The server user must be able to reach its data folder inside ours.
  chmod(dir_.path().c_str(), 0711);
  const std::string data = dir_.File("data");
  std::string copy = absl::StrCat("cp -a '", *folder, "' '", data, "'");
  if (std::system(copy.c_str()) != 0) return absl::InternalError(absl::StrCat("cannot run ", copy));
  port_ = FreePort();
  std::vector<std::string> argv = {absl::StrCat(kBinaries, "/postgres"), "-D", data, "-p", absl::StrCat(port_), "-c",
                                   "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c",
                                   "max_connections=300", "-c", "shared_buffers=32MB", "-c",
                                   "log_min_messages=warning"};
  if (!durable) {
    for (const char* setting : {"fsync=off", "synchronous_commit=off", "full_page_writes=off"}) {
      argv.push_back("-c");
      argv.push_back(setting);
    }
  }
  auto process = ChildProcess::Start(AsServerUser(argv), dir_.File("postgres.log"));
  if (!process.ok()) return process.status();
  process_ = std::move(*process);
  const std::string url = absl::StrCat("postgresql://ocop@127.0.0.1:", port_, "/postgres");
  const absl::Time deadline = absl::Now() + absl::Seconds(30);
  while (PQping(url.c_str()) != PQPING_OK) {
    if (absl::Now() > deadline) {
      return absl::UnavailableError(absl::StrCat("PostgreSQL did not start; see ", dir_.File("postgres.log")));
    }
    absl::SleepFor(absl::Milliseconds(20));
  }
  return absl::OkStatus();
}

PostgresServer::~PostgresServer() {
  if (process_ == nullptr) return;
  kill(process_->pid(), SIGQUIT);  // immediate shutdown: the postmaster stops its backends too
  process_->WaitForExit(absl::Seconds(5)).IgnoreError();
  process_.reset();
}

absl::StatusOr<std::string> PostgresServer::CreateDatabase() {
  return CreateDatabaseOn(absl::StrCat("postgresql://ocop@127.0.0.1:", port_, "/postgres"),
                          absl::StrCat("test_", getpid(), "_", ++databases_));
}

absl::StatusOr<std::string> CreateDatabaseOn(const std::string& server_url, const std::string& name) {
  const size_t scheme = server_url.find("://");
  const size_t path = scheme == std::string::npos ? std::string::npos : server_url.find('/', scheme + 3);
  if (path == std::string::npos) return absl::InvalidArgumentError("not a postgresql://host/database URL");
  const size_t query = server_url.find('?', path);
  const std::string url = absl::StrCat(server_url.substr(0, path + 1), name,
                                       query == std::string::npos ? "" : server_url.substr(query));
  PGconn* connection = PQconnectdb(server_url.c_str());
  if (PQstatus(connection) != CONNECTION_OK) {
    std::string message = PQerrorMessage(connection);
    PQfinish(connection);
    return absl::UnavailableError(absl::StrCat("cannot reach PostgreSQL: ", message));
  }
  PGresult* result = PQexec(connection, absl::StrCat("CREATE DATABASE ", name).c_str());
  const bool created = PQresultStatus(result) == PGRES_COMMAND_OK;
  std::string message = PQresultErrorMessage(result);
  PQclear(result);
  PQfinish(connection);
  if (!created) return absl::InternalError(absl::StrCat("CREATE DATABASE ", name, ": ", message));
  return url;
}

absl::StatusOr<std::vector<std::string>> BenchmarkDatabases(const std::string& server_url, int count,
                                                            std::unique_ptr<PostgresServer>* own) {
  std::vector<std::string> urls;
  if (server_url.empty()) {
    absl::StatusOr<std::unique_ptr<PostgresServer>> started = PostgresServer::Start(/*durable=*/true);
    if (!started.ok()) return started.status();
    *own = std::move(*started);
  }
  for (int n = 1; n <= count; ++n) {
    absl::StatusOr<std::string> url = server_url.empty()
                                          ? (*own)->CreateDatabase()
                                          : CreateDatabaseOn(server_url, absl::StrCat("ocop_bench_", getpid(), "_", n));
    if (!url.ok()) return url.status();
    urls.push_back(*url);
  }
  return urls;
}

std::string PostgresServer::UnreachableUrl() {
  return absl::StrCat("postgresql://ocop:secret-password@127.0.0.1:", FreePort(), "/nowhere");
}

}  // namespace ocop::testing
