#include "services/lookup/resolver.h"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/crypto/digest.h"
#include "common/grpc/proto_time.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "services/lookup/lookup_metrics.h"
#include "services/lookup/public_view.h"

namespace ocop::lookup {
namespace {

std::string ProofKey(const token::StampToken& token) {
  return absl::StrCat("proof:", token.key_id, ":", token.serial);
}

// Data one service holds points at data another does not: say so in logs, not to the public.
absl::Status Dangling(const absl::Status& status, absl::string_view what) {
  if (absl::IsNotFound(status)) return absl::InternalError(absl::StrCat("dangling reference to ", what));
  return status;
}

// A backend's message as the bytes the cache keeps.
template <typename Message>
absl::StatusOr<std::string> Serialized(absl::StatusOr<Message> message) {
  if (!message.ok()) return message.status();
  return message->SerializeAsString();
}

}  // namespace

void Resolution::SetOwnFields(v1::ResolveResponse& response) const {
  response.set_verdict(verdict);
  response.set_reason(reason);
  grpcutil::ToProtoTime(time, response.mutable_resolve_time());
  if (stamp.has_value()) *response.mutable_stamp() = *stamp;
  if (scans.has_value()) {
    response.mutable_scans()->set_scans(scans->scans);
    response.mutable_scans()->set_distinct_clients(scans->distinct_clients);
    response.mutable_scans()->set_distinct_days(scans->distinct_days);
  }
}

v1::ResolveResponse Resolution::ToProto() const {
  v1::ResolveResponse response;
  SetOwnFields(response);
  if (lot != nullptr) {
    *response.mutable_batch() = lot->view().batch();
    *response.mutable_events() = lot->view().events();
    *response.mutable_ancestors() = lot->view().ancestors();
    *response.mutable_seasons() = lot->view().seasons();
  }
  if (product != nullptr) *response.mutable_product() = product->product;
  if (producer != nullptr) *response.mutable_producer() = producer->producer();
  return response;
}

v1::ResolveResponse Resolution::Summary() const {
  v1::ResolveResponse response;
  SetOwnFields(response);
  if (lot != nullptr) {
    response.mutable_batch()->set_name(lot->lot().name());
    response.mutable_batch()->set_status(lot->lot().status());
    response.mutable_batch()->set_recall_reason(lot->lot().recall_reason());
  }
  return response;
}

void Resolution::ToWire(v1::ResolveResponse& response) const {
  SetOwnFields(response);
  if (lot != nullptr) lot->wire().AppendTo(response);
  if (product != nullptr) product->wire.AppendTo(response);
  if (producer != nullptr) producer->wire().AppendTo(response);
}

template <typename ViewType>
absl::StatusOr<std::shared_ptr<const ViewType>> Resolver::Cached(
    const std::string& key, ResolveMode mode, const std::function<absl::Duration(const ViewType&)>& ttl_of,
    const std::function<absl::StatusOr<std::string>()>& fetch) {
  if (auto local = std::dynamic_pointer_cast<const ViewType>(views_->GetLocal(key))) {
    CountCacheLookup(key, CacheLevel::kMemory);
    return local;
  }
  // A miss in memory-only mode is counted when the scan is resolved again, waiting.
  if (mode == ResolveMode::kMemoryOnly) return nullptr;
  const EntityCache::Decoder decode = [this](const std::string& bytes) -> absl::StatusOr<std::shared_ptr<const View>> {
    OCOP_ASSIGN_OR_RETURN(std::shared_ptr<const ViewType> view, ViewType::Decode(bytes, Today()));
    return std::shared_ptr<const View>(std::move(view));
  };
  if (auto shared = std::dynamic_pointer_cast<const ViewType>(views_->Get(key, config_.local_ttl_after_shared_hit,
                                                                          decode))) {
    CountCacheLookup(key, CacheLevel::kRedis);
    return shared;
  }
  CountCacheLookup(key, CacheLevel::kBackend);
  // Scans that miss together wait for one fetch (a popular stamp just invalidated by a change).
  const auto fetch_and_cache = [&]() -> absl::StatusOr<std::string> {
    ++backend_fetches_;
    const EntityCache::FillTicket ticket = views_->BeginFill(key);
    OCOP_ASSIGN_OR_RETURN(std::string fetched, fetch());
    OCOP_ASSIGN_OR_RETURN(std::shared_ptr<const ViewType> view, ViewType::Decode(fetched, Today()));
    views_->Put(key, fetched, view, ttl_of(*view), ticket);
    return fetched;
  };
  OCOP_ASSIGN_OR_RETURN(std::string bytes, fetches_.Do(key, [&]() -> absl::StatusOr<std::string> {
    // A fetch that finished between our miss and this point has filled the cache already.
    if (views_->GetLocal(key) != nullptr) return std::string();
    return fetch_and_cache();
  }));
  // The leader cached the view; a waiter whose copy was pushed out at once decodes its own.
  if (auto local = std::dynamic_pointer_cast<const ViewType>(views_->GetLocal(key))) return local;
  if (bytes.empty()) {
    OCOP_ASSIGN_OR_RETURN(bytes, fetch_and_cache());
  }
  OCOP_ASSIGN_OR_RETURN(std::shared_ptr<const ViewType> view, ViewType::Decode(bytes, Today()));
  return view;
}

absl::StatusOr<std::optional<bool>> Resolver::CheckSignature(
    const std::string& proof_key, uint32_t key_id, const std::string& signature,
    const std::function<bool(const crypto::Ed25519Verifier&)>& check, std::string* reason, ResolveMode mode) {
  if (proofs_->Proven(proof_key, signature)) return true;
  // An unknown key may trigger a refresh from the stamp service: not in memory-only mode.
  if (mode == ResolveMode::kMemoryOnly && !keys_->Knows(key_id)) return std::nullopt;
  switch (keys_->Verify(key_id, check)) {
    case KeyRing::Verification::kValid:
      proofs_->Remember(proof_key, signature, config_.max_cache_ttl);
      return true;
    case KeyRing::Verification::kUnknownKey:
      *reason = absl::StrCat("unknown signing key ", token::KeyIdToHex(key_id));
      return false;
    case KeyRing::Verification::kBadSignature:
      *reason = "signature does not verify";
      return false;
    case KeyRing::Verification::kCannotCheck:
      break;
  }
  return absl::UnavailableError(absl::StrCat("signing key ", token::KeyIdToHex(key_id),
                                             " cannot be checked now: the stamp service's keys could not be fetched"));
}

absl::Duration Resolver::ProductTtl(const ProductView& view) const {
  const registry::v1::Product& product = view.product();
  absl::CivilDay last_day;
  if (!product.has_rating() || !absl::ParseCivilTime(product.rating().valid_until(), &last_day)) {
    return config_.max_cache_ttl;
  }
  absl::Duration until_expiry = absl::FromCivil(last_day + 1, config_.zone) - clock_();
  if (until_expiry <= absl::ZeroDuration()) return config_.max_cache_ttl;
  return std::min(config_.max_cache_ttl, until_expiry);
}

absl::StatusOr<Resolution> Resolver::ResolveViews(absl::string_view code, const std::string& client_address) {
  Attempt attempt = ResolveCode(code, ResolveMode::kMayWait);
  if (attempt.ok() && !attempt->has_value()) {
    attempt = absl::InternalError("resolving waited for nothing yet found nothing");
  }
  if (!attempt.ok()) {
    CountResolveFailure(attempt.status());
    return attempt.status();
  }
  CountScan(client_address, **attempt);
  CountVerdict((*attempt)->verdict);
  return std::move(**attempt);
}

absl::StatusOr<v1::ResolveResponse> Resolver::Resolve(absl::string_view code, const std::string& client_address) {
  OCOP_ASSIGN_OR_RETURN(Resolution resolution, ResolveViews(code, client_address));
  return resolution.ToProto();
}

std::optional<absl::StatusOr<Resolution>> Resolver::ResolveFromMemory(absl::string_view code,
                                                                      const std::string& client_address) {
  Attempt attempt = ResolveCode(code, ResolveMode::kMemoryOnly);
  if (!attempt.ok()) {
    CountResolveFailure(attempt.status());
    return absl::StatusOr<Resolution>(attempt.status());
  }
  if (!attempt->has_value()) return std::nullopt;
  CountScan(client_address, **attempt);
  CountVerdict((*attempt)->verdict);
  return absl::StatusOr<Resolution>(std::move(**attempt));
}

void Resolver::CountScan(const std::string& client_address, Resolution& resolution) {
  if (scans_ == nullptr || client_address.empty()) return;
  const v1::Verdict verdict = resolution.verdict;
  // Only scans of genuine, active stamps say anything about copies; forged codes have no serial
  // worth counting and must not grow Redis.
  if (verdict != v1::VERDICT_GENUINE && verdict != v1::VERDICT_CERTIFICATE_EXPIRED &&
      verdict != v1::VERDICT_RECALLED) {
    return;
  }
  if (!resolution.stamp.has_value() || resolution.lot == nullptr || resolution.product == nullptr ||
      resolution.producer == nullptr) {
    return;
  }
  const uint64_t serial = resolution.stamp->serial();
  // Scans up to the day an office cleared the stamp's copy flag no longer count.
  const std::string& cleared = resolution.stamp->copy_flag_cleared_through();
  if (std::optional<ScanCounts> counts = scans_->CountsInMemory(serial, cleared)) {
    resolution.scans = counts;
    // A recall outranks a suspected copy: both say "do not trust this package", the recall says why.
    if (verdict != v1::VERDICT_RECALLED && counts->distinct_clients >= config_.copy_min_clients &&
        counts->distinct_days >= config_.copy_min_days) {
      resolution.verdict = v1::VERDICT_POSSIBLE_COPY;
      resolution.reason = absl::StrCat("scanned by about ", counts->distinct_clients, " different clients on ",
                                       counts->distinct_days, " different days");
    }
  }
  ScanEvent scan;
  scan.serial = serial;
  scan.time = resolution.time;
  scan.verdict = v1::Verdict_Name(resolution.verdict);
  scan.subject = SubjectOf(resolution);
  scans_->Record(std::move(scan), client_address, cleared);
}

std::shared_ptr<const ScanSubject> Resolver::SubjectOf(const Resolution& resolution) {
  const std::string& batch = resolution.lot->lot().name();
  const std::string& product = resolution.product->product.name();
  const std::string& producer = resolution.producer->producer().name();
  const std::string& province = resolution.producer->province_code();
  if (std::optional<std::shared_ptr<const ScanSubject>> known = subjects_.Get(batch);
      known.has_value() && (*known)->product == product && (*known)->producer == producer &&
      (*known)->province_code == province) {
    return *known;
  }
  auto subject = std::make_shared<const ScanSubject>(ScanSubject{batch, product, producer, province});
  subjects_.Put(batch, subject);
  return subject;
}

Resolver::Attempt Resolver::ResolveCode(absl::string_view code, ResolveMode mode) {
  // A code is a GS1 Digital Link or a token; either way: what its signature covers (the proof
  // key), the check, and the serial it vouches for.
  std::optional<digital_link::DigitalLinkStamp> link;
  std::optional<token::StampToken> token;
  std::string proof_key;
  std::function<bool(const crypto::Ed25519Verifier&)> check;
  if (digital_link::LooksLikeDigitalLink(code)) {
    OCOP_ASSIGN_OR_RETURN(link, digital_link::Parse(code));
    // The proof key holds everything the signature covers, so a cached proof can never vouch for
    // a link with another GTIN or lot.
    proof_key = absl::StrCat("proof:dl:", link->key_id, ":", link->gtin, ":", link->lot, ":", link->serial);
    check = [&](const crypto::Ed25519Verifier& verifier) { return digital_link::Verify(*link, verifier); };
  } else {
    absl::StatusOr<absl::string_view> text = token::ExtractToken(code);
    absl::StatusOr<token::StampToken> decoded =
        text.ok() ? token::DecodeToken(*text) : absl::StatusOr<token::StampToken>(text.status());
    if (!decoded.ok()) return absl::InvalidArgumentError(absl::StrCat("code: ", decoded.status().message()));
    token = std::move(*decoded);
    proof_key = ProofKey(*token);
    check = [&](const crypto::Ed25519Verifier& verifier) { return token::VerifyToken(*token, verifier); };
  }
  const uint32_t key_id = link.has_value() ? link->key_id : token->key_id;
  const std::string& signature = link.has_value() ? link->signature : token->signature;
  const uint64_t serial = link.has_value() ? link->serial : token->serial;

  Resolution resolution;
  resolution.time = clock_();
  std::string reason;
  OCOP_ASSIGN_OR_RETURN(std::optional<bool> valid,
                        CheckSignature(proof_key, key_id, signature, check, &reason, mode));
  if (!valid.has_value()) return std::nullopt;
  if (!*valid) {
    resolution.verdict = v1::VERDICT_NOT_GENUINE;
    resolution.reason = reason;
    return resolution;
  }
  return ResolveVerified(serial, key_id, link.has_value() ? &*link : nullptr, std::move(resolution), mode);
}

absl::StatusOr<std::shared_ptr<const RollRef>> Resolver::RollOf(uint64_t serial, ResolveMode mode) {
  if (mode == ResolveMode::kMemoryOnly) return nullptr;
  // The key is "{entity}:{name}" as the stamp service's feed announces it.
  const std::string key = absl::StrCat("stamp:stamps/", serial);
  std::optional<std::string> roll = roll_of_serial_.Get(key);
  if (!roll.has_value()) {
    OCOP_ASSIGN_OR_RETURN(roll, fetches_.Do(key, [&]() -> absl::StatusOr<std::string> {
      // Learnt meanwhile by a fetch that finished (before its roll's range is indexed).
      if (std::optional<std::string> learnt = roll_of_serial_.Get(key)) return *learnt;
      ++backend_fetches_;
      OCOP_ASSIGN_OR_RETURN(stamp::v1::Stamp stamp, backends_->GetStamp(serial));
      roll_of_serial_.Put(key, stamp.roll());
      return stamp.roll();
    }));
  }
  return std::make_shared<const RollRef>(RollRef{*roll, absl::StrCat("roll:", *roll)});
}

Resolver::Attempt Resolver::ResolveVerified(uint64_t serial, uint32_t key_id,
                                            const digital_link::DigitalLinkStamp* link, Resolution resolution,
                                            ResolveMode mode) {
  const std::shared_ptr<const RollRef> known_roll = rolls_.Find(serial);
  const bool indexed = known_roll != nullptr;
  absl::StatusOr<std::shared_ptr<const RollRef>> roll_name = indexed ? known_roll : RollOf(serial, mode);
  if (absl::IsNotFound(roll_name.status())) {
    resolution.verdict = v1::VERDICT_NOT_GENUINE;
    resolution.reason = "validly signed but never issued in a roll";
    return resolution;
  }
  OCOP_RETURN_IF_ERROR(roll_name.status());
  if (*roll_name == nullptr) return std::nullopt;
  const std::string& name = (*roll_name)->name;
  // The stamp's state lives in its roll's range operations, cached per roll so that one
  // change-feed entry for the roll refreshes every stamp in it.
  absl::StatusOr<std::shared_ptr<const RollView>> roll = Cached<RollView>(
      (*roll_name)->key, mode, [this](const RollView&) { return config_.max_cache_ttl; },
      [&] { return Serialized(backends_->GetRoll(name)); });
  OCOP_RETURN_IF_ERROR(Dangling(roll.status(), name));
  if (*roll == nullptr) return std::nullopt;
  const RollView& view = **roll;
  if (!view.Contains(serial)) return absl::InternalError(absl::StrCat(name, " does not hold serial ", serial));
  if (!indexed) rolls_.Add(view);  // every other stamp of the roll is found without a call now
  if (view.key_id() != token::KeyIdToHex(key_id)) {
    resolution.verdict = v1::VERDICT_NOT_GENUINE;
    resolution.reason = "signed with a key other than its roll's";
    return resolution;
  }
  if (link != nullptr && (view.gtin() != link->gtin || view.lot_code() != link->lot)) {
    resolution.verdict = v1::VERDICT_NOT_GENUINE;
    resolution.reason = "the GTIN or lot in the link is not the stamp's roll's";
    return resolution;
  }
  v1::PublicStamp& stamp = resolution.stamp.emplace();
  stamp.set_serial(serial);
  stamp.set_key_id(view.key_id());
  stamp.set_state(view.StateOf(serial));
  stamp.set_batch(view.batch());
  stamp.set_copy_flag_cleared_through(view.CopyFlagClearedThrough(serial));
  switch (stamp.state()) {
    case stamp::v1::STAMP_STATE_ACTIVE:
      break;
    case stamp::v1::STAMP_STATE_VOID:
      resolution.verdict = v1::VERDICT_VOID;
      resolution.reason = "voided as a spoiled label";
      return resolution;
    case stamp::v1::STAMP_STATE_REVOKED:
      resolution.verdict = v1::VERDICT_REVOKED;
      resolution.reason = "revoked: reported stolen or compromised";
      return resolution;
    default:
      resolution.verdict = v1::VERDICT_NOT_ACTIVATED;
      resolution.reason = "issued but not yet activated for sale";
      return resolution;
  }

  OCOP_ASSIGN_OR_RETURN(bool lot_known, AddLot(view.batch(), view.lot_key(), resolution, mode));
  if (!lot_known) return std::nullopt;
  OCOP_ASSIGN_OR_RETURN(bool product_known, AddProductAndProducer(resolution.lot->lot().product(),
                                                                  resolution.lot->product_key(), resolution, mode));
  if (!product_known) return std::nullopt;
  if (resolution.lot->recalled()) {
    resolution.verdict = v1::VERDICT_RECALLED;
    resolution.reason = absl::StrCat("lot recalled: ", resolution.lot->lot().recall_reason());
  } else if (resolution.product->product.ocop().state() == v1::OCOP_MARK_STATE_EXPIRED) {
    resolution.verdict = v1::VERDICT_CERTIFICATE_EXPIRED;
    resolution.reason =
        absl::StrCat("OCOP certificate expired after ", resolution.product->product.ocop().valid_until());
  } else {
    // The stamp is genuine whatever the product's OCOP standing; the page states that standing
    // (product.ocop) in words, and shows stars only when certified.
    resolution.verdict = v1::VERDICT_GENUINE;
    resolution.reason = "signature verifies and the stamp is active";
  }
  return resolution;
}

absl::StatusOr<bool> Resolver::AddLot(const std::string& name, const std::string& key, Resolution& resolution,
                                      ResolveMode mode) {
  absl::StatusOr<std::shared_ptr<const LotView>> lot = Cached<LotView>(
      key, mode, [this](const LotView&) { return config_.max_cache_ttl; },
      // The view is public already (converted when fetched).
      [&] { return Serialized(backends_->GetBatchView(name)); });
  OCOP_RETURN_IF_ERROR(Dangling(lot.status(), name));
  resolution.lot = std::move(*lot);
  return resolution.lot != nullptr;
}

absl::StatusOr<bool> Resolver::AddProductAndProducer(const std::string& product_name, const std::string& key,
                                                     Resolution& resolution, ResolveMode mode) {
  absl::StatusOr<std::shared_ptr<const ProductView>> product = Cached<ProductView>(
      key, mode, [this](const ProductView& p) { return ProductTtl(p); },
      [&] { return Serialized(backends_->GetProduct(product_name)); });
  OCOP_RETURN_IF_ERROR(Dangling(product.status(), product_name));
  if (*product == nullptr) return false;
  const std::string& producer_name = (*product)->product().producer();
  absl::StatusOr<std::shared_ptr<const ProducerView>> producer = Cached<ProducerView>(
      (*product)->producer_key(), mode, [this](const ProducerView&) { return config_.max_cache_ttl; },
      [&] { return Serialized(backends_->GetProducer(producer_name)); });
  OCOP_RETURN_IF_ERROR(Dangling(producer.status(), producer_name));
  if (*producer == nullptr) return false;
  resolution.product = (*product)->PublicOn(Today());
  resolution.producer = std::move(*producer);
  return true;
}

absl::StatusOr<v1::ResolveResponse> Resolver::WalkUp(const digital_link::DigitalLinkPath& path) {
  Resolution resolution;
  resolution.time = clock_();
  // The GTIN's product is found once, then read through its own cache entry, which the registry's
  // change feed keeps fresh.
  absl::StatusOr<std::shared_ptr<const ProductView>> found = Cached<ProductView>(
      absl::StrCat("gtin:", path.gtin), ResolveMode::kMayWait,
      [this](const ProductView&) { return config_.max_cache_ttl; },
      [&] { return Serialized(backends_->FindProductByGtin(path.gtin)); });
  if (absl::IsNotFound(found.status())) {
    return absl::NotFoundError(absl::StrCat("no OCOP product has GTIN ", path.gtin));
  }
  OCOP_RETURN_IF_ERROR(found.status());
  const std::string product_name = (*found)->product().name();
  OCOP_RETURN_IF_ERROR(AddProductAndProducer(product_name, absl::StrCat("product:", product_name), resolution,
                                             ResolveMode::kMayWait)
                           .status());
  resolution.verdict = v1::VERDICT_UNIT_NOT_VERIFIED;
  resolution.reason = "the link carries no stamp that can be verified: showing the product";
  if (path.lot.empty()) return resolution.ToProto();
  absl::StatusOr<std::string> batch_name = backends_->FindBatch(product_name, path.lot);
  if (absl::IsNotFound(batch_name.status())) return resolution.ToProto();
  OCOP_RETURN_IF_ERROR(batch_name.status());
  OCOP_RETURN_IF_ERROR(
      AddLot(*batch_name, absl::StrCat("batch:", *batch_name), resolution, ResolveMode::kMayWait).status());
  resolution.reason = "the link carries no stamp that can be verified: showing the lot";
  if (resolution.lot->recalled()) {
    resolution.verdict = v1::VERDICT_RECALLED;
    resolution.reason = absl::StrCat("lot recalled: ", resolution.lot->lot().recall_reason());
  }
  return resolution.ToProto();
}

absl::StatusOr<v1::ResolveResponse> Resolver::ProductPage(absl::string_view product_id) {
  const bool well_formed =
      !product_id.empty() && product_id.size() <= 64 &&
      std::all_of(product_id.begin(), product_id.end(), [](char c) { return absl::ascii_isalnum(c) || c == '-' || c == '_'; });
  if (!well_formed) {
    return absl::InvalidArgumentError("product_id: letters, digits, '-' and '_', at most 64 characters");
  }
  const std::string name = absl::StrCat("products/", product_id);
  const std::string key = absl::StrCat("product:", name);
  // The product first, so a link that names no product is NOT_FOUND (AddProductAndProducer, which
  // then reads it from memory, calls a missing product a dangling reference).
  absl::StatusOr<std::shared_ptr<const ProductView>> found = Cached<ProductView>(
      key, ResolveMode::kMayWait, [this](const ProductView& p) { return ProductTtl(p); },
      [&] { return Serialized(backends_->GetProduct(name)); });
  if (absl::IsNotFound(found.status())) return absl::NotFoundError(absl::StrCat("no OCOP product ", name));
  OCOP_RETURN_IF_ERROR(found.status());
  Resolution resolution;
  resolution.time = clock_();
  OCOP_RETURN_IF_ERROR(AddProductAndProducer(name, key, resolution, ResolveMode::kMayWait).status());
  resolution.verdict = v1::VERDICT_PRODUCT_PAGE;
  resolution.reason = "a product's public page: no package is verified";
  return resolution.ToProto();
}

absl::Duration Resolver::CatalogueTtl(absl::CivilDay day) const {
  const absl::Duration left_of_day = absl::FromCivil(day + 1, config_.zone) - clock_();
  return std::max(absl::ZeroDuration(), std::min(config_.max_cache_ttl, left_of_day));
}

absl::StatusOr<std::shared_ptr<const CatalogueView>> Resolver::CatalogueOf(absl::string_view province_code) {
  if (province_code.size() != 2 || !absl::ascii_isdigit(province_code[0]) || !absl::ascii_isdigit(province_code[1])) {
    return absl::InvalidArgumentError(
        absl::StrCat("province: a province code is two digits (19 is Thái Nguyên), got \"",
                     province_code.substr(0, 20), "\""));
  }
  const std::string code(province_code);
  const std::string key = absl::StrCat("catalogue:", code);
  {
    absl::MutexLock lock(&catalogued_mutex_);
    catalogued_.insert(code);
  }
  for (int attempt = 1;; ++attempt) {
    const absl::CivilDay today = Today();
    OCOP_ASSIGN_OR_RETURN(
        std::shared_ptr<const CatalogueView> view,
        Cached<CatalogueView>(
            key, ResolveMode::kMayWait, [this](const CatalogueView& made) { return CatalogueTtl(made.day()); },
            [&]() -> absl::StatusOr<std::string> {
              OCOP_ASSIGN_OR_RETURN(std::vector<registry::v1::Product> products, backends_->ListProductsIn(code));
              OCOP_ASSIGN_OR_RETURN(std::vector<registry::v1::Producer> producers, backends_->ListProducersIn(code));
              return MakeCatalogue(code, today, products, producers).SerializeAsString();
            }));
    // One made yesterday (read from Redis across midnight): certificates may have lapsed since.
    if (view->day() == today || attempt == 2) return view;
    views_->Invalidate(key);
  }
}

absl::StatusOr<std::string> Resolver::ExportEpcis(const std::string& batch) {
  // Cached like the lot's view and dropped with it (OnChange): a document is rendered from the
  // lot's whole history, too costly to make again for every public request.
  OCOP_ASSIGN_OR_RETURN(std::shared_ptr<const EpcisView> view,
                        Cached<EpcisView>(
                            absl::StrCat("epcis:", batch), ResolveMode::kMayWait,
                            [this](const EpcisView&) { return config_.max_cache_ttl; },
                            [&] { return backends_->ExportEpcis(batch); }));
  return view->document();
}

absl::StatusOr<stamp::v1::VerifyPinResponse> Resolver::VerifyPin(absl::string_view code, const std::string& pin,
                                                                 const std::string& client) {
  absl::StatusOr<absl::string_view> text = token::ExtractToken(code);
  absl::StatusOr<token::StampToken> token =
      text.ok() ? token::DecodeToken(*text) : absl::StatusOr<token::StampToken>(text.status());
  if (!token.ok()) return absl::InvalidArgumentError(absl::StrCat("code: ", token.status().message()));
  std::string reason;
  OCOP_ASSIGN_OR_RETURN(
      std::optional<bool> valid,
      CheckSignature(
          ProofKey(*token), token->key_id, token->signature,
          [&](const crypto::Ed25519Verifier& verifier) { return token::VerifyToken(*token, verifier); }, &reason,
          ResolveMode::kMayWait));
  if (!valid.value_or(false)) {
    return absl::NotFoundError(absl::StrCat("code: not a genuine stamp (", reason, ")"));
  }
  // The stamp service limits wrong PINs per client: it gets a pseudonym of the client's network,
  // never the address.
  const std::string client_id =
      scans_ != nullptr ? scans_->ClientHash(client) : crypto::HexEncode(crypto::Sha256(client).substr(0, 8));
  return backends_->VerifyPin(absl::AsciiStrToUpper(*text), pin, client_id);
}

void Resolver::OnChange(const common::v1::Change& change) {
  views_->Invalidate(absl::StrCat(change.entity(), ":", change.name()));
  if (change.entity() == "batch") views_->Invalidate(absl::StrCat("epcis:", change.name()));
  if (change.entity() == "product" || change.entity() == "producer") {
    std::vector<std::string> provinces;
    {
      absl::MutexLock lock(&catalogued_mutex_);
      provinces.assign(catalogued_.begin(), catalogued_.end());
    }
    for (const std::string& province : provinces) views_->Invalidate(absl::StrCat("catalogue:", province));
  }
}

void Resolver::OnFeedConnected() { views_->ClearLocal(); }

}  // namespace ocop::lookup
