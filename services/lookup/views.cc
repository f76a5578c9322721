#include "services/lookup/views.h"

#include <mutex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "services/lookup/public_view.h"

namespace ocop::lookup {
namespace {

// Heap bytes of a message, roughly: its serialised size twice over (strings, repeated fields and
// their allocation slack), plus the object.
size_t MessageBytes(const google::protobuf::Message& message) { return 2 * message.ByteSizeLong() + 256; }

template <typename Message>
absl::StatusOr<Message> ParseView(const std::string& bytes, absl::string_view what) {
  Message message;
  if (!message.ParseFromString(bytes)) return absl::InvalidArgumentError(absl::StrCat(what, ": does not parse"));
  return message;
}

}  // namespace

WireFields::WireFields(const v1::ResolveResponse& fields) {
  const std::string bytes = fields.SerializeAsString();
  bytes_ = bytes.size();
  // Top-level fields only: each length-delimited field stays one opaque string.
  fields_.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()));
}

void WireFields::AppendTo(v1::ResolveResponse& response) const {
  response.GetReflection()->MutableUnknownFields(&response)->MergeFrom(fields_);
}

absl::StatusOr<std::shared_ptr<const RollView>> RollView::Decode(const std::string& bytes, absl::CivilDay) {
  absl::StatusOr<stamp::v1::Roll> roll = ParseView<stamp::v1::Roll>(bytes, "roll");
  if (!roll.ok()) return roll.status();
  if (roll->name().empty() || roll->count() <= 0) return absl::InvalidArgumentError("roll: no name or range");
  return std::make_shared<const RollView>(*roll);
}

RollView::RollView(const stamp::v1::Roll& roll)
    : name_(roll.name()),
      batch_(roll.batch()),
      lot_key_(absl::StrCat("batch:", roll.batch())),
      key_id_(roll.key_id()),
      gtin_(roll.gtin()),
      lot_code_(roll.lot_code()),
      first_serial_(roll.first_serial()),
      last_serial_(roll.first_serial() + static_cast<uint64_t>(roll.count()) - 1) {
  // The stamp service sends the states as coalesced ranges. Bytes cached by an earlier version
  // carry only operations (then all of them): those are painted over each other, oldest first.
  if (roll.states_size() > 0 || roll.operation_count() > 0) {
    for (const stamp::v1::StateRange& range : roll.states()) {
      states_.Assign(range.first_serial(), range.last_serial(), range.state());
    }
  } else {
    for (const stamp::v1::RangeOperation& operation : roll.operations()) {
      states_.Assign(operation.first_serial(), operation.last_serial(), operation.state());
    }
  }
  for (const stamp::v1::CopyFlagClearance& clearance : roll.copy_flag_clearances()) {
    cleared_[clearance.serial()] = clearance.cleared_through();
  }
}

stamp::v1::StampState RollView::StateOf(uint64_t serial) const {
  const stamp::v1::StampState* state = states_.Find(serial);
  return state == nullptr ? stamp::v1::STAMP_STATE_ISSUED : *state;
}

const std::string& RollView::CopyFlagClearedThrough(uint64_t serial) const {
  static const std::string* const kNever = new std::string();
  auto it = cleared_.find(serial);
  return it == cleared_.end() ? *kNever : it->second;
}

size_t RollView::MemoryBytes() const {
  return sizeof(*this) + name_.capacity() + batch_.capacity() + key_id_.capacity() + gtin_.capacity() +
         lot_code_.capacity() + states_.size() * 64 + cleared_.size() * 80;
}

namespace {

v1::ResolveResponse LotFields(const v1::BatchView& view) {
  v1::ResolveResponse fields;
  *fields.mutable_batch() = view.batch();
  *fields.mutable_events() = view.events();
  *fields.mutable_ancestors() = view.ancestors();
  *fields.mutable_seasons() = view.seasons();
  return fields;
}

}  // namespace

absl::StatusOr<std::shared_ptr<const LotView>> LotView::Decode(const std::string& bytes, absl::CivilDay) {
  absl::StatusOr<v1::BatchView> view = ParseView<v1::BatchView>(bytes, "lot");
  if (!view.ok()) return view.status();
  // An entry cached by an older lookup (backend messages) reads as a view without a lot.
  if (view->batch().name().empty()) return absl::InvalidArgumentError("lot: an entry of an older format");
  return std::make_shared<const LotView>(std::move(*view));
}

