// One page of a keyset-paged list, and the loop that reads it.
#pragma once

#include <cstdint>
#include <functional>
#include <vector>

#include "absl/status/statusor.h"
#include "common/store/database.h"

namespace ocop::store {

template <typename T>
struct Page {
  std::vector<T> items;
  int64_t next_position = 0;  // continue after this position; 0 on the last page
};

// Reads up to `limit` rows from `select`, which must return the row's position in column 0 and
// must have been bound with LIMIT limit + 1 (the extra row says whether another page exists).
template <typename T>
absl::StatusOr<Page<T>> ReadPage(Statement& select, int limit, const std::function<T(const Statement&)>& read) {
  Page<T> page;
  int64_t last_position = 0;
  while (true) {
    absl::StatusOr<bool> row = select.Step();
    if (!row.ok()) return row.status();
    if (!*row) break;
    if (static_cast<int>(page.items.size()) == limit) {
      page.next_position = last_position;
      break;
    }
    last_position = select.ColumnInt(0);
    page.items.push_back(read(select));
  }
  return page;
}

}  // namespace ocop::store
