// Event chains of lots and seasons: appends with hash and checkpoint, queries, traces, recalls.
#include <algorithm>
#include <deque>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "absl/time/civil_time.h"
#include "common/status/status_macros.h"
#include "services/batch/event_chain.h"
#include "services/batch/sql_batch_internal.h"
#include "services/batch/sql_batch_repository.h"

namespace ocop::batch {
namespace {

constexpr char kEventColumns[] =
    "position, chain, sequence, event_id, type, biz_step, event_unix_micros, zone_offset, record_unix_micros, "
    "location_name, commune_code, latitude, longitude, gln, disposition, recorded_by, corrects, "
    "correction_reason, details, attachments, inputs, outputs, chain_hash";

std::string EventName(const std::string& chain, int64_t sequence) { return absl::StrCat(chain, "/events/", sequence); }

BatchEvent ReadEvent(const store::Statement& row) {
  BatchEvent event;
  event.batch = row.ColumnText(1);
  event.sequence = row.ColumnInt(2);
  event.name = EventName(event.batch, event.sequence);
  event.event_id = row.ColumnText(3);
  event.type = static_cast<EventType>(row.ColumnInt(4));
  event.biz_step = row.ColumnText(5);
  event.event_time = absl::FromUnixMicros(row.ColumnInt(6));
  event.event_time_zone_offset = row.ColumnText(7);
  event.record_time = absl::FromUnixMicros(row.ColumnInt(8));
  event.location.display_name = row.ColumnText(9);
  event.location.commune_code = row.ColumnText(10);
  if (!row.ColumnIsNull(11)) event.location.geo = GeoPoint{row.ColumnDouble(11), row.ColumnDouble(12)};
  event.location.gln = row.ColumnText(13);
  event.disposition = row.ColumnText(14);
  event.recorded_by = row.ColumnText(15);
  event.corrects = row.ColumnText(16);
  event.correction_reason = row.ColumnText(17);
  event.details = sql::DecodeDetails(row.ColumnText(18));
  event.attachments = sql::DecodeAttachments(row.ColumnText(19));
  event.inputs = sql::DecodeQuantities(row.ColumnText(20));
  event.outputs = sql::DecodeQuantities(row.ColumnText(21));
  event.chain_hash = row.ColumnText(22);
  return event;
}

absl::StatusOr<std::vector<BatchEvent>> SelectChainEvents(store::Connection& connection, const std::string& chain,
                                                          int64_t after_sequence, int64_t limit) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare(absl::StrCat("SELECT ", kEventColumns, " FROM chain_events WHERE chain = ? "
                                                        "AND sequence > ? ORDER BY sequence LIMIT ?")));
  select.Bind(1, chain).Bind(2, after_sequence).Bind(3, limit);
  std::vector<BatchEvent> events;
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    events.push_back(ReadEvent(select));
  }
  return events;
}

absl::StatusOr<std::vector<std::string>> Column(store::Connection& connection, const std::string& sql,
                                                const std::string& key) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(sql));
  select.Bind(1, key);
  std::vector<std::string> values;
  while (true) {
    OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
    if (!row) break;
    values.push_back(select.ColumnText(0));
  }
  return values;
}

// Breadth-first walk from `start` along `next` (a query taking one lot), without repeats.
absl::StatusOr<std::vector<std::string>> Walk(store::Connection& connection, std::vector<std::string> start,
                                              const std::string& next) {
  std::vector<std::string> seen;
  std::set<std::string> visited(start.begin(), start.end());
  std::deque<std::string> queue(start.begin(), start.end());
  while (!queue.empty()) {
    std::string lot = queue.front();
    queue.pop_front();
    seen.push_back(lot);
    OCOP_ASSIGN_OR_RETURN(std::vector<std::string> linked, Column(connection, next, lot));
    for (std::string& other : linked) {
      if (visited.insert(other).second) queue.push_back(std::move(other));
    }
  }
  return seen;
}

constexpr char kChildrenOf[] = "SELECT child FROM lot_links WHERE parent = ? ORDER BY child";
constexpr char kParentsOf[] = "SELECT parent FROM lot_links WHERE child = ? ORDER BY parent";

