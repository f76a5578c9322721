// Lookup's cache, key ring, resolver and HTTP routes, against real registry, batch and stamp
// services on loopback ports and a real redis-server.
#include <gtest/gtest.h>
#include <gmock/gmock.h>
#include <google/protobuf/util/json_util.h>

#include <atomic>
#include <csignal>
#include <cstring>
#include <random>
#include <set>
#include <thread>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "common/digital_link/digital_link.h"
#include "common/redis/redis_client.h"
#include "common/token/base32.h"
#include "common/token/token.h"
#include "nlohmann/json.hpp"
#include "services/lookup/backends.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/http_routes.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/page.h"
#include "services/lookup/page_cache.h"
#include "services/lookup/public_limits.h"
#include "services/lookup/resolver.h"
#include "services/lookup/scan_counter.h"
#include "services/lookup/scan_store.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"

namespace ocop::lookup {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::IsOk;
using ::ocop::testing::StatusIs;

// A clock tests move by hand.
struct FakeClock {
  absl::Time now = absl::FromUnixSeconds(1'780'000'000);
  std::function<absl::Time()> Function() {
    return [this] { return now; };
  }
};

http::HttpRequest Request(const std::string& method, const std::string& target, const std::string& body = "") {
  http::HttpRequest request;
  request.method = method;
  request.target = target;
  request.peer_address = "127.0.0.1";
  request.body = body;
  return request;
}

// A view that is just its bytes, for the cache's own tests.
class TextView : public View {
 public:
  explicit TextView(std::string text) : text(std::move(text)) {}
  size_t MemoryBytes() const override { return sizeof(*this) + text.capacity(); }
  std::string text;
};

EntityCache::Decoder DecodeText() {
  return [](const std::string& bytes) -> absl::StatusOr<std::shared_ptr<const View>> {
    return std::make_shared<const TextView>(bytes);
  };
}

std::string TextAt(EntityCache& cache, const std::string& key) {
  std::shared_ptr<const View> view = cache.Get(key, absl::Seconds(5), DecodeText());
  return view == nullptr ? "" : static_cast<const TextView&>(*view).text;
}

void PutText(EntityCache& cache, const std::string& key, const std::string& text, absl::Duration ttl) {
  cache.Put(key, text, std::make_shared<const TextView>(text), ttl, cache.BeginFill(key));
}

constexpr char kCacheSecret[] = "a secret the lookup replicas share";

// The scans Redis holds for `serial` on `day`: 0 when none, -1 when Redis cannot say.
int64_t ScansOn(redis::RedisClient& redis, uint64_t serial, const std::string& day) {
  absl::StatusOr<std::vector<int64_t>> scans = ScanStore(&redis, 0).ScansOn({serial}, day);
  return scans.ok() ? scans->front() : -1;
}

// How often Redis ran `command`, from INFO commandstats.
int64_t CommandCalls(const std::string& commandstats, const std::string& command) {
  const std::string label = absl::StrCat("cmdstat_", command, ":calls=");
  const size_t at = commandstats.find(label);
  int64_t calls = 0;
  if (at == std::string::npos) return 0;
  const size_t from = at + label.size();
  if (!absl::SimpleAtoi(commandstats.substr(from, commandstats.find(',', from) - from), &calls)) return -1;
  return calls;
}

// A load that started before an invalidation must not put back what the change replaced: not in
// memory, not in Redis.
TEST(EntityCache, AFillThatAnInvalidationOvertookStoresNothing) {
  auto server = ocop::testing::RedisServer::Start();
  ASSERT_THAT(server, IsOk());
  redis::RedisOptions options;
  options.port = (*server)->port();
  redis::RedisClient redis(options);
  FakeClock clock;
  EntityCache cache(&redis, 1 << 20, clock.Function(), kCacheSecret);
  EntityCache other_replica(&redis, 1 << 20, clock.Function(), kCacheSecret);
  const EntityCache::FillTicket before_change = cache.BeginFill("roll:rolls/r");
  cache.Invalidate("roll:rolls/r");  // the change lands while the old roll is being fetched
  cache.Put("roll:rolls/r", "old", std::make_shared<const TextView>("old"), absl::Seconds(60), before_change);
  EXPECT_EQ(cache.GetLocal("roll:rolls/r"), nullptr);
  EXPECT_EQ(TextAt(other_replica, "roll:rolls/r"), "");
  // Invalidating another key, or a fill begun after the change, stores as usual.
  const EntityCache::FillTicket after_change = cache.BeginFill("roll:rolls/r");
  cache.Invalidate("roll:rolls/other");
  cache.Put("roll:rolls/r", "new", std::make_shared<const TextView>("new"), absl::Seconds(60), after_change);
  EXPECT_EQ(TextAt(cache, "roll:rolls/r"), "new");
  EXPECT_EQ(TextAt(other_replica, "roll:rolls/r"), "new");
  // A reconnect (changes may have been missed) overtakes every fill.
  const EntityCache::FillTicket before_reconnect = cache.BeginFill("batch:batches/b");
  cache.ClearLocal();
  cache.Put("batch:batches/b", "old", std::make_shared<const TextView>("old"), absl::Seconds(60), before_reconnect);
  EXPECT_EQ(TextAt(other_replica, "batch:batches/b"), "");
}

// Whoever can write to Redis cannot make lookup believe a view: entries are MACed with their key.
TEST(EntityCache, RedisEntriesWithoutTheRightMacAreMisses) {
  auto server = ocop::testing::RedisServer::Start();
  ASSERT_THAT(server, IsOk());
  redis::RedisOptions options;
  options.port = (*server)->port();
  redis::RedisClient redis(options);
  FakeClock clock;
  EntityCache cache(&redis, 1 << 20, clock.Function(), kCacheSecret);
  PutText(cache, "roll:rolls/revoked", "revoked", absl::Seconds(60));
  PutText(cache, "roll:rolls/active", "active", absl::Seconds(60));
  auto sealed_active = redis.Get(EntityCache::RedisKey("roll:rolls/active"));
  ASSERT_THAT(sealed_active, IsOk());
  ASSERT_TRUE(sealed_active->has_value());
  EXPECT_EQ(sealed_active->value().substr(16), "active");
  // An attacker writes plain bytes, and copies a valid entry under another key.
  ASSERT_THAT(redis.SetWithTtl(EntityCache::RedisKey("roll:rolls/forged"), std::string(16, 'x') + "active",
                               absl::Seconds(60)), IsOk());
  ASSERT_THAT(redis.SetWithTtl(EntityCache::RedisKey("roll:rolls/revoked"), **sealed_active, absl::Seconds(60)),
              IsOk());
  EntityCache reader(&redis, 1 << 20, clock.Function(), kCacheSecret);
  EXPECT_EQ(TextAt(reader, "roll:rolls/forged"), "");
  EXPECT_EQ(TextAt(reader, "roll:rolls/revoked"), "");
  EXPECT_EQ(reader.rejected_entries(), 2);
  EXPECT_EQ(TextAt(reader, "roll:rolls/active"), "active");
  EntityCache other_secret(&redis, 1 << 20, clock.Function(), "another deployment's secret");
  EXPECT_EQ(TextAt(other_secret, "roll:rolls/active"), "");
}

TEST(EntityCache, StaysWithinItsByteBoundDroppingTheLeastRecentlyUsed) {
  FakeClock clock;
  EntityCache cache(nullptr, 1 << 20, clock.Function(), kCacheSecret);
  const std::string big(20'000, 'x');
  for (int i = 0; i < 500; ++i) PutText(cache, absl::StrCat("view:", i), big, absl::Seconds(60));
  EXPECT_LE(cache.local_bytes(), cache.max_local_bytes());
  EXPECT_LT(cache.local_size(), 60u);  // 1 MiB holds fewer than 60 views of 20 kB
  EXPECT_EQ(TextAt(cache, "view:499"), big);  // the latest are kept
  EXPECT_EQ(TextAt(cache, "view:0"), "");     // the oldest are gone
}

TEST(EntityCache, EntriesExpireAndInvalidateDropsThem) {
  FakeClock clock;
  EntityCache cache(nullptr, 1 << 20, clock.Function(), kCacheSecret);
  PutText(cache, "a", "1", absl::Seconds(60));
  PutText(cache, "b", "2", absl::Seconds(60));
  cache.Invalidate("b");
  EXPECT_EQ(cache.GetLocal("b"), nullptr);
  EXPECT_EQ(TextAt(cache, "a"), "1");
  clock.now += absl::Seconds(61);
  EXPECT_EQ(cache.GetLocal("a"), nullptr);
}

TEST(EntityCache, SharesEntriesThroughRedisAndInvalidatesThere) {
  auto server = ocop::testing::RedisServer::Start();
  ASSERT_THAT(server, IsOk());
  redis::RedisOptions options;
  options.port = (*server)->port();
  redis::RedisClient redis(options);
  FakeClock clock;
  EntityCache writer(&redis, 1 << 20, clock.Function(), kCacheSecret);
  EntityCache reader(&redis, 1 << 20, clock.Function(), kCacheSecret);
  PutText(writer, "batch:batches/x", "view", absl::Seconds(60));
  EXPECT_EQ(reader.GetLocal("batch:batches/x"), nullptr);  // not in the reader's memory yet
  EXPECT_EQ(TextAt(reader, "batch:batches/x"), "view");  // from Redis, decoded once
  EXPECT_NE(reader.GetLocal("batch:batches/x"), nullptr);
  writer.Invalidate("batch:batches/x");
  reader.ClearLocal();
  EXPECT_EQ(TextAt(reader, "batch:batches/x"), "");
  // An entry that does not decode is a miss.
  PutText(writer, "bad", "x", absl::Seconds(60));
  EXPECT_EQ(reader.Get("bad", absl::Seconds(5),
                       [](const std::string&) -> absl::StatusOr<std::shared_ptr<const View>> {
                         return absl::InvalidArgumentError("old format");
                       }),
            nullptr);
  // Redis entries carry the TTL, so volatile-ttl may evict them and they never outlive the cap.
  PutText(writer, "short", "v", absl::Milliseconds(50));
  std::this_thread::sleep_for(std::chrono::milliseconds(120));
  EXPECT_EQ(TextAt(reader, "short"), "");
}

// Lookup judges a stamp by the roll's states as the stamp service stored them, never by its
// latest operations (which are only the tail of its history). Bytes cached by an earlier version
// have operations only, all of them: those are replayed.
TEST(RollView, JudgesByTheStoredStatesAndReplaysOperationsOnlyFromOlderBytes) {
  stamp::v1::Roll roll;
  roll.set_name("rolls/r");
  roll.set_first_serial(1000);
  roll.set_count(200);
  roll.set_operation_count(150);  // the tail below is not the whole story
  stamp::v1::RangeOperation* tail = roll.add_operations();
  tail->set_first_serial(1150);
  tail->set_last_serial(1150);
  tail->set_state(stamp::v1::STAMP_STATE_ACTIVE);
  for (auto [first, last, state] : {std::tuple{1000, 1149, stamp::v1::STAMP_STATE_ACTIVE},
                                    std::tuple{1150, 1150, stamp::v1::STAMP_STATE_ACTIVE},
                                    std::tuple{1160, 1160, stamp::v1::STAMP_STATE_VOID}}) {
    stamp::v1::StateRange* range = roll.add_states();
    range->set_first_serial(first);
    range->set_last_serial(last);
    range->set_state(state);
  }
  roll.add_copy_flag_clearances()->set_serial(1005);
  roll.mutable_copy_flag_clearances(0)->set_cleared_through("2026-11-30");
  const RollView view(roll);
  EXPECT_EQ(view.StateOf(1000), stamp::v1::STAMP_STATE_ACTIVE);
  EXPECT_EQ(view.StateOf(1150), stamp::v1::STAMP_STATE_ACTIVE);
  EXPECT_EQ(view.StateOf(1151), stamp::v1::STAMP_STATE_ISSUED);
  EXPECT_EQ(view.StateOf(1160), stamp::v1::STAMP_STATE_VOID);
  EXPECT_EQ(view.StateOf(1199), stamp::v1::STAMP_STATE_ISSUED);
  EXPECT_EQ(view.CopyFlagClearedThrough(1005), "2026-11-30");
  EXPECT_EQ(view.CopyFlagClearedThrough(1006), "");

  stamp::v1::Roll older = roll;  // as an earlier stamp service sent it
  older.clear_states();
  older.clear_operation_count();
  older.clear_operations();
  std::mt19937 random(7);
  const stamp::v1::StampState states[] = {stamp::v1::STAMP_STATE_ACTIVE, stamp::v1::STAMP_STATE_VOID,
                                          stamp::v1::STAMP_STATE_REVOKED};
  for (int i = 0; i < 300; ++i) {
    stamp::v1::RangeOperation* operation = older.add_operations();
    const uint64_t first = 1000 + random() % 200;
    operation->set_first_serial(first);
    operation->set_last_serial(std::min<uint64_t>(1199, first + random() % (i % 3 == 0 ? 60 : 3)));
    operation->set_state(states[random() % 3]);
  }
  const RollView replayed(older);
  for (uint64_t serial = 990; serial < 1210; ++serial) {
    stamp::v1::StampState expected = stamp::v1::STAMP_STATE_ISSUED;
    for (const stamp::v1::RangeOperation& operation : older.operations()) {
      if (operation.first_serial() <= serial && serial <= operation.last_serial()) expected = operation.state();
    }
    ASSERT_EQ(replayed.StateOf(serial), expected) << "serial " << serial;
  }
}

TEST(KeyRing, AnUnknownKeyRefreshesOnceWithinTheInterval) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  std::atomic<int> fetches{0};
  bool published = false;
  FakeClock clock;
  KeyRing ring(
      [&]() -> absl::StatusOr<std::map<uint32_t, std::string>> {
        ++fetches;
        if (!published) return std::map<uint32_t, std::string>{};
        return std::map<uint32_t, std::string>{{7, key->PublicKey()}};
      },
      clock.Function(), absl::Seconds(1));
  ASSERT_THAT(ring.Refresh(), IsOk());
  auto token = token::DecodeToken(*token::EncodeToken(7, 1, *key));
  ASSERT_THAT(token, IsOk());
  clock.now += absl::Seconds(2);
  EXPECT_EQ(ring.Verify(*token), KeyRing::Verification::kUnknownKey);
  EXPECT_EQ(fetches, 2);
  // A flood of unknown key ids within the interval does not reach the stamp service.
  EXPECT_EQ(ring.Verify(*token), KeyRing::Verification::kUnknownKey);
  EXPECT_EQ(fetches, 2);
  published = true;  // the key was rotated in
  clock.now += absl::Seconds(2);
  EXPECT_EQ(ring.Verify(*token), KeyRing::Verification::kValid);
  EXPECT_EQ(fetches, 3);
}

TEST(Page, EnglishLeadsWhenAskedAndTheSwitchKeepsTheRestOfTheAddress) {
  v1::ResolveResponse result;
  result.set_verdict(v1::VERDICT_GENUINE);
  result.mutable_product()->set_display_name("Chè Tân Cương");
  std::string vietnamese = RenderResultPage(result, PageOptions{PageLanguage::kVietnamese, "/s/abc?lang=en"});
  EXPECT_NE(vietnamese.find("<html lang=\"vi\">"), std::string::npos);
  EXPECT_NE(vietnamese.find("<a href=\"/s/abc?lang=en\" hreflang=\"en\" lang=\"en\">English</a>"), std::string::npos);
  EXPECT_LT(vietnamese.find("Tem chính hãng"), vietnamese.find("Genuine stamp"));
  std::string english = RenderResultPage(result, PageOptions{PageLanguage::kEnglish, "/s/abc"});
  EXPECT_NE(english.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_LT(english.find("Genuine stamp"), english.find("Tem chính hãng"));
  EXPECT_NE(english.find(">Tiếng Việt</a>"), std::string::npos);
}

TEST(Page, AHeavyLotStaysUnder30KilobytesWithTheFieldAndTheLatestSteps) {
  v1::ResolveResponse result;
  result.set_verdict(v1::VERDICT_GENUINE);
  result.mutable_product()->set_display_name(std::string(200, 'x'));
  result.mutable_product()->set_description(std::string(2000, 'd'));
  result.mutable_product()->mutable_ocop()->set_state(v1::OCOP_MARK_STATE_CERTIFIED);
  result.mutable_product()->mutable_ocop()->set_stars(5);
  result.mutable_batch()->set_lot_code("L-1");
  for (int i = 0; i < 500; ++i) {
    v1::PublicEvent* event = result.add_events();
    event->set_biz_step(i == 0 ? "ocop:planting" : i == 499 ? "retail_selling" : "storing");
    event->mutable_location()->set_display_name(std::string(150, 'k'));
    event->set_event_time_zone_offset("+07:00");
  }
  for (int i = 0; i < 3; ++i) {
    v1::PublicLot* ancestor = result.add_ancestors();
    ancestor->set_lot_code(absl::StrCat("A-", i));
    ancestor->mutable_checkpoint()->set_chain(absl::StrCat("batches/a", i));
    ancestor->mutable_checkpoint()->set_head_hash(std::string(64, 'f'));
  }
  std::string page = RenderResultPage(result, PageOptions{PageLanguage::kVietnamese, "/s/x?lang=en"});
  EXPECT_LT(page.size(), 30u * 1024);
  EXPECT_NE(page.find("Gieo trồng"), std::string::npos);  // the field
  EXPECT_NE(page.find("Bán lẻ"), std::string::npos);      // the latest step
  EXPECT_NE(page.find("460 sự kiện khác"), std::string::npos);
}

TEST(Page, ALotCertificateShowsItsValidityAndWhetherItCoveredTheHarvest) {
  v1::ResolveResponse result;
  result.set_verdict(v1::VERDICT_GENUINE);
  result.mutable_batch()->set_lot_code("L-1");
  result.mutable_batch()->set_harvest_date("2026-03-14");
  v1::PublicCertification* vietgap = result.mutable_batch()->add_certifications();
  vietgap->set_scheme(batch::v1::CERTIFICATION_SCHEME_VIETGAP);
  vietgap->set_certificate_number("VG-1");
  vietgap->set_valid_from("2024-01-01");
  vietgap->set_valid_until("2026-12-31");
  vietgap->set_covers_harvest(true);
  v1::PublicCertification* organic = result.mutable_batch()->add_certifications();
  *organic = *vietgap;
  organic->set_scheme(batch::v1::CERTIFICATION_SCHEME_ORGANIC);
  organic->set_certificate_number("HC-2");
  organic->set_valid_until("2025-12-31");
  organic->set_covers_harvest(false);  // imported history from before the rule
  std::string page = RenderResultPage(result, PageOptions{PageLanguage::kEnglish, ""});
  EXPECT_NE(page.find("VG-1<br>Valid from 2024-01-01 until 2026-12-31</dd>"), std::string::npos) << page;
  EXPECT_NE(page.find("HC-2<br>Valid from 2024-01-01 until 2025-12-31<br><strong>Expired before harvest"),
            std::string::npos) << page;
  EXPECT_EQ(page.find("Expired before harvest"), page.rfind("Expired before harvest"));  // only the organic one
}

TEST(Page, EscapesEverythingItShows) {
  v1::ResolveResponse result;
  result.set_verdict(v1::VERDICT_GENUINE);
  result.mutable_product()->set_display_name("<script>alert(1)</script>");
  result.mutable_producer()->set_display_name("A & \"B\"");
  std::string page = RenderResultPage(result);
  EXPECT_EQ(page.find("<script>"), std::string::npos);
  EXPECT_NE(page.find("&lt;script&gt;"), std::string::npos);
  EXPECT_NE(page.find("A &amp; &quot;B&quot;"), std::string::npos);
  EXPECT_NE(page.find("Tem chính hãng"), std::string::npos);
  EXPECT_LT(page.size(), 30u * 1024);
}

class ResolverTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis_server = ocop::testing::RedisServer::Start();
    ASSERT_THAT(redis_server, IsOk());
    redis_server_ = std::move(*redis_server);
    auto registry = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
    ASSERT_THAT(registry, IsOk());
    registry_ = std::move(*registry);
    auto batch = ocop::testing::BatchHarness::Start(dir_.File("batch.db"), registry_->address());
    ASSERT_THAT(batch, IsOk());
    batch_ = std::move(*batch);
    stamp::StampsConfig config;
    config.public_base_url = "https://ocop.tn.gov.vn";
    auto stamp = ocop::testing::StampHarness::Start(dir_.File("stamp.db"), dir_.File("keys"), batch_->address(),
                                                    registry_->address(),
                                                    config);
    ASSERT_THAT(stamp, IsOk());
    stamp_ = std::move(*stamp);

    redis::RedisOptions options;
    options.port = redis_server_->port();
    redis_ = std::make_unique<redis::RedisClient>(options);
    backends_ = MakeGrpcBackends({registry_->address(), batch_->address(), stamp_->address()}, absl::Seconds(2),
                                 ocop::testing::ServiceTokens("lookup"));
    keys_ = std::make_unique<KeyRing>([this] { return backends_->ListPublicKeys(); }, [] { return absl::Now(); },
                                      absl::Seconds(1));
    ASSERT_THAT(keys_->Refresh(), IsOk());
    views_ = std::make_unique<EntityCache>(redis_.get(), 16 << 20, [] { return absl::Now(); }, kCacheSecret);
    proofs_ = std::make_unique<ProofCache>(1 << 20, [] { return absl::Now(); });
    resolver_ = std::make_unique<Resolver>(backends_.get(), keys_.get(), views_.get(), proofs_.get(),
                                           ResolverConfig{}, [] { return absl::Now(); });
  }

