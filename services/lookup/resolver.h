// Lookup domain logic: resolves a scanned code to a verdict and the views behind it.
// Order matters: the signature is checked before any backend or cache is touched, so a forged or
// mistyped code costs one verification and nothing else.
#pragma once

#include <atomic>

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "ocop/common/v1/common.pb.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "common/digital_link/digital_link.h"
#include "common/singleflight/singleflight.h"
#include "services/lookup/backends.h"
#include "services/lookup/entity_cache.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/scan_counter.h"

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
};

class Resolver {
 public:
  // Nothing is owned. `proofs` is an in-memory cache of verified signatures.
  // `scans` may be null (no scan counting).
  Resolver(Backends* backends, KeyRing* keys, EntityCache* views, EntityCache* proofs, ResolverConfig config,
           std::function<absl::Time()> clock, ScanCounter* scans = nullptr)
      : backends_(backends),
        keys_(keys),
        views_(views),
        proofs_(proofs),
        config_(config),
        clock_(std::move(clock)),
        scans_(scans) {}

  // INVALID_ARGUMENT naming `code` when it holds no well-formed token. A well-formed token that
  // does not verify, or a serial never issued, is answered with VERDICT_NOT_GENUINE. UNAVAILABLE
  // when a backend is needed, is not cached and cannot answer (the stamp service's keys among
  // them: a key id lookup cannot check is never "not genuine"); INTERNAL for inconsistent data.
  // A genuine stamp's scan is counted for `client_address` (the scanning client; empty: not
  // counted).
  absl::StatusOr<v1::ResolveResponse> Resolve(absl::string_view code, const std::string& client_address = "");

  // Resolve from what is in this process's memory only, never waiting for Redis or a backend: for
  // the HTTP server's I/O threads (the cached scan path). Nothing when something is not in memory;
  // the caller then runs Resolve on a worker thread.
  std::optional<absl::StatusOr<v1::ResolveResponse>> ResolveFromMemory(absl::string_view code,
                                                                       const std::string& client_address);

  // GS1 Digital Link walk-up for a link without a stamp we can verify: the lot's page when the
  // link names a lot of the product with its GTIN, else the product's, with
  // VERDICT_UNIT_NOT_VERIFIED (VERDICT_RECALLED for a recalled lot). NOT_FOUND naming the GTIN
  // when no product has it.
  absl::StatusOr<v1::ResolveResponse> WalkUp(const digital_link::DigitalLinkPath& path);
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

 private:
  // True when `proof_key` (which must name everything the signature covers) was verified before
  // with exactly `signature`, or `check` passes now with the verifier of `key_id`; false with
  // `reason` when the signature is bad or the stamp service says it has no such key. UNAVAILABLE
  // when the key is unknown here and the stamp service could not be asked: an outage is never
  // reported as a forgery.
  absl::StatusOr<bool> CheckSignature(const std::string& proof_key, uint32_t key_id, const std::string& signature,
                                      const std::function<bool(const crypto::Ed25519Verifier&)>& check,
                                      std::string* reason);
  // The verdict and views for a serial whose signature verified. `link` is the Digital Link the
  // code was, if it was one: its GTIN and lot must be the roll's.
  absl::StatusOr<v1::ResolveResponse> ResolveVerified(uint64_t serial, uint32_t key_id,
                                                      const digital_link::DigitalLinkStamp* link,
                                                      v1::ResolveResponse response);
  absl::StatusOr<v1::ResolveResponse> ResolveCode(absl::string_view code);
  // The lot's view (its trace), and the product's and its producer's, into `response`.
  absl::Status AddLot(const std::string& batch, v1::ResolveResponse& response);
  absl::Status AddProductAndProducer(const std::string& product, v1::ResolveResponse& response);
  // Judges "possible copy" from what is known of the stamp's scans, then counts this scan. False
  // (nothing counted) when in memory-only mode the stamp's counts are not in memory.
  bool CountScan(const std::string& client_address, v1::ResolveResponse& response);
  // The view at `key` from the cache, or fetched and cached for ttl_of(view).
  template <typename Message>
  absl::StatusOr<Message> Cached(const std::string& key, const std::function<absl::Duration(const Message&)>& ttl_of,
                                 const std::function<absl::StatusOr<Message>()>& fetch);
  // Cache lifetime of a product view: capped, and never past the end of its certificate.
  absl::Duration ProductTtl(const registry::v1::Product& product) const;

  Backends* backends_;
  KeyRing* keys_;
  EntityCache* views_;
  EntityCache* proofs_;
  ResolverConfig config_;
  std::function<absl::Time()> clock_;
  ScanCounter* scans_;
  // Concurrent misses for one view make one backend call.
  singleflight::Group fetches_;
  std::atomic<int64_t> backend_fetches_{0};
};

}  // namespace ocop::lookup
