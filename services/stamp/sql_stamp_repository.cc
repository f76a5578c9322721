#include "services/stamp/sql_stamp_repository.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "common/status/status_macros.h"
#include "services/stamp/stamp_schema.h"

namespace ocop::stamp {
namespace {

constexpr char kRollColumns[] =
    "name, batch, producer, product, first_serial, count, key_id, issued_by, create_unix_micros, generation, "
    "pin_secret_id, printer_profile, gtin, lot_code, printer, active_count, operation_count, range_count";

// Reads kRollColumns starting at column `first`.
Roll ReadRoll(const store::Statement& row, int first = 0) {
  Roll roll;
  roll.name = row.ColumnText(first + 0);
  roll.batch = row.ColumnText(first + 1);
  roll.producer = row.ColumnText(first + 2);
  roll.product = row.ColumnText(first + 3);
  roll.first_serial = static_cast<uint64_t>(row.ColumnInt(first + 4));
  roll.count = row.ColumnInt(first + 5);
  roll.key_id = static_cast<uint32_t>(row.ColumnInt(first + 6));
  roll.issued_by = row.ColumnText(first + 7);
  roll.create_time = absl::FromUnixMicros(row.ColumnInt(first + 8));
  roll.pin_secret_id = row.ColumnText(first + 10);
  roll.printer_profile = row.ColumnText(first + 11);
  roll.gtin = row.ColumnText(first + 12);
  roll.lot_code = row.ColumnText(first + 13);
  roll.printer = row.ColumnText(first + 14);
  roll.active_count = row.ColumnInt(first + 15);
  roll.operation_count = row.ColumnInt(first + 16);
  roll.range_count = row.ColumnInt(first + 17);
  return roll;
}

// Loads the copy-flag clearances of `roll`'s stamps (the latest of each stamp wins).
absl::Status LoadClearances(store::Connection& connection, Roll& roll) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT serial, cleared_through FROM copy_flag_clearances "
                                           "WHERE serial BETWEEN ? AND ? ORDER BY position"));
  select.Bind(1, static_cast<int64_t>(roll.first_serial))
      .Bind(2, static_cast<int64_t>(roll.first_serial + static_cast<uint64_t>(roll.count) - 1));
  roll.copy_flags_cleared_through.clear();
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return absl::OkStatus();
    roll.copy_flags_cleared_through[static_cast<uint64_t>(select.ColumnInt(0))] = select.ColumnText(1);
  }
}

RangeOperation ReadOperation(const store::Statement& row, int first) {
  return RangeOperation{static_cast<uint64_t>(row.ColumnInt(first)), static_cast<uint64_t>(row.ColumnInt(first + 1)),
                        static_cast<StampState>(row.ColumnInt(first + 2)), row.ColumnText(first + 3),
                        row.ColumnText(first + 4), absl::FromUnixMicros(row.ColumnInt(first + 5))};
}

constexpr char kOperationColumns[] = "first_serial, last_serial, state, reason, actor, unix_micros";

// Reads the stored state ranges meeting [first, last] (whole, not clipped) into `states`.
absl::Status LoadStates(store::Connection& connection, uint64_t first, uint64_t last, StampStates& states) {
  // Ranges are disjoint: only the last one starting before `first` can reach into the window.
  OCOP_ASSIGN_OR_RETURN(store::Statement before,
                        connection.Prepare("SELECT first_serial, last_serial, state FROM stamp_states "
                                           "WHERE first_serial < ? ORDER BY first_serial DESC LIMIT 1"));
  before.Bind(1, static_cast<int64_t>(first));
  OCOP_ASSIGN_OR_RETURN(bool row, before.Step());
  if (row && static_cast<uint64_t>(before.ColumnInt(1)) >= first) {
    states.Assign(static_cast<uint64_t>(before.ColumnInt(0)), static_cast<uint64_t>(before.ColumnInt(1)),
                  static_cast<StampState>(before.ColumnInt(2)));
  }
  before.Reset();
  OCOP_ASSIGN_OR_RETURN(store::Statement inside,
                        connection.Prepare("SELECT first_serial, last_serial, state FROM stamp_states "
                                           "WHERE first_serial BETWEEN ? AND ? ORDER BY first_serial"));
  inside.Bind(1, static_cast<int64_t>(first)).Bind(2, static_cast<int64_t>(last));
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool found, inside.Step());
    if (!found) return absl::OkStatus();
    states.Assign(static_cast<uint64_t>(inside.ColumnInt(0)), static_cast<uint64_t>(inside.ColumnInt(1)),
                  static_cast<StampState>(inside.ColumnInt(2)));
  }
}

