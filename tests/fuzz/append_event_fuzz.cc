// Event capture: an AppendEventRequest from bytes, through FromProto and Batches::AppendEvent on a
// real SQLite store (in memory) holding one lot ("LOT" as parent names it). The registry is the
// one part that is not real: a fixed directory answers for the lot's product.
// Properties: a refusal is a clear error (never INTERNAL or UNKNOWN); an accepted event extends the
// chain by one with the hash NextChainHash gives; a retry with the same request_id returns the
// same event and stores nothing more.
#include <filesystem>
#include <memory>

#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/proto_time.h"
#include "common/keys/key_store.h"
#include "services/batch/batches.h"
#include "services/batch/checkpoint_signer.h"
#include "services/batch/event_chain.h"
#include "services/batch/proto_convert.h"
#include "services/batch/sql_batch_repository.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

absl::Time Clock() { return absl::FromCivil(absl::CivilSecond(2026, 6, 1, 9, 0, 0), absl::UTCTimeZone()); }

class FixedProducts final : public batch::ProductDirectory {
 public:
  absl::StatusOr<batch::ProductInfo> Product(const std::string& product) override {
    if (product != "products/fuzz") return absl::NotFoundError("product: not found");
    return batch::ProductInfo{"producers/fuzz", "08930000000019"};
  }
  absl::StatusOr<std::string> ProvinceOf(const std::string&) override { return std::string("19"); }
};

// The store and its one lot; made again after many appends so memory stays flat in long runs.
struct Lot {
  std::unique_ptr<keys::KeyStore> keys;
  std::unique_ptr<batch::CheckpointSigner> signer;
  std::unique_ptr<batch::SqlBatchRepository> repository;
  FixedProducts products;
  std::unique_ptr<batch::Batches> batches;
  Actor producer{"users/fuzz", "producer", "producers/fuzz"};
  std::string name;
  int appended = 0;

  explicit Lot(const std::string& key_folder) {
    keys = std::move(*keys::KeyStore::Open(key_folder));
    signer = std::make_unique<batch::CheckpointSigner>(keys.get());
    repository = std::move(*batch::SqlBatchRepository::Open(":memory:", signer.get()));
    batches = std::make_unique<batch::Batches>(repository.get(), &products, signer.get(), Clock, "fuzz");
    batch::v1::Batch lot;
    lot.set_product("products/fuzz");
    lot.set_lot_code("FUZZ-1");
    lot.set_harvest_date("2026-05-20");
    lot.set_quantity(250);
    lot.set_unit("kg");
    absl::StatusOr<batch::Batch> created = batches->CreateBatch(producer, *batch::FromProto(lot), {});
    FUZZ_CHECK(created.ok());
    name = created->name;
  }
};

std::string KeyFolder() {
  static const std::string folder = [] {
    std::string path = (std::filesystem::current_path() / "fuzz-append-event-keys").string();
    std::filesystem::remove_all(path);
    return path;
  }();
  return folder;
}

std::unique_ptr<Lot>& TheLot() {
  static auto* lot = new std::unique_ptr<Lot>(std::make_unique<Lot>(KeyFolder()));
  return *lot;
}

int64_t EventCount(Lot& lot) {
  absl::StatusOr<batch::Page<batch::BatchEvent>> page = lot.batches->ListEvents(lot.producer, lot.name, {1000, ""});
  FUZZ_CHECK(page.ok());
  return static_cast<int64_t>(page->items.size());
}

int Run(const uint8_t* data, size_t size) {
  batch::v1::AppendEventRequest request;
  if (!request.ParseFromArray(data, static_cast<int>(size))) return 0;
  std::unique_ptr<Lot>& lot = TheLot();
  if (lot->appended >= 500) lot = std::make_unique<Lot>(KeyFolder());
  if (request.parent() == "LOT") request.set_parent(lot->name);
  absl::StatusOr<batch::BatchEvent> event = batch::FromProto(request.event());
  if (!event.ok()) {
    FUZZ_CHECK(event.status().code() == absl::StatusCode::kInvalidArgument);
    return 0;
  }
  const int64_t before = request.parent() == lot->name ? EventCount(*lot) : -1;
  const batch::WriteKey key{request.request_id(), grpcutil::RequestFingerprint(request)};
  absl::StatusOr<batch::BatchEvent> appended = lot->batches->AppendEvent(lot->producer, request.parent(), *event, key);
  if (!appended.ok()) {
    FUZZ_CHECK(appended.status().code() != absl::StatusCode::kInternal &&
               appended.status().code() != absl::StatusCode::kUnknown);
    FUZZ_CHECK(!appended.status().message().empty());
    return 0;
  }
  ++lot->appended;
  FUZZ_CHECK(appended->batch == lot->name);
  absl::StatusOr<batch::Page<batch::BatchEvent>> events = lot->batches->ListEvents(lot->producer, lot->name, {1000, ""});
  FUZZ_CHECK(events.ok() && !events->items.empty());
  const int64_t after = static_cast<int64_t>(events->items.size());
  // A retried capture (same request_id or event_id) returns the stored event and adds nothing.
  FUZZ_CHECK(after == before + 1 || after == before);
  if (after == before + 1) {
    const batch::BatchEvent& last = events->items.back();
    const std::string previous = events->items.size() > 1 ? events->items[events->items.size() - 2].chain_hash : "";
    FUZZ_CHECK(last.name == appended->name && last.sequence == after);
    FUZZ_CHECK(last.chain_hash == batch::NextChainHash(previous, last));
  }
  if (!request.request_id().empty()) {
    absl::StatusOr<batch::BatchEvent> retried = lot->batches->AppendEvent(lot->producer, request.parent(), *event, key);
    FUZZ_CHECK(retried.ok() && retried->name == appended->name);
    FUZZ_CHECK(EventCount(*lot) == after);
  }
  return 0;
}

std::vector<std::string> Seeds() {
  std::vector<std::string> seeds;
  const char* const steps[] = {"ocop:spraying", "ocop:harvesting", "packing", "shipping", "receiving"};
  int i = 0;
  for (const char* step : steps) {
    batch::v1::AppendEventRequest request;
    request.set_parent("LOT");
    request.set_request_id(absl::StrCat("capture-", i++));
    batch::v1::BatchEvent* event = request.mutable_event();
    event->set_type(batch::v1::EVENT_TYPE_OBJECT);
    event->set_biz_step(step);
    grpcutil::ToProtoTime(Clock() - absl::Hours(20 + i), event->mutable_event_time());
    event->set_event_time_zone_offset("+07:00");
    event->mutable_location()->set_display_name("Xưởng chè");
    event->mutable_location()->set_commune_code("05533");
    (*event->mutable_details())["temperature_c"] = "24";
    if (i == 1) (*event->mutable_details())["pre_harvest_interval_days"] = std::string(1, '7');
    seeds.push_back(request.SerializeAsString());
  }
  return seeds;
}

}  // namespace

OCOP_FUZZ_TARGET(append_event, Run, Seeds);

}  // namespace ocop::fuzz
