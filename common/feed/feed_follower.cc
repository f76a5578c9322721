#include "common/feed/feed_follower.h"

#include <cstdio>

#include "absl/time/clock.h"
#include "common/log/log.h"
#include "common/feed/change_feed.h"
#include "common/grpc/proto_time.h"

namespace ocop::feed {

FeedFollower::FeedFollower(std::string feed_name, OpenStream open,
                           std::function<void(const common::v1::Change&)> on_change,
                           std::function<void()> on_connect, bool start_at_head)
    : feed_name_(std::move(feed_name)),
      open_(std::move(open)),
      on_change_(std::move(on_change)),
      on_connect_(std::move(on_connect)),
      start_at_head_(start_at_head),
      lag_seconds_(metrics::HistogramFamily("ocop_feed_follower_lag_seconds",
                                            "Time from a change's commit to its being applied by this follower, in "
                                            "seconds (clocks of two hosts: a skew shows here).")
                       .Add({{"feed", feed_name_}}, metrics::LatencyBuckets())),
      reconnects_(metrics::CounterFamily("ocop_feed_follower_reconnects_total",
                                         "Times the follower opened its stream again after it ended (every attempt while the service "
                                         "is away counts).")
                      .Add({{"feed", feed_name_}})) {
  scraped_.push_back(std::make_unique<metrics::ScrapedValue>(
      "ocop_feed_follower_connected", "1 while the follower's stream is open, 0 while it reconnects.",
      prometheus::Labels{{"feed", feed_name_}}, [this] { return connected_.load() ? 1.0 : 0.0; }));
  scraped_.push_back(std::make_unique<metrics::ScrapedValue>(
      "ocop_feed_follower_sequence", "The last feed sequence the follower applied.",
      prometheus::Labels{{"feed", feed_name_}}, [this] { return static_cast<double>(last_sequence_.load()); }));
}

FeedFollower::~FeedFollower() { Stop(); }

void FeedFollower::Start() { thread_ = std::thread([this] { Run(); }); }

void FeedFollower::Stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    if (active_context_ != nullptr) active_context_->TryCancel();
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void FeedFollower::Run() {
  std::chrono::milliseconds backoff(100);
  while (true) {
    grpc::ClientContext context;
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      active_context_ = &context;
    }
    common::v1::WatchChangesRequest request;
    request.set_after_sequence(last_sequence_);
    request.set_from_head(start_at_head_ && last_sequence_ == 0);
    std::unique_ptr<grpc::ClientReader<common::v1::Change>> reader = open_(&context, request);
    reader->WaitForInitialMetadata();
    if (context.GetServerInitialMetadata().count(kFeedOpenHeader) > 0) {
      connected_ = true;
      on_connect_();
    }
    common::v1::Change change;
    while (reader->Read(&change)) {
      on_change_(change);
      last_sequence_ = change.sequence();
      if (change.has_commit_time()) {
        const double lag = absl::ToDoubleSeconds(absl::Now() - grpcutil::FromProtoTime(change.commit_time()));
        lag_seconds_.Observe(std::max(0.0, lag));
      }
      backoff = std::chrono::milliseconds(100);
    }
    grpc::Status status = reader->Finish();
    bool was_connected = connected_.exchange(false);
    if (status.error_code() == grpc::StatusCode::OUT_OF_RANGE) {
      // What came after our sequence was pruned: start again (at the head, or from the oldest
      // change kept); the next stream's on_connect lets the owner reload.
      logs::Warning("feed pruned past our sequence; starting again",
                    {{"feed", feed_name_}, {"error", status.error_message()}});
      last_sequence_ = 0;
    }
    {
      std::lock_guard lock(mutex_);
      active_context_ = nullptr;
    }
    if (was_connected || status.error_code() != grpc::StatusCode::UNAVAILABLE) {
      logs::Info("feed stream ended; reconnecting",
                 {{"feed", feed_name_},
                  {"code", absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code()))},
                  {"error", status.error_message()},
                  {"after_sequence", last_sequence_.load()}});
    }
    std::unique_lock lock(mutex_);
    wake_.wait_for(lock, backoff, [this] { return stopping_; });
    if (stopping_) return;
    reconnects_.Increment();
    backoff = std::min(backoff * 2, std::chrono::milliseconds(1000));
  }
}

}  // namespace ocop::feed
