#include "services/stamp/stamps.h"

#include <prometheus/counter.h>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/auth/ownership.h"
#include "common/crypto/digest.h"
#include "common/digital_link/digital_link.h"
#include "common/grpc/paging.h"
#include "common/label/pdf.h"
#include "common/label/zpl.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "common/validate/validate.h"

namespace ocop::stamp {
namespace {

// A recalled lot must not reach new packages; a closed one (split or blended) lives on in the lots
// made from it, which get their own stamps.
absl::Status CheckLotTakesStamps(absl::string_view field, const std::string& batch, const BatchOwner& lot) {
  if (lot.recalled) {
    return absl::FailedPreconditionError(
        absl::StrCat(field, ": ", batch, " is recalled (", lot.recall_reason, "); its stamps cannot be issued or activated"));
  }
  if (lot.closed) {
    return absl::FailedPreconditionError(absl::StrCat(
        field, ": ", batch, " is closed (split or blended into other lots); stamp the lots made from it"));
  }
  return absl::OkStatus();
}

constexpr int kDefaultModulePixels = 4;

// The MIME type of a format, or null for a format this build does not render.
const char* ContentType(ImageFormat format) {
  switch (format) {
    case ImageFormat::kSvg: return "image/svg+xml";
    case ImageFormat::kPng: return "image/png";
    case ImageFormat::kZpl: return "application/zpl";
    case ImageFormat::kPdfA4Sheet:
    case ImageFormat::kPdfLabelRoll: return "application/pdf";
    default: return nullptr;
  }
}

// INVALID_ARGUMENT unless [first, first + count) lies in `roll`; returns the last serial.
absl::StatusOr<uint64_t> CheckRange(const Roll& roll, uint64_t first, uint64_t count) {
  if (!roll.Contains(first)) {
    return absl::InvalidArgumentError(absl::StrCat("first_serial: ", first, " is outside ", roll.name, " (",
                                                   roll.first_serial, "..", roll.first_serial + roll.count - 1, ")"));
  }
  uint64_t available = roll.first_serial + static_cast<uint64_t>(roll.count) - first;
  if (count > available) {
    return absl::InvalidArgumentError(
        absl::StrCat("count: ", count, " stamps from serial ", first, " run past the end of ", roll.name));
  }
  return first + count - 1;
}

// The day labels are printed, in Vietnam (UTC+7): what the OCOP mark on them is judged by.
absl::CivilDay VietnamDay(absl::Time time) { return absl::ToCivilDay(time, absl::FixedTimeZone(7 * 60 * 60)); }

}  // namespace

absl::Status ValidateConfig(const StampsConfig& config) {
  OCOP_RETURN_IF_ERROR(validate::BaseUrl("public_base_url", config.public_base_url));
  // The longest URL a stamp can carry: every token has the same length.
  std::string sample = absl::AsciiStrToUpper(absl::StrCat(config.public_base_url, "/S/", std::string(token::kTokenChars, 'A')));
  OCOP_ASSIGN_OR_RETURN(qr::QrMatrix matrix, qr::Encode(sample, config.qr_options));
  if (matrix.version > config.max_qr_version) {
    return absl::InvalidArgumentError(absl::StrCat(
        "public_base_url: '", config.public_base_url, "' makes stamp QR codes version ", matrix.version,
        " but at most version ", config.max_qr_version,
        " is allowed; use a shorter host or raise --max_qr_version deliberately"));
  }
  if (config.max_roll_count < 1) return absl::InvalidArgumentError("max_roll_count: must be at least 1");
  if (config.max_ranges_per_roll < 1) return absl::InvalidArgumentError("max_ranges_per_roll: must be at least 1");
  return absl::OkStatus();
}

std::string Stamps::StampUrl(const std::string& token) const {
  return absl::AsciiStrToUpper(absl::StrCat(config_.public_base_url, "/S/", token));
}

absl::StatusOr<std::string> Stamps::UrlFor(const Roll& roll, uint64_t serial, const std::string& token) const {
  if (roll.gtin.empty()) return StampUrl(token);
  OCOP_ASSIGN_OR_RETURN(const crypto::Ed25519PrivateKey* key, keys_->Key(roll.key_id));
  return digital_link::Encode(config_.public_base_url, roll.key_id, roll.gtin, roll.lot_code, serial, *key);
}

absl::StatusOr<std::string> Stamps::TokenFor(const Roll& roll, uint64_t serial) const {
  OCOP_ASSIGN_OR_RETURN(const crypto::Ed25519PrivateKey* key, keys_->Key(roll.key_id));
  return token::EncodeToken(roll.key_id, serial, *key);
}

absl::StatusOr<Roll> Stamps::IssueRoll(const Actor& actor, const std::string& batch, int64_t count,
                                       const IssueOptions& options, const std::string& request_id,
                                       const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::Text("roll.printer_profile", options.printer_profile, 100, false));
  OCOP_RETURN_IF_ERROR(validate::Text("roll.printer", options.printer, 64, false));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("roll.batch", batch, "batches"));
  if (count < 1 || count > config_.max_roll_count) {
    return absl::InvalidArgumentError(
        absl::StrCat("roll.count: must be between 1 and ", config_.max_roll_count, ", got ", count));
  }
  absl::StatusOr<BatchOwner> owner = batches_->OwnerOf(batch);
  if (absl::IsNotFound(owner.status())) {
    return absl::NotFoundError(absl::StrCat("roll.batch: ", batch, " not found"));
  }
  if (!owner.ok()) {
    return absl::UnavailableError(absl::StrCat("batch service unavailable: ", owner.status().message()));
  }
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, batch, owner->producer));
  OCOP_RETURN_IF_ERROR(CheckLotTakesStamps("roll.batch", batch, *owner));
  Roll roll;
  roll.name = absl::StrCat("rolls/", validate::NewId(issuer_));
  roll.batch = batch;
  roll.producer = owner->producer;
  roll.product = owner->product;
  roll.count = count;
  roll.key_id = keys_->signing_key_id();
  if (options.scratch_pins) roll.pin_secret_id = pins_->current_id();
  roll.printer_profile = options.printer_profile;
  roll.printer = options.printer;
  if (options.digital_link) {
    absl::StatusOr<ProductLabel> product = products_->LabelOf(owner->product, VietnamDay(clock_()));
    if (!product.ok()) {
      return absl::UnavailableError(absl::StrCat("registry unavailable: ", product.status().message()));
    }
    if (product->gtin.empty()) {
      return absl::FailedPreconditionError(
          absl::StrCat("roll.digital_link: ", owner->product, " has no GTIN; set product.gtin first"));
    }
    if (owner->lot_code.size() > 20) {
      return absl::FailedPreconditionError("roll.digital_link: GS1 lot codes (AI 10) have at most 20 characters");
    }
    roll.gtin = product->gtin;
    roll.lot_code = owner->lot_code;
    // The longest URI the roll can produce (largest serial, widest signature) must fit the code.
    auto sample = crypto::Ed25519PrivateKey::Generate();
    OCOP_RETURN_IF_ERROR(sample.status());
    OCOP_ASSIGN_OR_RETURN(std::string longest, digital_link::Encode(config_.public_base_url, 0xffffffff, roll.gtin,
                                                                    roll.lot_code, UINT64_MAX, *sample));
    OCOP_ASSIGN_OR_RETURN(qr::QrMatrix matrix, qr::Encode(longest, config_.qr_options));
    if (matrix.version > config_.max_digital_link_qr_version) {
      return absl::FailedPreconditionError(absl::StrCat("roll.digital_link: the URIs need QR version ", matrix.version,
                                                        ", more than the configured ",
                                                        config_.max_digital_link_qr_version));
    }
  }
  roll.issued_by = actor.subject;
  roll.create_time = clock_();
  return repository_->IssueRoll(roll, store::IdempotencyKey{actor.subject, "IssueRoll", request_id,
                                                            request_fingerprint});
}