  // Registers a producer, a product certified until `valid_until`, a batch with one event and a
  // roll of 5 stamps; returns the first stamp's token.
  std::string IssueStamp(const std::string& valid_until) {
    auto registry = registry_->Stub();
    registry::v1::CreateProducerRequest producer_request;
    *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
    registry::v1::Producer producer;
    EXPECT_TRUE(registry->CreateProducer(Context().get(), producer_request, &producer).ok());
    producer_name_ = producer.name();
    registry::v1::CreateProductRequest product_request;
    product_request.mutable_product()->set_producer(producer.name());
    product_request.mutable_product()->set_display_name("Chè Tân Cương đặc biệt");
    product_request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::OcopRating* rating = product_request.mutable_product()->mutable_rating();
    rating->set_score(78);
    rating->set_stars(4);
    rating->set_certificate_number("TN-2024-01");
    rating->set_valid_until(valid_until);
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_number("123/QĐ-UBND");
    rating->set_decision_date("2019-06-30");
    registry::v1::Product product;
    EXPECT_TRUE(registry->CreateProduct(Context().get(), product_request, &product).ok());
    batch::v1::CreateBatchRequest batch_request;
    batch_request.mutable_batch()->set_product(product.name());
    batch_request.mutable_batch()->set_lot_code("L-" + valid_until);
    batch_request.mutable_batch()->set_harvest_date("2026-03-14");
    batch_request.mutable_batch()->set_quantity(10);
    batch_request.mutable_batch()->set_unit("kg");
    batch::v1::Batch batch;
    EXPECT_TRUE(batch_->Stub()->CreateBatch(Context().get(), batch_request, &batch).ok());
    batch::v1::AppendEventRequest event_request;
    event_request.set_parent(batch.name());
    event_request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
    event_request.mutable_event()->set_biz_step("ocop:harvesting");
    event_request.mutable_event()->mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 3600);
    batch::v1::BatchEvent event;
    EXPECT_TRUE(batch_->Stub()->AppendEvent(Context().get(), event_request, &event).ok());
    stamp::v1::IssueRollRequest roll_request;
    roll_request.mutable_roll()->set_batch(batch.name());
    roll_request.mutable_roll()->set_count(5);
    stamp::v1::Roll roll;
    EXPECT_TRUE(stamp_->Stub()->IssueRoll(Context().get(), roll_request, &roll).ok());
    roll_ = roll;
    stamp::v1::ChangeStampsRequest activate;
    activate.set_roll(roll.name());
    activate.set_first_serial(roll.first_serial());
    activate.set_count(4);  // the fifth stays issued
    EXPECT_TRUE(stamp_->Stub()->ActivateStamps(Context().get(), activate, &roll).ok());
    stamp::v1::GetStampRequest get;
    get.set_name(absl::StrCat("stamps/", roll.first_serial()));
    stamp::v1::Stamp stamp;
    EXPECT_TRUE(stamp_->Stub()->GetStamp(Context("services/test", "service").get(), get, &stamp).ok());
    return stamp.token();
  }

  // A second product of the stamp's producer, with GTIN 8935049500018, and a lot `lot_code` of it
  // (after IssueStamp).
  batch::v1::Batch GtinProductLot(const std::string& lot_code) {
    auto registry = registry_->Stub();
    registry::v1::GetProductRequest get;
    get.set_name(roll_.product());
    registry::v1::Product stamped;
    EXPECT_TRUE(registry->GetProduct(Context().get(), get, &stamped).ok());
    registry::v1::CreateProductRequest product_request;
    product_request.mutable_product()->set_producer(stamped.producer());
    product_request.mutable_product()->set_display_name("Chè hộp 100 g");
    product_request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    product_request.mutable_product()->set_gtin("8935049500018");
    registry::v1::Product product;
    EXPECT_TRUE(registry->CreateProduct(Context().get(), product_request, &product).ok());
    batch::v1::CreateBatchRequest lot;
    lot.mutable_batch()->set_product(product.name());
    lot.mutable_batch()->set_lot_code(lot_code);
    lot.mutable_batch()->set_harvest_date("2026-03-14");
    lot.mutable_batch()->set_quantity(1);
    lot.mutable_batch()->set_unit("kg");
    batch::v1::Batch batch;
    EXPECT_TRUE(batch_->Stub()->CreateBatch(Context().get(), lot, &batch).ok());
    return batch;
  }

  // A resolver that counts scans into `counter_` (Redis + the stamp service's history), with a
  // clock the test moves.
  std::unique_ptr<Resolver> CountingResolver() {
    redis::RedisOptions options;
    options.port = redis_server_->port();
    scan_redis_ = std::make_unique<redis::RedisClient>(options);
    ScanCounterOptions counting;
    counting.flush_interval = absl::Hours(1);  // flushed by the test
    counting.clock = [this] { return now_; };
    counter_ = std::make_unique<ScanCounter>(
        scan_redis_.get(),
        [this](const std::vector<stamp::v1::ScanRecord>& scans) { return backends_->RecordScans(scans); },
        "test-salt", counting);
    ResolverConfig config;
    config.copy_min_clients = 20;
    config.copy_min_days = 4;
    return std::make_unique<Resolver>(backends_.get(), keys_.get(), views_.get(), proofs_.get(), config,
                                      [this] { return now_; }, counter_.get());
  }

