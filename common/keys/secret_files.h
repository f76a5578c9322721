// Secret files of a service (signing keys, PIN secrets): created 0600 from the start,
// refused when group or others may read them.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace ocop::keys {

// The content of `path`. FAILED_PRECONDITION when group or others have any access to it.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// Creates `path` (it must not exist) with mode 0600 and writes `content`, synced.
absl::Status WriteSecretFile(const std::string& path, const std::string& content);

// Creates `folder` (0700) if missing.
absl::Status EnsureSecretFolder(const std::string& folder);

// Replaces the one-line file `path` atomically (temporary file + rename).
absl::Status WriteSmallFile(const std::string& path, const std::string& line);

}  // namespace ocop::keys
