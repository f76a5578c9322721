// Secret files of a service (signing keys, PIN secrets): created 0600 from the start,
// refused when group or others may read them. One exception: a Kubernetes Secret mounted for a pod
// with an fsGroup is 0440, owned by root and that group (the kubelet adds the group's read bit
// whatever defaultMode says); it is accepted when nobody may write it and the group is one this
// process belongs to: only the pod's own processes can read it (docs/operations.md, Kubernetes).
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace ocop::keys {

// The content of `path`. FAILED_PRECONDITION when others have any access to it, or its group has
// access beyond the read-only Secret case above.
absl::StatusOr<std::string> ReadSecretFile(const std::string& path);

// Creates `path` (it must not exist) with mode 0600 and writes `content`; the file and its folder
// entry are synced before this returns (a key must survive power loss once used).
absl::Status WriteSecretFile(const std::string& path, const std::string& content);

// Creates `folder` (0700) if missing, and restricts it to its owner. A folder on a read-only mount
// (a Kubernetes Secret) is taken as it is: nothing can be added to it.
absl::Status EnsureSecretFolder(const std::string& folder);

// Replaces the one-line file `path` atomically (temporary file synced, renamed, folder synced), so
// after power loss it holds the old line or the new one, never nothing.
absl::Status WriteSmallFile(const std::string& path, const std::string& line);

}  // namespace ocop::keys