absl::Status BumpGeneration(store::Connection& connection, const char* table, const char* entity,
                            const std::string& name, absl::Time time) {
  OCOP_ASSIGN_OR_RETURN(store::Statement bump,
                        connection.Prepare(absl::StrCat("UPDATE ", table, " SET generation = generation + 1 "
                                                        "WHERE name = ? RETURNING generation")));
  bump.Bind(1, name);
  OCOP_ASSIGN_OR_RETURN(bool row, bump.Step());
  if (!row) return absl::NotFoundError(absl::StrCat(name, " not found"));
  int64_t generation = bump.ColumnInt(0);
  bump.Reset();
  return store::AppendChange(connection, entity, name, generation, time).status();
}

absl::Status InsertEventRow(store::Connection& connection, const BatchEvent& event, const std::string& product,
                            const std::string& fingerprint) {
  OCOP_ASSIGN_OR_RETURN(
      store::Statement insert,
      connection.Prepare("INSERT INTO chain_events(chain, sequence, product, event_id, fingerprint, type, biz_step, "
                         "event_unix_micros, zone_offset, record_unix_micros, location_name, commune_code, latitude, "
                         "longitude, gln, disposition, recorded_by, corrects, correction_reason, details, "
                         "attachments, inputs, outputs, chain_hash) "
                         "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"));
  insert.Bind(1, event.batch).Bind(2, event.sequence).Bind(3, product).Bind(4, event.event_id).Bind(5, fingerprint)
      .Bind(6, static_cast<int64_t>(event.type)).Bind(7, event.biz_step)
      .Bind(8, absl::ToUnixMicros(event.event_time)).Bind(9, event.event_time_zone_offset)
      .Bind(10, absl::ToUnixMicros(event.record_time)).Bind(11, event.location.display_name)
      .Bind(12, event.location.commune_code).Bind(15, event.location.gln).Bind(16, event.disposition)
      .Bind(17, event.recorded_by).Bind(18, event.corrects).Bind(19, event.correction_reason)
      .Bind(20, sql::EncodeDetails(event.details)).Bind(21, sql::EncodeAttachments(event.attachments))
      .Bind(22, sql::EncodeQuantities(event.inputs)).Bind(23, sql::EncodeQuantities(event.outputs))
      .Bind(24, event.chain_hash);
  if (event.location.geo.has_value()) {
    insert.Bind(13, event.location.geo->latitude).Bind(14, event.location.geo->longitude);
  } else {
    insert.BindNull(13).BindNull(14);
  }
  absl::Status inserted = insert.Run();
  if (absl::IsAlreadyExists(inserted)) {
    return absl::AlreadyExistsError(absl::StrCat("event.event_id: ", event.event_id, " is already recorded"));
  }
  return inserted;
}

absl::Status StoreHead(store::Connection& connection, const std::string& chain, int64_t sequence,
                       const std::string& head_hash) {
  OCOP_ASSIGN_OR_RETURN(store::Statement update,
                        connection.Prepare("UPDATE chains SET event_count = ?, head_hash = ? WHERE name = ?"));
  update.Bind(1, sequence).Bind(2, head_hash).Bind(3, chain);
  return update.Run();
}

}  // namespace

