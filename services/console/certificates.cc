// The certificates of a closed evaluation round, for the office: the list of certified products
// (CSV, for the decision's annex and the province's website) and a printable certificate per
// product, with a QR code to the product's public page on lookup.
#include <map>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/strip.h"
#include "common/csv/csv.h"
#include "common/label/certificate.h"
#include "common/ocop_mark/ocop_mark.h"
#include "common/qr/qr.h"
#include "services/console/console.h"
#include "services/console/pages.h"
#include "services/console/responses.h"

namespace ocop::console {
namespace {

// What a certificate states, gathered from the round's result, the product's rating and its
// producer.
struct Certified {
  registry::v1::RoundResult::Row row;
  registry::v1::OcopRating rating;
  registry::v1::Producer producer;
  registry::v1::ProductGroup group = registry::v1::PRODUCT_GROUP_UNSPECIFIED;
};

// Today's commune and province of the producer, as the certificate prints them.
std::string Commune(const registry::v1::Producer& producer) {
  const common::v1::Address& address = producer.address();
  return address.current_commune_name().empty() ? address.commune_name() : address.current_commune_name();
}
std::string Province(const registry::v1::Producer& producer) {
  const common::v1::Address& address = producer.address();
  return address.current_province_name().empty() ? address.province_name() : address.current_province_name();
}

// A file name from a certificate number: ASCII letters, digits, '-' and '_' only.
std::string FileNameOf(const std::string& certificate_number) {
  std::string name;
  for (char c : certificate_number) name += absl::ascii_isalnum(c) || c == '-' || c == '_' ? c : '-';
  return name.empty() ? "certificate" : name;
}

}  // namespace

std::string Console::PublicProductUrl(const std::string& product) const {
  absl::string_view id = product;
  absl::ConsumePrefix(&id, "products/");
  return absl::StrCat(config_.public_base_url, "/p/", id);
}

http::HttpResponse Console::Certificates(const http::HttpRequest& request, Session& session,
                                         const std::string& round_name, const std::string& dossier) {
  (void)request;
  registry::v1::GetRoundRequest get_round;
  get_round.set_name(round_name);
  registry::v1::EvaluationRound round;
  grpc::Status status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->GetRound(c, get_round, &round); });
  if (!status.ok()) return BackendError(status, &session);
  if (round.state() != registry::v1::ROUND_STATE_CLOSED) {
    return Html(409, RenderMessage(&session, "Đợt đánh giá chưa kết thúc nên chưa có giấy chứng nhận",
                                   "The round is not closed yet: it has no certificates"));
  }
  registry::v1::GetRoundResultRequest get_result;
  get_result.set_name(round_name);
  registry::v1::RoundResult result;
  status = Call(session, [&](grpc::ClientContext* c) { return evaluation_->GetRoundResult(c, get_result, &result); });
  if (!status.ok()) return BackendError(status, &session);

  // The rows that earned a certificate (3 stars or more), or the one asked for.
  std::vector<Certified> certified;
  for (const registry::v1::RoundResult::Row& row : result.rows()) {
    if (row.certificate_number().empty() || (!dossier.empty() && row.dossier() != dossier)) continue;
    Certified entry;
    entry.row = row;
    registry::v1::GetProductRequest get_product;
    get_product.set_name(row.product());
    registry::v1::Product product;
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProduct(c, get_product, &product); });
    if (!status.ok()) return BackendError(status, &session);
    entry.group = product.group();
    if (product.rating().name() == row.rating()) {
      entry.rating = product.rating();
    } else {  // a later rating has superseded the round's: find the round's in the history
      registry::v1::ListRatingsRequest list;
      list.set_parent(row.product());
      registry::v1::ListRatingsResponse ratings;
      status = Call(session, [&](grpc::ClientContext* c) { return registry_->ListRatings(c, list, &ratings); });
      if (!status.ok()) return BackendError(status, &session);
      for (const registry::v1::OcopRating& rating : ratings.ratings()) {
        if (rating.name() == row.rating()) entry.rating = rating;
      }
    }
    registry::v1::GetProducerRequest get_producer;
    get_producer.set_name(row.producer());
    status = Call(session, [&](grpc::ClientContext* c) { return registry_->GetProducer(c, get_producer, &entry.producer); });
    if (!status.ok()) return BackendError(status, &session);
    certified.push_back(std::move(entry));
  }
  const std::string round_id = round_name.substr(round_name.rfind('/') + 1);

  if (dossier.empty()) {
    // UTF-8 with a byte order mark, so a spreadsheet opens the Vietnamese names as they are.
    std::string csv = "\xEF\xBB\xBF";
    csv += csv::FormatRecord({"certificate_number", "product", "product_name", "group", "producer", "producer_name",
                              "commune", "province", "stars", "score", "decision_number", "decision_date",
                              "valid_until", "public_page"});
    for (const Certified& entry : certified) {
      csv += csv::FormatRecord(
          {entry.row.certificate_number(), entry.row.product(), entry.row.product_display_name(),
           ocop_mark::LabelOf(entry.group).vietnamese, entry.row.producer(), entry.row.producer_display_name(),
           Commune(entry.producer), Province(entry.producer), absl::StrCat(entry.row.stars()),
           absl::StrCat(entry.row.score()), entry.rating.decision_number(), entry.rating.decision_date(),
           entry.rating.valid_until(), PublicProductUrl(entry.row.product())},
          csv::Formulas::kNeutralise);
    }
    return Attachment("text/csv; charset=utf-8", absl::StrCat("certificates-", round_id, ".csv"), std::move(csv));
  }

  if (certified.empty()) {
    return Html(404, RenderMessage(&session, "Hồ sơ này không có giấy chứng nhận (dưới 3 sao hoặc không thuộc đợt)",
                                   "This dossier has no certificate (under 3 stars, or not of this round)"));
  }
  const Certified& entry = certified.front();
  label::CertificateText text;
  text.issuer = round.display_name();
  text.product_name = entry.row.product_display_name();
  text.producer_name = entry.row.producer_display_name();
  text.producer_address = absl::StrCat(Commune(entry.producer), ", ", Province(entry.producer));
  text.stars = entry.row.stars();
  text.score = entry.row.score();
  text.certificate_number = entry.row.certificate_number();
  text.decision_number = entry.rating.decision_number();
  text.decision_date = entry.rating.decision_date();
  text.valid_until = entry.rating.valid_until();
  text.public_url = PublicProductUrl(entry.row.product());
  absl::StatusOr<qr::QrMatrix> code = qr::Encode(text.public_url);
  absl::StatusOr<std::string> pdf =
      code.ok() ? label::RenderCertificatePdf(text, *code) : absl::StatusOr<std::string>(code.status());
  if (!pdf.ok()) {
    return Html(500, RenderMessage(&session, "Không tạo được giấy chứng nhận", "The certificate could not be made"));
  }
  return Attachment("application/pdf", FileNameOf(text.certificate_number) + ".pdf", std::move(*pdf));
}

}  // namespace ocop::console