// Replaces the stored ranges meeting [first, last] with those of `states` there. `states` must
// hold every stored range meeting the window, whole (LoadStates), with the change painted in.
absl::Status StoreStates(store::Connection& connection, uint64_t first, uint64_t last, const StampStates& states,
                         const StampStates& stored) {
  OCOP_ASSIGN_OR_RETURN(store::Statement erase,
                        connection.Prepare("DELETE FROM stamp_states WHERE first_serial = ?"));
  for (const StampStates::Range& range : stored.ranges()) {
    erase.Bind(1, static_cast<int64_t>(range.first));
    OCOP_RETURN_IF_ERROR(erase.Run());
    erase.Reset();
  }
  // The window grows to whatever the painted ranges now span (merging with neighbours).
  uint64_t low = first;
  uint64_t high = last;
  for (const StampStates::Range& range : stored.ranges()) {
    low = std::min(low, range.first);
    high = std::max(high, range.last);
  }
  OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                        connection.Prepare("INSERT INTO stamp_states(first_serial, last_serial, state) VALUES(?, ?, ?)"));
  for (const StampStates::Range& range : states.Overlapping(low, high)) {
    insert.Bind(1, static_cast<int64_t>(range.first)).Bind(2, static_cast<int64_t>(range.last))
        .Bind(3, static_cast<int64_t>(range.value));
    OCOP_RETURN_IF_ERROR(insert.Run());
    insert.Reset();
  }
  return absl::OkStatus();
}

// Loads the states of `roll`, its stamps' copy-flag clearances and its latest operations.
absl::Status LoadRollDetails(store::Connection& connection, Roll& roll) {
  OCOP_RETURN_IF_ERROR(LoadClearances(connection, roll));
  roll.states = StampStates();
  OCOP_RETURN_IF_ERROR(LoadStates(connection, roll.first_serial,
                                  roll.first_serial + static_cast<uint64_t>(roll.count) - 1, roll.states));
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kOperationColumns, " FROM range_operations "
                                                        "WHERE roll = ? ORDER BY id DESC LIMIT ?")));
  select.Bind(1, roll.name).Bind(2, static_cast<int64_t>(kRecentOperations));
  roll.operations.clear();
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    roll.operations.push_back(ReadOperation(select, 0));
  }
  std::reverse(roll.operations.begin(), roll.operations.end());
  return absl::OkStatus();
}

// The roll named `name` (without its details) and its generation.
absl::StatusOr<std::pair<Roll, int64_t>> SelectRoll(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kRollColumns, " FROM rolls WHERE name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("roll ", name, " not found"));
  Roll roll = ReadRoll(select);
  int64_t generation = select.ColumnInt(9);
  return std::make_pair(std::move(roll), generation);
}

}  // namespace

absl::StatusOr<std::unique_ptr<SqlStampRepository>> SqlStampRepository::Open(const std::string& location,
                                                                                const store::StoreOptions& options) {
  OCOP_ASSIGN_OR_RETURN(std::unique_ptr<store::Database> database, store::Database::Open(location, StampSchema(), options));
  std::unique_ptr<SqlStampRepository> repository(new SqlStampRepository(std::move(database)));
  OCOP_RETURN_IF_ERROR(repository->BuildMissingStates());
  repository->database_->EnableAudit();  // after the upgrade, which no caller asked for
  repository->database_->ListenForChanges(&repository->notifier_);
  return repository;
}

