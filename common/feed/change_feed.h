// Server side of WatchChanges: streams a service's outbox after a sequence, then each new change
// as it commits, until the caller cancels or the service stops.
#pragma once

#include <atomic>
#include <functional>
#include <string>

#include <grpcpp/server_context.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/sync_stream.h>

#include "absl/time/time.h"
#include "common/grpc/held_calls.h"
#include "common/store/database.h"
#include "common/store/outbox.h"
#include "ocop/common/v1/common.pb.h"

namespace ocop::feed {

// Initial-metadata key a feed stream sends as soon as it opens, so a follower knows it is connected
// before any change arrives.
inline constexpr char kFeedOpenHeader[] = "x-ocop-feed";

// How many streams may be open at once (each holds a server thread: the rest of the pool stays for
// short calls), and how long a follower may leave a change unread before its stream is cut.
struct FeedLimits {
  int max_streams = 16;
  absl::Duration stall_timeout = absl::Seconds(60);
};

class ChangeFeed {
 public:
  using Limits = FeedLimits;
  // `database` holds the outbox; `notifier` is signalled by the service after each commit that
  // appended changes. Neither is owned.
  ChangeFeed(store::Database* database, store::ChangeNotifier* notifier, FeedLimits limits = FeedLimits())
      : database_(database), notifier_(notifier), held_("change streams", limits.max_streams, limits.stall_timeout) {}

  // Which changes a caller may see (entity, name); every change when empty.
  using Visible = std::function<bool(const std::string& entity, const std::string& name)>;

  // Serves one WatchChanges call. Holds one server thread while the stream is open.
  // INVALID_ARGUMENT for a negative after_sequence; RESOURCE_EXHAUSTED when max_streams are open;
  // OK when the caller or Stop() ends it; CANCELLED when the follower stopped reading for
  // stall_timeout. Changes `visible` refuses are skipped (the stream still moves past them).
  grpc::Status Serve(grpc::ServerContext* context, const common::v1::WatchChangesRequest& request,
                     grpc::ServerWriter<common::v1::Change>* writer, const Visible& visible = {});

  // Ends every open stream promptly (call before shutting the server down).
  void Stop();

  // Streams cut because their follower stopped reading.
  int64_t stalled_streams() const { return held_.stalled_calls(); }

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
  grpcutil::HeldCalls held_;
  std::atomic<bool> stopped_{false};
};

// Converts an outbox record to its proto.
common::v1::Change ToProto(const store::ChangeRecord& record);

}  // namespace ocop::feed
