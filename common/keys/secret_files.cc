#include "common/keys/secret_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "absl/strings/str_cat.h"

namespace ocop::keys {

namespace {

// Whether this process belongs to `group` (its effective group or a supplementary one: Kubernetes
// adds the pod's fsGroup as a supplementary group).
bool InGroup(gid_t group) {
  if (group == getegid()) return true;
  const int count = getgroups(0, nullptr);
  if (count <= 0) return false;
  std::vector<gid_t> groups(static_cast<size_t>(count));
  groups.resize(static_cast<size_t>(std::max(getgroups(count, groups.data()), 0)));
  return std::find(groups.begin(), groups.end(), group) != groups.end();
}

// 0440 (or 0400) with a group of ours: a Kubernetes Secret mounted with an fsGroup.
bool ReadOnlySecretOfOurGroup(const struct stat& info) {
  const mode_t mode = info.st_mode & 07777;
  return (mode & ~static_cast<mode_t>(S_IRUSR | S_IRGRP)) == 0 && InGroup(info.st_gid);
}

}  // namespace

absl::StatusOr<std::string> ReadSecretFile(const std::string& path) {
  struct stat info {};
  if (stat(path.c_str(), &info) != 0) return absl::NotFoundError(absl::StrCat(path, ": cannot stat"));
  if ((info.st_mode & (S_IRWXG | S_IRWXO)) != 0 && !ReadOnlySecretOfOurGroup(info)) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": secret file must not be accessible by group or others (chmod 600)"));
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  if (!in) return absl::InternalError(absl::StrCat(path, ": cannot read"));
  return content.str();
}

namespace {

// Writes all of `content` to a new file `path` with `mode`, and syncs it (O_EXCL: never follows or
// reuses a file someone else put there).
absl::Status WriteNewFileSynced(const std::string& path, const std::string& content, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(absl::StrCat(path, ": cannot create"));
  size_t done = 0;
  while (done < content.size()) {
    ssize_t n = write(fd, content.data() + done, content.size() - done);
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  const bool written = done == content.size() && fsync(fd) == 0;
  close(fd);
  if (!written) return absl::InternalError(absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

// Syncs the folder holding `path`, so that a file created or renamed there survives power loss
// (a synced file whose folder entry is not synced can vanish).
absl::Status SyncFolderOf(const std::string& path) {
  const std::filesystem::path parent = std::filesystem::path(path).parent_path();
  const std::string folder = parent.empty() ? std::string(".") : parent.string();
  int fd = open(folder.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return absl::InternalError(absl::StrCat(folder, ": cannot open to sync"));
  const bool synced = fsync(fd) == 0;
  close(fd);
  if (!synced) return absl::InternalError(absl::StrCat(folder, ": cannot sync"));
  return absl::OkStatus();
}

}  // namespace

// Mode 0600 from the very start, so a secret is never briefly readable by others.
absl::Status WriteSecretFile(const std::string& path, const std::string& content) {
  absl::Status written = WriteNewFileSynced(path, content, 0600);
  if (!written.ok()) return written;
  return SyncFolderOf(path);
}

absl::Status EnsureSecretFolder(const std::string& folder) {
  std::error_code error;
  std::filesystem::create_directories(folder, error);
  if (error) return absl::InternalError(absl::StrCat(folder, ": cannot create: ", error.message()));
  std::filesystem::permissions(folder, std::filesystem::perms::owner_all, error);
  if (error == std::errc::read_only_file_system) return absl::OkStatus();
  if (error) return absl::InternalError(absl::StrCat(folder, ": cannot restrict to its owner: ", error.message()));
  return absl::OkStatus();
}

absl::Status WriteSmallFile(const std::string& path, const std::string& line) {
  std::string temporary = path + ".tmp";
  std::remove(temporary.c_str());  // left by a crash between create and rename
  absl::Status written = WriteNewFileSynced(temporary, line + "\n", 0600);
  if (!written.ok()) return written;
  if (std::rename(temporary.c_str(), path.c_str()) != 0) {
    return absl::InternalError(absl::StrCat(path, ": cannot replace"));
  }
  return SyncFolderOf(path);
}

}  // namespace ocop::keys