absl::Status SqlStampRepository::BuildMissingStates() {
  return database_->Transact([&](store::Connection& connection) -> absl::Status {
    std::vector<Roll> rolls;
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT ", kRollColumns, " FROM rolls WHERE states_built = 0")));
    while (true) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      rolls.push_back(ReadRoll(select));
    }
    select.Reset();
    OCOP_ASSIGN_OR_RETURN(store::Statement operations,
                          connection.Prepare(absl::StrCat("SELECT ", kOperationColumns,
                                                          " FROM range_operations WHERE roll = ? ORDER BY id")));
    OCOP_ASSIGN_OR_RETURN(store::Statement update,
                          connection.Prepare("UPDATE rolls SET active_count = ?, range_count = ?, states_built = 1 "
                                             "WHERE name = ?"));
    for (const Roll& roll : rolls) {
      StampStates states;
      operations.Bind(1, roll.name);
      while (true) {
        OCOP_ASSIGN_OR_RETURN(bool row, operations.Step());
        if (!row) break;
        Paint(states, ReadOperation(operations, 0));
      }
      operations.Reset();
      const uint64_t last = roll.first_serial + static_cast<uint64_t>(roll.count) - 1;
      OCOP_RETURN_IF_ERROR(StoreStates(connection, roll.first_serial, last, states, StampStates()));
      update.Bind(1, static_cast<int64_t>(states.Count(StampState::kActive)))
          .Bind(2, static_cast<int64_t>(states.size()))
          .Bind(3, roll.name);
      OCOP_RETURN_IF_ERROR(update.Run());
      update.Reset();
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Roll> SqlStampRepository::IssueRoll(const Roll& roll, const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, roll.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(store::Statement next,
                              connection.Prepare("SELECT next_serial FROM serial_counter WHERE id = 1"));
        OCOP_ASSIGN_OR_RETURN(bool row, next.Step());
        if (!row) return absl::InternalError("serial_counter is empty");
        int64_t first_serial = next.ColumnInt(0);
        next.Reset();
        OCOP_ASSIGN_OR_RETURN(store::Statement advance,
                              connection.Prepare("UPDATE serial_counter SET next_serial = ? WHERE id = 1"));
        advance.Bind(1, first_serial + roll.count);
        OCOP_RETURN_IF_ERROR(advance.Run());
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO rolls(name, batch, producer, product, first_serial, count, key_id, "
                               "issued_by, create_unix_micros, pin_secret_id, printer_profile, gtin, lot_code, printer) "
                               "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.Bind(1, roll.name).Bind(2, roll.batch).Bind(3, roll.producer).Bind(4, roll.product)
            .Bind(5, first_serial).Bind(6, roll.count).Bind(7, static_cast<int64_t>(roll.key_id))
            .Bind(8, roll.issued_by).Bind(9, absl::ToUnixMicros(roll.create_time)).Bind(10, roll.pin_secret_id)
            .Bind(11, roll.printer_profile).Bind(12, roll.gtin).Bind(13, roll.lot_code).Bind(14, roll.printer);
        OCOP_RETURN_IF_ERROR(insert.Run());
        return store::AppendChange(connection, "roll", roll.name, 1, roll.create_time).status();
      }));
  if (result.created) notifier_.Notify();
  return GetRoll(result.name);
}

absl::StatusOr<Roll> SqlStampRepository::GetRoll(const std::string& name) {
  Roll roll;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(auto found, SelectRoll(connection, name));
    roll = std::move(found.first);
    return LoadRollDetails(connection, roll);
  }));
  return roll;
}

absl::StatusOr<store::Page<Roll>> SqlStampRepository::ListRolls(const RollFilter& filter,
                                                                  int64_t after_position, int limit) {
  store::Page<Roll> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    // ReadPage wants the position first.
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT position, ", kRollColumns, " FROM rolls WHERE position > ?1 "
                                        "AND (?2 = '' OR batch = ?2) AND (?4 = '' OR producer = ?4) "
                                        "AND (?5 = '' OR printer = ?5) ORDER BY position LIMIT ?3")));
    select.Bind(1, after_position).Bind(2, filter.batch).Bind(3, static_cast<int64_t>(limit + 1))
        .Bind(4, filter.producer).Bind(5, filter.printer);
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<Roll>(select, limit, [](const store::Statement& row) {
                            return ReadRoll(row, 1);
                          }));
    select.Reset();
    for (Roll& roll : page.items) OCOP_RETURN_IF_ERROR(LoadRollDetails(connection, roll));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<Roll> SqlStampRepository::FindRollBySerial(uint64_t serial) {
  Roll roll;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    // The roll with the greatest first serial not above `serial` is the only candidate.
    OCOP_ASSIGN_OR_RETURN(
        store::Statement select,
        connection.Prepare(absl::StrCat("SELECT ", kRollColumns,
                                        " FROM rolls WHERE first_serial <= ? ORDER BY first_serial DESC LIMIT 1")));
    select.Bind(1, static_cast<int64_t>(serial));
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (row) roll = ReadRoll(select);
    select.Reset();
    if (!row || !roll.Contains(serial)) return absl::NotFoundError(absl::StrCat("serial ", serial, " not issued"));
    return absl::OkStatus();
  }));
  return roll;
}

