// Stamp domain types: rolls (serial ranges) and stamps, free of gRPC, SQL and protobuf.
#pragma once

#include <cstdint>
#include <string>

#include "absl/time/time.h"

namespace ocop::stamp {

struct Roll {
  std::string name;  // rolls/{id}
  std::string batch;
  std::string producer;
  std::string product;
  int64_t count = 0;
  uint64_t first_serial = 0;
  uint32_t key_id = 0;
  std::string issued_by;
  absl::Time create_time;
  bool Contains(uint64_t serial) const {
    return serial >= first_serial && serial - first_serial < static_cast<uint64_t>(count);
  }
};

// Values match ocop.stamp.v1.StampState.
enum class StampState { kUnspecified = 0, kIssued = 1 };

struct Stamp {
  uint64_t serial = 0;
  Roll roll;
  StampState state = StampState::kUnspecified;
  std::string token;
  std::string url;
};

// Values match ocop.stamp.v1.ImageFormat.
enum class ImageFormat { kUnspecified = 0, kSvg = 1, kPng = 2 };

struct RenderedStamp {
  uint64_t serial = 0;
  std::string token;
  std::string url;
  std::string content_type;
  std::string image;
};

}  // namespace ocop::stamp