namespace sql {

absl::StatusOr<ChainHead> SelectChainHead(store::Connection& connection, const CheckpointSigner* signer,
                                          const std::string& chain) {
  OCOP_ASSIGN_OR_RETURN(store::Statement select,
                        connection.Prepare("SELECT event_count, head_hash FROM chains WHERE name = ?"));
  select.Bind(1, chain);
  OCOP_ASSIGN_OR_RETURN(bool row, select.Step());
  if (!row) return absl::NotFoundError(absl::StrCat(chain, " not found"));
  ChainHead head;
  head.event_count = select.ColumnInt(0);
  head.head_hash = select.ColumnText(1);
  select.Reset();
  // Signed when read: this is the moment the checkpoint is published.
  if (signer != nullptr && head.event_count > 0) {
    OCOP_ASSIGN_OR_RETURN(head.checkpoint, signer->Sign(chain, head.event_count, head.head_hash));
  }
  return head;
}

absl::StatusOr<BatchEvent> AppendToChain(store::Connection& connection, BatchEvent event, const std::string& fingerprint, bool bump_descendants) {
  absl::StatusOr<ChainHead> head = SelectChainHead(connection, nullptr, event.batch);
  if (absl::IsNotFound(head.status())) return absl::NotFoundError(absl::StrCat("parent: ", event.batch, " not found"));
  OCOP_RETURN_IF_ERROR(head.status());
  if (!event.corrects.empty()) {
    absl::string_view corrected = event.corrects;
    int64_t corrected_sequence = 0;
    if (!absl::ConsumePrefix(&corrected, absl::StrCat(event.batch, "/events/")) ||
        !absl::SimpleAtoi(corrected, &corrected_sequence) || corrected_sequence < 1 ||
        corrected_sequence > head->event_count) {
      return absl::InvalidArgumentError(
          absl::StrCat("event.corrects: ", event.corrects, " is not an earlier event of ", event.batch));
    }
  }
  event.sequence = head->event_count + 1;
  event.name = EventName(event.batch, event.sequence);
  event.chain_hash = NextChainHash(head->head_hash, event);

  bool season = IsSeasonName(event.batch);
  std::string product;
  std::vector<std::string> lots;
  if (season) {
    OCOP_ASSIGN_OR_RETURN(lots, Column(connection, "SELECT lot FROM season_lots WHERE season = ? ORDER BY lot",
                                       event.batch));
  } else {
    OCOP_ASSIGN_OR_RETURN(std::vector<std::string> products,
                          Column(connection, "SELECT product FROM batches WHERE name = ?", event.batch));
    if (!products.empty()) product = products.front();
    lots.push_back(event.batch);
  }
  OCOP_RETURN_IF_ERROR(InsertEventRow(connection, event, product, fingerprint));
  OCOP_RETURN_IF_ERROR(StoreHead(connection, event.batch, event.sequence, event.chain_hash));
  // Whoever shows these lots (the lookup cache) must refresh: their trace now has this event.
  if (season) OCOP_RETURN_IF_ERROR(BumpGeneration(connection, "seasons", "season", event.batch, event.record_time));
  if (bump_descendants) {
    OCOP_ASSIGN_OR_RETURN(lots, Walk(connection, lots, kChildrenOf));
  }
  for (const std::string& lot : lots) {
    OCOP_RETURN_IF_ERROR(BumpGeneration(connection, "batches", "batch", lot, event.record_time));
  }
  return event;
}

}  // namespace sql

absl::Status SqlBatchRepository::HashUnhashedEvents() {
  return database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::vector<std::string> chains,
                          Column(connection, "SELECT DISTINCT chain FROM chain_events WHERE chain_hash = ?1 "
                                             "ORDER BY chain", ""));
    for (const std::string& chain : chains) {
      OCOP_ASSIGN_OR_RETURN(std::vector<BatchEvent> events, SelectChainEvents(connection, chain, 0, INT64_MAX));
      std::string head;
      OCOP_ASSIGN_OR_RETURN(store::Statement update,
                            connection.Prepare("UPDATE chain_events SET chain_hash = ? WHERE chain = ? AND sequence = ?"));
      for (const BatchEvent& event : events) {
        head = NextChainHash(head, event);
        update.Bind(1, head).Bind(2, chain).Bind(3, event.sequence);
        OCOP_RETURN_IF_ERROR(update.Run());
        update.Reset();
      }
      OCOP_RETURN_IF_ERROR(StoreHead(connection, chain, static_cast<int64_t>(events.size()), head));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<BatchEvent> SqlBatchRepository::AppendEvent(const BatchEvent& event, const std::string& fingerprint,
                                                              const store::IdempotencyKey& key) {
  BatchEvent stored;
  std::string earlier_name;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store::FindIdempotentResult(connection, key));
    if (earlier.has_value()) {
      earlier_name = *earlier;
      return absl::OkStatus();
    }
    OCOP_ASSIGN_OR_RETURN(store::Statement same_id,
                          connection.Prepare("SELECT chain, sequence, fingerprint FROM chain_events WHERE event_id = ?"));
    same_id.Bind(1, event.event_id);
    OCOP_ASSIGN_OR_RETURN(bool found, same_id.Step());
    if (found) {
      if (same_id.ColumnText(2) != fingerprint || same_id.ColumnText(0) != event.batch) {
        return absl::AlreadyExistsError(absl::StrCat("event.event_id: ", event.event_id, " is already used by ",
                                                     EventName(same_id.ColumnText(0), same_id.ColumnInt(1)),
                                                     " for another event"));
      }
      earlier_name = EventName(same_id.ColumnText(0), same_id.ColumnInt(1));
      return absl::OkStatus();
    }
    OCOP_ASSIGN_OR_RETURN(stored, sql::AppendToChain(connection, event, fingerprint, true));
    return store::RememberIdempotentResult(connection, key, stored.name);
  }));
  if (earlier_name.empty()) {
    notifier_.Notify();
    return stored;
  }
  // A retry: return the event the first capture stored.
  std::string chain = earlier_name.substr(0, earlier_name.rfind("/events/"));
  int64_t sequence = 0;
  if (!absl::SimpleAtoi(earlier_name.substr(earlier_name.rfind('/') + 1), &sequence)) {
    return absl::InternalError(absl::StrCat("stored event name ", earlier_name, " is malformed"));
  }
  OCOP_ASSIGN_OR_RETURN(Page<BatchEvent> page, ListEvents(chain, sequence - 1, 1));
  if (page.items.empty()) return absl::InternalError(absl::StrCat("event ", earlier_name, " vanished"));
  return page.items.front();
}

