#include "common/feed/change_feed.h"

#include "common/grpc/proto_time.h"
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
                               grpc::ServerWriter<common::v1::Change>* writer) {
  if (request.after_sequence() < 0) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "after_sequence: must not be negative");
  }
  // Tells the follower it is connected before any change exists.
  context->AddInitialMetadata(kFeedOpenHeader, "open");
  writer->SendInitialMetadata();
  int64_t after = request.after_sequence();
  while (!stopped_ && !context->IsCancelled()) {
    // Read the epoch before the outbox so a commit between the two is not slept through.
    uint64_t epoch = notifier_->epoch();
    std::vector<store::ChangeRecord> changes;
    absl::Status read = database_->Read([&](store::Connection& connection) {
      auto records = store::ReadChanges(connection, after, kBatchSize);
      if (!records.ok()) return records.status();
      changes = std::move(*records);
      return absl::OkStatus();
    });
    if (!read.ok()) return ToGrpcStatus(read);
    for (const store::ChangeRecord& record : changes) {
      if (!writer->Write(ToProto(record))) return grpc::Status::OK;  // caller went away
      after = record.sequence;
    }
    if (changes.size() < static_cast<size_t>(kBatchSize)) notifier_->WaitForChange(epoch, kIdleCheck);
  }
  return grpc::Status::OK;
}

void ChangeFeed::Stop() {
  stopped_ = true;
  notifier_->Notify();
}

}  // namespace ocop::feed
