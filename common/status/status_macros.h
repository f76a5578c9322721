// Early-return helpers for absl::Status and absl::StatusOr (Abseil 20220623 ships neither).
#pragma once

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define OCOP_STATUS_CONCAT_INNER_(a, b) a##b
#define OCOP_STATUS_CONCAT_(a, b) OCOP_STATUS_CONCAT_INNER_(a, b)

// Returns the status from the enclosing function when `expr` is not OK.
#define OCOP_RETURN_IF_ERROR(expr)                 \
  do {                                             \
    ::absl::Status ocop_status_ = (expr);          \
    if (!ocop_status_.ok()) return ocop_status_;   \
  } while (0)

// `lhs` = value of the StatusOr `rexpr`, or returns its status from the enclosing function.
#define OCOP_ASSIGN_OR_RETURN(lhs, rexpr) \
  OCOP_ASSIGN_OR_RETURN_IMPL_(OCOP_STATUS_CONCAT_(ocop_statusor_, __LINE__), lhs, rexpr)

#define OCOP_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                \
  if (!statusor.ok()) return statusor.status();           \
  lhs = std::move(statusor).value()