absl::StatusOr<Page<BatchEvent>> SqlBatchRepository::ListEvents(const std::string& chain, int64_t after_sequence,
                                                                   int limit) {
  Page<BatchEvent> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(page.items, SelectChainEvents(connection, chain, after_sequence, limit + 1));
    return absl::OkStatus();
  }));
  if (static_cast<int>(page.items.size()) > limit) {
    page.items.pop_back();
    page.next_position = page.items.back().sequence;
  }
  return page;
}

absl::StatusOr<Page<BatchEvent>> SqlBatchRepository::QueryEvents(const EventQuery& query, int64_t after_position,
                                                                    int limit) {
  // Only the filters given become conditions, so the planner can use the product or chain index.
  std::string sql = absl::StrCat("SELECT ", kEventColumns, " FROM chain_events WHERE position > ?1");
  if (!query.product.empty()) absl::StrAppend(&sql, " AND product = ?2");
  if (!query.lot.empty()) absl::StrAppend(&sql, " AND chain = ?3");
  if (!query.season.empty()) absl::StrAppend(&sql, " AND chain = ?4");
  if (query.start_time.has_value()) absl::StrAppend(&sql, " AND event_unix_micros >= ?5");
  if (query.end_time.has_value()) absl::StrAppend(&sql, " AND event_unix_micros < ?6");
  if (!query.biz_step.empty()) absl::StrAppend(&sql, " AND biz_step = ?7");
  if (!query.commune_code.empty()) absl::StrAppend(&sql, " AND commune_code = ?8");
  absl::StrAppend(&sql, " ORDER BY position LIMIT ?9");
  Page<BatchEvent> page;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(store::Statement select, connection.Prepare(sql));
    select.Bind(1, after_position).Bind(9, static_cast<int64_t>(limit + 1));
    if (!query.product.empty()) select.Bind(2, query.product);
    if (!query.lot.empty()) select.Bind(3, query.lot);
    if (!query.season.empty()) select.Bind(4, query.season);
    if (query.start_time.has_value()) select.Bind(5, absl::ToUnixMicros(*query.start_time));
    if (query.end_time.has_value()) select.Bind(6, absl::ToUnixMicros(*query.end_time));
    if (!query.biz_step.empty()) select.Bind(7, query.biz_step);
    if (!query.commune_code.empty()) select.Bind(8, query.commune_code);
    OCOP_ASSIGN_OR_RETURN(page, store::ReadPage<BatchEvent>(select, limit, ReadEvent));
    return absl::OkStatus();
  }));
  return page;
}

absl::StatusOr<std::vector<BatchEvent>> SqlBatchRepository::ChainEvents(const std::string& chain) {
  std::vector<BatchEvent> events;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_RETURN_IF_ERROR(sql::SelectChainHead(connection, nullptr, chain).status());
    OCOP_ASSIGN_OR_RETURN(events, SelectChainEvents(connection, chain, 0, INT64_MAX));
    return absl::OkStatus();
  }));
  return events;
}

