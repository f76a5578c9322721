#include "common/feed/change_feed.h"

#include <cstdio>

#include "absl/strings/str_cat.h"
#include "common/log/log.h"
#include "common/grpc/proto_time.h"
#include "common/status/status_macros.h"
#include "common/status/grpc_status.h"

namespace ocop::feed {
namespace {
constexpr int kBatchSize = 256;
// How often an idle stream checks for cancellation and shutdown.
constexpr absl::Duration kIdleCheck = absl::Milliseconds(200);
}  // namespace

common::v1::Change ToProto(const store::ChangeRecord& record) {
  common::v1::Change change;
  change.set_sequence(record.sequence);
  change.set_entity(record.entity);
  change.set_name(record.name);
  change.set_generation(record.generation);
  grpcutil::ToProtoTime(record.commit_time, change.mutable_commit_time());
  return change;
}

grpc::Status ChangeFeed::Serve(grpc::ServerContext* context,
                               const common::v1::WatchChangesRequest& request,
                               grpc::ServerWriter<common::v1::Change>* writer, const Visible& visible) {
  if (request.after_sequence() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "after_sequence: must not be negative");
  }
  int64_t after = request.after_sequence();
  bool missing = false;
  absl::Status start = database_->Read([&](store::Connection& connection) -> absl::Status {
    if (request.from_head()) {
      OCOP_ASSIGN_OR_RETURN(after, store::HeadSequence(connection));
    } else if (after > 0) {  // 0: from the oldest change kept, whatever was pruned before it
      OCOP_ASSIGN_OR_RETURN(missing, store::ChangesMissingAfter(connection, after));
    }
    return absl::OkStatus();
  });
  if (!start.ok()) return ToGrpcStatus(start);
  if (missing) {
    return grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                        absl::StrCat("after_sequence: changes after ", after, " were pruned (changes are kept ",
                                     absl::FormatDuration(limits_.retention),
                                     "); reload what you hold and follow from the head"));
  }
  absl::StatusOr<grpcutil::HeldCalls::Hold> hold = held_.Enter(context);
  if (!hold.ok()) return ToGrpcStatus(hold.status());
  // Tells the follower it is connected before any change exists.
  context->AddInitialMetadata(kFeedOpenHeader, "open");
  writer->SendInitialMetadata();
  uint64_t seen_epoch = 0;
  bool read_needed = true;
  while (!stopped_ && !context->IsCancelled()) {
    if (read_needed) {
      // Take the epoch before reading, so a commit that lands after the read wakes the wait below.
      seen_epoch = notifier_->epoch();
      std::vector<store::ChangeRecord> changes;
      absl::Status read = database_->Read([&](store::Connection& connection) {
        auto records = store::ReadChanges(connection, after, kBatchSize);
        if (!records.ok()) return records.status();
        changes = std::move(*records);
        return absl::OkStatus();
      });
      if (!read.ok()) return ToGrpcStatus(read);
      for (const store::ChangeRecord& record : changes) {
        if (visible && !visible(record.entity, record.name)) {
          after = record.sequence;
          continue;
        }
        if (!writer->Write(ToProto(record))) return grpc::Status::OK;  // caller went away
        hold->Progress();
        after = record.sequence;
      }
      if (changes.size() == static_cast<size_t>(kBatchSize)) continue;  // more to catch up on
    }
    // Every commit to the outbox bumps the epoch: this process's own, and on PostgreSQL those of
    // other replicas through the store's change listener (Database::ListenForChanges). So an
    // unchanged epoch means nothing new to read.
    read_needed = notifier_->WaitForChange(seen_epoch, kIdleCheck) != seen_epoch;
    hold->Progress();  // waiting for changes is ours to do, not a stall of the follower
  }
  return grpc::Status::OK;
}

void ChangeFeed::Stop() {
  {
    std::lock_guard lock(pruner_mutex_);
    stopped_ = true;
  }
  pruner_wake_.notify_all();
  notifier_->Notify();
  if (pruner_.joinable()) pruner_.join();
}

ChangeFeed::~ChangeFeed() { Stop(); }

absl::StatusOr<int64_t> ChangeFeed::Prune(absl::Time now) {
  constexpr int kSlice = 10000;
  int64_t pruned = 0;
  while (!stopped_) {
    int64_t deleted = 0;
    OCOP_RETURN_IF_ERROR(database_->Transact([&](store::Connection& connection) -> absl::Status {
      OCOP_ASSIGN_OR_RETURN(deleted, store::PruneChanges(connection, now - limits_.retention, limits_.kept_entities,
                                                         kSlice));
      return absl::OkStatus();
    }));
    pruned += deleted;
    if (deleted < kSlice) break;
  }
  return pruned;
}

void ChangeFeed::StartPruning() {
  if (limits_.retention <= absl::ZeroDuration() || pruner_.joinable()) return;
  pruner_ = std::thread([this] {
    std::unique_lock lock(pruner_mutex_);
    while (!stopped_) {
      lock.unlock();
      absl::StatusOr<int64_t> pruned = Prune(absl::Now());
      if (!pruned.ok()) logs::Warning("cannot prune the change feed's outbox", {{"error", pruned.status()}});
      lock.lock();
      pruner_wake_.wait_for(lock, std::chrono::hours(1), [this] { return stopped_.load(); });
    }
  });
}

}  // namespace ocop::feed
