// The views lookup holds in memory, decoded once when they enter the cache (from a backend or
// from Redis) and then read by every scan without parsing or copying: a roll with its stamps'
// states as an interval map, a lot with its trace, a product, a producer. Each public view also
// keeps its fields of a ResolveResponse already serialised, so a gRPC answer is assembled from
// bytes (Resolution::ToWire) instead of building and serialising the messages on every call.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>

#include <google/protobuf/unknown_field_set.h>

#include "absl/status/statusor.h"
#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "common/ranges/interval_map.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "ocop/stamp/v1/stamp.pb.h"

namespace ocop::lookup {

// Something an EntityCache holds in memory. `MemoryBytes` is what it costs there, roughly, for
// the cache's byte bound.
class View {
 public:
  virtual ~View() = default;
  virtual size_t MemoryBytes() const = 0;
};

// ResolveResponse fields serialised once: appended to a response as its unknown fields, they are
// written out verbatim and read by any client as the fields they are.
class WireFields {
 public:
  // The fields set in `fields` (a ResolveResponse holding only them).
  explicit WireFields(const v1::ResolveResponse& fields);
  void AppendTo(v1::ResolveResponse& response) const;
  size_t bytes() const { return bytes_; }

 private:
  google::protobuf::UnknownFieldSet fields_;
  size_t bytes_ = 0;
};

// A roll as lookup needs it: its range, binding and the state of every stamp.
class RollView : public View {
 public:
  // INVALID_ARGUMENT when `bytes` is not a stamp.v1.Roll with a name and a range.
  static absl::StatusOr<std::shared_ptr<const RollView>> Decode(const std::string& bytes, absl::CivilDay today);
  explicit RollView(const stamp::v1::Roll& roll);

  const std::string& name() const { return name_; }
  const std::string& batch() const { return batch_; }
  // The cache key of its lot's view, "batch:{batch}" (made once, not per scan).
  const std::string& lot_key() const { return lot_key_; }
  const std::string& key_id() const { return key_id_; }  // 8 hex digits
  const std::string& gtin() const { return gtin_; }
  const std::string& lot_code() const { return lot_code_; }
  uint64_t first_serial() const { return first_serial_; }
  uint64_t last_serial() const { return last_serial_; }
  bool Contains(uint64_t serial) const { return first_serial_ <= serial && serial <= last_serial_; }
  // The state after every range operation (the latest covering `serial` wins; none: issued), in
  // O(log ranges).
  stamp::v1::StampState StateOf(uint64_t serial) const;
  // The last day whose scans an office set aside when clearing `serial`'s copy flag; empty: never.
  const std::string& CopyFlagClearedThrough(uint64_t serial) const;
  size_t MemoryBytes() const override;

 private:
  std::string name_, batch_, lot_key_, key_id_, gtin_, lot_code_;
  uint64_t first_serial_ = 0;
  uint64_t last_serial_ = 0;
  ranges::IntervalMap<stamp::v1::StampState> states_;  // gaps are "issued"
  std::map<uint64_t, std::string> cleared_;
};

// A lot's public trace (BatchView), and its ResolveResponse fields.
class LotView : public View {
 public:
  // INVALID_ARGUMENT when `bytes` is not a BatchView of a lot (e.g. an entry of an older format).
  static absl::StatusOr<std::shared_ptr<const LotView>> Decode(const std::string& bytes, absl::CivilDay today);
  explicit LotView(v1::BatchView view);

  const v1::BatchView& view() const { return view_; }
  const v1::PublicLot& lot() const { return view_.batch(); }
  // The cache key of its product's view, "product:{product}".
  const std::string& product_key() const { return product_key_; }
  bool recalled() const { return view_.batch().status() == batch::v1::BATCH_STATUS_RECALLED; }
  const WireFields& wire() const { return wire_; }
  size_t MemoryBytes() const override;

 private:
  v1::BatchView view_;
  std::string product_key_;
  WireFields wire_;
};

// A product's public form as of one day (its OCOP mark depends on the day).
struct PublicProductOnDay {
  PublicProductOnDay(v1::PublicProduct product, absl::CivilDay day);
  v1::PublicProduct product;
  absl::CivilDay day;
  WireFields wire;
};

// A product from the registry, with its public form for the day it was decoded.
class ProductView : public View {
 public:
  static absl::StatusOr<std::shared_ptr<const ProductView>> Decode(const std::string& bytes, absl::CivilDay today);
  ProductView(registry::v1::Product product, absl::CivilDay today);

  const registry::v1::Product& product() const { return product_; }
  // The cache key of its producer's view, "producer:{producer}".
  const std::string& producer_key() const { return producer_key_; }
  // The public form on `day`: kept for the day it was decoded, made afresh for another day.
  std::shared_ptr<const PublicProductOnDay> PublicOn(absl::CivilDay day) const;
  size_t MemoryBytes() const override;

 private:
  registry::v1::Product product_;
  std::string producer_key_;
  std::shared_ptr<const PublicProductOnDay> public_;
};

// A producer's public form.
class ProducerView : public View {
 public:
  static absl::StatusOr<std::shared_ptr<const ProducerView>> Decode(const std::string& bytes, absl::CivilDay today);
  explicit ProducerView(const registry::v1::Producer& producer);

  const v1::PublicProducer& producer() const { return producer_; }
  // The province its scans count toward (today's code when the address has one).
  const std::string& province_code() const;
  const WireFields& wire() const { return wire_; }
  size_t MemoryBytes() const override;

 private:
  v1::PublicProducer producer_;
  WireFields wire_;
};

// A lot's public EPCIS 2.0 document (/v1/epcis/{batch}), cached under "epcis:{batch}" and dropped
// with the lot's own view when the batch feed announces a change of the lot.
class EpcisView : public View {
 public:
  // INVALID_ARGUMENT when `bytes` is not a JSON object.
  static absl::StatusOr<std::shared_ptr<const EpcisView>> Decode(const std::string& bytes, absl::CivilDay today);
  explicit EpcisView(std::string document) : document_(std::move(document)) {}

  const std::string& document() const { return document_; }
  size_t MemoryBytes() const override { return sizeof(*this) + document_.size(); }

 private:
  std::string document_;
};

// A roll's name and the cache key of its view, "roll:{name}".
struct RollRef {
  std::string name;
  std::string key;
};

// Which roll holds a serial, for every roll this process has seen: a roll's range never changes,
// so a first scan of any stamp of a known roll needs no call to find its roll. Bounded: beyond
// `max_rolls` it starts over (rolls are learnt again, one stamp lookup each).
class RollIndex {
 public:
  explicit RollIndex(size_t max_rolls) : max_rolls_(max_rolls) {}
  void Add(const RollView& roll);
  // The roll holding `serial`, if known.
  std::shared_ptr<const RollRef> Find(uint64_t serial) const;
  size_t size() const;
  // The most memory the index may take.
  size_t max_bytes() const { return max_rolls_ * kBytesPerRoll; }

 private:
  static constexpr size_t kBytesPerRoll = 160;
  struct Entry {
    uint64_t last;
    std::shared_ptr<const RollRef> roll;
  };
  const size_t max_rolls_;
  mutable std::shared_mutex mutex_;
  std::map<uint64_t, Entry> by_first_serial_;
};

}  // namespace ocop::lookup