absl::StatusOr<Roll> SqlStampRepository::AddOperation(const std::string& roll_name,
                                                         const RangeOperation& operation,
                                                         const store::IdempotencyKey& key,
                                                         const OperationCheck& check) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, roll_name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(auto found, SelectRoll(connection, roll_name));
        auto& [roll, generation] = found;
        // The stored ranges touching the operation or adjacent to it (they may merge with it),
        // never past the roll: a range never spans two rolls.
        const uint64_t roll_last = roll.first_serial + static_cast<uint64_t>(roll.count) - 1;
        const uint64_t window_first = std::max(roll.first_serial, operation.first_serial - 1);
        const uint64_t window_last = std::min(roll_last, operation.last_serial + 1);
        StampStates stored;
        OCOP_RETURN_IF_ERROR(LoadStates(connection, window_first, window_last, stored));
        RangeChange change = ChangeOf(stored, operation);
        OCOP_ASSIGN_OR_RETURN(store::Statement lot,
                              connection.Prepare("SELECT COALESCE(SUM(active_count), 0) FROM rolls WHERE batch = ?"));
        lot.Bind(1, roll.batch);
        OCOP_ASSIGN_OR_RETURN(bool summed, lot.Step());
        change.lot_active_before = summed ? lot.ColumnInt(0) : 0;
        lot.Reset();
        StampStates painted = stored;
        Paint(painted, operation);
        const int64_t range_delta = static_cast<int64_t>(painted.size()) - static_cast<int64_t>(stored.size());
        change.ranges_after = roll.range_count + range_delta;
        OCOP_RETURN_IF_ERROR(check(roll, change));
        OCOP_RETURN_IF_ERROR(StoreStates(connection, window_first, window_last, painted, stored));
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO range_operations(roll, batch, first_serial, last_serial, state, reason, "
                               "actor, unix_micros) VALUES(?, ?, ?, ?, ?, ?, ?, ?)"));
        insert.Bind(1, roll.name).Bind(2, roll.batch).Bind(3, static_cast<int64_t>(operation.first_serial))
            .Bind(4, static_cast<int64_t>(operation.last_serial)).Bind(5, static_cast<int64_t>(operation.state))
            .Bind(6, operation.reason).Bind(7, operation.actor).Bind(8, absl::ToUnixMicros(operation.time));
        OCOP_RETURN_IF_ERROR(insert.Run());
        OCOP_ASSIGN_OR_RETURN(store::Statement bump,
                              connection.Prepare("UPDATE rolls SET generation = ?, active_count = active_count + ?, "
                                                 "range_count = ?, operation_count = operation_count + 1 "
                                                 "WHERE name = ?"));
        bump.Bind(1, generation + 1).Bind(2, change.active_delta).Bind(3, change.ranges_after).Bind(4, roll.name);
        OCOP_RETURN_IF_ERROR(bump.Run());
        return store::AppendChange(connection, "roll", roll.name, generation + 1, operation.time).status();
      }));
  if (result.created) notifier_.Notify();
  return GetRoll(result.name);
}

absl::StatusOr<store::Page<RangeOperation>> SqlStampRepository::ListOperations(const std::string& roll_name,
                                                                                 int64_t after_position, int limit) {
  store::Page<RangeOperation> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_RETURN_IF_ERROR(SelectRoll(connection, roll_name).status());
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT id, ", kOperationColumns, " FROM range_operations "
                                                          "WHERE roll = ? AND id > ? ORDER BY id LIMIT ?")));
    select.Bind(1, roll_name).Bind(2, after_position).Bind(3, static_cast<int64_t>(limit + 1));
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<RangeOperation>(select, limit, [](const store::Statement& row) {
                            return ReadOperation(row, 1);
                          }));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<StampState> SqlStampRepository::StateOfSerial(uint64_t serial) {
  StampStates around;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    return LoadStates(connection, serial, serial, around);
  }));
  const StampState* state = around.Find(serial);
  return state == nullptr ? StampState::kIssued : *state;
}

