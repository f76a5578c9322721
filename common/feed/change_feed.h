// Server side of WatchChanges: streams a service's outbox after a sequence, then each new change
// as it commits, until the caller cancels or the service stops.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

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
  // Changes older than this are pruned from the outbox (a follower further behind reloads and
  // follows from the head), except those of `kept_entities`, which followers replay from the
  // start to rebuild state (the registry's revocations).
  absl::Duration retention = absl::Hours(24 * 7);
  std::vector<std::string> kept_entities;
};

class ChangeFeed {
 public:
  using Limits = FeedLimits;
  // `database` holds the outbox; `notifier` is signalled by the service after each commit that
  // appended changes. Neither is owned.
  ChangeFeed(store::Database* database, store::ChangeNotifier* notifier, FeedLimits limits = FeedLimits())
      : database_(database),
        notifier_(notifier),
        limits_(std::move(limits)),
        held_("change streams", limits_.max_streams, limits_.stall_timeout) {}
  ~ChangeFeed();

  // Which changes a caller may see (entity, name); every change when empty.
  using Visible = std::function<bool(const std::string& entity, const std::string& name)>;

  // Serves one WatchChanges call. Holds one server thread while the stream is open.
  // INVALID_ARGUMENT for a negative after_sequence; RESOURCE_EXHAUSTED when max_streams are open;
  // OK when the caller or Stop() ends it; CANCELLED when the follower stopped reading for
  // stall_timeout. Changes `visible` refuses are skipped (the stream still moves past them).
  grpc::Status Serve(grpc::ServerContext* context, const common::v1::WatchChangesRequest& request,
                     grpc::ServerWriter<common::v1::Change>* writer, const Visible& visible = {});

  // Ends every open stream promptly and stops pruning (call before shutting the server down).
  void Stop();

  // Prunes changes older than the retention at `now`, in transactions of at most 10,000 rows
  // (writers wait for one slice, not the lot). Returns how many were deleted.
  absl::StatusOr<int64_t> Prune(absl::Time now);
  // Prunes now and then every hour on a background thread, until Stop().
  void StartPruning();

  // Streams cut because their follower stopped reading.
  int64_t stalled_streams() const { return held_.stalled_calls(); }

 private:
  store::Database* database_;
  store::ChangeNotifier* notifier_;
  const FeedLimits limits_;
  grpcutil::HeldCalls held_;
  std::atomic<bool> stopped_{false};
  std::mutex pruner_mutex_;
  std::condition_variable pruner_wake_;
  std::thread pruner_;
};

// Converts an outbox record to its proto.
common::v1::Change ToProto(const store::ChangeRecord& record);

}  // namespace ocop::feed