  ocop::testing::TempDir dir_;
  std::unique_ptr<ocop::testing::RedisServer> redis_server_;
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  std::unique_ptr<ocop::testing::BatchHarness> batch_;
  std::unique_ptr<ocop::testing::StampHarness> stamp_;
  std::unique_ptr<redis::RedisClient> redis_;
  std::unique_ptr<Backends> backends_;
  std::unique_ptr<KeyRing> keys_;
  std::unique_ptr<EntityCache> views_;
  std::unique_ptr<ProofCache> proofs_;
  std::unique_ptr<Resolver> resolver_;
  // Last, so the counter's final flush runs while the backends still exist. The clock starts a
  // week ago: the stamp service refuses scans from the future.
  absl::Time now_ = absl::Now() - absl::Hours(24 * 7);
  std::unique_ptr<redis::RedisClient> scan_redis_;
  std::unique_ptr<ScanCounter> counter_;
  stamp::v1::Roll roll_;
  std::string producer_name_;  // the last roll IssueStamp issued
};

TEST_F(ResolverTest, ManyClientsOnManyDaysMakeAPossibleCopyButOnePhoneScanningAllDayDoesNot) {
  std::string token = IssueStamp("2099-12-31");
  std::unique_ptr<Resolver> resolver = CountingResolver();
  // A competitor inflating the count from one phone: 300 scans, one client, one day.
  for (int i = 0; i < 300; ++i) ASSERT_THAT(resolver->Resolve(token, "198.51.100.9"), IsOk());
  counter_->Flush();
  absl::StatusOr<v1::ResolveResponse> result = resolver->Resolve(token, "198.51.100.9");
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_GENUINE);
  EXPECT_EQ(result->scans().scans(), 300);
  EXPECT_EQ(result->scans().distinct_clients(), 1);

  // A cloned stamp: 24 phones over 5 days.
  for (int day = 0; day < 5; ++day) {
    now_ += absl::Hours(24);
    for (int client = 0; client < 5; ++client) {
      ASSERT_THAT(resolver->Resolve(token, absl::StrCat("203.0.113.", day * 5 + client)), IsOk());
    }
  }
  counter_->Flush();
  result = resolver->Resolve(token, "192.0.2.1");
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_POSSIBLE_COPY) << result->reason();
  EXPECT_GE(result->scans().distinct_clients(), 24);
  EXPECT_EQ(result->scans().distinct_days(), 6);
  EXPECT_EQ(RenderResultPage(*result).find("Tem chính hãng"), std::string::npos);
  EXPECT_NE(RenderResultPage(*result).find("Có thể là tem sao chép"), std::string::npos);

  // The durable history reached the stamp service; it holds hashes, never addresses.
  counter_->Flush();
  stamp::v1::GetScanStatsRequest stats;
  stats.set_serial(result->stamp().serial());
  stats.set_group_by(stamp::v1::SCAN_GROUP_BY_STAMP);
  stats.set_from_day("2020-01-01");
  stats.set_to_day("2099-12-31");
  stamp::v1::GetScanStatsResponse response;
  ASSERT_TRUE(stamp_->Stub()->GetScanStats(Context("admin-1", "admin").get(), stats, &response).ok());
  ASSERT_EQ(response.rows_size(), 1);
  EXPECT_EQ(response.rows(0).scans(), 327);
  EXPECT_EQ(response.rows(0).distinct_clients(), 27);
  EXPECT_EQ(response.rows(0).possible_copy_scans(), 1);
  EXPECT_EQ(counter_->ClientHash("203.0.113.7").size(), 16u);
  EXPECT_NE(counter_->ClientHash("203.0.113.7"), counter_->ClientHash("203.0.113.8"));
}

// Per-day keys that expire: Redis forgets old scans by itself, and nothing is lost while it is down.
TEST_F(ResolverTest, ScanCountersArePerDayWithATtlAndSurviveARedisOutage) {
  std::string token = IssueStamp("2099-12-31");
  std::unique_ptr<Resolver> resolver = CountingResolver();
  ASSERT_THAT(resolver->Resolve(token, "198.51.100.1"), IsOk());
  counter_->Flush();
  absl::StatusOr<v1::ResolveResponse> result = resolver->Resolve(token, "198.51.100.2");
  ASSERT_THAT(result, IsOk());
  uint64_t serial = result->stamp().serial();
  const std::string day = absl::FormatCivilTime(absl::ToCivilDay(now_, absl::FixedTimeZone(7 * 3600)));
  // Two clients: the day has its HyperLogLog beside the count in its bucket.
  counter_->Flush();
  auto ttls = scan_redis_->Pipeline(
      {{"TTL", ScanStore::ClientsKey(serial, day)}, {"TTL", ScanStore::BucketKey(serial, day)}});
  ASSERT_THAT(ttls, IsOk());
  for (const redis::RedisReply& ttl : *ttls) {
    EXPECT_GT(ttl.integer, 30 * 24 * 3600 - 60);  // the 30-day window and a day more
    EXPECT_LE(ttl.integer, 31 * 24 * 3600);
  }

  redis_server_->Stop();
  for (int i = 0; i < 5; ++i) ASSERT_THAT(resolver->Resolve(token, "198.51.100.3"), IsOk());
  counter_->Flush();  // Redis down: the scans wait
  ASSERT_THAT(redis_server_->Restart(), IsOk());
  std::this_thread::sleep_for(std::chrono::milliseconds(600));  // past the client's reconnect back-off
  counter_->Flush();
  EXPECT_EQ(ScansOn(*scan_redis_, serial, day), 7);
  EXPECT_EQ(counter_->dropped(), 0);
}

// Redis out of memory refuses a flush whole: the scans wait and are counted once when it has room
// again (before, the refused commands were counted as done and the scans were lost).
TEST_F(ResolverTest, AFlushRedisRefusesIsKeptAndCountedOnceLater) {
  std::string token = IssueStamp("2099-12-31");
  std::unique_ptr<Resolver> resolver = CountingResolver();
  ASSERT_THAT(scan_redis_->Pipeline({{"CONFIG", "SET", "maxmemory-policy", "noeviction"},
                                     {"CONFIG", "SET", "maxmemory", "1"}}),
              IsOk());
  for (int i = 0; i < 3; ++i) ASSERT_THAT(resolver->Resolve(token, absl::StrCat("198.51.100.", i)), IsOk());
  counter_->Flush();
  counter_->Flush();  // refused twice: still nothing applied, nothing dropped
  EXPECT_EQ(counter_->counted(), 0);
  EXPECT_GE(counter_->failed_flushes(), 2);
  ASSERT_THAT(scan_redis_->Pipeline({{"CONFIG", "SET", "maxmemory", "0"}}), IsOk());
  counter_->Flush();
  EXPECT_EQ(counter_->counted(), 3);
  EXPECT_EQ(counter_->dropped(), 0);
  absl::StatusOr<v1::ResolveResponse> result = resolver->Resolve(token, "198.51.100.200");
  ASSERT_THAT(result, IsOk());
  const std::string day = absl::FormatCivilTime(absl::ToCivilDay(now_, absl::FixedTimeZone(7 * 3600)));
  EXPECT_EQ(ScansOn(*scan_redis_, result->stamp().serial(), day), 3);
  auto clients = scan_redis_->Pipeline({{"PFCOUNT", ScanStore::ClientsKey(result->stamp().serial(), day)}});
  ASSERT_THAT(clients, IsOk());
  EXPECT_EQ(clients->front().integer, 3);
}

// A backlog (Redis was away while thousands of stamps were scanned) is written in batches of a
// bounded size, each counted once, not as one script run that holds Redis for seconds and
// outlasts the client's timeout (then it was retried whole and counted again, or dropped).
TEST_F(ResolverTest, ABacklogIsCountedInBoundedBatches) {
  redis::RedisOptions options;
  options.port = redis_server_->port();
  redis::RedisClient redis(options);
  ScanCounterOptions counting;
  counting.flush_interval = absl::Hours(1);  // flushed by the test
  counting.clock = [this] { return now_; };
  ScanCounter counter(&redis, nullptr, "test-salt", counting);
  redis_server_->Stop();
  constexpr int kScans = 12000;
  for (int i = 0; i < kScans; ++i) {
    counter.Record(ScanEvent{static_cast<uint64_t>(900000 + i), now_, "VERDICT_GENUINE", nullptr},
                   absl::StrCat("198.51.", i / 250, ".", i % 250));
  }
  counter.Flush();  // Redis down: the scans wait
  EXPECT_EQ(counter.counted(), 0);
  ASSERT_THAT(redis_server_->Restart(), IsOk());
  for (int attempt = 0; attempt < 50 && counter.counted() < kScans; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the client's reconnect back-off
    counter.Flush();
  }
  EXPECT_EQ(counter.counted(), kScans);
  EXPECT_EQ(counter.dropped(), 0);
  auto stats = redis.Pipeline({{"INFO", "commandstats"}});
  ASSERT_THAT(stats, IsOk());
  // Every stamp was scanned once: no counts are read back, so each script run is one batch.
  EXPECT_EQ(CommandCalls(stats->front().text, "eval"),
            (kScans + ScanCounter::kScansPerBatch - 1) / ScanCounter::kScansPerBatch);
  const std::string day = absl::FormatCivilTime(absl::ToCivilDay(now_, absl::FixedTimeZone(7 * 3600)));
  EXPECT_EQ(ScansOn(redis, 900000, day), 1);
  EXPECT_EQ(ScansOn(redis, 900000 + kScans - 1, day), 1);
}

// Scan counting against Redis alone, with a clock the test moves.
class ScanCountingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto redis_server = ocop::testing::RedisServer::Start();
    ASSERT_THAT(redis_server, IsOk());
    redis_server_ = std::move(*redis_server);
    redis::RedisOptions options;
    options.port = redis_server_->port();
    redis_ = std::make_unique<redis::RedisClient>(options);
    ScanCounterOptions counting;
    counting.flush_interval = absl::Hours(1);  // flushed by the test
    counting.clock = [this] { return now_; };
    counter_ = std::make_unique<ScanCounter>(redis_.get(), nullptr, "test-salt", counting);
  }
  void Scan(uint64_t serial, const std::string& client) {
    counter_->Record(ScanEvent{serial, now_, "VERDICT_GENUINE", nullptr}, client);
  }
  std::string Today() const { return absl::FormatCivilTime(absl::ToCivilDay(now_, absl::FixedTimeZone(7 * 3600))); }
  int64_t Keys(const std::string& pattern) {
    auto keys = redis_->Pipeline({{"KEYS", pattern}});
    return keys.ok() ? static_cast<int64_t>(keys->front().elements.size()) : -1;
  }

  std::unique_ptr<ocop::testing::RedisServer> redis_server_;
  std::unique_ptr<redis::RedisClient> redis_;
  absl::Time now_ = absl::FromCivil(absl::CivilSecond(2026, 2, 17, 10, 0, 0), absl::FixedTimeZone(7 * 3600));
  std::unique_ptr<ScanCounter> counter_;  // last: flushes while Redis is still there
};

// The first scans of a Tet peak (distinct stamps, one phone each) cost a field of a shared compact
// hash each, not keys of their own: 1,000 stamps make 8 bucket keys and no HyperLogLog.
TEST_F(ScanCountingTest, FirstScansShareCompactHashesAndMakeNoHyperLogLog) {
  constexpr uint64_t kFirst = 128 * 5000;
  for (uint64_t i = 0; i < 1000; ++i) Scan(kFirst + i, absl::StrCat("198.51.", i / 250, ".", i % 250));
  counter_->Flush();
  EXPECT_EQ(counter_->counted(), 1000);
  EXPECT_EQ(Keys(absl::StrCat("scan:", Today(), ":*")), 8);  // 1,000 stamps / 128 per bucket
  EXPECT_EQ(Keys("scan:*:c:*"), 0);
  auto encoding = redis_->Pipeline({{"OBJECT", "ENCODING", ScanStore::BucketKey(kFirst, Today())},
                                    {"HGET", ScanStore::BucketKey(kFirst, Today()), ScanStore::BucketField(kFirst)}});
  ASSERT_THAT(encoding, IsOk());
  EXPECT_EQ((*encoding)[0].text, "listpack");
  // The count and the first client's 24-bit tag, nothing more.
  EXPECT_EQ((*encoding)[1].text, absl::StrCat("1:", ScanStore::ClientTag(counter_->ClientId("198.51.0.0"))));
  for (uint64_t i = 0; i < 1000; i += 111) EXPECT_EQ(ScansOn(*redis_, kFirst + i, Today()), 1) << i;
}

// A phone that scans a stamp on several days counts once, whether its days had one client (held
// in the bucket) or several (a HyperLogLog): the read merges both without leaving a key behind.
TEST_F(ScanCountingTest, APhoneScanningOnSeveralDaysCountsOnce) {
  constexpr uint64_t kSerial = 700001;
  Scan(kSerial, "203.0.113.1");  // day 1: phone A alone
  counter_->Flush();
  now_ += absl::Hours(24);
  Scan(kSerial, "203.0.113.1");  // day 2: A and B
  Scan(kSerial, "203.0.113.2");
  counter_->Flush();
  now_ += absl::Hours(24);
  Scan(kSerial, "203.0.113.1");  // day 3: A alone again, twice
  Scan(kSerial, "203.0.113.1");
  counter_->Flush();
  std::optional<ScanCounts> counts = counter_->CountsInMemory(kSerial);
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->scans, 5);
  EXPECT_EQ(counts->distinct_days, 3);
  EXPECT_EQ(counts->distinct_clients, 2);
  EXPECT_EQ(Keys("scan:*:c:*"), 1);  // only day 2 had two clients
  EXPECT_EQ(Keys("scan:*:u"), 0);    // the read's scratch key is gone

  // Days left out (an office cleared the stamp's copy flag through day 2): day 3 alone.
  const std::string day2 = absl::FormatCivilTime(absl::ToCivilDay(now_ - absl::Hours(24), absl::FixedTimeZone(7 * 3600)));
  Scan(kSerial, "203.0.113.1");
  counter_->Record(ScanEvent{kSerial, now_, "VERDICT_GENUINE", nullptr}, "203.0.113.1", day2);
  counter_->Flush();
  counts = counter_->CountsInMemory(kSerial, day2);
  ASSERT_TRUE(counts.has_value());
  EXPECT_EQ(counts->scans, 4);
  EXPECT_EQ(counts->distinct_days, 1);
  EXPECT_EQ(counts->distinct_clients, 1);
}

