// Stamp domain logic: issuing rolls, signing and rendering stamps, resolving a serial to its roll.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "common/actor/actor.h"
#include "common/qr/qr.h"
#include "common/ratelimit/token_bucket.h"
#include "services/stamp/batch_directory.h"
#include "common/keys/key_store.h"
#include "services/stamp/pin_secrets.h"
#include "services/stamp/stamp_repository.h"

namespace ocop::stamp {

struct StampsConfig {
  // Scheme and host printed in every QR code, e.g. "https://ocop.tn.gov.vn". Upper-cased in the code.
  std::string public_base_url;
  int64_t max_roll_count = 10'000'000;
  // The most separate state ranges a roll may have. Activating package by package, or voiding
  // scattered spoiled labels, adds a range only where a gap remains; the bound keeps a roll (which
  // lookup caches whole) within a few MB, far below gRPC's message limit.
  int64_t max_ranges_per_roll = 100'000;
  // The largest QR version a stamp URL may need (6 = 41x41 modules at error correction M).
  int max_qr_version = 6;
  // The largest QR version a GS1 Digital Link stamp may need (lower-case URIs use byte mode).
  int max_digital_link_qr_version = 10;
  qr::QrOptions qr_options;
  // How wrong PINs lock a stamp.
  PinPolicy pin_policy;
  // Wrong PINs a client may enter per hour (a burst of as many), across all stamps: one client
  // cannot lock many stamps.
  double wrong_pins_per_client_per_hour = 10;
};

struct VerifyPinRequest {
  std::string token;   // the stamp's signed token, any case; required
  std::string stamp;   // optional "stamps/{serial}": must be the token's
  std::string pin;
  std::string client;  // who asks (see StampService.VerifyPin); never stored
};

// INVALID_ARGUMENT naming public_base_url when it is not http(s)://host[:port] or makes stamp QR
// codes larger than max_qr_version.
absl::Status ValidateConfig(const StampsConfig& config);

struct RenderRequest {
  std::string roll;
  uint64_t first_serial = 0;  // 0: the roll's first
  int64_t count = 0;          // 0: to the roll's end
  ImageFormat format = ImageFormat::kUnspecified;
  int module_pixels = 0;      // PNG only; 0: 4
  std::string printer;
  std::string resume_render;  // renders/{id} to resume
  uint64_t last_received_serial = 0;
  std::string reprint_order;  // reprintOrders/{id} for a reprint
  int dpi = 0;                // PNG: resolution recorded in the file
  qr::ErrorCorrection error_correction = qr::ErrorCorrection::kMedium;
  int quiet_zone = 0;         // 0: 4 modules
  int labels_per_document = 0;  // PDF: 1-kMaxPdfLabelsPerMessage; 0: kPdfLabelsPerMessage
};

// Wrong PIN tries per stamp before it locks.
inline constexpr int kMaxWrongPinTries = 5;
// At most this many stamps are sent again when a stream resumes (what may have been in flight).
inline constexpr uint64_t kMaxResend = 256;
// Labels in one PDF message: one A4 sheet (24 labels, about 250 KB), far below gRPC's 4 MB limit.
inline constexpr uint64_t kPdfLabelsPerMessage = 24;
// At most this many on request (RenderRequest.labels_per_document): about 2.5 MB.
inline constexpr int kMaxPdfLabelsPerMessage = 240;
// The render record is advanced this many stamps ahead of sending.
inline constexpr uint64_t kRenderChunk = 64;

struct ChangeStampsRequest {
  std::string roll;
  uint64_t first_serial = 0;
  int64_t count = 0;
  std::string reason;
  bool override_package_limit = false;
  std::string request_id;
};

class Stamps {
 public:
  // Nothing is owned; `config` must have passed ValidateConfig.
  Stamps(StampRepository* repository, RenderRepository* renders, BatchDirectory* batches,
         ProductDirectory* products, const keys::KeyStore* keys, const PinSecrets* pins, StampsConfig config,
         std::function<absl::Time()> clock, std::string issuer)
      : repository_(repository), renders_(renders), batches_(batches), products_(products), keys_(keys),
        pins_(pins),
        config_(std::move(config)),
        clock_(std::move(clock)),
        issuer_(std::move(issuer)),
        wrong_pins_by_client_(config_.wrong_pins_per_client_per_hour / 3600.0,
                              std::max(1.0, config_.wrong_pins_per_client_per_hour)) {}

  // Issues a roll of `count` stamps for `batch`, fixing today's signing key. INVALID_ARGUMENT
  // naming roll.count or roll.batch; NOT_FOUND naming roll.batch; ALREADY_EXISTS for a request_id
  // reused with another body.
  struct IssueOptions {
    bool scratch_pins = false;
    bool digital_link = false;
    std::string printer_profile;
    std::string printer;  // the printing house assigned to print it
  };
  absl::StatusOr<Roll> IssueRoll(const Actor& actor, const std::string& batch, int64_t count,
                                 const IssueOptions& options, const std::string& request_id,
                                 const std::string& request_fingerprint);
  absl::StatusOr<Roll> GetRoll(const Actor& actor, const std::string& name);
  // Rolls, of `batch` when not empty, paged (AIP-158).
  absl::StatusOr<store::Page<Roll>> ListRolls(const Actor& actor, const std::string& batch, int page_size,
                                              const std::string& page_token);
  // A roll's range operations, oldest first, paged (AIP-158).
  absl::StatusOr<store::Page<RangeOperation>> ListRangeOperations(const Actor& actor, const std::string& roll,
                                                                  int page_size, const std::string& page_token);

