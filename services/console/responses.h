// The console's HTTP answers: every page and redirect carries the same security headers.
#pragma once

#include <string>

#include "common/http/http_server.h"

namespace ocop::console {

// A page (no-store: pages hold personal data).
http::HttpResponse Html(int status, std::string body);
// 303 See Other to `location` (after a form: the browser GETs it).
http::HttpResponse Redirect(const std::string& location);
// A file the browser saves (`filename`: ASCII only) rather than shows.
http::HttpResponse Attachment(const std::string& content_type, const std::string& filename, std::string body);

}  // namespace ocop::console