// Redis applied a batch but its answer did not come in time (Redis paused past the client's
// timeout): the batch is sent again under its id and Redis counts it once, not twice.
TEST_F(ScanCountingTest, ABatchWhoseAnswerWasLostIsCountedOnce) {
  redis::RedisOptions options;
  options.port = redis_server_->port();
  redis::RedisClient observer(options);
  for (uint64_t i = 0; i < 100; ++i) Scan(800000 + i, absl::StrCat("198.51.100.", i));
  ASSERT_EQ(kill(redis_server_->pid(), SIGSTOP), 0);
  counter_->Flush();  // sent, then the 200 ms timeout
  ASSERT_EQ(kill(redis_server_->pid(), SIGCONT), 0);
  EXPECT_EQ(counter_->counted(), 0);
  EXPECT_GE(counter_->failed_flushes(), 1);
  // Redis runs what it had received once it resumes.
  int64_t applied = 0;
  for (int attempt = 0; attempt < 100 && applied != 1; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    applied = ScansOn(observer, 800000, Today());
  }
  ASSERT_EQ(applied, 1);
  for (int attempt = 0; attempt < 50 && counter_->counted() < 100; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));  // the client's reconnect back-off
    counter_->Flush();
  }
  EXPECT_EQ(counter_->counted(), 100);
  EXPECT_EQ(ScansOn(observer, 800000, Today()), 1);
  EXPECT_EQ(ScansOn(observer, 800099, Today()), 1);
}

// A key of the wrong type (written by something else) costs its own stamp-day, which is reported;
// the other stamps of the batch are counted.
TEST_F(ScanCountingTest, AKeyOfTheWrongTypeCostsOnlyItsStampDay) {
  ASSERT_THAT(redis_->Pipeline({{"SET", ScanStore::BucketKey(128 * 10, Today()), "not a hash"}}), IsOk());
  Scan(128 * 10, "203.0.113.1");
  Scan(128 * 20, "203.0.113.1");
  counter_->Flush();
  EXPECT_EQ(counter_->counted(), 2);  // sent once, not retried
  EXPECT_EQ(counter_->failed_commands(), 1);
  EXPECT_EQ(ScansOn(*redis_, 128 * 20, Today()), 1);
  EXPECT_EQ(ScansOn(*redis_, 128 * 10, Today()), -1);
}

// One host with an IPv6 /64 picks a new address for every scan, on 5 days: still one client.
TEST_F(ResolverTest, OneIpv6HostRotatingAddressesCannotForceAPossibleCopy) {
  std::string token = IssueStamp("2099-12-31");
  std::unique_ptr<Resolver> resolver = CountingResolver();
  for (int day = 0; day < 5; ++day) {
    now_ += absl::Hours(24);
    for (int i = 0; i < 30; ++i) {
      ASSERT_THAT(resolver->Resolve(token, absl::StrCat("2001:db8:42:7:", day, ":", i, "::1")), IsOk());
    }
  }
  counter_->Flush();
  absl::StatusOr<v1::ResolveResponse> result = resolver->Resolve(token, "2001:db8:42:7::99");
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_GENUINE) << result->reason();
  EXPECT_EQ(result->scans().distinct_clients(), 1);
  EXPECT_EQ(result->scans().distinct_days(), 5);
}

// "Possible copy" looks at a sliding window of 30 days: a flag raised by scans long ago goes
// away, and an office can clear one now, with a reason that is recorded.
TEST_F(ResolverTest, ACopyFlagLeavesWithTheWindowAndAnOfficeCanClearIt) {
  std::string token = IssueStamp("2099-12-31");
  std::unique_ptr<Resolver> resolver = CountingResolver();
  auto clone = [&] {  // 24 clients over 5 days
    for (int day = 0; day < 5; ++day) {
      now_ += absl::Hours(24);
      for (int client = 0; client < 5; ++client) {
        ASSERT_THAT(resolver->Resolve(token, absl::StrCat("203.0.113.", day * 5 + client)), IsOk());
      }
    }
    counter_->Flush();
  };
  now_ -= absl::Hours(24 * 40);  // six weeks ago
  clone();
  ASSERT_EQ(resolver->Resolve(token, "192.0.2.1")->verdict(), v1::VERDICT_POSSIBLE_COPY);
  now_ += absl::Hours(24 * 31);  // a month later the window has moved past those days
  counter_->Flush();
  absl::StatusOr<v1::ResolveResponse> later = resolver->Resolve(token, "192.0.2.1");
  ASSERT_THAT(later, IsOk());
  EXPECT_EQ(later->verdict(), v1::VERDICT_GENUINE);
  EXPECT_EQ(later->scans().distinct_days(), 0);

  clone();  // copied again, recently
  absl::StatusOr<v1::ResolveResponse> flagged = resolver->Resolve(token, "192.0.2.1");
  ASSERT_THAT(flagged, IsOk());
  ASSERT_EQ(flagged->verdict(), v1::VERDICT_POSSIBLE_COPY);
  const std::string stamp_name = absl::StrCat("stamps/", flagged->stamp().serial());
  stamp::v1::ClearCopyFlagRequest clear;
  clear.set_stamp(stamp_name);
  clear.set_reason("Kiểm tra tại cửa hàng: tem dán đúng sản phẩm");
  stamp::v1::Stamp cleared;
  grpc::Status status = stamp_->Stub()->ClearCopyFlag(Context("producer-1", "producer").get(), clear, &cleared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  Actor office("users/office-1", "office");
  office.province = "19";  // the tea cooperative's province
  Actor other_office("users/office-2", "office");
  other_office.province = "17";
  clear.set_reason(" ");
  status = stamp_->Stub()->ClearCopyFlag(ocop::testing::ContextAs(office).get(), clear, &cleared);
  EXPECT_EQ(status.error_message(), "reason: must not be empty");
  clear.set_reason("Kiểm tra tại cửa hàng: tem dán đúng sản phẩm");
  status = stamp_->Stub()->ClearCopyFlag(ocop::testing::ContextAs(other_office).get(), clear, &cleared);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  status = stamp_->Stub()->ClearCopyFlag(ocop::testing::ContextAs(office).get(), clear, &cleared);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(cleared.copy_flag_cleared_through().empty());
  // Lookup reads the clearance from the roll, so the stamp service puts it there and announces
  // the roll as changed, after the stamp.
  stamp::v1::GetRollRequest get_roll;
  get_roll.set_name(roll_.name());
  stamp::v1::Roll roll;
  ASSERT_TRUE(stamp_->Stub()->GetRoll(Context("services/test", "service").get(), get_roll, &roll).ok());
  ASSERT_EQ(roll.copy_flag_clearances_size(), 1);
  EXPECT_EQ(roll.copy_flag_clearances(0).serial(), flagged->stamp().serial());
  EXPECT_EQ(roll.copy_flag_clearances(0).cleared_through(), cleared.copy_flag_cleared_through());
  auto feed_context = Context("services/test", "service");
  feed_context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(5));
  auto feed = stamp_->Stub()->WatchChanges(feed_context.get(), common::v1::WatchChangesRequest());
  common::v1::Change change;
  std::vector<std::string> announced;
  while (feed->Read(&change)) {
    announced.push_back(absl::StrCat(change.entity(), ":", change.name()));
    if (announced.back() == absl::StrCat("roll:", roll_.name()) && announced.size() >= 2 &&
        announced[announced.size() - 2] == absl::StrCat("stamp:", stamp_name)) {
      break;
    }
    resolver->OnChange(change);
  }
  feed_context->TryCancel();
  ASSERT_GE(announced.size(), 2u);
  EXPECT_EQ(announced.back(), absl::StrCat("roll:", roll_.name()));
  resolver->OnChange(change);
  absl::StatusOr<v1::ResolveResponse> after = resolver->Resolve(token, "192.0.2.1");
  ASSERT_THAT(after, IsOk());
  EXPECT_EQ(after->verdict(), v1::VERDICT_GENUINE) << after->reason();
  EXPECT_EQ(after->stamp().copy_flag_cleared_through(), cleared.copy_flag_cleared_through());
}

TEST_F(ResolverTest, AGenuineStampResolvesToItsProductProducerAndTimeline) {
  std::string token = IssueStamp("2099-12-31");
  auto result = resolver_->Resolve("HTTPS://OCOP.TN.GOV.VN/S/" + token);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_GENUINE);
  EXPECT_EQ(result->product().display_name(), "Chè Tân Cương đặc biệt");
  EXPECT_EQ(result->product().ocop().stars(), 4);
  EXPECT_EQ(result->product().ocop().state(), v1::OCOP_MARK_STATE_CERTIFIED);
  EXPECT_EQ(result->producer().address().commune_name(), "Xã Tân Cương");
  ASSERT_EQ(result->events_size(), 1);
  EXPECT_EQ(result->events(0).biz_step(), "ocop:harvesting");
  // The same token in lower case is the same stamp.
  auto lower = resolver_->Resolve(absl::AsciiStrToLower(token));
  ASSERT_THAT(lower, IsOk());
  EXPECT_EQ(lower->stamp().serial(), result->stamp().serial());
}

// Every field the public side may publish (docs/privacy.md), as JSON paths: arrays flattened,
// "events.details" a map whose keys are the producer's.
const std::set<std::string>& PublicJsonPaths() {
  static const auto* paths = [] {
    auto* all = new std::set<std::string>{"verdict", "reason", "resolveTime", "scans.scans", "scans.distinctClients",
                                          "scans.distinctDays", "stamp.serial", "stamp.keyId", "stamp.state",
                                          "stamp.batch", "stamp.copyFlagClearedThrough"};
    const std::vector<std::string> checkpoint = {"chain", "sequence", "headHash", "keyId", "signature"};
    for (const char* lot : {"batch", "ancestors"}) {
      for (const char* field : {"name", "product", "lotCode", "harvestDate", "expiryDate", "quantity", "unit",
                                "growingAreaCode", "status", "recallReason", "recallTime", "recalledFrom", "parents",
                                "eventCount"}) {
        all->insert(absl::StrCat(lot, ".", field));
      }
      for (const char* field : {"scheme", "certificateNumber", "certifyingBody", "standard", "validFrom",
                                "validUntil", "coversHarvest"}) {
        all->insert(absl::StrCat(lot, ".certifications.", field));
      }
      for (const std::string& field : checkpoint) all->insert(absl::StrCat(lot, ".checkpoint.", field));
    }
    for (const char* field : {"name", "sequence", "type", "bizStep", "eventTime", "eventTimeZoneOffset",
                              "location.displayName", "location.communeCode", "location.gln", "disposition",
                              "details", "corrects", "correctionReason", "inputs.object", "inputs.quantity",
                              "inputs.unit", "outputs.object", "outputs.quantity", "outputs.unit", "chainHash"}) {
      all->insert(absl::StrCat("events.", field));
    }
    for (const char* field : {"name", "displayName", "group", "subGroup", "description", "gtin", "ingredients",
                              "shelfLifeDays", "storage", "images.uri", "images.sha256", "intellectualProperty.kind",
                              "intellectualProperty.number", "intellectualProperty.holder", "ocop.state", "ocop.stars",
                              "ocop.certificateNumber", "ocop.decisionNumber", "ocop.decisionDate", "ocop.validUntil",
                              "ocop.councilLevel"}) {
      all->insert(absl::StrCat("product.", field));
    }
    for (const char* field : {"name", "displayName", "kind", "address.street", "address.communeCode",
                              "address.communeName", "address.districtName", "address.provinceCode",
                              "address.provinceName", "address.currentProvinceCode", "address.currentProvinceName",
                              "address.currentCommuneCode", "address.currentCommuneName"}) {
      all->insert(absl::StrCat("producer.", field));
    }
    for (const char* field : {"name", "label", "startDate", "endDate"}) all->insert(absl::StrCat("seasons.", field));
    for (const std::string& field : checkpoint) all->insert("seasons.checkpoint." + field);
    return all;
  }();
  return *paths;
}

// Adds to `found` the path of every value in `json` (object keys joined with '.', arrays flattened).
void CollectJsonPaths(const nlohmann::json& json, const std::string& prefix, std::set<std::string>& found) {
  if (json.is_array()) {
    for (const nlohmann::json& element : json) CollectJsonPaths(element, prefix, found);
    return;
  }
  if (!json.is_object() || prefix == "events.details") {
    found.insert(prefix);
    return;
  }
  for (const auto& [key, value] : json.items()) CollectJsonPaths(value, prefix.empty() ? key : prefix + "." + key, found);
}

