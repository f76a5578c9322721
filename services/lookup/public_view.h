// The public side's allow-list: builds the public messages of lookup.proto field by field from the
// backends' messages. Nothing else leaves lookup, so a field added to a backend message (a phone,
// a tax code, who recorded an event) is not published until someone adds it here on purpose and
// to docs/privacy.md.
#pragma once

#include "absl/time/civil_time.h"
#include "ocop/batch/v1/batch.pb.h"
#include "ocop/lookup/v1/lookup.pb.h"
#include "ocop/registry/v1/registry.pb.h"
#include "ocop/stamp/v1/stamp.pb.h"

namespace ocop::lookup {

// The product with its OCOP mark as of `day` (Vietnam): stars only when certified that day.
v1::PublicProduct PublicProductOf(const registry::v1::Product& product, absl::CivilDay day);
v1::PublicProducer PublicProducerOf(const registry::v1::Producer& producer);
v1::PublicLot PublicLotOf(const batch::v1::Batch& batch);
v1::PublicEvent PublicEventOf(const batch::v1::BatchEvent& event);
v1::PublicSeason PublicSeasonOf(const batch::v1::Season& season);

}  // namespace ocop::lookup
