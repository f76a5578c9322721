// Storage and service tests run on both store engines: value-parameterised on store::Dialect,
// instantiated with AllStoreEngines(), with a fresh store location per test from
// NewStoreLocation().
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <string>

#include "absl/status/statusor.h"
#include "common/store/database.h"
#include "tests/support/processes.h"

namespace ocop::store {

// How gtest prints an engine (test names and failures): "SQLite" or "PostgreSQL".
inline void PrintTo(Dialect engine, std::ostream* out) {
  *out << (engine == Dialect::kSqlite ? "SQLite" : "PostgreSQL");
}

}  // namespace ocop::store

namespace ocop::testing {

inline auto AllStoreEngines() {
  return ::testing::Values(store::Dialect::kSqlite, store::Dialect::kPostgresql);
}

// "Sqlite" or "Postgresql", for test names.
std::string StoreEngineName(const ::testing::TestParamInfo<store::Dialect>& info);

// A fresh, empty store: the file `dir`/`file` for SQLite, or a new database on the test process's
// PostgreSQL server (its postgresql:// URL).
absl::StatusOr<std::string> NewStoreLocation(store::Dialect engine, const TempDir& dir, const std::string& file);

}  // namespace ocop::testing