// The answer to a scan carries only the allow-listed public fields: a producer's phone, tax code
// (a personal id for households), representative, external id and location, a product's office
// references, who recorded an event: none of it, over gRPC (the same message) or as JSON.
TEST_F(ResolverTest, OnlyAllowListedPublicFieldsLeaveLookup) {
  std::string token = IssueStamp("2099-12-31");
  batch::v1::Batch gtin_lot = GtinProductLot("PRIV-1");
  auto registry = registry_->Stub();
  registry::v1::UpdateProducerRequest update;
  update.mutable_producer()->set_name(roll_.producer());
  update.mutable_producer()->set_phone("0912 345 678");
  update.mutable_producer()->set_tax_code("046512345678");
  update.mutable_producer()->set_external_id("TN-HTX-0042");
  update.mutable_producer()->mutable_representative()->set_full_name("Nguyễn Thị Hoa");
  update.mutable_producer()->mutable_representative()->set_gender(registry::v1::GENDER_FEMALE);
  update.mutable_producer()->mutable_representative()->set_ethnicity("Tày");
  update.mutable_producer()->mutable_location()->set_latitude(21.5872);
  update.mutable_producer()->mutable_location()->set_longitude(105.7713);
  update.mutable_producer()->add_sales_channels(registry::v1::SALES_CHANNEL_ECOMMERCE);
  for (const char* path : {"phone", "tax_code", "external_id", "representative", "location", "sales_channels"}) {
    update.mutable_update_mask()->add_paths(path);
  }
  registry::v1::Producer producer;
  grpc::Status updated = registry->UpdateProducer(Context().get(), update, &producer);
  ASSERT_TRUE(updated.ok()) << updated.error_message();

  for (const std::string& target : {"/v1/resolve/" + token, std::string("/v1/resolve/01/08935049500018/10/PRIV-1")}) {
    http::HttpResponse json = HandleHttp(*resolver_, *keys_, Request("GET", target));
    ASSERT_EQ(json.status, 200) << json.body;
    nlohmann::json parsed = nlohmann::json::parse(json.body);
    std::set<std::string> found;
    CollectJsonPaths(parsed, "", found);
    for (const std::string& path : found) {
      EXPECT_TRUE(PublicJsonPaths().count(path) > 0) << target << " publishes " << path;
    }
    EXPECT_TRUE(found.count("producer.address.communeName") > 0) << json.body;  // the walk saw the answer
    EXPECT_TRUE(found.count("product.ocop.state") > 0) << json.body;
    if (target.find("/01/") == std::string::npos) {
      EXPECT_TRUE(found.count("events.bizStep") > 0) << json.body;
    }
    for (const char* secret : {"0912 345 678", "046512345678", "TN-HTX-0042", "Nguyễn Thị Hoa", "Tày", "105.7713"}) {
      EXPECT_EQ(json.body.find(secret), std::string::npos) << target << " publishes " << secret;
    }
  }
  // The EPCIS document the linkset offers leaves out who recorded the events too.
  http::HttpResponse epcis = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/" + gtin_lot.name()));
  EXPECT_EQ(epcis.status, 200);
  EXPECT_EQ(epcis.body.find("recordedBy"), std::string::npos);
}

TEST_F(ResolverTest, ForgedAndUnissuedTokensAreNotGenuineAndMalformedCodesAreInvalid) {
  std::string token = IssueStamp("2099-12-31");
  std::string bytes = *token::Base32Decode(token);
  bytes[40] ^= 0x10;  // inside the signature
  auto forged = resolver_->Resolve(token::Base32Encode(bytes));
  ASSERT_THAT(forged, IsOk());
  EXPECT_EQ(forged->verdict(), v1::VERDICT_NOT_GENUINE);
  EXPECT_EQ(forged->reason(), "signature does not verify");
  EXPECT_FALSE(forged->has_product());

  // Validly signed by the service's key, but for a serial no roll holds.
  uint32_t key_id = stamp_->keys().signing_key_id();
  auto unissued = token::EncodeToken(key_id, 999'999, **stamp_->keys().Key(key_id));
  auto result = resolver_->Resolve(*unissued);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_NOT_GENUINE);
  EXPECT_NE(result->reason().find("never issued"), std::string::npos);

  // An unknown key id.
  bytes = *token::Base32Decode(token);
  bytes[1] ^= 0x01;
  auto unknown_key = resolver_->Resolve(token::Base32Encode(bytes));
  ASSERT_THAT(unknown_key, IsOk());
  EXPECT_NE(unknown_key->reason().find("unknown signing key"), std::string::npos);

  EXPECT_THAT(resolver_->Resolve("HTTPS://OCOP.TN.GOV.VN/S/" + token.substr(1)),
              StatusIs(absl::StatusCode::kInvalidArgument, "code: token: must be 124 characters"));
}

std::string TokenOf(stamp::v1::StampService::Stub& stub, uint64_t serial) {
  stamp::v1::GetStampRequest get;
  get.set_name(absl::StrCat("stamps/", serial));
  stamp::v1::Stamp stamp;
  EXPECT_TRUE(stub.GetStamp(Context("services/test", "service").get(), get, &stamp).ok());
  return stamp.token();
}

TEST_F(ResolverTest, OnlyActiveStampsAreGenuineAndARollChangeIsSeenOnTheNextScan) {
  IssueStamp("2099-12-31");
  auto stub = stamp_->Stub();
  uint64_t first = roll_.first_serial();
  auto not_activated = resolver_->Resolve(TokenOf(*stub, first + 4));
  ASSERT_THAT(not_activated, IsOk());
  EXPECT_EQ(not_activated->verdict(), v1::VERDICT_NOT_ACTIVATED);
  EXPECT_EQ(not_activated->stamp().state(), stamp::v1::STAMP_STATE_ISSUED);
  EXPECT_FALSE(not_activated->has_product());

  std::string token = TokenOf(*stub, first + 1);
  ASSERT_EQ(resolver_->Resolve(token)->verdict(), v1::VERDICT_GENUINE);  // the roll view is cached now
  stamp::v1::ChangeStampsRequest revoke;
  revoke.set_roll(roll_.name());
  revoke.set_first_serial(first + 1);
  revoke.set_count(1);
  revoke.set_reason("reported stolen from the packing shed");
  stamp::v1::Roll roll;
  ASSERT_TRUE(stub->RevokeStamps(Context().get(), revoke, &roll).ok());
  common::v1::Change change;  // what the stamp feed announces
  change.set_entity("roll");
  change.set_name(roll_.name());
  resolver_->OnChange(change);
  auto revoked = resolver_->Resolve(token);
  ASSERT_THAT(revoked, IsOk());
  EXPECT_EQ(revoked->verdict(), v1::VERDICT_REVOKED);
  EXPECT_EQ(resolver_->Resolve(TokenOf(*stub, first))->verdict(), v1::VERDICT_GENUINE);
  http::HttpResponse page = HandleHttp(*resolver_, *keys_, Request("GET", "/s/" + token));
  EXPECT_NE(page.body.find("Tem đã bị thu hồi"), std::string::npos);
}

TEST_F(ResolverTest, PinChecksAreForwardedOnlyForGenuineCodes) {
  std::string plain_token = IssueStamp("2099-12-31");
  stamp::v1::IssueRollRequest issue;
  issue.mutable_roll()->set_batch(roll_.batch());
  issue.mutable_roll()->set_count(1);
  issue.mutable_roll()->set_scratch_pins(true);
  stamp::v1::Roll pin_roll;
  auto stub = stamp_->Stub();
  ASSERT_TRUE(stub->IssueRoll(Context().get(), issue, &pin_roll).ok());
  stamp::v1::ChangeStampsRequest activate;
  activate.set_roll(pin_roll.name());
  activate.set_first_serial(pin_roll.first_serial());
  activate.set_count(1);
  ASSERT_TRUE(stub->ActivateStamps(Context().get(), activate, &pin_roll).ok());
  stamp::v1::StreamStampsRequest render;
  render.set_roll(pin_roll.name());
  render.set_format(stamp::v1::IMAGE_FORMAT_SVG);
  render.set_printer("p");
  auto context = Context("users/coop", "producer", producer_name_);  // only the producer or its printer
  auto reader = stub->StreamStamps(context.get(), render);
  stamp::v1::RenderedStamp printed;
  ASSERT_TRUE(reader->Read(&printed));
  while (reader->Read(&printed)) {
  }
  ASSERT_TRUE(reader->Finish().ok());

  http::HttpResponse verified = HandleHttp(*resolver_, *keys_, Request("POST", "/v1/pin/" + printed.token(),
                                                                       "pin=" + printed.pin()));
  EXPECT_EQ(verified.status, 200);
  EXPECT_NE(verified.body.find("PIN_RESULT_VERIFIED"), std::string::npos) << verified.body;
  auto again = resolver_->VerifyPin(printed.url(), printed.pin());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(again->result(), stamp::v1::PIN_RESULT_ALREADY_VERIFIED);
  auto no_pin = resolver_->VerifyPin(plain_token, "12345678");
  ASSERT_THAT(no_pin, IsOk());
  EXPECT_EQ(no_pin->result(), stamp::v1::PIN_RESULT_NOT_AVAILABLE);

  std::string bytes = *token::Base32Decode(printed.token());
  bytes[50] ^= 0x01;
  EXPECT_THAT(resolver_->VerifyPin(token::Base32Encode(bytes), printed.pin()),
              StatusIs(absl::StatusCode::kNotFound, "not a genuine stamp"));
  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("GET", "/v1/pin/" + printed.token())).status, 405);

  // A stamp not on sale answers with its state; the fifth stamp of the first roll is issued only.
  auto issued = resolver_->VerifyPin(TokenOf(*stub, roll_.first_serial() + 4), "12345678", "198.51.100.9");
  ASSERT_THAT(issued, IsOk());
  EXPECT_EQ(issued->result(), stamp::v1::PIN_RESULT_STAMP_NOT_ACTIVE);
  EXPECT_EQ(issued->stamp_state(), stamp::v1::STAMP_STATE_ISSUED);
  // Wrong PINs are limited per client network: one host's /64 is one client, whatever address it
  // uses; past the limit lookup answers 429 with the stamp service's words.
  std::string wrong = printed.pin() == "00000000" ? "00000001" : "00000000";
  PublicLimits limits(100, 100, *http::TrustedProxies::Parse({}));
  http::HttpResponse limited;
  for (int i = 0; i < 12; ++i) {
    http::HttpRequest request = Request("POST", "/v1/pin/" + printed.token(), "pin=" + wrong);
    request.peer_address = absl::StrCat("2001:db8:9:9::", i + 1);
    limited = HandleHttp(*resolver_, *keys_, request, limits.ClientOf(request));
  }
  EXPECT_EQ(limited.status, 429) << limited.body;
  EXPECT_NE(limited.body.find("too many wrong PINs"), std::string::npos) << limited.body;
}

TEST_F(ResolverTest, DigitalLinkStampsResolveAndTheirGtinAndLotMustBeTheRolls) {
  IssueStamp("2099-12-31");
  batch::v1::Batch batch = GtinProductLot("DL-01");
  auto stub = stamp_->Stub();
  stamp::v1::IssueRollRequest issue;
  issue.mutable_roll()->set_batch(batch.name());
  issue.mutable_roll()->set_count(1);
  issue.mutable_roll()->set_digital_link(true);
  stamp::v1::Roll roll;
  ASSERT_TRUE(stub->IssueRoll(Context().get(), issue, &roll).ok());
  stamp::v1::ChangeStampsRequest activate;
  activate.set_roll(roll.name());
  activate.set_first_serial(roll.first_serial());
  activate.set_count(1);
  ASSERT_TRUE(stub->ActivateStamps(Context().get(), activate, &roll).ok());
  stamp::v1::GetStampRequest get;
  get.set_name(absl::StrCat("stamps/", roll.first_serial()));
  stamp::v1::Stamp stamp;
  ASSERT_TRUE(stub->GetStamp(Context("services/test", "service").get(), get, &stamp).ok());
  ASSERT_TRUE(absl::StartsWith(stamp.url(), "https://ocop.tn.gov.vn/01/08935049500018/10/DL-01/21/"));

  auto genuine = resolver_->Resolve(stamp.url());
  ASSERT_THAT(genuine, IsOk());
  EXPECT_EQ(genuine->verdict(), v1::VERDICT_GENUINE) << genuine->reason();
  EXPECT_EQ(genuine->product().gtin(), "08935049500018");
  std::string path = stamp.url().substr(std::string("https://ocop.tn.gov.vn").size());
  http::HttpResponse page = HandleHttp(*resolver_, *keys_, Request("GET", path));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Tem chính hãng"), std::string::npos);

  // Another lot in the link breaks the signature...
  std::string other_lot = stamp.url();
  other_lot.replace(other_lot.find("/10/DL-01/"), 10, "/10/DL-02/");
  auto tampered = resolver_->Resolve(other_lot);
  ASSERT_THAT(tampered, IsOk());
  EXPECT_EQ(tampered->verdict(), v1::VERDICT_NOT_GENUINE);
  EXPECT_EQ(tampered->reason(), "signature does not verify");
  // ...and a validly signed link whose lot is not the roll's is still not genuine.
  uint32_t key_id = stamp_->keys().signing_key_id();
  auto forged = digital_link::Encode("https://ocop.tn.gov.vn", key_id, "08935049500018", "DL-02", roll.first_serial(),
                                     **stamp_->keys().Key(key_id));
  ASSERT_THAT(forged, IsOk());
  auto mismatch = resolver_->Resolve(*forged);
  ASSERT_THAT(mismatch, IsOk());
  EXPECT_EQ(mismatch->verdict(), v1::VERDICT_NOT_GENUINE);
  EXPECT_NE(mismatch->reason().find("GTIN or lot"), std::string::npos);
  EXPECT_THAT(resolver_->Resolve("https://ocop.tn.gov.vn/01/08935049500019/10/DL-01/21/1?k=00000000&s=x"),
              StatusIs(absl::StatusCode::kInvalidArgument, "gtin"));
}

