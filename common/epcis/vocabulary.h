// The EPCIS business steps and dispositions ocop-trace accepts: GS1 CBV 2.0 terms plus our own
// "ocop:" terms for the farm and lot stages the CBV lacks, with where each may be recorded and
// its Vietnamese and English names for consumers.
#pragma once

#include <string_view>

namespace ocop::epcis {

// Where a business step may be recorded.
enum class StepScope {
  kSeason,  // farm stages, before any lot exists (planting, spraying, ...)
  kLot,     // a lot's life (processing, packing, shipping, ...)
  kEither,  // inspecting, sampling, sensor reports: on a field or on a lot
  kServer,  // recorded only by the batch service itself (harvest from seasons, split, blend, recall)
};

struct StepInfo {
  std::string_view name;  // "shipping", "ocop:planting"
  StepScope scope;
  const char* vietnamese;
  const char* english;
};

// The step named `name`, or nullptr when it is not in our vocabulary.
const StepInfo* FindStep(std::string_view name);

// True for a CBV 2.0 disposition ("in_transit", "recalled", ...).
bool IsDisposition(std::string_view name);

// Our namespace for "ocop:" terms in EPCIS JSON-LD documents.
inline constexpr std::string_view kOcopNamespace = "urn:ocop-trace:voc:";

}  // namespace ocop::epcis