absl::StatusOr<std::vector<std::string>> SqlBatchRepository::RecallLot(const Recall& recall,
                                                                          const store::IdempotencyKey& key) {
  std::vector<std::string> recalled;
  bool retry = false;
  OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(std::optional<std::string> earlier, store::FindIdempotentResult(connection, key));
    if (earlier.has_value()) {
      retry = true;
      return absl::OkStatus();
    }
    absl::StatusOr<Batch> root = sql::SelectBatch(connection, nullptr, recall.lot);
    if (absl::IsNotFound(root.status())) return absl::NotFoundError(absl::StrCat("name: ", recall.lot, " not found"));
    OCOP_RETURN_IF_ERROR(root.status());
    OCOP_ASSIGN_OR_RETURN(std::vector<std::string> lots, Walk(connection, {recall.lot}, kChildrenOf));
    OCOP_ASSIGN_OR_RETURN(store::Statement mark,
                          connection.Prepare("UPDATE batches SET status = ?, recall_reason = ?, recall_unix_micros = ?, "
                                             "recalled_from = ? WHERE name = ? AND status != ?"));
    for (const std::string& lot : lots) {
      mark.Bind(1, static_cast<int64_t>(BatchStatus::kRecalled)).Bind(2, recall.reason)
          .Bind(3, absl::ToUnixMicros(recall.time)).Bind(4, recall.lot).Bind(5, lot)
          .Bind(6, static_cast<int64_t>(BatchStatus::kRecalled));
      OCOP_RETURN_IF_ERROR(mark.Run());
      bool changed = connection.Changes() > 0;
      mark.Reset();
      if (!changed) continue;  // recalled before, by this lot or another
      BatchEvent event = recall.event;
      event.batch = lot;
      event.event_id = absl::StrCat(recall.event.event_id, ":", recalled.size());
      OCOP_RETURN_IF_ERROR(sql::AppendToChain(connection, std::move(event), "", false).status());
      recalled.push_back(lot);
    }
    return store::RememberIdempotentResult(connection, key, recall.lot);
  }));
  if (!retry) {
    notifier_.Notify();
    return recalled;
  }
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(recalled, Column(connection, "SELECT name FROM batches WHERE recalled_from = ? "
                                                       "ORDER BY position", recall.lot));
    return absl::OkStatus();
  }));
  return recalled;
}

absl::StatusOr<Trace> SqlBatchRepository::GetTrace(const std::string& name) {
  Trace trace;
  OCOP_RETURN_IF_ERROR(database_->Read([&](store::Connection& connection) -> absl::Status {
    OCOP_ASSIGN_OR_RETURN(trace.batch, sql::SelectBatch(connection, signer_, name));
    OCOP_ASSIGN_OR_RETURN(std::vector<std::string> lineage, Walk(connection, {name}, kParentsOf));
    std::vector<std::string> chains;
    // A season goes on after a harvest (tea is picked many times a season): its events after the
    // end of the lot's harvest day belong to later harvests and are not part of this lot's story.
    std::map<std::string, absl::Time> seasons;  // season -> end of the latest harvest day from it
    for (const std::string& lot : lineage) {
      const Batch* batch = &trace.batch;
      if (lot != name) {
        OCOP_ASSIGN_OR_RETURN(Batch ancestor, sql::SelectBatch(connection, signer_, lot));
        trace.ancestors.push_back(std::move(ancestor));
        batch = &trace.ancestors.back();
      }
      chains.push_back(lot);
      absl::CivilDay harvest_day;
      absl::Time harvest_day_end = absl::InfiniteFuture();
      if (absl::ParseCivilTime(batch->harvest_date, &harvest_day)) {
        harvest_day_end = absl::FromCivil(harvest_day + 1, absl::FixedTimeZone(7 * 3600));
      }
      for (const std::string& season : batch->source_seasons) {
        auto [it, inserted] = seasons.emplace(season, harvest_day_end);
        if (!inserted) it->second = std::max(it->second, harvest_day_end);
      }
    }
    for (const auto& [season_name, cutoff] : seasons) {
      absl::StatusOr<Season> season = sql::SelectSeason(connection, signer_, season_name);
      if (absl::IsNotFound(season.status())) continue;
      OCOP_RETURN_IF_ERROR(season.status());
      trace.seasons.push_back(std::move(*season));
      chains.push_back(season_name);
    }
    for (const std::string& chain : chains) {
      OCOP_ASSIGN_OR_RETURN(std::vector<BatchEvent> events, SelectChainEvents(connection, chain, 0, INT64_MAX));
      auto cutoff = seasons.find(chain);
      for (BatchEvent& event : events) {
        if (cutoff != seasons.end() && event.event_time >= cutoff->second) continue;
        trace.events.push_back(std::move(event));
      }
    }
    return absl::OkStatus();
  }));
  std::stable_sort(trace.events.begin(), trace.events.end(), [](const BatchEvent& a, const BatchEvent& b) {
    if (a.event_time != b.event_time) return a.event_time < b.event_time;
    return a.record_time < b.record_time;
  });
  return trace;
}

}  // namespace ocop::batch