TEST_F(ResolverTest, AGs1LinkWithoutAStampWalksUpToTheLotOrProductAndOffersALinkset) {
  IssueStamp("2099-12-31");
  batch::v1::Batch batch = GtinProductLot("DL/01");

  // An unknown serial under a known lot: the lot's page, the unit not verified.
  http::HttpResponse unit = HandleHttp(*resolver_, *keys_, Request("GET", "/01/08935049500018/10/DL%2F01/21/ABC123"));
  EXPECT_EQ(unit.status, 200);
  EXPECT_NE(unit.body.find("Không xác minh được sản phẩm này"), std::string::npos);
  EXPECT_NE(unit.body.find("DL/01"), std::string::npos);
  EXPECT_EQ(unit.body.find("Tem chính hãng"), std::string::npos);
  // An unknown lot: the product's page.
  http::HttpResponse unknown_lot = HandleHttp(*resolver_, *keys_, Request("GET", "/01/08935049500018/10/NOPE"));
  EXPECT_EQ(unknown_lot.status, 200);
  EXPECT_NE(unknown_lot.body.find("Chè hộp 100 g"), std::string::npos);
  EXPECT_EQ(unknown_lot.body.find("Mã lô"), std::string::npos);
  http::HttpResponse english =
      HandleHttp(*resolver_, *keys_, Request("GET", "/01/08935049500018/10/NOPE?x=1&lang=en"));
  EXPECT_NE(english.body.find("<html lang=\"en\">"), std::string::npos);
  EXPECT_NE(english.body.find("<a href=\"?x=1&amp;lang=vi\" hreflang=\"vi\""), std::string::npos) << english.body;
  // A GTIN nobody has: 404.
  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("GET", "/01/08935049500025")).status, 404);
  // The JSON twin.
  http::HttpResponse json = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/resolve/01/08935049500018/10/DL%2F01"));
  EXPECT_EQ(json.status, 200);
  EXPECT_NE(json.body.find("\"verdict\":\"VERDICT_UNIT_NOT_VERIFIED\""), std::string::npos);

  // The linkset (RFC 9264): the page, the JSON view, the lot's EPCIS export, the keys.
  http::HttpRequest linkset_request = Request("GET", "/01/08935049500018/10/DL%2F01?linkType=linkset");
  linkset_request.headers["host"] = "evil.example";  // a client chooses its Host header: never used
  http::HttpResponse linkset = HandleHttp(*resolver_, *keys_, linkset_request, "", "https://ocop.tn.gov.vn");
  EXPECT_EQ(linkset.status, 200);
  EXPECT_EQ(linkset.body.find("evil.example"), std::string::npos) << linkset.body;
  bool linkset_type = false;
  for (const auto& [name, value] : linkset.headers) linkset_type |= name == "Content-Type" && value == "application/linkset+json";
  EXPECT_TRUE(linkset_type);
  EXPECT_NE(linkset.body.find("{\"linkset\":[{\"anchor\":\"https://ocop.tn.gov.vn/01/08935049500018/10/DL%2F01\""),
            std::string::npos) << linkset.body;
  EXPECT_NE(linkset.body.find("\"https://gs1.org/voc/defaultLink\""), std::string::npos);
  std::string epcis_link = absl::StrCat("https://ocop.tn.gov.vn/v1/epcis/", batch.name());
  EXPECT_NE(linkset.body.find(epcis_link), std::string::npos);
  EXPECT_NE(linkset.body.find("https://ocop.tn.gov.vn/.well-known/jwks.json"), std::string::npos);
  http::HttpResponse epcis = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/" + batch.name()));
  EXPECT_EQ(epcis.status, 200);
  EXPECT_NE(epcis.body.find("\"EPCISDocument\""), std::string::npos);
}

// A lot's public EPCIS document is rendered from its whole history: made once, served from the
// cache, and made again when the batch feed says the lot changed.
TEST_F(ResolverTest, TheEpcisExportIsCachedUntilItsLotChanges) {
  IssueStamp("2099-12-31");
  const std::string lot = roll_.batch();
  const int64_t fetches = resolver_->backend_fetches();
  http::HttpResponse first = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/" + lot));
  ASSERT_EQ(first.status, 200) << first.body;
  EXPECT_EQ(resolver_->backend_fetches(), fetches + 1);
  http::HttpResponse again = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/" + lot));
  EXPECT_EQ(again.status, 200);
  EXPECT_EQ(again.body, first.body);
  EXPECT_EQ(resolver_->backend_fetches(), fetches + 1);  // from the cache
  EXPECT_EQ(first.body.find("shipping"), std::string::npos);

  batch::v1::AppendEventRequest event_request;
  event_request.set_parent(lot);
  event_request.mutable_event()->set_type(batch::v1::EVENT_TYPE_OBJECT);
  event_request.mutable_event()->set_biz_step("shipping");
  event_request.mutable_event()->mutable_event_time()->set_seconds(absl::ToUnixSeconds(absl::Now()) - 60);
  batch::v1::BatchEvent event;
  ASSERT_TRUE(batch_->Stub()->AppendEvent(Context().get(), event_request, &event).ok());
  http::HttpResponse stale = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/" + lot));
  EXPECT_EQ(stale.body, first.body);  // no change announced yet: the cached document (at most max_cache_ttl)
  common::v1::Change change;
  change.set_entity("batch");
  change.set_name(lot);
  resolver_->OnChange(change);
  http::HttpResponse changed = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/" + lot));
  ASSERT_EQ(changed.status, 200);
  EXPECT_NE(changed.body.find("shipping"), std::string::npos) << changed.body;
  EXPECT_NE(changed.body, first.body);
  EXPECT_EQ(resolver_->backend_fetches(), fetches + 2);
  // A lot nobody has: 404, and nothing cached for it.
  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("GET", "/v1/epcis/batches/nope")).status, 404);
}

TEST_F(ResolverTest, TheMemoryOnlyPathAnswersOnlyWhatIsCachedAndNeverWaits) {
  std::string token = IssueStamp("2099-12-31");
  EXPECT_FALSE(resolver_->ResolveFromMemory(token, "").has_value());  // nothing cached yet
  EXPECT_FALSE(HandleHttpFromMemory(*resolver_, Request("GET", "/s/" + token), "").has_value());
  const int64_t fetches = resolver_->backend_fetches();
  ASSERT_THAT(resolver_->Resolve(token), IsOk());  // warms memory and Redis
  auto cached = resolver_->ResolveFromMemory(token, "");
  ASSERT_TRUE(cached.has_value());
  ASSERT_THAT(*cached, IsOk());
  EXPECT_EQ((*cached)->verdict, v1::VERDICT_GENUINE);
  std::optional<http::HttpResponse> page = HandleHttpFromMemory(*resolver_, Request("GET", "/s/" + token), "");
  ASSERT_TRUE(page.has_value());
  EXPECT_EQ(page->status, 200);
  EXPECT_NE(page->body.find("Tem chính hãng"), std::string::npos);
  EXPECT_FALSE(HandleHttpFromMemory(*resolver_, Request("GET", "/.well-known/jwks.json"), "").has_value());
  // A malformed code needs nothing cached: answered at once.
  auto malformed = HandleHttpFromMemory(*resolver_, Request("GET", "/s/NOTATOKEN"), "");
  ASSERT_TRUE(malformed.has_value());
  EXPECT_EQ(malformed->status, 400);
  // A change drops the view: back to the worker path, which fetches it again.
  common::v1::Change change;
  change.set_entity("batch");
  change.set_name((*cached)->lot->lot().name());
  resolver_->OnChange(change);
  EXPECT_FALSE(resolver_->ResolveFromMemory(token, "").has_value());
  ASSERT_THAT(resolver_->Resolve(token), IsOk());
  EXPECT_GT(resolver_->backend_fetches(), fetches);
  EXPECT_TRUE(resolver_->ResolveFromMemory(token, "").has_value());
}

// The Tết peak: every package has its own stamp, so most scans are first scans. Once one stamp of
// a roll was resolved, every other stamp of it is answered from memory (its state from the roll),
// counted, and never fetched one by one.
TEST_F(ResolverTest, FirstScansOfOtherStampsOfAKnownRollAreAnsweredFromMemory) {
  const std::string first = IssueStamp("2099-12-31");
  std::unique_ptr<Resolver> resolver = CountingResolver();
  ASSERT_THAT(resolver->Resolve(first, "198.51.100.1"), IsOk());
  const int64_t fetches = resolver->backend_fetches();
  auto token_of = [&](uint64_t serial) {
    stamp::v1::GetStampRequest get;
    get.set_name(absl::StrCat("stamps/", serial));
    stamp::v1::Stamp stamp;
    EXPECT_TRUE(stamp_->Stub()->GetStamp(Context("services/test", "service").get(), get, &stamp).ok());
    return stamp.token();
  };
  for (uint64_t serial = roll_.first_serial() + 1; serial < roll_.first_serial() + 4; ++serial) {
    auto scanned = resolver->ResolveFromMemory(token_of(serial), "198.51.100.2");
    ASSERT_TRUE(scanned.has_value()) << "serial " << serial << " was not answered from memory";
    ASSERT_THAT(*scanned, IsOk());
    EXPECT_EQ((*scanned)->verdict, v1::VERDICT_GENUINE);
    EXPECT_EQ((*scanned)->stamp->serial(), serial);
    EXPECT_FALSE((*scanned)->scans.has_value());  // a first scan: its counts are not known here yet
  }
  // The fifth stamp was never activated: known from the roll too.
  auto inactive = resolver->ResolveFromMemory(token_of(roll_.first_serial() + 4), "198.51.100.2");
  ASSERT_TRUE(inactive.has_value());
  ASSERT_THAT(*inactive, IsOk());
  EXPECT_EQ((*inactive)->verdict, v1::VERDICT_NOT_ACTIVATED);
  EXPECT_EQ(resolver->backend_fetches(), fetches);  // nothing was fetched
  // A stamp scanned once is only remembered as seen (reading its counts back would cost more than
  // the scan); its second scan here asks for them, and from the third on they are known.
  counter_->Flush();
  const std::string second = token_of(roll_.first_serial() + 2);
  auto again = resolver->ResolveFromMemory(second, "198.51.100.3");
  ASSERT_TRUE(again.has_value());
  ASSERT_THAT(*again, IsOk());
  EXPECT_FALSE((*again)->scans.has_value());
  counter_->Flush();
  auto third = resolver->ResolveFromMemory(second, "198.51.100.4");
  ASSERT_TRUE(third.has_value());
  ASSERT_THAT(*third, IsOk());
  ASSERT_TRUE((*third)->scans.has_value());
  EXPECT_EQ((*third)->scans->scans, 2);
  EXPECT_EQ((*third)->scans->distinct_clients, 2);
  EXPECT_EQ(resolver->rolls().size(), 1u);
}

// The gRPC answer is assembled from the views' serialised bytes: it must read back as exactly the
// message built field by field.
TEST_F(ResolverTest, TheWireFormOfAResolutionIsTheMessageItself) {
  std::string token = IssueStamp("2099-12-31");
  absl::StatusOr<Resolution> resolution = resolver_->ResolveViews(token);
  ASSERT_THAT(resolution, IsOk());
  v1::ResolveResponse wire;
  resolution->ToWire(wire);
  v1::ResolveResponse parsed;
  ASSERT_TRUE(parsed.ParseFromString(wire.SerializeAsString()));
  const v1::ResolveResponse expected = resolution->ToProto();
  EXPECT_EQ(parsed.SerializeAsString(), expected.SerializeAsString());
  EXPECT_EQ(parsed.events_size(), 1);
  EXPECT_EQ(parsed.product().ocop().stars(), 4);
  EXPECT_FALSE(parsed.producer().name().empty());
}

// Pages splice in the lot's details rendered once: byte for byte the page rendered whole, in both
// languages, and rendered again when the product changes.
TEST_F(ResolverTest, CachedPageDetailsGiveTheSamePageAndFollowChanges) {
  std::string token = IssueStamp("2099-12-31");
  PageCache pages(1 << 20);
  for (const std::string& target : {"/s/" + token, "/s/" + token + "?lang=en"}) {
    http::HttpResponse whole = HandleHttp(*resolver_, *keys_, Request("GET", target));
    http::HttpResponse spliced = HandleHttp(*resolver_, *keys_, Request("GET", target), "", "", &pages);
    ASSERT_EQ(whole.status, 200);
    EXPECT_EQ(spliced.body, whole.body);
    auto from_memory = HandleHttpFromMemory(*resolver_, Request("GET", target), "", &pages);
    ASSERT_TRUE(from_memory.has_value());
    EXPECT_EQ(from_memory->body, whole.body);
  }
  registry::v1::UpdateProductRequest update;
  update.mutable_product()->set_name(roll_.product());
  update.mutable_product()->set_display_name("Chè Tân Cương thượng hạng");
  update.mutable_update_mask()->add_paths("display_name");
  registry::v1::Product product;
  ASSERT_TRUE(registry_->Stub()->UpdateProduct(Context().get(), update, &product).ok());
  common::v1::Change change;
  change.set_entity("product");
  change.set_name(roll_.product());
  resolver_->OnChange(change);
  http::HttpResponse renamed = HandleHttp(*resolver_, *keys_, Request("GET", "/s/" + token), "", "", &pages);
  EXPECT_NE(renamed.body.find("Chè Tân Cương thượng hạng"), std::string::npos);
  EXPECT_EQ(renamed.body.find("Chè Tân Cương đặc biệt"), std::string::npos);
}

TEST_F(ResolverTest, AnExpiredCertificateIsNeverShownAsCertified) {
  std::string token = IssueStamp("2020-01-31");
  auto result = resolver_->Resolve(token);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_CERTIFICATE_EXPIRED);
  EXPECT_NE(result->reason().find("2020-01-31"), std::string::npos);
  EXPECT_EQ(result->product().ocop().state(), v1::OCOP_MARK_STATE_EXPIRED);
  EXPECT_EQ(result->product().ocop().stars(), 0);
  EXPECT_EQ(result->product().ocop().valid_until(), "2020-01-31");
  http::HttpResponse page = HandleHttp(*resolver_, *keys_, Request("GET", "/s/" + token));
  EXPECT_NE(page.body.find("Chứng nhận OCOP đã hết hạn ngày 2020-01-31"), std::string::npos);
  EXPECT_EQ(page.body.find("★"), std::string::npos);
  EXPECT_EQ(page.body.find("OCOP 4 sao"), std::string::npos);
}

