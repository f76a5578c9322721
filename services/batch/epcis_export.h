// The EPCIS 2.0 JSON-LD view of a lot's trace (docs/batches.md, "EPCIS export").
#pragma once

#include <string>

#include "absl/time/time.h"
#include "services/batch/batch_types.h"

namespace ocop::batch {

// An EPCISDocument with every event of `trace` (the lot, its ancestors and seasons), oldest
// first, plus an error declaration for each corrected event. Lots are LGTINs (GS1 Digital Link
// "https://id.gs1.org/01/{gtin}/10/{lot}") when the product has a 14-digit `gtin`, otherwise URNs
// of ours ("urn:ocop-trace:lot:{id}"). The chains' signed checkpoints ride along as
// "ocop:checkpoints".
std::string EpcisDocument(const Trace& trace, const std::string& gtin, absl::Time now);

// The EPCIS class URI of a lot or season (see EpcisDocument).
std::string EpcClass(const std::string& object, const std::string& lot_code, const std::string& gtin);

}  // namespace ocop::batch