namespace {

constexpr char kRenderColumns[] =
    "r.name, r.roll, r.first_serial, r.last_serial, r.last_sent, r.printer, r.actor, r.reprint_order, "
    "r.start_unix_micros, r.update_unix_micros, COALESCE(o.reason, '')";

Render ReadRender(const store::Statement& row) {
  Render render;
  render.name = row.ColumnText(0);
  render.roll = row.ColumnText(1);
  render.first_serial = static_cast<uint64_t>(row.ColumnInt(2));
  render.last_serial = static_cast<uint64_t>(row.ColumnInt(3));
  render.last_sent_serial = static_cast<uint64_t>(row.ColumnInt(4));
  render.printer = row.ColumnText(5);
  render.actor = row.ColumnText(6);
  render.reprint_order = row.ColumnText(7);
  render.start_time = absl::FromUnixMicros(row.ColumnInt(8));
  render.update_time = absl::FromUnixMicros(row.ColumnInt(9));
  render.reprint_reason = row.ColumnText(10);
  return render;
}

absl::Status LoadResends(store::Connection& connection, Render& render) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(connection.dialect() == store::Dialect::kSqlite
                                           ? "SELECT first_serial, last_serial FROM render_resends WHERE render = ? "
                                             "ORDER BY rowid"
                                           : "SELECT first_serial, last_serial FROM render_resends WHERE render = ? "
                                             "ORDER BY position"));
  select.Bind(1, render.name);
  render.resent.clear();
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return absl::OkStatus();
    render.resent.emplace_back(static_cast<uint64_t>(select.ColumnInt(0)), static_cast<uint64_t>(select.ColumnInt(1)));
  }
}

absl::StatusOr<Render> SelectRender(store::Connection& connection, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kRenderColumns, " FROM renders r LEFT JOIN "
                                                        "reprint_orders o ON o.name = r.reprint_order "
                                                        "WHERE r.name = ?")));
  select.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat("resume_render: ", name, " not found"));
  Render render = ReadRender(select);
  select.Reset();
  OCOP_RETURN_IF_ERROR(LoadResends(connection, render));
  return render;
}

// FAILED_PRECONDITION when an earlier render of `roll` holds a serial of [first, last]. A render
// reserves its whole range when it starts, not only what it sent so far: two streams of the same
// range started together would otherwise both pass this check and both print the same tokens.
absl::Status CheckNotRendered(store::Connection& connection, const std::string& roll, uint64_t first, uint64_t last) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT name, first_serial, last_serial, last_sent FROM renders "
                                           "WHERE roll = ? AND last_serial >= ? AND first_serial <= ? "
                                           "ORDER BY position LIMIT 1"));
  select.Bind(1, roll).Bind(2, static_cast<int64_t>(first)).Bind(3, static_cast<int64_t>(last));
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::OkStatus();
  const uint64_t render_first = static_cast<uint64_t>(select.ColumnInt(1));
  const uint64_t overlap_first = std::max(first, render_first);
  const uint64_t overlap_last = std::min(last, static_cast<uint64_t>(select.ColumnInt(2)));
  const uint64_t last_sent = static_cast<uint64_t>(select.ColumnInt(3));
  if (last_sent >= overlap_first) {
    return absl::FailedPreconditionError(absl::StrCat(
        "first_serial: serials ", overlap_first, "..", overlap_last, " of ", roll, " were already rendered (",
        select.ColumnText(0), "); rendering them again is a reprint, which an admin orders with OrderReprint"));
  }
  return absl::FailedPreconditionError(absl::StrCat(
      "first_serial: serials ", overlap_first, "..", overlap_last, " of ", roll, " are reserved by ",
      select.ColumnText(0), ", which has not sent them yet; continue it with resume_render (its printer), or an "
      "admin orders a reprint with OrderReprint"));
}

}  // namespace

