// Client side of WatchChanges: follows one service's change feed on a background thread, resumes
// after the last sequence it saw, and reconnects with a short backoff when the stream breaks.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include <grpcpp/client_context.h>
#include <grpcpp/impl/codegen/proto_utils.h>
#include <grpcpp/support/sync_stream.h>

#include "common/metrics/metrics.h"
#include "ocop/common/v1/common.pb.h"

namespace ocop::feed {

class FeedFollower {
 public:
  // Opens a WatchChanges stream, e.g. a bound stub->WatchChanges.
  using OpenStream = std::function<std::unique_ptr<grpc::ClientReader<common::v1::Change>>(
      grpc::ClientContext*, const common::v1::WatchChangesRequest&)>;

  // `on_change` runs for each change in order; `on_connect` runs each time a stream opens (before
  // its first change), so a cache can drop what it may have missed while disconnected. Both run
  // on the follower's thread.
  // Metrics are labelled feed=`feed_name`: ocop_feed_follower_connected, _sequence, _lag_seconds
  // (commit to applied) and ocop_feed_follower_reconnects_total.
  // `start_at_head`: the first stream (and any before a change has arrived) starts at the feed's
  // head instead of replaying its history: for caches, whose on_connect drops everything anyway.
  // A follower told that the changes after its sequence were pruned (OUT_OF_RANGE) starts again:
  // at the head, or from the oldest change kept; on_connect runs as on any new stream.
  FeedFollower(std::string feed_name, OpenStream open,
               std::function<void(const common::v1::Change&)> on_change,
               std::function<void()> on_connect, bool start_at_head = false);
  ~FeedFollower();

  void Start();
  void Stop();
  // The last sequence applied.
  int64_t last_sequence() const { return last_sequence_; }
  bool connected() const { return connected_; }

 private:
  void Run();

  const std::string feed_name_;
  OpenStream open_;
  std::function<void(const common::v1::Change&)> on_change_;
  std::function<void()> on_connect_;
  const bool start_at_head_;
  std::atomic<int64_t> last_sequence_{0};
  std::atomic<bool> connected_{false};
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  grpc::ClientContext* active_context_ = nullptr;
  prometheus::Histogram& lag_seconds_;
  prometheus::Counter& reconnects_;
  // Read when scraped; declared after what they read, so they are unregistered before it goes.
  std::vector<std::unique_ptr<metrics::ScrapedValue>> scraped_;
  std::thread thread_;
};

}  // namespace ocop::feed
