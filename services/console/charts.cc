#include "services/console/charts.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/http/web.h"
#include "services/console/html.h"

namespace ocop::console {
namespace {

using http::HtmlEscape;

constexpr int kWidth = 640;
constexpr int kHeight = 200;
constexpr int kLeft = 40;    // room for the scale
constexpr int kBottom = 28;  // room for the labels
constexpr int kTop = 12;

}  // namespace

std::string BarChart(const std::vector<Bar>& bars, const std::string& caption_vi, const std::string& caption_en,
                     const std::string& value_vi, const std::string& value_en) {
  int64_t most = 0;
  int64_t total = 0;
  for (const Bar& bar : bars) {
    most = std::max(most, bar.value);
    total += bar.value;
  }
  const std::string caption = absl::StrCat(caption_vi, " / ", caption_en);
  std::string out = absl::StrCat("<figure class=\"chart\"><svg viewBox=\"0 0 ", kWidth, " ", kHeight,
                                 "\" role=\"img\" aria-label=\"", HtmlEscape(caption), ": ", total,
                                 "\" preserveAspectRatio=\"none\" width=\"100%\" height=\"", kHeight, "\"><title>",
                                 HtmlEscape(caption), "</title>");
  const int plot_width = kWidth - kLeft - 4;
  const int plot_height = kHeight - kTop - kBottom;
  // The scale: the largest value and zero.
  absl::StrAppend(&out, "<line x1=\"", kLeft, "\" y1=\"", kTop + plot_height, "\" x2=\"", kWidth - 4, "\" y2=\"",
                  kTop + plot_height, "\" stroke=\"#9aa59e\"/>", "<text x=\"", kLeft - 4, "\" y=\"", kTop + 4,
                  "\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6660\">", most, "</text><text x=\"", kLeft - 4,
                  "\" y=\"", kTop + plot_height, "\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6660\">0</text>");
  if (!bars.empty()) {
    const double slot = static_cast<double>(plot_width) / static_cast<double>(bars.size());
    const double width = std::max(1.0, slot * 0.8);
    // At most about eight labels under the bars, so they never overlap.
    const size_t label_every = std::max<size_t>(1, (bars.size() + 7) / 8);
    for (size_t i = 0; i < bars.size(); ++i) {
      const Bar& bar = bars[i];
      const double x = kLeft + slot * static_cast<double>(i) + (slot - width) / 2;
      const double height = most == 0 ? 0 : plot_height * static_cast<double>(bar.value) / static_cast<double>(most);
      const double flagged =
          most == 0 ? 0 : plot_height * static_cast<double>(std::min(bar.highlight, bar.value)) / static_cast<double>(most);
      absl::StrAppend(&out, absl::StrFormat("<rect class=\"bar\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                            "fill=\"#1f5e3a\"><title>%s: %d</title></rect>",
                                            x, kTop + plot_height - height, width, height, HtmlEscape(bar.label),
                                            bar.value));
      if (flagged > 0) {
        absl::StrAppend(&out, absl::StrFormat("<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                                              "fill=\"#b3261e\"><title>%s: %d</title></rect>",
                                              x, kTop + plot_height - flagged, width, flagged, HtmlEscape(bar.label),
                                              bar.highlight));
      }
      if (i % label_every == 0) {
        absl::StrAppend(&out, absl::StrFormat("<text x=\"%.1f\" y=\"%d\" font-size=\"11\" text-anchor=\"middle\" "
                                              "fill=\"#5b6660\">%s</text>",
                                              x + width / 2, kHeight - 10, HtmlEscape(bar.label.size() == 10
                                                                                          ? bar.label.substr(5)
                                                                                          : bar.label)));
      }
    }
  }
  absl::StrAppend(&out, "</svg><figcaption>", Both(HtmlEscape(caption_vi), HtmlEscape(caption_en)),
                  "</figcaption><details><summary>", Both("Bảng số liệu", "The numbers"),
                  "</summary><table><thead><tr><th scope=\"col\">", Both("Mục", "Item"), "</th><th scope=\"col\">",
                  Both(HtmlEscape(value_vi), HtmlEscape(value_en)), "</th></tr></thead><tbody>");
  for (const Bar& bar : bars) {
    absl::StrAppend(&out, "<tr><td data-label=\"Mục / Item\">", HtmlEscape(bar.label), "</td><td data-label=\"",
                    HtmlEscape(value_vi), "\">", bar.value, bar.highlight > 0 ? absl::StrCat(" (", bar.highlight, ")") : "",
                    "</td></tr>");
  }
  absl::StrAppend(&out, "</tbody></table></details></figure>");
  return out;
}

}  // namespace ocop::console