absl::StatusOr<store::Page<Roll>> Stamps::ListRolls(const Actor& actor, const std::string& batch, int page_size,
                                                    const std::string& page_token) {
  if (!batch.empty()) OCOP_RETURN_IF_ERROR(validate::ResourceName("batch", batch, "batches"));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page_size, 50, 1000));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page_token));
  StampRepository::RollFilter filter{batch, "", ""};
  // A producer sees its own rolls and a printing house those assigned to it, filtered in the
  // query; an office's province is known per producer, so its page is filtered as it is read.
  if (actor.role == "producer") filter.producer = actor.producer.empty() ? "(none)" : actor.producer;
  if (actor.role == "printer") filter.printer = actor.printer.empty() ? "(none)" : actor.printer;
  OCOP_ASSIGN_OR_RETURN(store::Page<Roll> page, repository_->ListRolls(filter, after, size));
  if (actor.role == "office") {
    std::vector<Roll> visible;
    for (Roll& roll : page.items) {
      absl::Status may_see = CheckOwner(actor, roll.name, roll.producer);
      if (may_see.ok()) visible.push_back(std::move(roll));
      if (!may_see.ok() && !absl::IsPermissionDenied(may_see)) return may_see;
    }
    page.items = std::move(visible);
  }
  return page;
}

