// Lookup domain logic: resolves a scanned code to a verdict and the views behind it.
// Order matters: the signature is checked before any backend or cache is touched, so a forged or
// mistyped code costs one verification and nothing else. A stamp is judged from its roll (range,
// states, copy-flag clearances), so a first scan of any stamp of a lot in memory costs one
// verification and memory reads: no stamp is fetched one by one.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/civil_time.h"
#include "absl/synchronization/mutex.h"
#include "absl/time/time.h"
#include "ocop/common/v1/common.pb.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "common/cache/sharded_lru.h"
#include "common/digital_link/digital_link.h"
#include "common/singleflight/singleflight.h"
#include "services/lookup/backends.h"
#include "services/lookup/catalogue.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/proof_cache.h"
#include "services/lookup/scan_counter.h"
#include "services/lookup/views.h"

namespace ocop::lookup {

struct ResolverConfig {
  // Longest any cached view lives (a lost feed message can make data stale for at most this long).
  absl::Duration max_cache_ttl = absl::Seconds(60);
  // How long an entry read from Redis is then kept in memory too.
  absl::Duration local_ttl_after_shared_hit = absl::Seconds(5);
  // Certificates expire at the end of their last day in Vietnam (UTC+7).
  absl::TimeZone zone = absl::FixedTimeZone(7 * 60 * 60);
  // A genuine stamp scanned by at least this many distinct clients on at least this many distinct
  // days answers "possible copy" (docs/privacy.md, "Scan counting").
  int64_t copy_min_clients = 20;
  int64_t copy_min_days = 4;
  // Rolls whose serial range this process remembers (views.h, RollIndex).
  size_t max_rolls_indexed = 1'000'000;
};

// What a scan resolved to: the verdict, what is known of the stamp's scans, and the views behind
// it, shared with the cache (nothing is copied to make one).
struct Resolution {
  v1::Verdict verdict = v1::VERDICT_UNSPECIFIED;
  std::string reason;
  absl::Time time;
  std::optional<v1::PublicStamp> stamp;
  std::optional<ScanCounts> scans;  // none: not known yet
  std::shared_ptr<const LotView> lot;
  std::shared_ptr<const PublicProductOnDay> product;
  std::shared_ptr<const ProducerView> producer;

  // The whole answer as a message (the views copied in): for JSON, the page and tests.
  v1::ResolveResponse ToProto() const;
  // The answer's own fields (verdict, reason, time, scans, stamp) and the lot's name, status and
  // recall reason: what a page shows besides the details it shares with every stamp of the lot.
  v1::ResolveResponse Summary() const;
  // The same answer for the wire: the views' fields go in already serialised (views.h,
  // WireFields), so a gRPC answer costs no parsing and no field-by-field copy.
  void ToWire(v1::ResolveResponse& response) const;

 private:
  void SetOwnFields(v1::ResolveResponse& response) const;
};

// Whether resolving may wait for Redis or a backend. The HTTP server's I/O threads resolve with
// kMemoryOnly and hand the request to a worker when something is not in memory.
enum class ResolveMode { kMayWait, kMemoryOnly };

class Resolver {
 public:
  // Nothing is owned. `scans` may be null (no scan counting).
  Resolver(Backends* backends, KeyRing* keys, EntityCache* views, ProofCache* proofs, ResolverConfig config,
           std::function<absl::Time()> clock, ScanCounter* scans = nullptr)
      : backends_(backends),
        keys_(keys),
        views_(views),
        proofs_(proofs),
        config_(config),
        clock_(std::move(clock)),
        scans_(scans),
        rolls_(config.max_rolls_indexed),
        roll_of_serial_(cache::ShardedLru<std::string>::Bounds::Entries(10000)),
        subjects_(cache::ShardedLru<std::shared_ptr<const ScanSubject>>::Bounds::Entries(10000)) {}

