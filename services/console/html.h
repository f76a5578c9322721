// Building blocks of the console's pages: labels in both languages, and forms that keep what was
// typed and show each refusal next to its field (accessible: every input has a label, an error is
// tied to its field with aria-describedby and announced with role="alert").
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/string_view.h"
#include "grpcpp/support/status.h"

namespace ocop::console {

// "Tiếng Việt <span class=en lang=en>English</span>" (both already HTML).
std::string Both(absl::string_view vi, absl::string_view en);

// One form's state: what was typed, and why the backend refused it.
struct FormState {
  std::map<std::string, std::string> values;
  // By field name: the backend's reason (English; the page puts a Vietnamese lead before it).
  std::map<std::string, std::string> errors;
  // A refusal not tied to a field of the form.
  std::string error;
  // The idempotency key the form posts: a retried or double-clicked submit is applied once. Kept
  // when a refused form is shown again (nothing was stored under it).
  std::string request_id;

  // What was typed in `name`, or `fallback` when the form is fresh.
  std::string Value(const std::string& name, const std::string& fallback = "") const;
  bool failed() const { return !errors.empty() || !error.empty(); }
};

// Puts a backend's refusal on `form`: "batch.lot_code: already used" goes next to the field
// `lot_code` when the form has one (`fields`), otherwise on the form. "details[pesticide]" names
// the field `pesticide`.
void AddRefusal(FormState& form, const grpc::Status& status, const std::vector<std::string>& fields);

struct InputSpec {
  InputSpec(std::string name_in, std::string vi_in, std::string en_in)
      : name(std::move(name_in)), vi(std::move(vi_in)), en(std::move(en_in)) {}
  InputSpec& Type(std::string value) { type = std::move(value); return *this; }
  InputSpec& Required(bool value = true) { required = value; return *this; }
  InputSpec& Attributes(std::string value) { attributes = std::move(value); return *this; }
  InputSpec& Hint(std::string value) { hint = std::move(value); return *this; }

  std::string name;
  std::string vi;
  std::string en;
  // text, number, date, datetime-local, url, textarea, checkbox
  std::string type = "text";
  bool required = false;
  // Extra attributes, already HTML (e.g. `min="1" step="any"`).
  std::string attributes;
  // A hint under the label, both languages, already HTML.
  std::string hint;
};

// A labelled input in form `form_id`, holding what was typed (or `fallback`), with its error.
std::string Input(const FormState& form, const std::string& form_id, const InputSpec& spec,
                  const std::string& fallback = "");

// A labelled <select>; `options` are (value, label HTML).
std::string Select(const FormState& form, const std::string& form_id, const std::string& name,
                   const std::string& vi, const std::string& en,
                   const std::vector<std::pair<std::string, std::string>>& options, const std::string& fallback = "");

// <form method=post> with the session's CSRF token and the form's idempotency key, then the form's
// own error (if any). Close with FormEnd.
// `files`: the form carries file inputs (multipart/form-data).
std::string FormStart(const std::string& form_id, const std::string& action, const std::string& csrf,
                      const FormState& form, const std::string& heading_vi, const std::string& heading_en,
                      bool files = false);
std::string FormEnd(const std::string& button_vi, const std::string& button_en);

// One row of a definition list (<dt>/<dd>), "–" for an empty value (`value_html` is HTML).
std::string Fact(const std::string& vi, const std::string& en, const std::string& value_html);

// A short message after a successful change ("?done=..."), announced to screen readers.
std::string Notice(const std::string& vi, const std::string& en);
// The same from "Vietnamese|English" (handlers.h NoticeFor); "" for "".
std::string NoticeOf(const std::string& both);

}  // namespace ocop::console
