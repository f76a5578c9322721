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
// Who recorded each event ("ocop:recordedBy") is for the service's own users; the public
// audience (what lookup publishes) gets the document without it.
enum class EpcisAudience { kInternal, kPublic };
std::string EpcisDocument(const Trace& trace, const std::string& gtin, absl::Time now,
                          EpcisAudience audience = EpcisAudience::kInternal);

// The EPCIS class URI of a lot or season (see EpcisDocument).
std::string EpcClass(const std::string& object, const std::string& lot_code, const std::string& gtin);

}  // namespace ocop::batch