  // INVALID_ARGUMENT naming `code` when it holds no well-formed token. A well-formed token that
  // does not verify, or a serial never issued, is answered with VERDICT_NOT_GENUINE. UNAVAILABLE
  // when a backend is needed, is not cached and cannot answer (the stamp service's keys among
  // them: a key id lookup cannot check is never "not genuine"); INTERNAL for inconsistent data.
  // A genuine stamp's scan is counted for `client_address` (the scanning client; empty: not
  // counted). Its counts are those in memory: a stamp scanned here for the first time is answered
  // without them (nothing waits for Redis), and they are read with the next flush.
  absl::StatusOr<Resolution> ResolveViews(absl::string_view code, const std::string& client_address = "");
  // The same as a message.
  absl::StatusOr<v1::ResolveResponse> Resolve(absl::string_view code, const std::string& client_address = "");

  // Resolve from what is in this process's memory only, never waiting for Redis or a backend: for
  // the HTTP server's I/O threads. Nothing when something is not in memory; the caller then runs
  // ResolveViews on a worker thread. A first scan of a stamp of a lot already in memory is
  // answered here: its roll's range and states, the lot, the product and the producer are.
  std::optional<absl::StatusOr<Resolution>> ResolveFromMemory(absl::string_view code,
                                                              const std::string& client_address);

  // GS1 Digital Link walk-up for a link without a stamp we can verify: the lot's page when the
  // link names a lot of the product with its GTIN, else the product's, with
  // VERDICT_UNIT_NOT_VERIFIED (VERDICT_RECALLED for a recalled lot). NOT_FOUND naming the GTIN
  // when no product has it.
  absl::StatusOr<v1::ResolveResponse> WalkUp(const digital_link::DigitalLinkPath& path);
  // A product's public page (/p/{id}): the product and its producer, VERDICT_PRODUCT_PAGE.
  // INVALID_ARGUMENT naming `product_id` when it is not an id; NOT_FOUND when no product has it.
  absl::StatusOr<v1::ResolveResponse> ProductPage(absl::string_view product_id);
  // The public catalogue of province `province_code` (today's two-digit code) for today: from the
  // cache, else made from the registry's listings (catalogue.h). INVALID_ARGUMENT naming
  // `province` for anything but two digits; a province without certified products has an empty
  // catalogue. Dropped when the registry's feed announces a change of a product or producer.
  absl::StatusOr<std::shared_ptr<const CatalogueView>> CatalogueOf(absl::string_view province_code);
  // The batch service's EPCIS export of a lot, for the public linkset. NOT_FOUND when absent.
  absl::StatusOr<std::string> ExportEpcis(const std::string& batch);

  // Checks a scratch PIN: the code's signature first (a code that does not verify is NOT_FOUND,
  // and nothing is forwarded), then the stamp service decides, given the token and a pseudonym of
  // `client` (its wrong PINs are limited). INVALID_ARGUMENT for a malformed code or PIN;
  // UNAVAILABLE when the signature or the PIN cannot be checked now; RESOURCE_EXHAUSTED when the
  // client entered too many wrong PINs lately.
  absl::StatusOr<stamp::v1::VerifyPinResponse> VerifyPin(absl::string_view code, const std::string& pin,
                                                         const std::string& client = "");

  // Change-feed hooks: drop what changed; after a reconnect, drop everything held in memory.
  void OnChange(const common::v1::Change& change);
  void OnFeedConnected();

  // Views fetched from the backends so far (cache misses that reached a backend), for operations
  // and tests: concurrent misses for one view count once.
  int64_t backend_fetches() const { return backend_fetches_.load(); }
  // Rolls whose range is known here (operations, tests, memory bounds).
  const RollIndex& rolls() const { return rolls_; }

 private:
  // A resolution, an error, or (kMemoryOnly) nothing: something needed is not in memory.
  using Attempt = absl::StatusOr<std::optional<Resolution>>;