absl::StatusOr<store::Page<RangeOperation>> Stamps::ListRangeOperations(const Actor& actor, const std::string& roll,
                                                                        int page_size, const std::string& page_token) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("roll", roll, "rolls"));
  OCOP_ASSIGN_OR_RETURN(int size, grpcutil::PageSize(page_size, 100, 1000));
  OCOP_ASSIGN_OR_RETURN(int64_t after, grpcutil::DecodePageToken(page_token));
  OCOP_ASSIGN_OR_RETURN(Roll target, GetRoll(actor, roll));
  return repository_->ListOperations(target.name, after, size);
}

absl::Status Stamps::CheckOwner(const Actor& actor, const std::string& resource, const std::string& producer) {
  return auth::CheckOwner(actor, resource, producer, [this](const std::string& owner) -> absl::StatusOr<std::string> {
    absl::StatusOr<std::string> province = products_->ProvinceOf(owner);
    if (!province.ok() && !absl::IsNotFound(province.status())) {
      return absl::UnavailableError(absl::StrCat("registry unavailable: ", province.status().message()));
    }
    return province;
  });
}

absl::Status Stamps::CheckMayPrint(const Actor& actor, const Roll& roll) {
  if (actor.role != "printer") return CheckOwner(actor, roll.name, roll.producer);
  if (!roll.printer.empty() && actor.printer == roll.printer) return absl::OkStatus();
  return absl::PermissionDeniedError(
      roll.printer.empty()
          ? absl::StrCat(roll.name, " is not assigned to a printing house; only its producer may print it")
          : absl::StrCat(roll.name, " is assigned to printing house ", roll.printer, ", not ", actor.printer));
}

absl::StatusOr<Roll> Stamps::GetRoll(const Actor& actor, const std::string& name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("name", name, "rolls"));
  OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(name));
  // Its producer, the office of its province, the printing house it is assigned to, or a service.
  OCOP_RETURN_IF_ERROR(CheckMayPrint(actor, roll));
  return roll;
}

