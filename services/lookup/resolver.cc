#include "services/lookup/resolver.h"

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/civil_time.h"
#include "common/crypto/digest.h"
#include "common/grpc/proto_time.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "services/lookup/public_view.h"

namespace ocop::lookup {
namespace {

std::string ProofKey(const token::StampToken& token) {
  return absl::StrCat("proof:", token.key_id, ":", token.serial);
}

// The state of `serial` after `roll`'s operations (the last one covering it wins; none: issued).
// Mirrors stamp::StateOf on the wire form.
stamp::v1::StampState StateOf(const stamp::v1::Roll& roll, uint64_t serial) {
  for (int i = roll.operations_size() - 1; i >= 0; --i) {
    const stamp::v1::RangeOperation& operation = roll.operations(i);
    if (operation.first_serial() <= serial && serial <= operation.last_serial()) return operation.state();
  }
  return stamp::v1::STAMP_STATE_ISSUED;
}

// Set while ResolveFromMemory runs on this thread: every lookup that would wait for Redis or a
// backend gives up with kNotInMemory instead. A thread-local flag keeps the one resolution path
// (and its rules) shared by both modes.
thread_local bool memory_only = false;
constexpr absl::string_view kNotInMemory = "lookup: not in memory";

absl::Status NotInMemory() { return absl::UnavailableError(kNotInMemory); }
bool IsNotInMemory(const absl::Status& status) {
  return absl::IsUnavailable(status) && status.message() == kNotInMemory;
}

struct MemoryOnlyScope {
  MemoryOnlyScope() { memory_only = true; }
  ~MemoryOnlyScope() { memory_only = false; }
};

// Data one service holds points at data another does not: say so in logs, not to the public.
absl::Status Dangling(const absl::Status& status, absl::string_view what) {
  if (absl::IsNotFound(status)) return absl::InternalError(absl::StrCat("dangling reference to ", what));
  return status;
}

}  // namespace

template <typename Message>
absl::StatusOr<Message> Resolver::Cached(const std::string& key,
                                         const std::function<absl::Duration(const Message&)>& ttl_of,
                                         const std::function<absl::StatusOr<Message>()>& fetch) {
  Message message;
  if (memory_only) {
    std::optional<std::string> bytes = views_->GetLocal(key);
    if (!bytes.has_value() || !message.ParseFromString(*bytes)) return NotInMemory();
    return message;
  }
  if (std::optional<std::string> bytes = views_->Get(key, config_.local_ttl_after_shared_hit);
      bytes.has_value() && message.ParseFromString(*bytes)) {
    return message;
  }
  // Scans that miss together wait for one fetch (a popular stamp just invalidated by a change).
  OCOP_ASSIGN_OR_RETURN(std::string bytes, fetches_.Do(key, [&]() -> absl::StatusOr<std::string> {
    // A fetch that finished between our miss and this point has filled the cache already.
    if (std::optional<std::string> cached = views_->Get(key, config_.local_ttl_after_shared_hit)) return *cached;
    ++backend_fetches_;
    OCOP_ASSIGN_OR_RETURN(Message fetched, fetch());
    std::string serialized = fetched.SerializeAsString();
    views_->Put(key, serialized, ttl_of(fetched));
    return serialized;
  }));
  if (!message.ParseFromString(bytes)) return absl::InternalError(absl::StrCat("cached view ", key, " does not parse"));
  return message;
}

absl::StatusOr<bool> Resolver::CheckSignature(const std::string& proof_key, uint32_t key_id,
                                              const std::string& signature,
                                              const std::function<bool(const crypto::Ed25519Verifier&)>& check,
                                              std::string* reason) {
  // Ed25519 is deterministic: a signed message has exactly one valid signature, so remembering it
  // lets a repeat scan skip the verification while any other signature still fails.
  if (std::optional<std::string> proven = proofs_->Get(proof_key, config_.max_cache_ttl);
      proven.has_value() && *proven == signature) {
    return true;
  }
  // An unknown key may trigger a refresh from the stamp service: not in memory-only mode.
  if (memory_only && !keys_->Knows(key_id)) return NotInMemory();
  switch (keys_->Verify(key_id, check)) {
    case KeyRing::Verification::kValid:
      proofs_->Put(proof_key, signature, config_.max_cache_ttl);
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

absl::Duration Resolver::ProductTtl(const registry::v1::Product& product) const {
  absl::CivilDay last_day;
  if (!product.has_rating() || !absl::ParseCivilTime(product.rating().valid_until(), &last_day)) {
    return config_.max_cache_ttl;
  }
  absl::Duration until_expiry = absl::FromCivil(last_day + 1, config_.zone) - clock_();
  if (until_expiry <= absl::ZeroDuration()) return config_.max_cache_ttl;
  return std::min(config_.max_cache_ttl, until_expiry);
}

absl::StatusOr<v1::ResolveResponse> Resolver::Resolve(absl::string_view code, const std::string& client_address) {
  OCOP_ASSIGN_OR_RETURN(v1::ResolveResponse response, ResolveCode(code));
  if (!client_address.empty()) CountScan(client_address, response);
  return response;
}

std::optional<absl::StatusOr<v1::ResolveResponse>> Resolver::ResolveFromMemory(absl::string_view code,
                                                                               const std::string& client_address) {
  MemoryOnlyScope scope;
  absl::StatusOr<v1::ResolveResponse> response = ResolveCode(code);
  if (IsNotInMemory(response.status())) return std::nullopt;
  if (response.ok() && !client_address.empty() && !CountScan(client_address, *response)) return std::nullopt;
  return response;
}

bool Resolver::CountScan(const std::string& client_address, v1::ResolveResponse& response) {
  if (scans_ == nullptr) return true;
  v1::Verdict verdict = response.verdict();
  // Only scans of genuine, active stamps say anything about copies; forged codes have no serial
  // worth counting and must not grow Redis.
  if (verdict != v1::VERDICT_GENUINE && verdict != v1::VERDICT_CERTIFICATE_EXPIRED &&
      verdict != v1::VERDICT_RECALLED) {
    return true;
  }
  uint64_t serial = response.stamp().serial();
  // Scans up to the day an office cleared the stamp's copy flag no longer count.
  const std::string& cleared = response.stamp().copy_flag_cleared_through();
  std::optional<ScanCounts> counts =
      memory_only ? scans_->CountsInMemory(serial, cleared) : scans_->Counts(serial, cleared);
  if (memory_only && !counts.has_value()) return false;
  if (counts.has_value()) {
    response.mutable_scans()->set_scans(counts->scans);
    response.mutable_scans()->set_distinct_clients(counts->distinct_clients);
    response.mutable_scans()->set_distinct_days(counts->distinct_days);
    // A recall outranks a suspected copy: both say "do not trust this package", the recall says why.
    if (verdict != v1::VERDICT_RECALLED && counts->distinct_clients >= config_.copy_min_clients &&
        counts->distinct_days >= config_.copy_min_days) {
      response.set_verdict(v1::VERDICT_POSSIBLE_COPY);
      response.set_reason(absl::StrCat("scanned by about ", counts->distinct_clients, " different clients on ",
                                       counts->distinct_days, " different days"));
    }
  }
  stamp::v1::ScanRecord scan;  // its id and client hash are set when it is flushed
  scan.set_serial(serial);
  *scan.mutable_scan_time() = response.resolve_time();
  scan.set_verdict(v1::Verdict_Name(response.verdict()));
  scan.set_batch(response.batch().name());
  scan.set_product(response.product().name());
  scan.set_producer(response.producer().name());
  scan.set_province_code(response.producer().address().current_province_code().empty()
                             ? response.producer().address().province_code()
                             : response.producer().address().current_province_code());
  scans_->Record(std::move(scan), client_address);
  return true;
}

absl::StatusOr<v1::ResolveResponse> Resolver::ResolveCode(absl::string_view code) {
  v1::ResolveResponse response;
  grpcutil::ToProtoTime(clock_(), response.mutable_resolve_time());
  std::string reason;
  if (digital_link::LooksLikeDigitalLink(code)) {
    OCOP_ASSIGN_OR_RETURN(digital_link::DigitalLinkStamp link, digital_link::Parse(code));
    OCOP_ASSIGN_OR_RETURN(
        bool valid,
        CheckSignature(
            // The proof key holds everything the signature covers, so a cached proof can never
            // vouch for a link with another GTIN or lot.
            absl::StrCat("proof:dl:", link.key_id, ":", link.gtin, ":", link.lot, ":", link.serial), link.key_id,
            link.signature,
            [&](const crypto::Ed25519Verifier& verifier) { return digital_link::Verify(link, verifier); },
            &reason));
    if (!valid) {
      response.set_verdict(v1::VERDICT_NOT_GENUINE);
      response.set_reason(reason);
      return response;
    }
    return ResolveVerified(link.serial, link.key_id, &link, std::move(response));
  }
  absl::StatusOr<absl::string_view> text = token::ExtractToken(code);
  absl::StatusOr<token::StampToken> token =
      text.ok() ? token::DecodeToken(*text) : absl::StatusOr<token::StampToken>(text.status());
  if (!token.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("code: ", token.status().message()));
  }
  OCOP_ASSIGN_OR_RETURN(
      bool valid,
      CheckSignature(
          ProofKey(*token), token->key_id, token->signature,
          [&](const crypto::Ed25519Verifier& verifier) { return token::VerifyToken(*token, verifier); }, &reason));
  if (!valid) {
    response.set_verdict(v1::VERDICT_NOT_GENUINE);
    response.set_reason(reason);
    return response;
  }
  return ResolveVerified(token->serial, token->key_id, nullptr, std::move(response));
}

absl::StatusOr<v1::ResolveResponse> Resolver::ResolveVerified(uint64_t serial, uint32_t key_id,
                                                              const digital_link::DigitalLinkStamp* link,
                                                              v1::ResolveResponse response) {
  const auto capped = [this](const auto&) { return config_.max_cache_ttl; };
  absl::StatusOr<stamp::v1::Stamp> stamp = Cached<stamp::v1::Stamp>(
      // The key is "{entity}:{name}" as the stamp service's feed announces it.
      absl::StrCat("stamp:stamps/", serial), capped, [&] { return backends_->GetStamp(serial); });
  if (absl::IsNotFound(stamp.status())) {
    response.set_verdict(v1::VERDICT_NOT_GENUINE);
    response.set_reason("validly signed but never issued in a roll");
    return response;
  }
  OCOP_RETURN_IF_ERROR(stamp.status());
  if (stamp->key_id() != token::KeyIdToHex(key_id)) {
    response.set_verdict(v1::VERDICT_NOT_GENUINE);
    response.set_reason("signed with a key other than its roll's");
    return response;
  }

  // The state lives in the roll's range operations, cached per roll so that one change-feed entry
  // for the roll refreshes every stamp in it.
  const std::string roll_name = stamp->roll();
  absl::StatusOr<stamp::v1::Roll> roll = Cached<stamp::v1::Roll>(
      absl::StrCat("roll:", roll_name), capped, [&] { return backends_->GetRoll(roll_name); });
  OCOP_RETURN_IF_ERROR(Dangling(roll.status(), roll_name));
  if (link != nullptr && (roll->gtin() != link->gtin || roll->lot_code() != link->lot)) {
    response.set_verdict(v1::VERDICT_NOT_GENUINE);
    response.set_reason("the GTIN or lot in the link is not the stamp's roll's");
    return response;
  }
  stamp->set_state(StateOf(*roll, serial));
  switch (stamp->state()) {
    case stamp::v1::STAMP_STATE_ACTIVE:
      break;
    case stamp::v1::STAMP_STATE_VOID:
      response.set_verdict(v1::VERDICT_VOID);
      response.set_reason("voided as a spoiled label");
      *response.mutable_stamp() = PublicStampOf(*stamp);
      return response;
    case stamp::v1::STAMP_STATE_REVOKED:
      response.set_verdict(v1::VERDICT_REVOKED);
      response.set_reason("revoked: reported stolen or compromised");
      *response.mutable_stamp() = PublicStampOf(*stamp);
      return response;
    default:
      response.set_verdict(v1::VERDICT_NOT_ACTIVATED);
      response.set_reason("issued but not yet activated for sale");
      *response.mutable_stamp() = PublicStampOf(*stamp);
      return response;
  }

  OCOP_RETURN_IF_ERROR(AddLot(stamp->batch(), response));
  OCOP_RETURN_IF_ERROR(AddProductAndProducer(response.batch().product(), response));
  if (response.batch().status() == batch::v1::BATCH_STATUS_RECALLED) {
    response.set_verdict(v1::VERDICT_RECALLED);
    response.set_reason(absl::StrCat("lot recalled: ", response.batch().recall_reason()));
  } else if (response.product().ocop().state() == v1::OCOP_MARK_STATE_EXPIRED) {
    response.set_verdict(v1::VERDICT_CERTIFICATE_EXPIRED);
    response.set_reason(absl::StrCat("OCOP certificate expired after ", response.product().ocop().valid_until()));
  } else {
    // The stamp is genuine whatever the product's OCOP standing; the page states that standing
    // (product.ocop) in words, and shows stars only when certified.
    response.set_verdict(v1::VERDICT_GENUINE);
    response.set_reason("signature verifies and the stamp is active");
  }
  *response.mutable_stamp() = PublicStampOf(*stamp);
  return response;
}

absl::Status Resolver::AddLot(const std::string& name, v1::ResolveResponse& response) {
  const auto capped = [this](const auto&) { return config_.max_cache_ttl; };
  const std::string key = absl::StrCat("batch:", name);
  const auto fetch = [&] { return backends_->GetBatchView(name); };
  absl::StatusOr<v1::BatchView> view = Cached<v1::BatchView>(key, capped, fetch);
  if (view.ok() && view->batch().name().empty()) {
    // An entry cached by an older lookup (backend messages): not usable, fetched again.
    if (memory_only) return NotInMemory();
    views_->Invalidate(key);
    view = Cached<v1::BatchView>(key, capped, fetch);
  }
  OCOP_RETURN_IF_ERROR(Dangling(view.status(), name));
  // The view is already public (converted when fetched): moved into the answer as it is.
  *response.mutable_batch() = std::move(*view->mutable_batch());
  *response.mutable_events() = std::move(*view->mutable_events());
  *response.mutable_ancestors() = std::move(*view->mutable_ancestors());
  *response.mutable_seasons() = std::move(*view->mutable_seasons());
  return absl::OkStatus();
}

absl::Status Resolver::AddProductAndProducer(const std::string& product_name, v1::ResolveResponse& response) {
  absl::StatusOr<registry::v1::Product> product = Cached<registry::v1::Product>(
      absl::StrCat("product:", product_name), [this](const registry::v1::Product& p) { return ProductTtl(p); },
      [&] { return backends_->GetProduct(product_name); });
  OCOP_RETURN_IF_ERROR(Dangling(product.status(), product_name));
  const std::string producer_name = product->producer();
  absl::StatusOr<registry::v1::Producer> producer = Cached<registry::v1::Producer>(
      absl::StrCat("producer:", producer_name), [this](const auto&) { return config_.max_cache_ttl; },
      [&] { return backends_->GetProducer(producer_name); });
  OCOP_RETURN_IF_ERROR(Dangling(producer.status(), producer_name));
  *response.mutable_product() = PublicProductOf(*product, absl::ToCivilDay(clock_(), config_.zone));
  *response.mutable_producer() = PublicProducerOf(*producer);
  return absl::OkStatus();
}

absl::StatusOr<v1::ResolveResponse> Resolver::WalkUp(const digital_link::DigitalLinkPath& path) {
  v1::ResolveResponse response;
  grpcutil::ToProtoTime(clock_(), response.mutable_resolve_time());
  const auto capped = [this](const auto&) { return config_.max_cache_ttl; };
  // The GTIN's product is found once, then read through its own cache entry, which the registry's
  // change feed keeps fresh.
  absl::StatusOr<registry::v1::Product> found = Cached<registry::v1::Product>(
      absl::StrCat("gtin:", path.gtin), capped, [&] { return backends_->FindProductByGtin(path.gtin); });
  if (absl::IsNotFound(found.status())) {
    return absl::NotFoundError(absl::StrCat("no OCOP product has GTIN ", path.gtin));
  }
  OCOP_RETURN_IF_ERROR(found.status());
  const std::string product_name = found->name();
  OCOP_RETURN_IF_ERROR(AddProductAndProducer(product_name, response));
  response.set_verdict(v1::VERDICT_UNIT_NOT_VERIFIED);
  response.set_reason("the link carries no stamp that can be verified: showing the product");
  if (path.lot.empty()) return response;
  absl::StatusOr<std::string> batch_name = backends_->FindBatch(product_name, path.lot);
  if (absl::IsNotFound(batch_name.status())) return response;
  OCOP_RETURN_IF_ERROR(batch_name.status());
  OCOP_RETURN_IF_ERROR(AddLot(*batch_name, response));
  response.set_reason("the link carries no stamp that can be verified: showing the lot");
  if (response.batch().status() == batch::v1::BATCH_STATUS_RECALLED) {
    response.set_verdict(v1::VERDICT_RECALLED);
    response.set_reason(absl::StrCat("lot recalled: ", response.batch().recall_reason()));
  }
  return response;
}

absl::StatusOr<std::string> Resolver::ExportEpcis(const std::string& batch) { return backends_->ExportEpcis(batch); }

absl::StatusOr<stamp::v1::VerifyPinResponse> Resolver::VerifyPin(absl::string_view code, const std::string& pin,
                                                                 const std::string& client) {
  absl::StatusOr<absl::string_view> text = token::ExtractToken(code);
  absl::StatusOr<token::StampToken> token =
      text.ok() ? token::DecodeToken(*text) : absl::StatusOr<token::StampToken>(text.status());
  if (!token.ok()) return absl::InvalidArgumentError(absl::StrCat("code: ", token.status().message()));
  std::string reason;
  OCOP_ASSIGN_OR_RETURN(
      bool valid,
      CheckSignature(
          ProofKey(*token), token->key_id, token->signature,
          [&](const crypto::Ed25519Verifier& verifier) { return token::VerifyToken(*token, verifier); }, &reason));
  if (!valid) {
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
}

void Resolver::OnFeedConnected() { views_->ClearLocal(); }

}  // namespace ocop::lookup