  Attempt ResolveCode(absl::string_view code, ResolveMode mode);
  // True when `proof_key` (which must name everything the signature covers) was verified before
  // with exactly `signature`, or `check` passes now with the verifier of `key_id`; false with
  // `reason` when the signature is bad or the stamp service says it has no such key. UNAVAILABLE
  // when the key is unknown here and the stamp service could not be asked: an outage is never
  // reported as a forgery. Nothing in kMemoryOnly mode when the key is not known here.
  absl::StatusOr<std::optional<bool>> CheckSignature(const std::string& proof_key, uint32_t key_id,
                                                     const std::string& signature,
                                                     const std::function<bool(const crypto::Ed25519Verifier&)>& check,
                                                     std::string* reason, ResolveMode mode);
  // The verdict and views for a serial whose signature verified. `link` is the Digital Link the
  // code was, if it was one: its GTIN and lot must be the roll's.
  Attempt ResolveVerified(uint64_t serial, uint32_t key_id, const digital_link::DigitalLinkStamp* link,
                          Resolution resolution, ResolveMode mode);
  // The roll holding `serial`, for a serial the roll index does not know: asked of the stamp
  // service (NOT_FOUND: never issued). Null in kMemoryOnly mode.
  absl::StatusOr<std::shared_ptr<const RollRef>> RollOf(uint64_t serial, ResolveMode mode);
  // The lot's view, and the product's and its producer's, into `resolution`, by name and cache key
  // ("batch:{name}", "product:{name}"). False in kMemoryOnly mode when one is not in memory.
  absl::StatusOr<bool> AddLot(const std::string& batch, const std::string& key, Resolution& resolution,
                              ResolveMode mode);
  absl::StatusOr<bool> AddProductAndProducer(const std::string& product, const std::string& key,
                                             Resolution& resolution, ResolveMode mode);
  // Judges "possible copy" from the stamp's counts in memory, then queues this scan.
  void CountScan(const std::string& client_address, Resolution& resolution);
  // What the resolved stamp's scans are of, shared by the scans of its lot.
  std::shared_ptr<const ScanSubject> SubjectOf(const Resolution& resolution);
  // The view at `key` from the cache, or fetched (serialised) and cached for ttl_of(view). Null
  // in kMemoryOnly mode when not in memory.
  template <typename ViewType>
  absl::StatusOr<std::shared_ptr<const ViewType>> Cached(const std::string& key, ResolveMode mode,
                                                         const std::function<absl::Duration(const ViewType&)>& ttl_of,
                                                         const std::function<absl::StatusOr<std::string>()>& fetch);
  // Cache lifetime of a product view: capped, and never past the end of its certificate.
  absl::Duration ProductTtl(const ProductView& product) const;
  absl::CivilDay Today() const { return absl::ToCivilDay(clock_(), config_.zone); }
  // Cache lifetime of a catalogue made for `day`: capped, and never past that day's end.
  absl::Duration CatalogueTtl(absl::CivilDay day) const;

  Backends* backends_;
  KeyRing* keys_;
  EntityCache* views_;
  ProofCache* proofs_;
  ResolverConfig config_;
  std::function<absl::Time()> clock_;
  ScanCounter* scans_;
  RollIndex rolls_;
  // Serial -> roll asked of the stamp service, until the roll's range is indexed: scans of one new
  // roll arriving together ask once. A stamp's roll never changes.
  cache::ShardedLru<std::string> roll_of_serial_;
  // Lot -> what its scans are of (names only), shared by its scans.
  cache::ShardedLru<std::shared_ptr<const ScanSubject>> subjects_;
  // Provinces whose catalogue this process cached: a product's or producer's change drops theirs
  // (the change does not say which province it touched).
  absl::Mutex catalogued_mutex_;
  absl::flat_hash_set<std::string> catalogued_ ABSL_GUARDED_BY(catalogued_mutex_);
  // Concurrent misses for one view make one backend call.
  singleflight::Group fetches_;
  std::atomic<int64_t> backend_fetches_{0};
};

}  // namespace ocop::lookup