absl::Status Stamps::RenderStamps(const Actor& actor, const RenderRequest& request,
                                  const std::function<bool(const RenderedStamp&)>& emit) {
  if (ContentType(request.format) == nullptr) {
    return absl::InvalidArgumentError("format: must be SVG, PNG, ZPL, PDF_A4_SHEET or PDF_LABEL_ROLL");
  }
  int module_pixels = request.module_pixels == 0 ? kDefaultModulePixels : request.module_pixels;
  if (module_pixels < 1 || module_pixels > 32) {
    return absl::InvalidArgumentError("module_pixels: must be between 1 and 32");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("printer", request.printer, 100, true));
  if (request.dpi < 0 || request.dpi > 2400) return absl::InvalidArgumentError("dpi: must be between 0 and 2400");
  qr::QrOptions qr_options = config_.qr_options;
  qr_options.error_correction = request.error_correction;
  qr_options.quiet_zone = request.quiet_zone == 0 ? 4 : request.quiet_zone;
  if (qr_options.quiet_zone < 1 || qr_options.quiet_zone > 16) {
    return absl::InvalidArgumentError("quiet_zone: must be between 1 and 16 modules");
  }
  if (request.count < 0) return absl::InvalidArgumentError("count: must not be negative");
  if (request.labels_per_document < 0 || request.labels_per_document > kMaxPdfLabelsPerMessage) {
    return absl::InvalidArgumentError(
        absl::StrCat("labels_per_document: must be between 1 and ", kMaxPdfLabelsPerMessage, " (0: 24)"));
  }

  Render render;
  uint64_t next_serial = 0;
  if (!request.resume_render.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("resume_render", request.resume_render, "renders"));
    OCOP_ASSIGN_OR_RETURN(render, renders_->ResumeRender(request.resume_render, request.printer,
                                                         request.last_received_serial, kMaxResend, clock_()));
    next_serial = request.last_received_serial + 1;
  } else {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("roll", request.roll, "rolls"));
    if (!request.reprint_order.empty()) {
      OCOP_RETURN_IF_ERROR(validate::ResourceName("reprint_order", request.reprint_order, "reprintOrders"));
    }
    OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(request.roll));
    OCOP_RETURN_IF_ERROR(CheckMayPrint(actor, roll));
    uint64_t first = request.first_serial == 0 ? roll.first_serial : request.first_serial;
    uint64_t count = request.count == 0 && roll.Contains(first)
                         ? roll.first_serial + static_cast<uint64_t>(roll.count) - first
                         : static_cast<uint64_t>(request.count);
    OCOP_ASSIGN_OR_RETURN(uint64_t last, CheckRange(roll, first, count));
    render.name = absl::StrCat("renders/", validate::NewId(issuer_));
    render.roll = roll.name;
    render.first_serial = first;
    render.last_serial = last;
    render.printer = request.printer;
    render.actor = actor.subject;
    render.reprint_order = request.reprint_order;
    render.start_time = clock_();
    OCOP_ASSIGN_OR_RETURN(render, renders_->StartRender(render));
    next_serial = first;
  }
  OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(render.roll));
  // A resumed render is checked here, once its roll is known (resuming only records re-sends, which
  // over-states what left the service, never hides it).
  OCOP_RETURN_IF_ERROR(CheckMayPrint(actor, roll));
  const bool pdf = request.format == ImageFormat::kPdfA4Sheet || request.format == ImageFormat::kPdfLabelRoll;
  label::LabelText label;
  if (pdf || request.format == ImageFormat::kZpl) {
    // Labels carry text owned by the batch and registry services: asked once per stream.
    absl::StatusOr<BatchOwner> lot = batches_->OwnerOf(roll.batch);
    absl::StatusOr<ProductLabel> product =
        lot.ok() ? products_->LabelOf(roll.product, VietnamDay(clock_())) : absl::StatusOr<ProductLabel>(lot.status());
    if (!product.ok()) {
      return absl::UnavailableError(absl::StrCat("label text unavailable: ", product.status().message()));
    }
    label.product_name = product->display_name;
    label.stars = product->stars;
    label.lot_code = lot->lot_code;
  }

  RenderedStamp rendered;
  rendered.render = render.name;
  rendered.content_type = ContentType(request.format);
  // A PDF message is a whole document for a chunk of labels; every other format is one stamp.
  const uint64_t per_message =
      !pdf ? 1 : request.labels_per_document > 0 ? request.labels_per_document : kPdfLabelsPerMessage;
  uint64_t recorded_through = render.last_sent_serial;
  std::vector<label::PdfLabel> sheet;
  for (uint64_t serial = next_serial; serial <= render.last_serial;) {
    const uint64_t message_last = std::min(render.last_serial, serial + per_message - 1);
    if (message_last > recorded_through) {
      // Record before sending, a chunk at a time: the record never under-states what was sent.
      recorded_through = std::min(render.last_serial, std::max(message_last, serial + kRenderChunk - 1));
      OCOP_RETURN_IF_ERROR(renders_->AdvanceRender(render.name, recorded_through, clock_()));
    }
    rendered.serial = serial;
    rendered.last_serial = message_last;
    sheet.clear();
    for (uint64_t current = serial; current <= message_last; ++current) {
      OCOP_ASSIGN_OR_RETURN(rendered.token, TokenFor(roll, current));
      rendered.pin.clear();
      if (!roll.pin_secret_id.empty()) {
        OCOP_ASSIGN_OR_RETURN(rendered.pin, pins_->Pin(roll.pin_secret_id, current));
      }
      OCOP_ASSIGN_OR_RETURN(rendered.url, UrlFor(roll, current, rendered.token));
      label.serial = current;
      label.pin = rendered.pin;
      if (request.format == ImageFormat::kZpl) {
        rendered.image = label::RenderZplLabel(rendered.url, label);
        continue;
      }
      OCOP_ASSIGN_OR_RETURN(qr::QrMatrix matrix, qr::Encode(rendered.url, qr_options));
      if (pdf) {
        sheet.push_back(label::PdfLabel{std::move(matrix), label});
      } else if (request.format == ImageFormat::kSvg) {
        rendered.image = qr::RenderSvg(matrix, module_pixels);
      } else {
        OCOP_ASSIGN_OR_RETURN(rendered.image, qr::RenderPng(matrix, module_pixels, request.dpi));
      }
    }
    if (pdf) {
      OCOP_ASSIGN_OR_RETURN(rendered.image,
                            label::RenderPdfLabels(sheet, request.format == ImageFormat::kPdfA4Sheet
                                                              ? label::PdfPage::kA4Sheet
                                                              : label::PdfPage::kLabelRoll));
      // A document covers many stamps: their tokens and PINs are in it, not in the message.
      rendered.token.clear();
      rendered.url.clear();
      rendered.pin.clear();
    }
    if (!emit(rendered)) return absl::OkStatus();
    serial = message_last + 1;
  }
  return absl::OkStatus();
}

