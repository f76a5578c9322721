#include "common/grpc/paging.h"

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace ocop::grpcutil {
namespace {
constexpr char kTokenPrefix[] = "after:";
}  // namespace

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested < 0) return absl::InvalidArgumentError("page_size: must not be negative");
  if (requested == 0) return default_size;
  return std::min(requested, max_size);
}

std::string EncodePageToken(int64_t after_position) {
  return absl::WebSafeBase64Escape(absl::StrCat(kTokenPrefix, after_position));
}

absl::StatusOr<int64_t> DecodePageToken(const std::string& token) {
  if (token.empty()) return 0;
  std::string decoded;
  int64_t position = 0;
  if (!absl::WebSafeBase64Unescape(token, &decoded) || !absl::StartsWith(decoded, kTokenPrefix) ||
      !absl::SimpleAtoi(decoded.substr(sizeof(kTokenPrefix) - 1), &position) || position < 0) {
    return absl::InvalidArgumentError("page_token: malformed; pass a next_page_token unchanged");
  }
  return position;
}

}  // namespace ocop::grpcutil