LotView::LotView(v1::BatchView view)
    : view_(std::move(view)),
      product_key_(absl::StrCat("product:", view_.batch().product())),
      wire_(LotFields(view_)) {}

size_t LotView::MemoryBytes() const { return sizeof(*this) + MessageBytes(view_) + 2 * wire_.bytes(); }

namespace {

v1::ResolveResponse ProductFields(const v1::PublicProduct& product) {
  v1::ResolveResponse fields;
  *fields.mutable_product() = product;
  return fields;
}

v1::ResolveResponse ProducerFields(const v1::PublicProducer& producer) {
  v1::ResolveResponse fields;
  *fields.mutable_producer() = producer;
  return fields;
}

}  // namespace

PublicProductOnDay::PublicProductOnDay(v1::PublicProduct public_product, absl::CivilDay on)
    : product(std::move(public_product)), day(on), wire(ProductFields(product)) {}

absl::StatusOr<std::shared_ptr<const ProductView>> ProductView::Decode(const std::string& bytes,
                                                                      absl::CivilDay today) {
  absl::StatusOr<registry::v1::Product> product = ParseView<registry::v1::Product>(bytes, "product");
  if (!product.ok()) return product.status();
  if (product->name().empty()) return absl::InvalidArgumentError("product: no name");
  return std::make_shared<const ProductView>(std::move(*product), today);
}

ProductView::ProductView(registry::v1::Product product, absl::CivilDay today)
    : product_(std::move(product)),
      producer_key_(absl::StrCat("producer:", product_.producer())),
      public_(std::make_shared<const PublicProductOnDay>(PublicProductOf(product_, today), today)) {}

std::shared_ptr<const PublicProductOnDay> ProductView::PublicOn(absl::CivilDay day) const {
  if (day == public_->day) return public_;
  return std::make_shared<const PublicProductOnDay>(PublicProductOf(product_, day), day);
}

size_t ProductView::MemoryBytes() const {
  return sizeof(*this) + MessageBytes(product_) + MessageBytes(public_->product) + 2 * public_->wire.bytes();
}

absl::StatusOr<std::shared_ptr<const ProducerView>> ProducerView::Decode(const std::string& bytes, absl::CivilDay) {
  absl::StatusOr<registry::v1::Producer> producer = ParseView<registry::v1::Producer>(bytes, "producer");
  if (!producer.ok()) return producer.status();
  if (producer->name().empty()) return absl::InvalidArgumentError("producer: no name");
  return std::make_shared<const ProducerView>(*producer);
}

ProducerView::ProducerView(const registry::v1::Producer& producer)
    : producer_(PublicProducerOf(producer)), wire_(ProducerFields(producer_)) {}

const std::string& ProducerView::province_code() const {
  const v1::PublicAddress& address = producer_.address();
  return address.current_province_code().empty() ? address.province_code() : address.current_province_code();
}

size_t ProducerView::MemoryBytes() const { return sizeof(*this) + MessageBytes(producer_) + 2 * wire_.bytes(); }

absl::StatusOr<std::shared_ptr<const EpcisView>> EpcisView::Decode(const std::string& bytes, absl::CivilDay) {
  if (!absl::StartsWith(bytes, "{")) return absl::InvalidArgumentError("epcis: not a JSON document");
  return std::make_shared<const EpcisView>(bytes);
}

void RollIndex::Add(const RollView& roll) {
  std::unique_lock lock(mutex_);
  if (by_first_serial_.size() >= max_rolls_) by_first_serial_.clear();
  auto ref = std::make_shared<const RollRef>(RollRef{roll.name(), absl::StrCat("roll:", roll.name())});
  by_first_serial_[roll.first_serial()] = Entry{roll.last_serial(), std::move(ref)};
}

std::shared_ptr<const RollRef> RollIndex::Find(uint64_t serial) const {
  std::shared_lock lock(mutex_);
  auto it = by_first_serial_.upper_bound(serial);
  if (it == by_first_serial_.begin()) return nullptr;
  --it;
  return serial <= it->second.last ? it->second.roll : nullptr;
}

size_t RollIndex::size() const {
  std::shared_lock lock(mutex_);
  return by_first_serial_.size();
}

}  // namespace ocop::lookup