absl::StatusOr<ReprintOrder> Stamps::OrderReprint(const Actor& actor, const std::string& roll_name,
                                                  uint64_t first_serial, int64_t count, const std::string& reason,
                                                  const std::string& request_id,
                                                  const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("roll", roll_name, "rolls"));
  OCOP_RETURN_IF_ERROR(validate::Text("reason", reason, 500, true));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  if (count < 1) return absl::InvalidArgumentError("count: must be at least 1");
  OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(roll_name));
  // A reprint is the office's decision, not the producer's: a producer cannot order copies of its
  // own stamps.
  if (actor.role != "admin" && actor.role != "office") {
    return absl::PermissionDeniedError("OrderReprint: only an OCOP office or an admin may order a reprint");
  }
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, roll.name, roll.producer));
  OCOP_ASSIGN_OR_RETURN(uint64_t last, CheckRange(roll, first_serial, static_cast<uint64_t>(count)));
  ReprintOrder order{absl::StrCat("reprintOrders/", validate::NewId(issuer_)),
                     roll.name, first_serial, last, reason, actor.subject, clock_(), ""};
  return renders_->CreateReprintOrder(order, store::IdempotencyKey{actor.subject, "OrderReprint", request_id,
                                                                   request_fingerprint});
}

absl::StatusOr<std::vector<Render>> Stamps::ListRenders(const Actor& actor, const std::string& roll_name) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("roll", roll_name, "rolls"));
  OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(roll_name));
  OCOP_RETURN_IF_ERROR(CheckMayPrint(actor, roll));  // its producer, office or printing house
  return renders_->ListRenders(roll_name);
}