  // Signs and renders the requested range one stamp at a time, calling `emit` for each; stops
  // early (OK) when `emit` returns false. Memory does not grow with the range. Every render is
  // recorded (ahead of sending, in chunks); serials rendered before need a reprint order
  // (FAILED_PRECONDITION otherwise); resume_render continues an interrupted render.
  absl::Status RenderStamps(const Actor& actor, const RenderRequest& request,
                            const std::function<bool(const RenderedStamp&)>& emit);

  // Orders one more render of `count` serials from `first_serial` of `roll`. PERMISSION_DENIED
  // unless the actor's role is "admin"; INVALID_ARGUMENT without a reason or outside the roll.
  absl::StatusOr<ReprintOrder> OrderReprint(const Actor& actor, const std::string& roll, uint64_t first_serial,
                                            int64_t count, const std::string& reason, const std::string& request_id,
                                            const std::string& request_fingerprint);
  absl::StatusOr<std::vector<Render>> ListRenders(const Actor& actor, const std::string& roll);

  // Changes the state of `count` stamps from `first_serial` of `roll` to `target` (active, void or
  // revoked); see StampService.ActivateStamps for the rules. INVALID_ARGUMENT naming the field;
  // NOT_FOUND for an unknown roll; FAILED_PRECONDITION when the range's states or the lot's
  // package count forbid it (state unchanged).
  absl::StatusOr<Roll> ChangeStamps(const Actor& actor, StampState target, const ChangeStampsRequest& request,
                                    const std::string& request_fingerprint);

  // Checks a scratch PIN (see StampService.VerifyPin). INVALID_ARGUMENT naming token or pin when
  // malformed; NOT_FOUND when the token is not one this service issued; RESOURCE_EXHAUSTED when
  // the client entered too many wrong PINs lately.
  absl::StatusOr<PinOutcome> VerifyPin(const Actor& actor, const VerifyPinRequest& request);

  // For feed scopes (auth::FeedScope): the producer a change is about (a roll or a stamp; NOT_FOUND
  // for anything else), and a producer's province (from the registry).
  absl::StatusOr<std::string> ProducerOfChange(const std::string& entity, const std::string& name);
  absl::StatusOr<std::string> ProvinceOf(const std::string& producer) { return products_->ProvinceOf(producer); }

  // The stamp "stamps/{serial}". NOT_FOUND when no roll holds the serial. Its token and URL only
  // for the roll's producer and for services; cleared for everyone else.
  absl::StatusOr<Stamp> GetStamp(const Actor& actor, const std::string& name);

  // Clears the stamp's "possible copy" flag through today (see StampService.ClearCopyFlag).
  // PERMISSION_DENIED unless the actor is an office or an admin; INVALID_ARGUMENT naming the field;
  // NOT_FOUND for a serial never issued. Returns the stamp as it is now.
  absl::StatusOr<Stamp> ClearCopyFlag(const Actor& actor, const std::string& name, const std::string& reason,
                                      const std::string& request_id, const std::string& request_fingerprint);

  // The stamp URL for a token: {PUBLIC_BASE_URL}/S/{TOKEN}, all upper case.
  std::string StampUrl(const std::string& token) const;

 private:
  // OK when `actor` may change `resource` of `producer` (auth::CheckOwner; an office's province
  // comes from the registry).
  absl::Status CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer);
  // OK when `actor` may stream `roll`'s stamps (tokens and PINs): its producer, or a printer of the
  // printing house the roll is assigned to.
  absl::Status CheckMayPrint(const Actor& actor, const Roll& roll);
  // The stamp with its token and URL, whoever asks (GetStamp decides what a caller sees).
  absl::StatusOr<Stamp> LoadStamp(const std::string& name);
  absl::StatusOr<std::string> TokenFor(const Roll& roll, uint64_t serial) const;
  // What the QR code of `serial` carries: the Digital Link URI for Digital Link rolls, else the
  // /S/ URL of `token`.
  absl::StatusOr<std::string> UrlFor(const Roll& roll, uint64_t serial, const std::string& token) const;

  StampRepository* repository_;
  RenderRepository* renders_;
  BatchDirectory* batches_;
  ProductDirectory* products_;
  const keys::KeyStore* keys_;
  const PinSecrets* pins_;
  StampsConfig config_;
  std::function<absl::Time()> clock_;
  std::string issuer_;
  // Wrong PINs per client, in memory (a client's record is not worth keeping).
  ratelimit::TokenBucketLimiter wrong_pins_by_client_;
};

}  // namespace ocop::stamp