// A suspended product's stamp is still genuine (the stamp is), but the product carries no OCOP
// mark while suspended: the page says so in words, without stars.
TEST_F(ResolverTest, ASuspendedProductScansGenuineWithoutItsStars) {
  std::string token = IssueStamp("2099-12-31");
  ASSERT_EQ(resolver_->Resolve(token)->product().ocop().stars(), 4);
  registry::v1::UpdateProductRequest update;
  update.mutable_product()->set_name(roll_.product());
  update.mutable_product()->set_status(registry::v1::PRODUCT_STATUS_SUSPENDED);
  update.mutable_update_mask()->add_paths("status");
  registry::v1::Product product;
  ASSERT_TRUE(registry_->Stub()->UpdateProduct(Context().get(), update, &product).ok());
  common::v1::Change change;  // what the registry's feed announces
  change.set_entity("product");
  change.set_name(roll_.product());
  resolver_->OnChange(change);
  auto result = resolver_->Resolve(token);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_GENUINE);
  EXPECT_EQ(result->product().ocop().state(), v1::OCOP_MARK_STATE_SUSPENDED);
  EXPECT_EQ(result->product().ocop().stars(), 0);
  http::HttpResponse page = HandleHttp(*resolver_, *keys_, Request("GET", "/s/" + token + "?lang=en"));
  EXPECT_NE(page.body.find("OCOP certification suspended"), std::string::npos);
  EXPECT_EQ(page.body.find("★"), std::string::npos);
}

TEST_F(ResolverTest, CachedViewsServeWhileBackendsAreDownAndAFeedChangeDropsThem) {
  std::string token = IssueStamp("2099-12-31");
  ASSERT_THAT(resolver_->Resolve(token), IsOk());
  batch_.reset();
  registry_.reset();
  auto cached = resolver_->Resolve(token);
  ASSERT_THAT(cached, IsOk());
  EXPECT_EQ(cached->verdict(), v1::VERDICT_GENUINE);
  EXPECT_EQ(cached->events_size(), 1);
  // A change announced on the feed drops the batch view; without its backend it is unavailable.
  common::v1::Change change;
  change.set_entity("batch");
  change.set_name(cached->batch().name());
  resolver_->OnChange(change);
  EXPECT_THAT(resolver_->Resolve(token), StatusIs(absl::StatusCode::kUnavailable));
}

TEST_F(ResolverTest, RedisDownStillResolvesFromTheBackends) {
  std::string token = IssueStamp("2099-12-31");
  redis_server_->Stop();
  auto result = resolver_->Resolve(token);
  ASSERT_THAT(result, IsOk());
  EXPECT_EQ(result->verdict(), v1::VERDICT_GENUINE);
}

const std::string* Header(const http::HttpResponse& response, const std::string& name) {
  for (const auto& [key, value] : response.headers) {
    if (key == name) return &value;
  }
  return nullptr;
}

TEST_F(ResolverTest, HttpRoutesServeThePageAndItsJsonTwinWithSafeHeaders) {
  std::string token = IssueStamp("2099-12-31");
  http::HttpResponse page = HandleHttp(*resolver_, *keys_, Request("GET", "/S/" + token));
  EXPECT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("Tem chính hãng"), std::string::npos);
  EXPECT_NE(page.body.find("Genuine stamp"), std::string::npos);
  EXPECT_NE(page.body.find("Chè Tân Cương đặc biệt"), std::string::npos);
  ASSERT_NE(Header(page, "Cache-Control"), nullptr);
  EXPECT_EQ(*Header(page, "Cache-Control"), "no-store");
  ASSERT_NE(Header(page, "Content-Security-Policy"), nullptr);
  EXPECT_NE(Header(page, "Content-Security-Policy")->find("default-src 'none'"), std::string::npos);

  http::HttpResponse json = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/resolve/" + token));
  EXPECT_EQ(json.status, 200);
  EXPECT_NE(json.body.find("\"verdict\":\"VERDICT_GENUINE\""), std::string::npos);

  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("GET", "/s/NOTATOKEN")).status, 400);
  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("GET", "/elsewhere")).status, 404);

  http::HttpResponse jwks = HandleHttp(*resolver_, *keys_, Request("GET", "/.well-known/jwks.json"));
  EXPECT_EQ(jwks.status, 200);
  std::string kid = token::KeyIdToHex(stamp_->keys().signing_key_id());
  EXPECT_NE(jwks.body.find("\"kty\":\"OKP\",\"crv\":\"Ed25519\""), std::string::npos) << jwks.body;
  EXPECT_NE(jwks.body.find("\"kid\":\"" + kid + "\""), std::string::npos) << jwks.body;
  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("POST", "/s/" + token)).status, 405);

  // Another stamp, never cached, while its batch service is down: 503 with Retry-After.
  std::string other = IssueStamp("2098-12-31");
  batch_.reset();
  http::HttpResponse unavailable = HandleHttp(*resolver_, *keys_, Request("GET", "/s/" + other));
  EXPECT_EQ(unavailable.status, 503);
  ASSERT_NE(Header(unavailable, "Retry-After"), nullptr);
  EXPECT_NE(unavailable.body.find("cannot be checked right now"), std::string::npos);
  EXPECT_EQ(unavailable.body.find("counterfeit</"), std::string::npos);

  // The language switch never reflects the path: a protocol-relative one cannot become a link to
  // another site.
  http::HttpResponse hostile = HandleHttp(*resolver_, *keys_, Request("GET", "//evil.example/x"));
  EXPECT_EQ(hostile.body.find("href=\"//evil"), std::string::npos) << hostile.body;
  EXPECT_NE(hostile.body.find("href=\"?lang=en\""), std::string::npos) << hostile.body;
}

// Lookup started while the stamp service is down: it has never seen the keys, so a genuine
// stamp cannot be checked. That is an outage (503, UNAVAILABLE), never "not genuine".
// A product of `producer` rated `stars` (score and council to match) with a certificate valid
// until `valid_until`.
registry::v1::Product CertifiedProduct(registry::v1::RegistryService::Stub& registry, const std::string& producer,
                                       const std::string& display_name, int stars, const std::string& valid_until,
                                       registry::v1::ProductGroup group = registry::v1::PRODUCT_GROUP_BEVERAGES,
                                       const std::string& category = "") {
  registry::v1::CreateProductRequest request;
  registry::v1::Product* product = request.mutable_product();
  product->set_producer(producer);
  product->set_display_name(display_name);
  product->set_group(group);
  product->set_category(category);
  if (stars > 0) {
    registry::v1::OcopRating* rating = product->mutable_rating();
    rating->set_stars(stars);
    rating->set_score(stars == 5 ? 92 : stars == 4 ? 78 : stars == 3 ? 60 : 40);
    rating->set_council_level(stars == 5 ? registry::v1::COUNCIL_LEVEL_CENTRAL : registry::v1::COUNCIL_LEVEL_PROVINCE);
    static int certificates = 0;
    rating->set_certificate_number(absl::StrCat("CN-", ++certificates, "-", stars));
    rating->set_decision_number(absl::StrCat(stars, "/QĐ-UBND"));
    rating->set_decision_date("2022-06-30");
    rating->set_valid_until(valid_until);
  }
  registry::v1::Product created;
  grpc::Status status = registry.CreateProduct(Context().get(), request, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created;
}

registry::v1::Producer CreateProducerIn(registry::v1::RegistryService::Stub& registry, registry::v1::Producer producer) {
  registry::v1::CreateProducerRequest request;
  *request.mutable_producer() = std::move(producer);
  registry::v1::Producer created;
  grpc::Status status = registry.CreateProducer(Context().get(), request, &created);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return created;
}

v1::Catalogue CatalogueJson(const http::HttpResponse& response) {
  v1::Catalogue catalogue;
  EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(response.body, &catalogue).ok()) << response.body;
  return catalogue;
}

std::vector<std::string> DisplayNames(const v1::Catalogue& catalogue) {
  std::vector<std::string> names;
  for (const v1::CatalogueEntry& entry : catalogue.entries()) names.push_back(entry.product().display_name());
  return names;
}

