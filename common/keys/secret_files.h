// Secret files of a service (signing keys, PIN secrets): created 0600 from the start,
// refused when group or others may read them.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace ocop::keys {

// The content of `path`. FAILED_PRECONDITION when group or others have any access to it.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// Creates `path` (it must not exist) with mode 0600 and writes `content`; the file and its folder
// entry are synced before this returns (a key must survive power loss once used).
absl::Status WriteSecretFile(const std::string& path, const std::string& content);

// Creates `folder` (0700) if missing.
absl::Status EnsureSecretFolder(const std::string& folder);

// Replaces the one-line file `path` atomically (temporary file synced, renamed, folder synced), so
// after power loss it holds the old line or the new one, never nothing.
absl::Status WriteSmallFile(const std::string& path, const std::string& line);

}  // namespace ocop::keys
