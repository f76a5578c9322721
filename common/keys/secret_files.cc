#include "common/keys/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"

namespace ocop::keys {

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return absl::NotFoundError(absl::StrCat(path, ": cannot stat"));
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": secret file must not be accessible by group or others (chmod 600)"));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return absl::InternalError(absl::StrCat(path, ": cannot read"));
  return content.str();
}

// Mode 0600 from the very start, so a secret is never briefly readable by others.
absl::Status WriteSecretFile(const std::string& path, const std::string& content) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL, 0600);
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot create"));
  bool written = write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size());
  written = fsync(fd) == 0 && written;
  close(fd);
  if (!written) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

absl::Status EnsureSecretFolder(const std::string& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) return absl::InternalError(absl::StrCat(folder, ": cannot create: ", error.message()));
  std::filesystem::permissions(folder, std::filesystem::perms::owner_all, error);
  if (error) return absl::InternalError(absl::StrCat(folder, ": cannot restrict to its owner: ", error.message()));
  return absl::OkStatus();
}

absl::Status WriteSmallFile(const std::string& path, const std::string& line) {
  std::string temporary = path + ".tmp";
  {
    std::ofstream out(temporary, std::ios::trunc);
    out << line << "\n";
    if (!out) return absl::InternalError(absl::StrCat(temporary, ": cannot write"));
  }
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat(path, ": cannot replace"));
  }
  return absl::OkStatus();
}

}  // namespace ocop::keys