absl::StatusOr<Render> SqlStampRepository::StartRender(const Render& render) {
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    if (render.reprint_order.empty()) {
      OCOP_RETURN_IF_ERROR(CheckNotRendered(connection, render.roll, render.first_serial, render.last_serial));
    } else {
      OCOP_ASSIGN_OR_RETURN(store::Statement order,
                            connection.Prepare("SELECT roll, first_serial, last_serial, used_by FROM reprint_orders "
                                               "WHERE name = ?"));
      order.Bind(1, render.reprint_order);
      OCOP_ASSIGN_OR_RETURN(bool row, order.Step());
      if (!row) return absl::NotFoundError(absl::StrCat("reprint_order: ", render.reprint_order, " not found"));
      bool covers = order.ColumnText(0) == render.roll &&
                    static_cast<uint64_t>(order.ColumnInt(1)) <= render.first_serial &&
                    render.last_serial <= static_cast<uint64_t>(order.ColumnInt(2));
      std::string used_by = order.ColumnText(3);
      order.Reset();
      if (!covers) {
        return absl::FailedPreconditionError(
            absl::StrCat("reprint_order: ", render.reprint_order, " does not cover this roll and range"));
      }
      if (!used_by.empty()) {
        return absl::FailedPreconditionError(
            absl::StrCat("reprint_order: ", render.reprint_order, " was already used by ", used_by));
      }
      OCOP_ASSIGN_OR_RETURN(store::Statement use,
                            connection.Prepare("UPDATE reprint_orders SET used_by = ? WHERE name = ?"));
      use.Bind(1, render.name).Bind(2, render.reprint_order);
      OCOP_RETURN_IF_ERROR(use.Run());
    }
    OCOP_ASSIGN_OR_RETURN(
        store::Statement insert,
        connection.Prepare("INSERT INTO renders(name, roll, first_serial, last_serial, printer, actor, reprint_order, "
                           "start_unix_micros, update_unix_micros) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)"));
    insert.Bind(1, render.name).Bind(2, render.roll).Bind(3, static_cast<int64_t>(render.first_serial))
        .Bind(4, static_cast<int64_t>(render.last_serial)).Bind(5, render.printer).Bind(6, render.actor)
        .Bind(7, render.reprint_order).Bind(8, absl::ToUnixMicros(render.start_time))
        .Bind(9, absl::ToUnixMicros(render.start_time));
    return insert.Run();
  }));
  Render stored;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(stored, SelectRender(connection, render.name));
    return absl::OkStatus();
  }));
  return stored;
}

absl::Status SqlStampRepository::AdvanceRender(const std::string& render, uint64_t last_sent_serial,
                                                  absl::Time now) {
  return database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement update,
                          connection.Prepare("UPDATE renders SET last_sent = CASE WHEN last_sent > ?1 THEN last_sent "
                                             "ELSE ?1 END, update_unix_micros = ?2 WHERE name = ?3"));
    update.Bind(1, static_cast<int64_t>(last_sent_serial)).Bind(2, absl::ToUnixMicros(now)).Bind(3, render);
    return update.Run();
  });
}

absl::StatusOr<Render> SqlStampRepository::ResumeRender(const std::string& name, const std::string& printer,
                                                           uint64_t last_received_serial, uint64_t max_resend,
                                                           absl::Time now) {
  Render render;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(render, SelectRender(connection, name));
    if (printer != render.printer) {
      return absl::InvalidArgumentError(
          absl::StrCat("printer: a render resumes on its own printer (", render.printer, ")"));
    }
    if (last_received_serial + 1 < render.first_serial ||
        last_received_serial > std::max(render.last_sent_serial, render.first_serial - 1)) {
      return absl::InvalidArgumentError(absl::StrCat("last_received_serial: must be between ", render.first_serial - 1,
                                                     " and ", render.last_sent_serial, " for ", name));
    }
    if (render.last_sent_serial > last_received_serial) {
      uint64_t resend = render.last_sent_serial - last_received_serial;
      if (resend > max_resend) {
        return absl::InvalidArgumentError(absl::StrCat(
            "last_received_serial: resuming would send ", resend, " stamps again (at most ", max_resend,
            "); rendering them again is a reprint, which an admin orders with OrderReprint"));
      }
      OCOP_ASSIGN_OR_RETURN(store::Statement insert,
                            connection.Prepare("INSERT INTO render_resends(render, first_serial, last_serial, "
                                               "unix_micros) VALUES(?, ?, ?, ?)"));
      insert.Bind(1, name).Bind(2, static_cast<int64_t>(last_received_serial + 1))
          .Bind(3, static_cast<int64_t>(render.last_sent_serial)).Bind(4, absl::ToUnixMicros(now));
      OCOP_RETURN_IF_ERROR(insert.Run());
      render.resent.emplace_back(last_received_serial + 1, render.last_sent_serial);
    }
    return absl::OkStatus();
  }));
  return render;
}

