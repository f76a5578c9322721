// Captures what the process logs (common/log) while alive, with every request's access line
// (sample 1), and restores the default options after.
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "common/log/log.h"

namespace ocop::testing {

class CapturedLogs {
 public:
  explicit CapturedLogs(logs::Level level = logs::Level::kDebug, double access_sample = 1.0) {
    logs::Options options;
    options.service = "test";
    options.level = level;
    options.access_sample = access_sample;
    options.sink = [this](std::string_view line) {
      std::lock_guard lock(mutex_);
      lines_.emplace_back(line);
    };
    logs::Configure(std::move(options));
  }
  ~CapturedLogs() { logs::Configure(logs::Options{}); }
  CapturedLogs(const CapturedLogs&) = delete;
  CapturedLogs& operator=(const CapturedLogs&) = delete;

  std::vector<std::string> lines() const {
    std::lock_guard lock(mutex_);
    return lines_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> lines_;
};

}  // namespace ocop::testing