namespace {

const char* StateName(StampState state) {
  switch (state) {
    case StampState::kIssued: return "issued";
    case StampState::kActive: return "active";
    case StampState::kVoid: return "void";
    case StampState::kRevoked: return "revoked";
    default: return "unknown";
  }
}

// FAILED_PRECONDITION when a serial the change covers is void or revoked and `target` is another
// state: both are final.
absl::Status CheckNoFinalConflict(const Roll& roll, const RangeChange& change, StampState target) {
  for (const StampStates::Range& range : change.before) {
    bool final_state = range.value == StampState::kVoid || range.value == StampState::kRevoked;
    if (!final_state || range.value == target) continue;
    return absl::FailedPreconditionError(absl::StrCat("first_serial: serials ", range.first, "..", range.last, " of ",
                                                      roll.name, " are ", StateName(range.value),
                                                      " (final); they cannot become ", StateName(target)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<Roll> Stamps::ChangeStamps(const Actor& actor, StampState target, const ChangeStampsRequest& request,
                                          const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(validate::ResourceName("roll", request.roll, "rolls"));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request.request_id, 100, false));
  OCOP_RETURN_IF_ERROR(validate::Text("reason", request.reason, 500, target != StampState::kActive));
  if (request.count < 1) return absl::InvalidArgumentError("count: must be at least 1");
  if (request.override_package_limit && request.reason.empty()) {
    return absl::InvalidArgumentError("reason: required to override the package limit");
  }
  OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(request.roll));
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, roll.name, roll.producer));
  const uint64_t first = request.first_serial;
  OCOP_ASSIGN_OR_RETURN(const uint64_t last, CheckRange(roll, first, static_cast<uint64_t>(request.count)));
  int64_t package_count = 0;
  if (target == StampState::kActive) {
    absl::StatusOr<BatchOwner> owner = batches_->OwnerOf(roll.batch);
    if (!owner.ok()) {
      return absl::UnavailableError(absl::StrCat("batch service unavailable: ", owner.status().message()));
    }
    package_count = owner->package_count;
    OCOP_RETURN_IF_ERROR(CheckLotTakesStamps("roll", roll.batch, *owner));
  }
  RangeOperation operation{first, last, target, request.reason, actor.subject, clock_()};
  const bool may_exceed = request.override_package_limit;
  auto check = [&](const Roll& current, const RangeChange& change) -> absl::Status {
    OCOP_RETURN_IF_ERROR(CheckNoFinalConflict(current, change, target));
    if (change.ranges_after > config_.max_ranges_per_roll) {
      return absl::FailedPreconditionError(absl::StrCat(
          "first_serial: ", current.name, " would have ", change.ranges_after, " separate ranges of states (at most ",
          config_.max_ranges_per_roll, "); change whole ranges, or stamp scattered packages from a new roll"));
    }
    if (target != StampState::kActive || package_count == 0 || may_exceed) return absl::OkStatus();
    const int64_t active = change.lot_active_before + change.active_delta;
    if (active > package_count) {
      return absl::FailedPreconditionError(absl::StrCat(
          "count: activating would make ", active, " active stamps for ", current.batch, ", which declares ",
          package_count, " packages; set override_package_limit with a reason if that is right"));
    }
    return absl::OkStatus();
  };
  return repository_->AddOperation(
      roll.name, operation,
      store::IdempotencyKey{actor.subject, absl::StrCat("ChangeStamps/", StateName(target)), request.request_id,
                            request_fingerprint},
      check);
}

absl::StatusOr<PinOutcome> Stamps::VerifyPin(const Actor&, const VerifyPinRequest& request) {
  if (request.token.empty()) {
    return absl::InvalidArgumentError("token: required: the stamp's signed token as printed (a serial is not enough)");
  }
  const std::string given = absl::AsciiStrToUpper(request.token);
  absl::StatusOr<token::StampToken> token = token::DecodeToken(given);
  if (!token.ok()) return absl::InvalidArgumentError(absl::StrCat("token: ", token.status().message()));
  const std::string name = absl::StrCat("stamps/", token->serial);
  if (!request.stamp.empty() && request.stamp != name) {
    return absl::InvalidArgumentError(absl::StrCat("stamp: ", request.stamp, " is not the token's stamp (", name, ")"));
  }
  bool digits = request.pin.size() == static_cast<size_t>(kPinDigits);
  for (char c : request.pin) digits = digits && absl::ascii_isdigit(c);
  if (!digits) return absl::InvalidArgumentError(absl::StrCat("pin: must be ", kPinDigits, " digits"));
  absl::StatusOr<Stamp> stamp = LoadStamp(name);
  // Ed25519 is deterministic: the token this service signs for the serial is the only valid one.
  // Compared in constant time, so the answer time does not reveal how much of a guess was right.
  if (absl::IsNotFound(stamp.status()) || (stamp.ok() && !crypto::ConstantTimeEquals(stamp->token, given))) {
    return absl::NotFoundError("token: not a stamp this service issued");
  }
  OCOP_RETURN_IF_ERROR(stamp.status());
  if (stamp->state != StampState::kActive) {
    // A stamp not on sale is never "verified": the consumer is told its state instead.
    PinOutcome outcome;
    outcome.result = PinResult::kStampNotActive;
    outcome.stamp_state = stamp->state;
    return outcome;
  }
  if (stamp->roll.pin_secret_id.empty()) return PinOutcome{PinResult::kNotAvailable};
  const absl::Time now = clock_();
  if (ratelimit::Decision allowed = wrong_pins_by_client_.Peek(request.client, now); !allowed.allowed) {
    static prometheus::Counter& rejections = ratelimit::RejectionsOf("stamp_wrong_pins");
    rejections.Increment();
    return absl::ResourceExhaustedError(absl::StrCat("pin: too many wrong PINs from this client; retry in ",
                                                     absl::ToInt64Minutes(allowed.retry_after) + 1, " min"));
  }
  OCOP_ASSIGN_OR_RETURN(std::string expected, pins_->Pin(stamp->roll.pin_secret_id, stamp->serial));
  // Constant-time comparison: the answer time must not hint at how many digits were right.
  const bool correct = crypto::ConstantTimeEquals(expected, request.pin);
  OCOP_ASSIGN_OR_RETURN(PinOutcome outcome, repository_->RecordPinTry(stamp->serial, [&](PinRecord& record) {
    return ApplyPinTry(record, correct, now, config_.pin_policy);
  }));
  if (!correct) wrong_pins_by_client_.Allow(request.client, now);  // only wrong PINs cost the client
  return outcome;
}