absl::StatusOr<std::vector<Render>> SqlStampRepository::ListRenders(const std::string& roll) {
  std::vector<Render> renders;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare(absl::StrCat("SELECT ", kRenderColumns, " FROM renders r LEFT JOIN "
                                                          "reprint_orders o ON o.name = r.reprint_order "
                                                          "WHERE r.roll = ? ORDER BY r.position")));
    select.Bind(1, roll);
    while (true) {
      OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
      if (!row) break;
      renders.push_back(ReadRender(select));
    }
    select.Reset();
    for (Render& render : renders) OCOP_RETURN_IF_ERROR(LoadResends(connection, render));
    return absl::OkStatus();
  }));
  return renders;
}

absl::StatusOr<ReprintOrder> SqlStampRepository::CreateReprintOrder(const ReprintOrder& order,
                                                                      const store::IdempotencyKey& key) {
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, order.name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO reprint_orders(name, roll, first_serial, last_serial, reason, actor, "
                               "create_unix_micros) VALUES(?, ?, ?, ?, ?, ?, ?)"));
        insert.Bind(1, order.name).Bind(2, order.roll).Bind(3, static_cast<int64_t>(order.first_serial))
            .Bind(4, static_cast<int64_t>(order.last_serial)).Bind(5, order.reason).Bind(6, order.actor)
            .Bind(7, absl::ToUnixMicros(order.create_time));
        return insert.Run();
      }));
  ReprintOrder stored;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT name, roll, first_serial, last_serial, reason, actor, "
                                             "create_unix_micros, used_by FROM reprint_orders WHERE name = ?"));
    select.Bind(1, result.name);
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) return absl::InternalError(absl::StrCat(result.name, " vanished"));
    stored = ReprintOrder{select.ColumnText(0),
                          select.ColumnText(1),
                          static_cast<uint64_t>(select.ColumnInt(2)),
                          static_cast<uint64_t>(select.ColumnInt(3)),
                          select.ColumnText(4),
                          select.ColumnText(5),
                          absl::FromUnixMicros(select.ColumnInt(6)),
                          select.ColumnText(7)};
    return absl::OkStatus();
  }));
  return stored;
}

