// Charts as SVG drawn by the server: no script, no stylesheet of their own (presentation
// attributes only, which the console's CSP allows), readable without colour (every bar has its
// value in a <title>, and the chart comes with the same numbers as a table).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace ocop::console {

struct Bar {
  std::string label;  // plain text, e.g. "2026-12-01"
  int64_t value = 0;
  // A second series drawn over the first in a warning colour (e.g. "possible copy" scans); 0: none.
  int64_t highlight = 0;
};

// A vertical bar chart of `bars` in order, its caption in both languages, and a table of the same
// numbers in a <details> under it.
std::string BarChart(const std::vector<Bar>& bars, const std::string& caption_vi, const std::string& caption_en,
                     const std::string& value_vi, const std::string& value_en);

}  // namespace ocop::console