TEST_F(ResolverTest, TheCatalogueListsAProvincesProductsCertifiedThatDayAndFollowsTheFeed) {
  auto registry = registry_->Stub();
  registry::v1::Producer coop_proto = ocop::testing::TeaCooperative();
  coop_proto.set_phone("0912345678");
  coop_proto.mutable_address()->set_street("Xóm Hồng Thái 2");
  const registry::v1::Producer coop = CreateProducerIn(*registry, coop_proto);
  // A household recorded with Hoà Bình's units before the merger: today Xã Tân Lạc, Phú Thọ (25).
  registry::v1::Producer household_proto = ocop::testing::TeaCooperative();
  household_proto.set_display_name("Hộ Bùi Văn Mường");
  household_proto.set_kind(registry::v1::PRODUCER_KIND_HOUSEHOLD);
  household_proto.mutable_address()->set_street("Nhà riêng, xóm Bưng");
  household_proto.mutable_address()->set_units_version("2025-01-04");
  household_proto.mutable_address()->set_province_code("17");
  household_proto.mutable_address()->set_commune_code("05164");
  const registry::v1::Producer household = CreateProducerIn(*registry, household_proto);

  const auto tea = CertifiedProduct(*registry, coop.name(), "Chè Tân Cương đặc biệt", 4, "2099-12-31");
  CertifiedProduct(*registry, coop.name(), "Chè búp khô", 3, "2026-11-28");  // lapses on the 29th
  // A bottled green tea drink: Decision 148's non-alcoholic drinks.
  CertifiedProduct(*registry, coop.name(), "Trà xanh Thái Nguyên", 5, "2099-12-31",
                   registry::v1::PRODUCT_GROUP_BEVERAGES, "II.2.b");
  CertifiedProduct(*registry, coop.name(), "Chè móc câu", 3, "2024-06-30");  // expired long ago
  CertifiedProduct(*registry, coop.name(), "Chè vàng", 2, "2099-12-31");     // 2 stars: no certificate
  CertifiedProduct(*registry, coop.name(), "Bánh chưng Bờ Đậu", 0, "");      // never rated
  const auto honey = CertifiedProduct(*registry, household.name(), "Mật ong hoa rừng", 4, "2099-12-31",
                                      registry::v1::PRODUCT_GROUP_FOOD);

  // On 2026-11-28 (Vietnam) the dried tea's certificate is still in force; on the 29th it is not.
  absl::Time now = absl::FromCivil(absl::CivilSecond(2026, 11, 28, 10, 0, 0), absl::FixedTimeZone(7 * 3600));
  Resolver resolver(backends_.get(), keys_.get(), views_.get(), proofs_.get(), ResolverConfig{}, [&] { return now; });
  v1::Catalogue thai_nguyen = CatalogueJson(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19")));
  EXPECT_EQ(thai_nguyen.as_of(), "2026-11-28");
  EXPECT_EQ(thai_nguyen.province_name(), "Tỉnh Thái Nguyên");
  EXPECT_EQ(thai_nguyen.total(), 3);
  EXPECT_THAT(DisplayNames(thai_nguyen), ::testing::ElementsAre("Trà xanh Thái Nguyên", "Chè Tân Cương đặc biệt",
                                                                 "Chè búp khô"));
  EXPECT_EQ(thai_nguyen.entries(1).product().ocop().stars(), 4);
  EXPECT_EQ(thai_nguyen.entries(1).product().ocop().certificate_number(), tea.rating().certificate_number());
  EXPECT_EQ(thai_nguyen.entries(1).producer().address().street(), "Xóm Hồng Thái 2");

  // Searching: folded word prefixes over product, producer and commune; stars; group.
  auto names_for = [&](const std::string& query) {
    http::HttpResponse response = HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19?" + query));
    EXPECT_EQ(response.status, 200) << query << ": " << response.body;
    return DisplayNames(CatalogueJson(response));
  };
  EXPECT_THAT(names_for("q=che+dac+biet"), ::testing::ElementsAre("Chè Tân Cương đặc biệt"));
  EXPECT_THAT(names_for("q=THÁI"), ::testing::ElementsAre("Trà xanh Thái Nguyên"));
  EXPECT_EQ(names_for("q=tan+cuong").size(), 3u);  // the cooperative and its commune are Tân Cương
  EXPECT_THAT(names_for("q=an"), ::testing::IsEmpty());  // word prefixes only
  EXPECT_THAT(names_for("stars=3"), ::testing::ElementsAre("Chè búp khô"));
  EXPECT_THAT(names_for("group=1"), ::testing::IsEmpty());
  // By Decision 148's category: a sub-group, or a group for all its sub-groups; its name is searched.
  EXPECT_EQ(thai_nguyen.entries(0).product().category(), "II.2.b");
  EXPECT_EQ(thai_nguyen.entries(0).product().category_name(), "Đồ uống không cồn");
  EXPECT_EQ(thai_nguyen.entries(1).product().category(), "");
  EXPECT_THAT(names_for("category=ii.2.B"), ::testing::ElementsAre("Trà xanh Thái Nguyên"));
  EXPECT_THAT(names_for("category=II"), ::testing::ElementsAre("Trà xanh Thái Nguyên"));
  EXPECT_THAT(names_for("category=I.5"), ::testing::IsEmpty());
  EXPECT_THAT(names_for("q=khong+con"), ::testing::ElementsAre("Trà xanh Thái Nguyên"));

  // The household's honey is Phú Thọ's today, without the family's street.
  v1::Catalogue phu_tho = CatalogueJson(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/25?commune=05128")));
  ASSERT_EQ(phu_tho.entries_size(), 1);
  EXPECT_EQ(phu_tho.entries(0).product().name(), honey.name());
  EXPECT_EQ(phu_tho.entries(0).producer().address().street(), "");
  EXPECT_EQ(phu_tho.entries(0).producer().address().current_commune_code(), "05128");
  http::HttpResponse phu_tho_json = HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/25"));
  EXPECT_FALSE(absl::StrContains(phu_tho_json.body, "xóm Bưng")) << phu_tho_json.body;
  EXPECT_FALSE(absl::StrContains(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19")).body, "0912345678"));

  // The page, Vietnamese first, links each product's public page; its search form may submit.
  http::HttpResponse page = HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19?q=Chè+đặc"));
  EXPECT_EQ(page.status, 200);
  EXPECT_TRUE(absl::StrContains(page.body, "Sản phẩm OCOP Tỉnh Thái Nguyên")) << page.body;
  EXPECT_TRUE(absl::StrContains(page.body, "value=\"Chè đặc\""));
  EXPECT_TRUE(absl::StrContains(page.body, "1 sản phẩm phù hợp, chứng nhận OCOP còn hiệu lực ngày 2026-11-28"));
  EXPECT_TRUE(absl::StrContains(page.body, absl::StrCat("href=\"/p/", tea.name().substr(strlen("products/")), "\"")));
  EXPECT_FALSE(absl::StrContains(page.body, "Trà xanh"));
  EXPECT_THAT(*Header(page, "Content-Security-Policy"), ::testing::HasSubstr("form-action 'self'"));
  EXPECT_THAT(HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19?lang=en")).body,
              ::testing::HasSubstr("OCOP products of Tỉnh Thái Nguyên"));
  // A product's sub-group links to the catalogue of that sub-group, which keeps it in its search.
  http::HttpResponse drinks = HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19?category=ii.2"));
  EXPECT_EQ(drinks.status, 200);
  EXPECT_THAT(drinks.body, ::testing::HasSubstr("<a href=\"?category=II.2.b\">Đồ uống không cồn</a>"));
  EXPECT_THAT(drinks.body, ::testing::HasSubstr("name=\"category\" value=\"II.2\""));
  EXPECT_THAT(drinks.body, ::testing::HasSubstr("1 sản phẩm phù hợp"));
  EXPECT_THAT(HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19?category=II.2&lang=en")).body,
              ::testing::HasSubstr("<a href=\"?category=II.2.b&lang=en\">Soft drinks</a>"));

  // Bad requests name what is wrong.
  http::HttpResponse bad_province = HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/1x"));
  EXPECT_EQ(bad_province.status, 400);
  EXPECT_THAT(bad_province.body, ::testing::HasSubstr("province: a province code is two digits"));
  http::HttpResponse bad_stars = HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19?stars=6"));
  EXPECT_EQ(bad_stars.status, 400);
  EXPECT_THAT(bad_stars.body, ::testing::HasSubstr("stars: OCOP stars are 3, 4 or 5"));
  EXPECT_EQ(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19?group=10")).status, 400);
  EXPECT_EQ(HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19?commune=abc")).status, 400);
  EXPECT_EQ(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19?page=0")).status, 400);
  http::HttpResponse bad_category = HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19?category=VII"));
  EXPECT_EQ(bad_category.status, 400);
  EXPECT_THAT(bad_category.body, ::testing::HasSubstr(R"(category: \"VII\" is not a code of Decision 148)"));
  EXPECT_EQ(CatalogueJson(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/99"))).total(), 0);

  // Cached: a product added since is not listed until the registry's feed announces it.
  const auto added = CertifiedProduct(*registry, coop.name(), "Chè đinh", 4, "2099-12-31");
  EXPECT_EQ(CatalogueJson(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19"))).total(), 3);
  common::v1::Change change;
  change.set_entity("product");
  change.set_name(added.name());
  resolver.OnChange(change);
  EXPECT_EQ(CatalogueJson(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19"))).total(), 4);

  // The next day the lapsed certificate has left the list, though nothing changed in the registry.
  now += absl::Hours(14);  // 2026-11-29 00:00 in Vietnam
  v1::Catalogue next_day = CatalogueJson(HandleHttp(resolver, *keys_, Request("GET", "/v1/catalogue/19")));
  EXPECT_EQ(next_day.as_of(), "2026-11-29");
  EXPECT_THAT(DisplayNames(next_day),
              ::testing::ElementsAre("Trà xanh Thái Nguyên", "Chè đinh", "Chè Tân Cương đặc biệt"));

  // While the registry is down the cached catalogue is served; once dropped, it cannot be checked.
  registry_.reset();
  EXPECT_EQ(HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19")).status, 200);
  resolver.OnChange(change);
  EXPECT_EQ(HandleHttp(resolver, *keys_, Request("GET", "/catalogue/19")).status, 503);
}

TEST_F(ResolverTest, AProductsPublicPageShowsItsRecordWithoutClaimingAPackage) {
  auto registry = registry_->Stub();
  const registry::v1::Producer coop = CreateProducerIn(*registry, ocop::testing::TeaCooperative());
  const auto tea = CertifiedProduct(*registry, coop.name(), "Chè Tân Cương đặc biệt", 4, "2099-12-31",
                                    registry::v1::PRODUCT_GROUP_FOOD, "I.5.a");
  const std::string id = tea.name().substr(strlen("products/"));
  http::HttpResponse page = HandleHttp(*resolver_, *keys_, Request("GET", "/p/" + id));
  EXPECT_EQ(page.status, 200);
  EXPECT_THAT(page.body, ::testing::HasSubstr("Thông tin sản phẩm OCOP"));
  EXPECT_THAT(page.body, ::testing::HasSubstr("Chè Tân Cương đặc biệt"));
  EXPECT_THAT(page.body, ::testing::HasSubstr("<p>Thực phẩm · Chè tươi, chế biến</p>"));  // Decision 148's line
  EXPECT_THAT(page.body, ::testing::HasSubstr("★★★★☆"));
  EXPECT_THAT(page.body, ::testing::Not(::testing::HasSubstr("Tem chính hãng")));
  http::HttpResponse json = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/products/" + id));
  v1::ResolveResponse answer;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(json.body, &answer).ok()) << json.body;
  EXPECT_EQ(answer.verdict(), v1::VERDICT_PRODUCT_PAGE);
  EXPECT_EQ(answer.product().category(), "I.5.a");
  EXPECT_EQ(answer.product().category_name(), "Chè tươi, chế biến");
  EXPECT_EQ(answer.producer().name(), coop.name());
  EXPECT_FALSE(answer.has_batch());
  EXPECT_EQ(HandleHttp(*resolver_, *keys_, Request("GET", "/p/p-0000000000")).status, 404);
  http::HttpResponse bad = HandleHttp(*resolver_, *keys_, Request("GET", "/v1/products/a.b"));
  EXPECT_EQ(bad.status, 400);
  EXPECT_THAT(bad.body, ::testing::HasSubstr("product_id"));
}

TEST_F(ResolverTest, KeysNeverFetchedMeanCannotCheckNowNotCounterfeit) {
  std::string token = IssueStamp("2099-12-31");
  std::unique_ptr<Backends> backends = MakeGrpcBackends(
      {registry_->address(), batch_->address(), stamp_->address()}, absl::Milliseconds(300),
      ocop::testing::ServiceTokens("lookup"));
  KeyRing cold_keys([&] { return backends->ListPublicKeys(); }, [] { return absl::Now(); }, absl::Seconds(1));
  stamp_.reset();  // the stamp service is down from before this lookup starts
  EXPECT_FALSE(cold_keys.Refresh().ok());
  ProofCache proofs(1 << 20, [] { return absl::Now(); });
  Resolver resolver(backends.get(), &cold_keys, views_.get(), &proofs, ResolverConfig{}, [] { return absl::Now(); });
  EXPECT_THAT(resolver.Resolve(token), StatusIs(absl::StatusCode::kUnavailable, "cannot be checked now"));
  http::HttpResponse page = HandleHttp(resolver, cold_keys, Request("GET", "/s/" + token));
  EXPECT_EQ(page.status, 503);
  ASSERT_NE(Header(page, "Retry-After"), nullptr);
  EXPECT_NE(page.body.find("Chưa kiểm tra được tem lúc này"), std::string::npos);
  EXPECT_EQ(page.body.find("Tem không hợp lệ"), std::string::npos);
  http::HttpResponse json = HandleHttp(resolver, cold_keys, Request("GET", "/v1/resolve/" + token));
  EXPECT_EQ(json.status, 503);
  EXPECT_NE(json.body.find("cannot check now"), std::string::npos) << json.body;
  EXPECT_THAT(resolver.VerifyPin(token, "12345678"), StatusIs(absl::StatusCode::kUnavailable));
  EXPECT_EQ(HandleHttp(resolver, cold_keys, Request("POST", "/v1/pin/" + token, "pin=12345678")).status, 503);
}

TEST(KeyRing, AnUnknownKeyIsNotGenuineOnlyAfterARefreshThatSucceeded) {
  auto key = crypto::Ed25519PrivateKey::Generate();
  ASSERT_THAT(key, IsOk());
  bool reachable = false;
  FakeClock clock;
  KeyRing ring(
      [&]() -> absl::StatusOr<std::map<uint32_t, std::string>> {
        if (!reachable) return absl::UnavailableError("stamp service: connection refused");
        return std::map<uint32_t, std::string>{{7, key->PublicKey()}};
      },
      clock.Function(), absl::Seconds(1));
  EXPECT_THAT(ring.Refresh(), StatusIs(absl::StatusCode::kUnavailable));
  auto token = token::DecodeToken(*token::EncodeToken(9, 1, *key));
  ASSERT_THAT(token, IsOk());
  EXPECT_EQ(ring.Verify(*token), KeyRing::Verification::kCannotCheck);
  reachable = true;
  clock.now += absl::Seconds(2);
  EXPECT_EQ(ring.Verify(*token), KeyRing::Verification::kUnknownKey);  // the service has no key 9
  reachable = false;
  clock.now += absl::Seconds(2);
  EXPECT_EQ(ring.Verify(*token), KeyRing::Verification::kCannotCheck);  // the latest refresh failed
}


TEST_F(ResolverTest, ConcurrentScansOfAnUncachedStampMakeOneFetchPerView) {
  std::string first = IssueStamp("2099-12-31");
  int64_t before = resolver_->backend_fetches();
  ASSERT_TRUE(resolver_->Resolve(first).ok());
  const int64_t one_scan = resolver_->backend_fetches() - before;
  ASSERT_GT(one_scan, 0);

  std::string second = IssueStamp("2097-12-31");
  before = resolver_->backend_fetches();
  std::vector<std::thread> scans;
  std::atomic<int> genuine{0};
  for (int i = 0; i < 16; ++i) {
    scans.emplace_back([&] {
      absl::StatusOr<v1::ResolveResponse> result = resolver_->Resolve(second);
      if (result.ok() && result->verdict() == v1::VERDICT_GENUINE) ++genuine;
    });
  }
  for (std::thread& scan : scans) scan.join();
  EXPECT_EQ(genuine.load(), 16);
  EXPECT_EQ(resolver_->backend_fetches() - before, one_scan);  // not 16 times as many
}

TEST(PublicLimitsTest, OverTheLimitGets429WithRetryAfterAndSpoofedForwardingDoesNotHelp) {
  absl::StatusOr<http::TrustedProxies> trusted = http::TrustedProxies::Parse({"10.0.0.0/8"});
  ASSERT_TRUE(trusted.ok());
  PublicLimits limits(/*rate=*/1, /*burst=*/2, *trusted);
  const absl::Time now = absl::FromUnixSeconds(1'700'000'000);
  auto request = [](const std::string& peer, const std::string& forwarded) {
    http::HttpRequest r;
    r.method = "GET";
    r.target = "/s/X";
    r.peer_address = peer;
    if (!forwarded.empty()) r.headers["x-forwarded-for"] = forwarded;
    return r;
  };
  EXPECT_FALSE(limits.CheckHttp(request("203.0.113.9", ""), now).has_value());
  EXPECT_FALSE(limits.CheckHttp(request("203.0.113.9", "1.1.1.1"), now).has_value());
  // A direct client cannot get a fresh bucket by claiming another address.
  std::optional<http::HttpResponse> refused = limits.CheckHttp(request("203.0.113.9", "2.2.2.2"), now);
  ASSERT_TRUE(refused.has_value());
  EXPECT_EQ(refused->status, 429);
  ASSERT_NE(Header(*refused, "Retry-After"), nullptr);
  EXPECT_EQ(*Header(*refused, "Retry-After"), "1");
  EXPECT_NE(refused->body.find("Quá nhiều yêu cầu"), std::string::npos);
  EXPECT_NE(refused->body.find("Too many requests"), std::string::npos);
  // Behind the trusted ingress, clients are told apart by X-Forwarded-For.
  for (int i = 0; i < 2; ++i) {
    EXPECT_FALSE(limits.CheckHttp(request("10.0.0.5", "198.51.100.1"), now).has_value());
    EXPECT_FALSE(limits.CheckHttp(request("10.0.0.5", "198.51.100.2"), now).has_value());
  }
  EXPECT_TRUE(limits.CheckHttp(request("10.0.0.5", "198.51.100.1"), now).has_value());
  EXPECT_FALSE(limits.CheckHttp(request("203.0.113.9", ""), now + absl::Seconds(1)).has_value());

  EXPECT_EQ(http::AddressOfGrpcPeer("ipv4:127.0.0.1:43210"), "127.0.0.1");
  EXPECT_EQ(http::AddressOfGrpcPeer("ipv6:[::1]:43210"), "::1");
  EXPECT_EQ(http::AddressOfGrpcPeer("unix:/tmp/s"), "unix:/tmp/s");
}

}  // namespace
}  // namespace ocop::lookup