absl::StatusOr<std::string> Stamps::ProducerOfChange(const std::string& entity, const std::string& name) {
  if (entity == "roll") {
    OCOP_ASSIGN_OR_RETURN(Roll roll, repository_->GetRoll(name));
    return roll.producer;
  }
  if (entity == "stamp") {
    OCOP_ASSIGN_OR_RETURN(Stamp stamp, LoadStamp(name));
    return stamp.roll.producer;
  }
  return absl::NotFoundError(absl::StrCat(entity, " changes belong to no producer"));
}

absl::StatusOr<Stamp> Stamps::GetStamp(const Actor& actor, const std::string& name) {
  OCOP_ASSIGN_OR_RETURN(Stamp stamp, LoadStamp(name));
  // The token (and the URL that carries it) is what makes a copy pass as genuine: only the stamp's
  // producer and our own services see it, not even an admin or the office.
  const bool owner = actor.role == "producer" && !actor.producer.empty() && actor.producer == stamp.roll.producer;
  if (!owner && actor.role != "service") {
    stamp.token.clear();
    stamp.url.clear();
  }
  return stamp;
}

absl::StatusOr<Stamp> Stamps::LoadStamp(const std::string& name) {
  absl::string_view id = name;
  uint64_t serial = 0;
  if (!absl::ConsumePrefix(&id, "stamps/") || !absl::SimpleAtoi(id, &serial) || serial == 0 ||
      !absl::ascii_isdigit(id.front())) {
    return absl::InvalidArgumentError(absl::StrCat("name: must look like stamps/{serial}, got '",
                                                   absl::string_view(name).substr(0, 80), "'"));
  }
  absl::StatusOr<Roll> roll = repository_->FindRollBySerial(serial);
  if (absl::IsNotFound(roll.status())) return absl::NotFoundError(absl::StrCat(name, " was never issued"));
  OCOP_RETURN_IF_ERROR(roll.status());
  Stamp stamp;
  stamp.serial = serial;
  stamp.roll = std::move(*roll);
  OCOP_ASSIGN_OR_RETURN(stamp.state, repository_->StateOfSerial(serial));
  OCOP_ASSIGN_OR_RETURN(stamp.token, TokenFor(stamp.roll, serial));
  OCOP_ASSIGN_OR_RETURN(stamp.url, UrlFor(stamp.roll, serial, stamp.token));
  OCOP_ASSIGN_OR_RETURN(stamp.copy_flag_cleared_through, repository_->CopyFlagClearedThrough(serial));
  return stamp;
}

absl::StatusOr<Stamp> Stamps::ClearCopyFlag(const Actor& actor, const std::string& name, const std::string& reason,
                                            const std::string& request_id, const std::string& request_fingerprint) {
  if (actor.role != "office" && actor.role != "admin") {
    return absl::PermissionDeniedError(
        "ClearCopyFlag: only an OCOP office (role \"office\") or an admin may clear a copy flag");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("reason", reason, 500, true));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  OCOP_ASSIGN_OR_RETURN(Stamp stamp, LoadStamp(name));
  OCOP_RETURN_IF_ERROR(CheckOwner(actor, name, stamp.roll.producer));
  CopyFlagClearance clearance{stamp.serial, absl::FormatCivilTime(VietnamDay(clock_())), reason, actor.subject,
                              clock_()};
  OCOP_RETURN_IF_ERROR(repository_->AddCopyFlagClearance(
      clearance, store::IdempotencyKey{actor.subject, "ClearCopyFlag", request_id, request_fingerprint}));
  return GetStamp(actor, name);
}

}  // namespace ocop::stamp
