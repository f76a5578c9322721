// The console's HTML: server-rendered, Vietnamese first with English beside it, one small
// stylesheet of our own (/console.css), no script, readable on a 360-pixel phone. Every text that
// comes from data is escaped here.
#pragma once

#include <string>
#include <vector>

#include "absl/time/civil_time.h"
#include "ocop/registry/v1/registry.pb.h"
#include "services/console/html.h"
#include "services/console/sessions.h"

namespace ocop::console {

// A product group's name in both languages (HTML).
std::string GroupName(registry::v1::ProductGroup group);

// The stylesheet served at /console.css.
const std::string& Stylesheet();

// The sign-in form. `error_vi`/`error_en` show next to the password field; `username` is kept.
struct LoginFields {
  std::string username;
  std::string csrf;
  std::string error_vi;
  std::string error_en;
};
std::string RenderLoginPage(const LoginFields& form);

// A page for a signed-in user: the header with their name and the sign-out button, the menu for
// their role, then `body` (HTML). `title_vi`/`title_en` head the page.
std::string RenderPage(const Session& session, const std::string& title_vi, const std::string& title_en,
                       const std::string& body);

// A message alone on a page (errors: not found, not allowed, cannot reach the registry).
std::string RenderMessage(const Session* session, const std::string& vi, const std::string& en);

// How a certificate stands on `today`: valid, expiring within `soon_days`, expired, or none.
enum class CertificateStanding { kNone, kValid, kExpiringSoon, kExpired };
CertificateStanding StandingOf(const registry::v1::OcopRating& rating, absl::CivilDay today, int soon_days);

struct ProductsView {
  std::vector<registry::v1::Product> products;
  std::string query;            // the search as typed
  std::string next_page_token;  // empty on the last page
  std::string this_page_token;  // empty on the first page
  absl::CivilDay today;
  int soon_days = 90;
  bool show_search = false;     // office staff search their province
};
std::string RenderProductsBody(const ProductsView& view);

struct ProducersView {
  std::vector<registry::v1::Producer> producers;
  std::string csrf;
  // The "new producer" form: fresh, or refused with what was typed (then it is open).
  FormState new_form;
  std::string query;
  std::string next_page_token;
  std::string this_page_token;
};
std::string RenderProducersBody(const ProducersView& view);

}  // namespace ocop::console
