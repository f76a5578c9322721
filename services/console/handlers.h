// What the console's page handlers share: reading posted forms and queries, and sorting a
// backend's refusals into "show the form again" and "show an error page".
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include <grpcpp/support/status.h>

#include "absl/time/time.h"
#include "common/http/http_server.h"
#include "services/console/html.h"

namespace ocop::console {

// Vietnam's time zone (UTC+7, no daylight saving).
const absl::TimeZone& Vietnam();

// An id as the services make them: letters, digits, '-' and '_' (anything else is no page of ours).
bool IsId(const std::string& text);

// Refusals that belong next to the form's fields (the person can fix them); anything else gets the
// error page.
bool IsFormRefusal(const grpc::Status& status);
// 400 for invalid input, 409 for a conflict with what is stored.
int HttpStatusOfRefusal(const grpc::Status& status);

// A form state carrying what was posted (to show it again).
FormState Posted(const std::map<std::string, std::string>& form);

// "field: reason" as a refusal the console finds itself, before any backend call.
grpc::Status Refuse(const std::string& field, const std::string& reason);

// A whole number (at least 0) or a decimal number ("2,5" as people write it here) from a field,
// or the refusal that names the field.
grpc::Status ParseCount(const FormState& form, const std::string& field, int64_t* out, bool required);
grpc::Status ParseQuantity(const FormState& form, const std::string& field, double* out, bool required);

// The notice for "?done=..." after a change, "Vietnamese|English"; "" for an unknown value.
std::string NoticeFor(const std::string& done);

// The query parameter `name` of the request ("" when absent or the query is malformed).
std::string QueryValue(const http::HttpRequest& request, const std::string& name);

}  // namespace ocop::console
