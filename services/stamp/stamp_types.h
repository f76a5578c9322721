// Stamp domain types: rolls (serial ranges) and stamps, free of gRPC, SQL and protobuf.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/time/time.h"
#include "common/ranges/interval_map.h"

namespace ocop::stamp {

// Values match ocop.stamp.v1.StampState.
enum class StampState { kUnspecified = 0, kIssued = 1, kActive = 2, kVoid = 3, kRevoked = 4 };

// One life-cycle operation on serials [first_serial, last_serial] of a roll.
struct RangeOperation {
  uint64_t first_serial = 0;
  uint64_t last_serial = 0;
  StampState state = StampState::kUnspecified;
  std::string reason;
  std::string actor;
  absl::Time time;
};

// Every serial of a roll that is not issued, with its state, as coalesced ranges: a roll activated
// package by package stays one range, however many operations it took.
using StampStates = ranges::IntervalMap<StampState>;

// How many of a roll's latest operations travel with it; ListRangeOperations pages them all.
inline constexpr int kRecentOperations = 20;

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
  StampStates states;                      // the state of every serial after all operations
  int64_t active_count = 0;                // serials in state active
  int64_t operation_count = 0;             // operations ever recorded
  int64_t range_count = 0;                 // ranges in `states`, as stored
  std::vector<RangeOperation> operations;  // the latest kRecentOperations, oldest first
  std::string pin_secret_id;              // empty: the roll's stamps have no PINs
  std::string printer_profile;
  std::string gtin;      // Digital Link rolls: GTIN-14 fixed at issue; empty otherwise
  std::string lot_code;  // Digital Link rolls: the lot code fixed at issue
  std::string printer;   // the printing house the roll is assigned to; empty: none
  // Serial -> the last day its latest copy-flag clearance set aside (stamps never cleared: absent).
  std::map<uint64_t, std::string> copy_flags_cleared_through;
  bool Contains(uint64_t serial) const {
    return serial >= first_serial && serial - first_serial < static_cast<uint64_t>(count);
  }
};

struct Stamp {
  uint64_t serial = 0;
  Roll roll;
  StampState state = StampState::kUnspecified;
  std::string token;
  std::string url;
  std::string copy_flag_cleared_through;  // "YYYY-MM-DD", empty when never cleared
};

// An office's clearance of a stamp's "possible copy" flag: scans through `cleared_through` no
// longer count toward it.
struct CopyFlagClearance {
  uint64_t serial = 0;
  std::string cleared_through;  // a Vietnam day
  std::string reason;
  std::string actor;
  absl::Time time;
};

// Values match ocop.stamp.v1.ImageFormat.
enum class ImageFormat { kUnspecified = 0, kSvg = 1, kPng = 2, kZpl = 3, kPdfA4Sheet = 4, kPdfLabelRoll = 5 };

// A record of one rendering of serials [first_serial, last_serial] of a roll.
struct Render {
  std::string name;  // renders/{id}
  std::string roll;
  uint64_t first_serial = 0;
  uint64_t last_serial = 0;
  uint64_t last_sent_serial = 0;  // 0: nothing sent yet
  std::string printer;
  std::string actor;
  std::string reprint_order;  // reprintOrders/{id}, when this render is a reprint
  std::string reprint_reason;
  absl::Time start_time;
  absl::Time update_time;
  std::vector<std::pair<uint64_t, uint64_t>> resent;  // ranges sent again on resume
};

// An admin's permission to render [first_serial, last_serial] of a roll once more.
struct ReprintOrder {
  std::string name;  // reprintOrders/{id}
  std::string roll;
  uint64_t first_serial = 0;
  uint64_t last_serial = 0;
  std::string reason;
  std::string actor;
  absl::Time create_time;
  std::string used_by;  // the render that used it
};

struct RenderedStamp {
  uint64_t serial = 0;
  uint64_t last_serial = 0;  // == serial except for PDF documents, which cover a range
  std::string token;
  std::string url;
  std::string content_type;
  std::string image;
  std::string render;
  std::string pin;  // empty when the roll has no PINs
};

// Values match ocop.stamp.v1.PinResult.
enum class PinResult { kUnspecified = 0, kVerified, kAlreadyVerified, kWrong, kLocked, kNotAvailable, kStampNotActive };

struct PinOutcome {
  PinResult result = PinResult::kUnspecified;
  absl::Time first_verified_time = absl::InfinitePast();
  int tries_left = 0;
  // kLocked: when PINs are checked again.
  absl::Time locked_until = absl::InfinitePast();
  // kStampNotActive: the stamp's state (issued, void or revoked).
  StampState stamp_state = StampState::kUnspecified;
};

// What is stored per serial about its PIN tries (PINs themselves are derived, never stored).
struct PinRecord {
  absl::Time first_verified = absl::InfinitePast();
  int wrong_tries = 0;  // since the last lock, decay or correct PIN
  int lockouts = 0;     // locks in a row, until they decay
  absl::Time locked_until = absl::InfinitePast();
  absl::Time last_try = absl::InfinitePast();
};

// How wrong PINs lock a stamp. Locks are temporary so that nobody can lock a genuine stamp for
// good by walking serials with wrong PINs: the first lock lasts `first_lock`, each further lock
// in a row twice as long up to `longest_lock`, and a stamp left alone for `forget_after` after its
// last try and the end of its last lock starts afresh.
struct PinPolicy {
  int max_wrong_tries = 5;
  absl::Duration first_lock = absl::Minutes(15);
  absl::Duration longest_lock = absl::Hours(24);
  absl::Duration forget_after = absl::Hours(24);
};

// One PIN try against `record` at `now`: updates the record and says the outcome. While locked,
// nothing is checked or recorded (a correct PIN is LOCKED too: otherwise the lock would not stop
// guessing). A correct PIN clears the wrong tries and the lock history.
PinOutcome ApplyPinTry(PinRecord& record, bool correct, absl::Time now, const PinPolicy& policy);

// The state of `serial` after `roll`'s operations: the last operation covering it wins; a serial
// no operation covers is issued.
StampState StateOf(const Roll& roll, uint64_t serial);

// What a range operation would change, as the repository sees it inside its transaction: enough
// to check it without reading the roll's (or the lot's) history.
struct RangeChange {
  std::vector<StampStates::Range> before;  // the states in the operation's range (issued: absent)
  int64_t active_delta = 0;                // change in the roll's active serials
  int64_t lot_active_before = 0;           // active serials of every roll of the lot, before
  int64_t ranges_after = 0;                // the roll's stored state ranges, after
};

// Paints `operation` over `states` (an operation back to issued removes the range).
void Paint(StampStates& states, const RangeOperation& operation);

// `change` for painting `operation` over `states` (the roll's states around the operation's range
// at least); `lot_active_before` and `ranges_after` are left for the caller.
RangeChange ChangeOf(const StampStates& states, const RangeOperation& operation);

}  // namespace ocop::stamp
