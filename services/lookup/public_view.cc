#include "services/lookup/public_view.h"

#include "common/ocop_category/ocop_category.h"
#include "common/ocop_mark/ocop_mark.h"

namespace ocop::lookup {
namespace {

v1::OcopMarkState MarkStateOf(ocop_mark::MarkState state) {
  switch (state) {
    case ocop_mark::MarkState::kCertified: return v1::OCOP_MARK_STATE_CERTIFIED;
    case ocop_mark::MarkState::kExpired: return v1::OCOP_MARK_STATE_EXPIRED;
    case ocop_mark::MarkState::kNotCertified: return v1::OCOP_MARK_STATE_NOT_CERTIFIED;
    case ocop_mark::MarkState::kSuspended: return v1::OCOP_MARK_STATE_SUSPENDED;
    case ocop_mark::MarkState::kWithdrawn: return v1::OCOP_MARK_STATE_WITHDRAWN;
  }
  return v1::OCOP_MARK_STATE_UNSPECIFIED;
}

}  // namespace

v1::PublicProduct PublicProductOf(const registry::v1::Product& product, absl::CivilDay day) {
  v1::PublicProduct out;
  out.set_name(product.name());
  out.set_display_name(product.display_name());
  out.set_group(product.group());
  out.set_sub_group(product.sub_group());
  if (absl::StatusOr<const ocop_category::Category*> category =
          ocop_category::FindCategory("category", product.category());
      category.ok()) {
    out.set_category(std::string((*category)->code));
    out.set_category_name(std::string((*category)->name));
  }
  out.set_description(product.description());
  out.set_gtin(product.gtin());
  out.set_ingredients(product.ingredients());
  out.set_shelf_life_days(product.shelf_life_days());
  out.set_storage(product.storage());
  for (const registry::v1::ProductImage& image : product.images()) {
    v1::PublicImage* shown = out.add_images();
    shown->set_uri(image.uri());
    shown->set_sha256(image.sha256());
  }
  for (const registry::v1::IntellectualProperty& title : product.intellectual_property()) {
    v1::PublicIntellectualProperty* shown = out.add_intellectual_property();
    shown->set_kind(title.kind());
    shown->set_number(title.number());
    shown->set_holder(title.holder());
  }
  const ocop_mark::Mark mark = ocop_mark::MarkOn(product, day);
  v1::OcopMark* ocop = out.mutable_ocop();
  ocop->set_state(MarkStateOf(mark.state));
  ocop->set_stars(mark.stars);
  // The certificate is public record for ratings of 3 stars or more, also once expired or
  // suspended (the page names what lapsed); a lower rating has none.
  const registry::v1::OcopRating& rating = product.rating();
  if (product.has_rating() && rating.stars() >= 3) {
    ocop->set_certificate_number(rating.certificate_number());
    ocop->set_decision_number(rating.decision_number());
    ocop->set_decision_date(rating.decision_date());
    ocop->set_valid_until(rating.valid_until());
    ocop->set_council_level(rating.council_level());
  }
  return out;
}

v1::PublicProducer PublicProducerOf(const registry::v1::Producer& producer) {
  v1::PublicProducer out;
  out.set_name(producer.name());
  out.set_display_name(producer.display_name());
  out.set_kind(producer.kind());
  const common::v1::Address& address = producer.address();
  v1::PublicAddress* shown = out.mutable_address();
  // A household business is run from a family's home: the commune says enough.
  if (producer.kind() != registry::v1::PRODUCER_KIND_HOUSEHOLD) shown->set_street(address.street());
  shown->set_commune_code(address.commune_code());
  shown->set_commune_name(address.commune_name());
  shown->set_district_name(address.district_name());
  shown->set_province_code(address.province_code());
  shown->set_province_name(address.province_name());
  shown->set_current_province_code(address.current_province_code());
  shown->set_current_province_name(address.current_province_name());
  shown->set_current_commune_code(address.current_commune_code());
  shown->set_current_commune_name(address.current_commune_name());
  return out;
}

v1::PublicLot PublicLotOf(const batch::v1::Batch& batch) {
  v1::PublicLot out;
  out.set_name(batch.name());
  out.set_product(batch.product());
  out.set_lot_code(batch.lot_code());
  out.set_harvest_date(batch.harvest_date());
  out.set_expiry_date(batch.expiry_date());
  out.set_quantity(batch.quantity());
  out.set_unit(batch.unit());
  out.set_growing_area_code(batch.growing_area_code());
  for (const batch::v1::Certification& certification : batch.certifications()) {
    v1::PublicCertification* shown = out.add_certifications();
    shown->set_scheme(certification.scheme());
    shown->set_certificate_number(certification.certificate_number());
    shown->set_certifying_body(certification.certifying_body());
    shown->set_standard(certification.standard());
    shown->set_valid_from(certification.valid_from());
    shown->set_valid_until(certification.valid_until());
    // "YYYY-MM-DD" dates compare as text.
    shown->set_covers_harvest(
        (certification.valid_from().empty() || certification.valid_from() <= batch.harvest_date()) &&
        batch.harvest_date() <= certification.valid_until());
  }
  out.set_status(batch.status());
  out.set_recall_reason(batch.recall_reason());
  if (batch.has_recall_time()) *out.mutable_recall_time() = batch.recall_time();
  out.set_recalled_from(batch.recalled_from());
  *out.mutable_parents() = batch.parents();
  out.set_event_count(batch.event_count());
  if (batch.has_checkpoint()) *out.mutable_checkpoint() = batch.checkpoint();
  return out;
}

v1::PublicEvent PublicEventOf(const batch::v1::BatchEvent& event) {
  v1::PublicEvent out;
  out.set_name(event.name());
  out.set_sequence(event.sequence());
  out.set_type(event.type());
  out.set_biz_step(event.biz_step());
  if (event.has_event_time()) *out.mutable_event_time() = event.event_time();
  out.set_event_time_zone_offset(event.event_time_zone_offset());
  if (event.has_location()) {
    v1::PublicLocation* location = out.mutable_location();
    location->set_display_name(event.location().display_name());
    location->set_commune_code(event.location().commune_code());
    location->set_gln(event.location().gln());
  }
  out.set_disposition(event.disposition());
  *out.mutable_details() = event.details();
  out.set_corrects(event.corrects());
  out.set_correction_reason(event.correction_reason());
  *out.mutable_inputs() = event.inputs();
  *out.mutable_outputs() = event.outputs();
  out.set_chain_hash(event.chain_hash());
  return out;
}

v1::PublicSeason PublicSeasonOf(const batch::v1::Season& season) {
  v1::PublicSeason out;
  out.set_name(season.name());
  out.set_label(season.label());
  out.set_start_date(season.start_date());
  out.set_end_date(season.end_date());
  if (season.has_checkpoint()) *out.mutable_checkpoint() = season.checkpoint();
  return out;
}

}  // namespace ocop::lookup
