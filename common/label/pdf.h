// Print-ready PDF stamp labels, drawn with cairo: each label has the QR code (vector modules) and
// the product name, OCOP stars, lot code and serial as text. A document is self-contained, so a
// stream can send one document per chunk of labels.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "common/label/zpl.h"
#include "common/qr/qr.h"

namespace ocop::label {

enum class PdfPage {
  // A4 sheets (210 x 297 mm) with a grid of 3 x 8 labels of 64 x 34 mm.
  kA4Sheet,
  // A label roll: every page is one 64 x 34 mm label.
  kLabelRoll,
};

// Labels per page for `page`.
int LabelsPerPage(PdfPage page);

struct PdfLabel {
  qr::QrMatrix code;
  LabelText text;
};

// One PDF document with `labels` in order. INVALID_ARGUMENT when there are none; INTERNAL when
// cairo fails.
absl::StatusOr<std::string> RenderPdfLabels(const std::vector<PdfLabel>& labels, PdfPage page);

}  // namespace ocop::label