absl::Status SqlStampRepository::AddCopyFlagClearance(const CopyFlagClearance& clearance,
                                                         const store::IdempotencyKey& key) {
  const std::string name = absl::StrCat("stamps/", clearance.serial);
  OCOP_ASSIGN_OR_RETURN(
      store::CreateOnceResult result,
      store::CreateOnce(*database_, key, name, [&](store::Connection& connection) -> absl::Status {
        OCOP_ASSIGN_OR_RETURN(
            store::Statement insert,
            connection.Prepare("INSERT INTO copy_flag_clearances(serial, cleared_through, reason, actor, unix_micros) "
                               "VALUES(?, ?, ?, ?, ?)"));
        insert.Bind(1, static_cast<int64_t>(clearance.serial)).Bind(2, clearance.cleared_through)
            .Bind(3, clearance.reason).Bind(4, clearance.actor).Bind(5, absl::ToUnixMicros(clearance.time));
        OCOP_RETURN_IF_ERROR(insert.Run());
        // The feed's generation of a stamp: how many clearances it has had.
        OCOP_ASSIGN_OR_RETURN(store::Statement count,
                              connection.Prepare("SELECT COUNT(*) FROM copy_flag_clearances WHERE serial = ?"));
        count.Bind(1, static_cast<int64_t>(clearance.serial));
        OCOP_ASSIGN_OR_RETURN(bool row, count.Step());
        const int64_t generation = row ? count.ColumnInt(0) : 1;
        count.Reset();
        OCOP_RETURN_IF_ERROR(store::AppendChange(connection, "stamp", name, generation, clearance.time).status());
        // Lookup reads a stamp's clearance from its roll: the roll changed too.
        OCOP_ASSIGN_OR_RETURN(store::Statement roll,
                              connection.Prepare("SELECT name, generation FROM rolls WHERE first_serial <= ? "
                                                 "ORDER BY first_serial DESC LIMIT 1"));
        roll.Bind(1, static_cast<int64_t>(clearance.serial));
        OCOP_ASSIGN_OR_RETURN(bool found, roll.Step());
        if (!found) return absl::InternalError(absl::StrCat("no roll holds serial ", clearance.serial));
        const std::string roll_name = roll.ColumnText(0);
        const int64_t roll_generation = roll.ColumnInt(1) + 1;
        roll.Reset();
        OCOP_ASSIGN_OR_RETURN(store::Statement bump,
                              connection.Prepare("UPDATE rolls SET generation = ? WHERE name = ?"));
        bump.Bind(1, roll_generation).Bind(2, roll_name);
        OCOP_RETURN_IF_ERROR(bump.Run());
        return store::AppendChange(connection, "roll", roll_name, roll_generation, clearance.time).status();
      }));
  if (result.created) notifier_.Notify();
  return absl::OkStatus();
}

absl::StatusOr<std::string> SqlStampRepository::CopyFlagClearedThrough(uint64_t serial) {
  std::string day;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT cleared_through FROM copy_flag_clearances WHERE serial = ? "
                                             "ORDER BY position DESC LIMIT 1"));
    select.Bind(1, static_cast<int64_t>(serial));
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (row) day = select.ColumnText(0);
    return absl::OkStatus();
  }));
  return day;
}

absl::StatusOr<PinOutcome> SqlStampRepository::RecordPinTry(uint64_t serial, const PinTry& apply) {
  // Times are stored as Unix microseconds, 0 for "never".
  auto time_of = [](int64_t micros) { return micros == 0 ? absl::InfinitePast() : absl::FromUnixMicros(micros); };
  auto micros_of = [](absl::Time time) { return time == absl::InfinitePast() ? int64_t{0} : absl::ToUnixMicros(time); };
  PinOutcome outcome;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select,
                          connection.Prepare("SELECT first_verified_unix_micros, wrong_tries, last_try_unix_micros, "
                                             "locked_until_unix_micros, lockouts FROM pin_verifications "
                                             "WHERE serial = ?"));
    select.Bind(1, static_cast<int64_t>(serial));
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    PinRecord record;
    if (row) {
      record.first_verified = time_of(select.ColumnInt(0));
      record.wrong_tries = static_cast<int>(select.ColumnInt(1));
      record.last_try = time_of(select.ColumnInt(2));
      record.locked_until = time_of(select.ColumnInt(3));
      record.lockouts = static_cast<int>(select.ColumnInt(4));
    }
    select.Reset();
    const PinRecord before = record;
    outcome = apply(record);
    if (row && record.last_try == before.last_try) return absl::OkStatus();  // a locked try: nothing changes
    OCOP_ASSIGN_OR_RETURN(
        store::Statement upsert,
        connection.Prepare("INSERT INTO pin_verifications(serial, first_verified_unix_micros, wrong_tries, "
                           "last_try_unix_micros, locked_until_unix_micros, lockouts) VALUES(?1, ?2, ?3, ?4, ?5, ?6) "
                           "ON CONFLICT(serial) DO UPDATE SET first_verified_unix_micros = ?2, wrong_tries = ?3, "
                           "last_try_unix_micros = ?4, locked_until_unix_micros = ?5, lockouts = ?6"));
    upsert.Bind(1, static_cast<int64_t>(serial))
        .Bind(2, micros_of(record.first_verified))
        .Bind(3, static_cast<int64_t>(record.wrong_tries))
        .Bind(4, micros_of(record.last_try))
        .Bind(5, micros_of(record.locked_until))
        .Bind(6, static_cast<int64_t>(record.lockouts));
    return upsert.Run();
  }));
  return outcome;
}

}  // namespace ocop::stamp
