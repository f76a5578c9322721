// The web console over HTTP against a real registry, batch and stamp service on loopback ports:
// sign-in with its cookies and CSRF checks, a producer's products with certificate validity, an
// office's producers, and a producer's journeys (diary, harvest, stamps) with the owner checks.
#include "services/console/console.h"
#include "services/console/office_pages.h"

#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <map>
#include <regex>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/time/civil_time.h"
#include "absl/time/clock.h"
#include "common/auth/service_auth.h"
#include "common/grpc/client.h"
#include "common/crypto/digest.h"
#include "common/grpc/proto_time.h"
#include "common/http/web.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"
#include "tests/support/status_matchers.h"

namespace ocop::console {
namespace {

using ::ocop::testing::Context;
using ::ocop::testing::HttpResult;
using ::ocop::testing::IsOk;

constexpr char kPassword[] = "chè-tân-cương-2026";

// A browser's part: cookies kept between requests as Set-Cookie says, the CSRF field of the last
// form read.
class Browser {
 public:
  explicit Browser(int port) : port_(port) {}

  HttpResult Get(const std::string& target) { return Keep(ocop::testing::HttpGet(port_, target, CookieLine())); }
  HttpResult Post(const std::string& target, const std::string& body) {
    return Keep(ocop::testing::HttpPostForm(port_, target, CookieLine(), body));
  }
  // A form with files, as multipart/form-data: (name, content) parts.
  HttpResult PostFiles(const std::string& target, const std::vector<std::pair<std::string, std::string>>& parts) {
    const std::string boundary = "----ConsoleTestBoundary7MA4YWxkTrZu0gW";
    std::string body;
    for (const auto& [name, content] : parts) {
      absl::StrAppend(&body, "--", boundary, "\r\nContent-Disposition: form-data; name=\"", name, "\"",
                      name == "producers" || name == "products" ? absl::StrCat("; filename=\"", name, ".csv\"") : "",
                      "\r\n\r\n", content, "\r\n");
    }
    absl::StrAppend(&body, "--", boundary, "--\r\n");
    return Keep(ocop::testing::HttpExchange(
        port_, "POST", target,
        CookieLine() + "Content-Type: multipart/form-data; boundary=" + boundary + "\r\n", body));
  }
  // The value of the form's hidden csrf field in the last page read ("" when none).
  const std::string& csrf() const { return csrf_; }
  std::map<std::string, std::string>& cookies() { return cookies_; }

 private:
  std::string CookieLine() const {
    if (cookies_.empty()) return "";
    std::string line = "Cookie: ";
    for (const auto& [name, value] : cookies_) absl::StrAppend(&line, name, "=", value, "; ");
    return line + "\r\n";
  }
  HttpResult Keep(HttpResult result) {
    for (absl::string_view line : absl::StrSplit(result.headers, "\r\n")) {
      if (!absl::StartsWithIgnoreCase(line, "Set-Cookie: ")) continue;
      line.remove_prefix(12);
      const std::string pair(line.substr(0, line.find(';')));
      const size_t equals = pair.find('=');
      const std::string name = pair.substr(0, equals);
      if (absl::StrContains(line, "Max-Age=0")) {
        cookies_.erase(name);
      } else {
        cookies_[name] = pair.substr(equals + 1);
      }
    }
    std::smatch found;
    if (std::regex_search(result.body, found, std::regex("name=\"csrf\" value=\"([^\"]*)\""))) csrf_ = found[1];
    return result;
  }

  int port_;
  std::map<std::string, std::string> cookies_;
  std::string csrf_;
};

std::string HeaderOf(const HttpResult& result, const std::string& name) {
  for (absl::string_view line : absl::StrSplit(result.headers, "\r\n")) {
    if (absl::StartsWithIgnoreCase(line, name + ": ")) return std::string(line.substr(name.size() + 2));
  }
  return "";
}

class ConsoleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto harness = ocop::testing::RegistryHarness::Start(dir_.File("registry.db"));
    ASSERT_THAT(harness, IsOk());
    registry_ = std::move(*harness);
    auto stub = registry_->Stub();
    // Two producers of Thái Nguyên; the tea cooperative has products whose certificates run to
    // different days.
    registry::v1::CreateProducerRequest tea;
    *tea.mutable_producer() = ocop::testing::TeaCooperative();
    ASSERT_TRUE(stub->CreateProducer(Context().get(), tea, &tea_).ok());
    registry::v1::CreateProducerRequest honey;
    *honey.mutable_producer() = ocop::testing::TeaCooperative();
    honey.mutable_producer()->set_display_name("HTX Mật ong Tân Cương");
    ASSERT_TRUE(stub->CreateProducer(Context().get(), honey, &honey_).ok());
    AddProduct(tea_.name(), "Chè búp Tân Cương", "2025-06-30");  // valid until 2028-06-29
    AddProduct(tea_.name(), "Chè móc câu", "2024-01-10");        // until 2027-01-09: within 90 days
    AddProduct(tea_.name(), "Trà xanh <b>đặc biệt</b>", "2023-06-01");  // until 2026-05-31: expired
    AddProduct(honey_.name(), "Mật ong hoa nhãn", "2025-06-30");
    CreateUser("htx.tancuong", "producer", tea_.name(), "");
    CreateUser("vanphong.tn", "office", "", "19");

    auto batch = ocop::testing::BatchHarness::Start(dir_.File("batch.db"), registry_->address());
    ASSERT_THAT(batch, IsOk());
    batch_ = std::move(*batch);
    stamp::StampsConfig stamps;
    stamps.public_base_url = "https://ocop.tn.gov.vn";
    auto stamp = ocop::testing::StampHarness::Start(dir_.File("stamp.db"), dir_.File("keys"), batch_->address(),
                                                   registry_->address(), stamps);
    ASSERT_THAT(stamp, IsOk());
    stamp_ = std::move(*stamp);

    ConsoleConfig config;
    config.registry = registry_->address();
    config.batch = batch_->address();
    config.stamp = stamp_->address();
    config.verifier.issuer = "ocop-trace/registry";
    config.verifier.audience = "ocop-trace";
    config.calendar = ocop::testing::TestNow;  // 1 December 2026
    config.public_base_url = "https://ocop.tn.gov.vn";
    auto console = Console::Start(
        config, auth::RegistryKeys(grpcutil::MakeChannel(registry_->address()), absl::Seconds(5)),
        [] { return absl::Now(); });
    ASSERT_THAT(console, IsOk());
    console_ = std::move(*console);
  }

  void AddProduct(const std::string& producer, const std::string& name, const std::string& decided) {
    registry::v1::CreateProductRequest request;
    request.mutable_product()->set_producer(producer);
    request.mutable_product()->set_display_name(name);
    request.mutable_product()->set_group(registry::v1::PRODUCT_GROUP_BEVERAGES);
    registry::v1::OcopRating* rating = request.mutable_product()->mutable_rating();
    rating->set_score(75);
    rating->set_stars(4);
    rating->set_certificate_number("TN-" + decided);
    rating->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
    rating->set_decision_number("1/QĐ-UBND");
    rating->set_decision_date(decided);
    registry::v1::Product product;
    grpc::Status status = registry_->Stub()->CreateProduct(Context().get(), request, &product);
    ASSERT_TRUE(status.ok()) << name << ": " << status.error_message();
    products_[name] = product.name();
  }

  // A growing area of `producer` with one season that began 60 days ago.
  std::string AreaWithSeason(const std::string& producer, const std::string& code) {
    batch::v1::CreateGrowingAreaRequest area_request;
    batch::v1::GrowingArea* area = area_request.mutable_growing_area();
    area->set_code(code);
    area->set_producer(producer);
    area->set_commune_code("05503");
    area->set_area_hectares(3.2);
    area->set_crop("Chè Trung du");
    batch::v1::GrowingArea created;
    grpc::Status status = batch_->Stub()->CreateGrowingArea(Context().get(), area_request, &created);
    EXPECT_TRUE(status.ok()) << status.error_message();
    batch::v1::CreateSeasonRequest season_request;
    season_request.set_parent(created.name());
    season_request.mutable_season()->set_label("Vụ đông 2026");
    season_request.mutable_season()->set_start_date(Day(-60));
    batch::v1::Season season;
    status = batch_->Stub()->CreateSeason(Context().get(), season_request, &season);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return season.name();
  }

  // Vietnam's day `offset` days from today, "YYYY-MM-DD" (the services judge dates by the real clock).
  static std::string Day(int offset) {
    return absl::FormatCivilTime(absl::ToCivilDay(absl::Now() + absl::Hours(24) * offset, absl::FixedTimeZone(7 * 3600)));
  }
  // The form `form_id`'s idempotency key in `page`.
  static std::string RequestIdOf(const std::string& page, const std::string& form_id) {
    std::smatch found;
    std::regex pattern("id=\"" + form_id + "\"[^>]*>.*?name=\"request_id\" value=\"([^\"]*)\"");
    return std::regex_search(page, found, pattern) ? found[1].str() : "";
  }
  static std::string Form(const std::map<std::string, std::string>& fields) {
    std::string body;
    for (const auto& [name, value] : fields) absl::StrAppend(&body, body.empty() ? "" : "&", name, "=", http::UrlEncode(value));
    return body;
  }

  void CreateUser(const std::string& username, const std::string& role, const std::string& producer,
                  const std::string& province) {
    registry::v1::CreateUserRequest request;
    request.mutable_user()->set_username(username);
    request.mutable_user()->set_role(role);
    request.mutable_user()->set_producer(producer);
    request.mutable_user()->set_province_code(province);
    request.set_password(kPassword);
    registry::v1::User user;
    grpc::Status status = registry_->IdentityStub()->CreateUser(Context("admin-1", "admin").get(), request, &user);
    ASSERT_TRUE(status.ok()) << status.error_message();
    users_[username] = user.name();
  }

  // Opens the sign-in page and signs in; the browser then holds the session cookie.
  HttpResult SignIn(Browser& browser, const std::string& username, const std::string& password = kPassword) {
    EXPECT_EQ(browser.Get("/login").status, 200);
    return browser.Post("/login", absl::StrCat("csrf=", browser.csrf(), "&username=", http::UrlEncode(username),
                                               "&password=", http::UrlEncode(password)));
  }

  ocop::testing::TempDir dir_;
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  std::unique_ptr<ocop::testing::BatchHarness> batch_;
  std::unique_ptr<ocop::testing::StampHarness> stamp_;
  registry::v1::Producer tea_, honey_;
  std::map<std::string, std::string> products_;  // by display name
  std::map<std::string, std::string> users_;     // "users/{id}" by username
  std::unique_ptr<Console> console_;
};

TEST_F(ConsoleTest, AProducerSignsInAndSeesItsOwnProductsWithExpiringCertificatesHighlighted) {
  Browser browser(console_->http_port());
  HttpResult first = browser.Get("/products");
  EXPECT_EQ(first.status, 303);
  EXPECT_EQ(HeaderOf(first, "Location"), "/login");

  HttpResult login_page = browser.Get("/login");
  ASSERT_EQ(login_page.status, 200);
  EXPECT_NE(login_page.body.find("Đăng nhập"), std::string::npos);
  EXPECT_NE(login_page.body.find("Sign in"), std::string::npos);
  EXPECT_NE(login_page.body.find("<label for=\"password\">"), std::string::npos);
  EXPECT_TRUE(absl::StartsWith(HeaderOf(login_page, "Content-Security-Policy"), "default-src 'none'"));
  const std::string login_cookie = HeaderOf(login_page, "Set-Cookie");
  EXPECT_TRUE(absl::StartsWith(login_cookie, "__Host-ocop-login=" + browser.csrf() + ";")) << login_cookie;
  EXPECT_NE(login_cookie.find("HttpOnly; Secure; SameSite=Strict"), std::string::npos) << login_cookie;
  ASSERT_FALSE(browser.csrf().empty());

  HttpResult signed_in =
      browser.Post("/login", absl::StrCat("csrf=", browser.csrf(), "&username=htx.tancuong&password=",
                                          http::UrlEncode(kPassword)));
  ASSERT_EQ(signed_in.status, 303) << signed_in.body;
  EXPECT_EQ(HeaderOf(signed_in, "Location"), "/");
  EXPECT_NE(signed_in.headers.find("Set-Cookie: __Host-ocop-session="), std::string::npos);
  EXPECT_NE(signed_in.headers.find("; Path=/; HttpOnly; Secure; SameSite=Lax"), std::string::npos);
  EXPECT_EQ(browser.cookies().count("__Host-ocop-login"), 0u);  // used up
  EXPECT_EQ(console_->sessions().size(), 1u);

  HttpResult products = browser.Get("/products");
  ASSERT_EQ(products.status, 200) << products.body;
  EXPECT_LT(products.body.size(), 100u * 1024);
  EXPECT_EQ(HeaderOf(products, "Cache-Control"), "no-store");
  EXPECT_NE(products.body.find("htx.tancuong"), std::string::npos);
  EXPECT_NE(products.body.find("Chè búp Tân Cương"), std::string::npos);
  EXPECT_EQ(products.body.find("Mật ong hoa nhãn"), std::string::npos) << "another producer's product";
  EXPECT_NE(products.body.find("★★★★"), std::string::npos);
  // Data is text, never markup.
  EXPECT_NE(products.body.find("Trà xanh &lt;b&gt;đặc biệt&lt;/b&gt;"), std::string::npos);
  EXPECT_EQ(products.body.find("<b>đặc biệt"), std::string::npos);
  // Each certificate as it stands on 1 December 2026.
  std::smatch row;
  ASSERT_TRUE(std::regex_search(products.body, row, std::regex("<tr class=\"expiring\">.*?</tr>")));
  EXPECT_NE(row.str().find("Chè móc câu"), std::string::npos) << row.str();
  EXPECT_NE(row.str().find("2027-01-09"), std::string::npos) << row.str();
  EXPECT_NE(row.str().find("Sắp hết hạn"), std::string::npos) << row.str();
  ASSERT_TRUE(std::regex_search(products.body, row, std::regex("<tr class=\"expired\">.*?</tr>")));
  EXPECT_NE(row.str().find("Trà xanh"), std::string::npos) << row.str();
  EXPECT_NE(row.str().find("Đã hết hạn"), std::string::npos) << row.str();
  ASSERT_TRUE(std::regex_search(products.body, row, std::regex("<tr><td[^>]*><a [^>]*>Chè búp Tân Cương</a></td>.*?</tr>")));
  EXPECT_NE(row.str().find("2028-06-29"), std::string::npos) << row.str();
  EXPECT_EQ(row.str().find("class=\"tag\""), std::string::npos) << row.str();

  // Large bodies are for the forms with files only.
  EXPECT_EQ(browser.Post("/logout", "csrf=x&pad=" + std::string(64 * 1024, 'a')).status, 413);
  EXPECT_EQ(browser.Get("/products").status, 200) << "and the session is still there";
  // A producer has no producers' list, and no link to one.
  EXPECT_EQ(products.body.find("href=\"/producers\""), std::string::npos);
  EXPECT_EQ(browser.Get("/producers").status, 403);
  EXPECT_EQ(browser.Get("/no-such-page").status, 404);
  EXPECT_EQ(HeaderOf(browser.Get("/"), "Location"), "/products");
  // The stylesheet is the only thing pages load.
  HttpResult css = browser.Get("/console.css");
  EXPECT_EQ(css.status, 200);
  EXPECT_TRUE(absl::StartsWith(HeaderOf(css, "Content-Type"), "text/css"));
}

TEST_F(ConsoleTest, AWrongPasswordKeepsTheUsernameAndSaysWhyNextToTheField) {
  Browser browser(console_->http_port());
  HttpResult refused = SignIn(browser, "htx.tancuong", "not the password");
  EXPECT_EQ(refused.status, 401);
  EXPECT_NE(refused.body.find("value=\"htx.tancuong\""), std::string::npos);
  EXPECT_NE(refused.body.find("aria-invalid=\"true\" aria-describedby=\"login-error\""), std::string::npos);
  EXPECT_NE(refused.body.find("id=\"login-error\" role=\"alert\">Sai tên đăng nhập hoặc mật khẩu."),
            std::string::npos);
  EXPECT_EQ(refused.body.find("not the password"), std::string::npos) << "a password is never shown back";
  EXPECT_EQ(browser.cookies().count("__Host-ocop-session"), 0u);
  EXPECT_EQ(console_->sessions().size(), 0u);
  // The same form, resent with the right password, signs in.
  HttpResult again = browser.Post("/login", absl::StrCat("csrf=", browser.csrf(), "&username=htx.tancuong&password=",
                                                         http::UrlEncode(kPassword)));
  EXPECT_EQ(again.status, 303);
}

TEST_F(ConsoleTest, FormsWithoutTheirCsrfTokenAreRefusedAndSignOutEndsTheSession) {
  Browser browser(console_->http_port());
  ASSERT_EQ(browser.Get("/login").status, 200);
  const std::string form = absl::StrCat("&username=htx.tancuong&password=", http::UrlEncode(kPassword));
  // Another site's page posting our form has neither our cookie's value nor the cookie.
  EXPECT_EQ(browser.Post("/login", "csrf=guessed" + form).status, 403);
  Browser stranger(console_->http_port());
  EXPECT_EQ(stranger.Post("/login", "csrf=" + browser.csrf() + form).status, 403);
  EXPECT_EQ(console_->sessions().size(), 0u);

  // A second sign-in page (another tab, or the browser's own request for /favicon.ico landing on
  // it) leaves the first page's form valid.
  const std::string first_page_csrf = browser.csrf();
  EXPECT_EQ(browser.Get("/favicon.ico").status, 404);
  ASSERT_EQ(browser.Get("/login").status, 200);
  EXPECT_EQ(browser.csrf(), first_page_csrf);
  ASSERT_EQ(browser.Post("/login", "csrf=" + first_page_csrf + form).status, 303);
  ASSERT_EQ(browser.Get("/products").status, 200);
  const std::string session_csrf = browser.csrf();
  EXPECT_EQ(browser.Post("/logout", "csrf=wrong").status, 403);
  EXPECT_EQ(browser.Get("/products").status, 200) << "a refused sign-out leaves the session";

  const std::map<std::string, std::string> old_cookies = browser.cookies();
  HttpResult out = browser.Post("/logout", "csrf=" + session_csrf);
  EXPECT_EQ(out.status, 303);
  EXPECT_EQ(HeaderOf(out, "Location"), "/login");
  EXPECT_EQ(browser.cookies().count("__Host-ocop-session"), 0u);
  EXPECT_EQ(console_->sessions().size(), 0u);
  // The old cookie, replayed, opens nothing.
  browser.cookies() = old_cookies;
  EXPECT_EQ(browser.Get("/products").status, 303);
  // The registry session went too: its secret mints nothing more (the audit trail has the
  // person's own revocation, accepted).
  common::v1::ListAuditRecordsRequest audit;
  audit.set_method("RevokeCredential");
  common::v1::ListAuditRecordsResponse records;
  ASSERT_TRUE(registry_->AuditStub()->ListAuditRecords(Context("admin-1", "admin").get(), audit, &records).ok());
  ASSERT_EQ(records.records_size(), 1) << "the refused sign-out never reached the registry; the real one did";
  EXPECT_EQ(records.records(0).outcome(), "ok");
  EXPECT_EQ(records.records(0).role(), "producer");
}

TEST_F(ConsoleTest, AnOfficeSearchesItsProvincesProducersAndProductsWithoutDiacritics) {
  Browser browser(console_->http_port());
  ASSERT_EQ(SignIn(browser, "vanphong.tn").status, 303);
  HttpResult producers = browser.Get("/producers?q=mat+ong");
  ASSERT_EQ(producers.status, 200) << producers.body;
  EXPECT_NE(producers.body.find("HTX Mật ong Tân Cương"), std::string::npos);
  EXPECT_EQ(producers.body.find("HTX Chè Tân Cương"), std::string::npos);
  EXPECT_NE(producers.body.find("value=\"mat ong\""), std::string::npos) << "the search box keeps what was typed";
  EXPECT_NE(producers.body.find("Xã Tân Cương"), std::string::npos);

  HttpResult products = browser.Get("/products?q=mat+ong");
  ASSERT_EQ(products.status, 200) << products.body;
  EXPECT_NE(products.body.find("Mật ong hoa nhãn"), std::string::npos);
  EXPECT_EQ(products.body.find("Chè búp"), std::string::npos);
  HttpResult all = browser.Get("/products");
  EXPECT_NE(all.body.find("Chè búp Tân Cương"), std::string::npos);
  EXPECT_NE(all.body.find("Mật ong hoa nhãn"), std::string::npos);
  EXPECT_NE(all.body.find("href=\"/producers\""), std::string::npos);
  // A broken query is an error page, not a crash.
  EXPECT_EQ(browser.Get("/producers?q=%zz").status, 400);
}


// A producer's day in the console: records a spraying (refused first without its pesticide, the
// typed values kept), harvests a lot (refused first inside the pre-harvest interval), orders a
// roll, downloads it as one PDF whose codes decode to the roll's URLs, and activates what it
// labelled. Retried forms are applied once; a range downloads once.
TEST_F(ConsoleTest, AProducerRecordsASprayingHarvestsALotAndPrintsAndActivatesItsStamps) {
  const std::string season = AreaWithSeason(tea_.name(), "VN-TN-05503-001");
  Browser browser(console_->http_port());
  ASSERT_EQ(SignIn(browser, "htx.tancuong").status, 303);
  HttpResult areas = browser.Get("/areas");
  ASSERT_EQ(areas.status, 200) << areas.body;
  EXPECT_NE(areas.body.find("VN-TN-05503-001"), std::string::npos);
  EXPECT_NE(areas.body.find("href=\"/" + season + "\""), std::string::npos);

  HttpResult page = browser.Get("/" + season);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_LT(page.body.size(), 100u * 1024);
  // The diary's time defaults to now (Vietnam), to the minute.
  EXPECT_NE(page.body.find("name=\"event_time\" type=\"datetime-local\" value=\"" + Day(0)), std::string::npos);
  // Herds, hives and ponds keep the same diary: a veterinary treatment with its withdrawal period.
  EXPECT_NE(page.body.find("<option value=\"ocop:treating\">"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("name=\"withdrawal_period_days\" type=\"number\""), std::string::npos);
  const std::string sprayed_at = Day(-10) + "T16:00";
  std::map<std::string, std::string> spraying = {{"csrf", browser.csrf()},
                                                 {"request_id", RequestIdOf(page.body, "event")},
                                                 {"biz_step", "ocop:spraying"},
                                                 {"event_time", sprayed_at},
                                                 {"location", "Đồi chè <xóm> Nam Thái"},
                                                 {"pre_harvest_interval_days", "7"}};
  ASSERT_FALSE(spraying["request_id"].empty());
  HttpResult refused = browser.Post("/" + season + "/events", Form(spraying));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("id=\"event-pesticide\" name=\"pesticide\" type=\"text\" value=\"\" "
                              "aria-invalid=\"true\" aria-describedby=\"event-pesticide-error\""),
            std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("id=\"event-pesticide-error\" role=\"alert\""), std::string::npos);
  EXPECT_NE(refused.body.find("value=\"Đồi chè &lt;xóm&gt; Nam Thái\""), std::string::npos) << "typed values kept";
  EXPECT_NE(refused.body.find("value=\"" + sprayed_at + "\""), std::string::npos);
  EXPECT_NE(refused.body.find("<option value=\"ocop:spraying\" selected>"), std::string::npos);

  spraying["pesticide"] = "Chế phẩm sinh học Bt";
  HttpResult recorded = browser.Post("/" + season + "/events", Form(spraying));
  ASSERT_EQ(recorded.status, 303) << recorded.body;
  EXPECT_EQ(HeaderOf(recorded, "Location"), "/" + season + "?done=event");
  // The same form sent again (a double tap, a retry after a timeout) is stored once.
  ASSERT_EQ(browser.Post("/" + season + "/events", Form(spraying)).status, 303);
  batch::v1::ListEventsRequest list;
  list.set_parent(season);
  batch::v1::ListEventsResponse events;
  ASSERT_TRUE(batch_->Stub()->ListEvents(Context().get(), list, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  EXPECT_EQ(events.events(0).details().at("pesticide"), "Chế phẩm sinh học Bt");
  EXPECT_EQ(absl::FormatTime("%Y-%m-%dT%H:%M", grpcutil::FromProtoTime(events.events(0).event_time()),
                             absl::FixedTimeZone(7 * 3600)),
            sprayed_at);
  page = browser.Get("/" + season + "?done=event");
  EXPECT_NE(page.body.find("Đã ghi sự kiện"), std::string::npos);
  EXPECT_NE(page.body.find("Phun thuốc bảo vệ thực vật"), std::string::npos);

  // Harvest inside the interval (7 days from the spraying): refused next to the date.
  std::map<std::string, std::string> harvest = {{"csrf", browser.csrf()},
                                                {"request_id", RequestIdOf(page.body, "harvest")},
                                                {"product", products_["Chè búp Tân Cương"]},
                                                {"lot_code", "TC-2026-12-A"},
                                                {"harvest_date", Day(-7)},
                                                {"quantity", "120,5"},
                                                {"unit", "kg"},
                                                {"package_count", "30"}};
  refused = browser.Post("/" + season + "/harvest", Form(harvest));
  EXPECT_EQ(refused.status, 409) << refused.body;
  EXPECT_NE(refused.body.find("aria-describedby=\"harvest-harvest_date-error\""), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("pre-harvest interval"), std::string::npos);
  EXPECT_NE(refused.body.find("value=\"TC-2026-12-A\""), std::string::npos);
  harvest["harvest_date"] = Day(0);
  HttpResult harvested = browser.Post("/" + season + "/harvest", Form(harvest));
  ASSERT_EQ(harvested.status, 303) << harvested.body;
  const std::string lot_location = HeaderOf(harvested, "Location");
  ASSERT_TRUE(absl::StartsWith(lot_location, "/batches/")) << lot_location;
  EXPECT_EQ(HeaderOf(browser.Post("/" + season + "/harvest", Form(harvest)), "Location"), lot_location)
      << "a retried harvest is the same lot";
  const std::string lot = lot_location.substr(1, lot_location.find('?') - 1);

  HttpResult lot_page = browser.Get(lot_location);
  ASSERT_EQ(lot_page.status, 200) << lot_page.body;
  EXPECT_NE(lot_page.body.find("120.5 kg"), std::string::npos);
  EXPECT_NE(lot_page.body.find("Thu hoạch"), std::string::npos);  // the harvest, the lot's first event
  EXPECT_NE(lot_page.body.find("VN-TN-05503-001"), std::string::npos);
  HttpResult lots = browser.Get("/batches");
  EXPECT_NE(lots.body.find("href=\"/" + lot + "\">TC-2026-12-A</a>"), std::string::npos) << lots.body;

  // Order a roll of 32 (two spares): its page proposes the whole roll to download.
  HttpResult ordered = browser.Post("/" + lot + "/rolls", Form({{"csrf", browser.csrf()},
                                                                {"request_id", RequestIdOf(lot_page.body, "roll")},
                                                                {"count", "32"}}));
  ASSERT_EQ(ordered.status, 303) << ordered.body;
  const std::string roll_location = HeaderOf(ordered, "Location");
  const std::string roll = roll_location.substr(1, roll_location.find('?') - 1);
  HttpResult roll_page = browser.Get(roll_location);
  ASSERT_EQ(roll_page.status, 200) << roll_page.body;
  stamp::v1::GetRollRequest get_roll;
  get_roll.set_name(roll);
  stamp::v1::Roll issued;
  ASSERT_TRUE(stamp_->Stub()->GetRoll(Context().get(), get_roll, &issued).ok());
  EXPECT_EQ(issued.count(), 32);
  const std::string first = absl::StrCat(issued.first_serial());
  EXPECT_NE(roll_page.body.find("id=\"download-first_serial\" name=\"first_serial\" type=\"number\" value=\"" + first),
            std::string::npos);
  EXPECT_NE(roll_page.body.find("id=\"download-count\" name=\"count\" type=\"number\" value=\"32\""),
            std::string::npos);

  std::map<std::string, std::string> download = {{"csrf", browser.csrf()},   {"format", "pdf-a4"},
                                                 {"first_serial", first},     {"count", "30"},
                                                 {"printer", "Máy in văn phòng"}};
  HttpResult pdf = browser.Post("/" + roll + "/download", Form(download));
  ASSERT_EQ(pdf.status, 200) << pdf.body;
  EXPECT_EQ(HeaderOf(pdf, "Content-Type"), "application/pdf");
  EXPECT_NE(HeaderOf(pdf, "Content-Disposition").find("attachment; filename=\"tem-"), std::string::npos);
  const std::string file = dir_.File("stamps.pdf");
  std::ofstream(file, std::ios::binary) << pdf.body;
  EXPECT_NE(ocop::testing::RunCommand("pdfinfo '" + file + "'").find("Pages:           2"), std::string::npos);
  // Every label of the first sheet, decoded from its pixels one label at a time, is the stamp of
  // its serial.
  const std::vector<std::string> decoded = ocop::testing::DecodeEachLabelOfA4Sheet(file, 1, 24, dir_.path());
  ASSERT_EQ(decoded.size(), 24u);
  stamp::v1::GetStampRequest get_stamp;
  stamp::v1::Stamp stamp;
  for (uint64_t slot = 0; slot < decoded.size(); ++slot) {
    get_stamp.set_name(absl::StrCat("stamps/", issued.first_serial() + slot));
    ASSERT_TRUE(stamp_->Stub()->GetStamp(Context("services/test", "service").get(), get_stamp, &stamp).ok());
    EXPECT_EQ(decoded[slot], stamp.url()) << "label " << slot;
  }
  get_stamp.set_name("stamps/" + first);
  ASSERT_TRUE(stamp_->Stub()->GetStamp(Context("services/test", "service").get(), get_stamp, &stamp).ok());
  const std::string text = ocop::testing::RunCommand("pdftotext '" + file + "' - 2>&1");
  for (uint64_t serial = issued.first_serial(); serial < issued.first_serial() + 30; ++serial) {
    EXPECT_NE(text.find(absl::StrCat("Số / No.: ", serial)), std::string::npos) << serial;
  }
  EXPECT_EQ(text.find(absl::StrCat("Số / No.: ", issued.first_serial() + 30)), std::string::npos);
  // A range downloads once: the second time is refused next to the serial, nothing is sent.
  HttpResult again = browser.Post("/" + roll + "/download", Form(download));
  EXPECT_EQ(again.status, 409);
  EXPECT_NE(again.body.find("aria-describedby=\"download-first_serial-error\""), std::string::npos) << again.body;
  EXPECT_NE(again.body.find("value=\"Máy in văn phòng\""), std::string::npos) << "typed values kept";
  download["count"] = "241";
  download["first_serial"] = first;
  HttpResult too_many = browser.Post("/" + roll + "/download", Form(download));
  EXPECT_EQ(too_many.status, 400);
  EXPECT_NE(too_many.body.find("aria-describedby=\"download-count-error\""), std::string::npos);

  // Stamps are not genuine until activated: the labelled 24 are activated, the rest stay issued.
  EXPECT_EQ(stamp.state(), stamp::v1::STAMP_STATE_ISSUED);
  roll_page = browser.Get("/" + roll);
  HttpResult activated = browser.Post("/" + roll + "/activate",
                                      Form({{"csrf", browser.csrf()},
                                            {"request_id", RequestIdOf(roll_page.body, "activate")},
                                            {"first_serial", first},
                                            {"count", "24"}}));
  ASSERT_EQ(activated.status, 303) << activated.body;
  ASSERT_TRUE(stamp_->Stub()->GetStamp(Context("services/test", "service").get(), get_stamp, &stamp).ok());
  EXPECT_EQ(stamp.state(), stamp::v1::STAMP_STATE_ACTIVE);
  roll_page = browser.Get(HeaderOf(activated, "Location"));
  EXPECT_NE(roll_page.body.find("Đã kích hoạt tem"), std::string::npos);
  // The activation form now proposes the first stamp still issued.
  EXPECT_NE(roll_page.body.find("id=\"activate-first_serial\" name=\"first_serial\" type=\"number\" value=\"" +
                                absl::StrCat(issued.first_serial() + 24)),
            std::string::npos);
  // Past the 30 packages declared for the lot: refused next to the count, with the reason field
  // to override it.
  HttpResult over = browser.Post("/" + roll + "/activate", Form({{"csrf", browser.csrf()},
                                                                 {"first_serial", absl::StrCat(issued.first_serial() + 24)},
                                                                 {"count", "8"}}));
  EXPECT_EQ(over.status, 409) << over.body;
  EXPECT_NE(over.body.find("aria-describedby=\"activate-count-error\""), std::string::npos) << over.body;
  EXPECT_NE(over.body.find("declares 30 packages"), std::string::npos);
  // Voiding needs a reason, named next to its field.
  HttpResult no_reason = browser.Post("/" + roll + "/change", Form({{"csrf", browser.csrf()},
                                                                    {"action", "void"},
                                                                    {"first_serial", first},
                                                                    {"count", "1"}}));
  EXPECT_EQ(no_reason.status, 400) << no_reason.body;
  EXPECT_NE(no_reason.body.find("aria-describedby=\"change-reason-error\""), std::string::npos) << no_reason.body;
  EXPECT_NE(no_reason.body.find("<details open>"), std::string::npos) << "the refused form stays open";
}

// The identity matrix of the producer's pages: another producer's season, lot and roll are "not
// found" by URL, for reading and for every form; nothing of theirs changes. Offices and anyone
// signed out get nothing either.
TEST_F(ConsoleTest, AProducerCannotOpenOrChangeAnotherProducersSeasonLotOrRoll) {
  CreateUser("mat.ong", "producer", honey_.name(), "");
  const std::string season = AreaWithSeason(honey_.name(), "VN-TN-05503-009");
  batch::v1::CreateBatchRequest create;
  create.mutable_batch()->set_product(products_["Mật ong hoa nhãn"]);
  create.mutable_batch()->set_lot_code("MO-2026-01");
  create.mutable_batch()->set_harvest_date(Day(-1));
  create.mutable_batch()->set_quantity(50);
  create.mutable_batch()->set_unit("kg");
  batch::v1::Batch lot;
  ASSERT_TRUE(batch_->Stub()->CreateBatch(Context().get(), create, &lot).ok());
  stamp::v1::IssueRollRequest issue;
  issue.mutable_roll()->set_batch(lot.name());
  issue.mutable_roll()->set_count(5);
  stamp::v1::Roll roll;
  ASSERT_TRUE(stamp_->Stub()->IssueRoll(Context().get(), issue, &roll).ok());

  // Their owner sees all three.
  Browser owner(console_->http_port());
  ASSERT_EQ(SignIn(owner, "mat.ong").status, 303);
  for (const std::string& path : {"/" + season, "/" + lot.name(), "/" + roll.name()}) {
    EXPECT_EQ(owner.Get(path).status, 200) << path;
  }

  Browser tea(console_->http_port());
  ASSERT_EQ(SignIn(tea, "htx.tancuong").status, 303);
  for (const std::string& path : {"/" + season, "/" + lot.name(), "/" + roll.name()}) {
    HttpResult seen = tea.Get(path);
    EXPECT_EQ(seen.status, 404) << path;
    EXPECT_EQ(seen.body.find("MO-2026-01"), std::string::npos) << path;
  }
  EXPECT_EQ(tea.Get("/batches").body.find("MO-2026-01"), std::string::npos);
  EXPECT_EQ(tea.Get("/areas").body.find("VN-TN-05503-009"), std::string::npos);
  const std::string csrf = tea.csrf();
  const std::string event = Form({{"csrf", csrf}, {"biz_step", "packing"}, {"event_time", Day(-1) + "T08:00"}});
  const std::map<std::string, std::string> posts = {
      {"/" + season + "/events", Form({{"csrf", csrf}, {"biz_step", "ocop:pruning"}, {"event_time", Day(-1) + "T08:00"}})},
      {"/" + season + "/harvest", Form({{"csrf", csrf}, {"product", products_["Chè búp Tân Cương"]},
                                       {"lot_code", "X-1"}, {"harvest_date", Day(0)}, {"quantity", "1"},
                                       {"unit", "kg"}})},
      {"/" + lot.name() + "/events", event},
      {"/" + lot.name() + "/rolls", Form({{"csrf", csrf}, {"count", "5"}})},
      {"/" + lot.name() + "/recall", Form({{"csrf", csrf}, {"reason", "not mine"}})},
      {"/" + lot.name() + "/split", Form({{"csrf", csrf}, {"lot_code_1", "A"}, {"quantity_1", "25"},
                                          {"lot_code_2", "B"}, {"quantity_2", "25"}})},
      {"/" + roll.name() + "/activate", Form({{"csrf", csrf}, {"first_serial", absl::StrCat(roll.first_serial())},
                                             {"count", "5"}})},
      {"/" + roll.name() + "/change", Form({{"csrf", csrf}, {"action", "revoke"},
                                           {"first_serial", absl::StrCat(roll.first_serial())}, {"count", "5"},
                                           {"reason", "not mine"}})},
      {"/" + roll.name() + "/download", Form({{"csrf", csrf}, {"format", "zpl"},
                                             {"first_serial", absl::StrCat(roll.first_serial())}, {"count", "5"},
                                             {"printer", "mine"}})},
  };
  for (const auto& [path, body] : posts) {
    HttpResult answer = tea.Post(path, body);
    EXPECT_TRUE(answer.status == 403 || answer.status == 404) << path << " answered " << answer.status;
    EXPECT_EQ(answer.headers.find("Content-Disposition"), std::string::npos) << path;
  }
  // Nothing of theirs changed.
  batch::v1::GetBatchRequest get;
  get.set_name(lot.name());
  batch::v1::Batch after;
  ASSERT_TRUE(batch_->Stub()->GetBatch(Context().get(), get, &after).ok());
  EXPECT_EQ(after.event_count(), lot.event_count());
  EXPECT_EQ(after.status(), batch::v1::BATCH_STATUS_OPEN);
  stamp::v1::ListRollsRequest rolls;
  rolls.set_batch(lot.name());
  stamp::v1::ListRollsResponse listed;
  ASSERT_TRUE(stamp_->Stub()->ListRolls(Context().get(), rolls, &listed).ok());
  ASSERT_EQ(listed.rolls_size(), 1);
  EXPECT_EQ(listed.rolls(0).active_count(), 0);
  EXPECT_EQ(listed.rolls(0).states_size(), 0);
  stamp::v1::ListRendersRequest renders;
  renders.set_roll(roll.name());
  stamp::v1::ListRendersResponse rendered;
  ASSERT_TRUE(stamp_->Stub()->ListRenders(Context().get(), renders, &rendered).ok());
  EXPECT_EQ(rendered.renders_size(), 0);
  batch::v1::GetSeasonRequest get_season;
  get_season.set_name(season);
  batch::v1::Season season_after;
  ASSERT_TRUE(batch_->Stub()->GetSeason(Context().get(), get_season, &season_after).ok());
  EXPECT_EQ(season_after.event_count(), 0);

  // An office has no producer pages; a guessed id that is not an id is no page.
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  EXPECT_EQ(office.Get("/" + lot.name()).status, 403);
  EXPECT_EQ(office.Get("/batches").status, 403);
  EXPECT_EQ(tea.Get("/batches/..%2Fproducts").status, 404);
  EXPECT_EQ(tea.Get("/batches/" + std::string(100, 'a')).status, 404);
  Browser stranger(console_->http_port());
  EXPECT_EQ(stranger.Get("/" + lot.name()).status, 303);
  EXPECT_EQ(stranger.Post("/" + lot.name() + "/recall", "reason=x").status, 403);
}

// Split and recall from the lot's page: a split whose quantities do not add up keeps every typed
// row and says why; one that does closes the lot; a recall needs a reason and marks the lot.
TEST_F(ConsoleTest, AProducerSplitsALotAndRecallsOneOfItsChildren) {
  batch::v1::CreateBatchRequest create;
  create.mutable_batch()->set_product(products_["Chè búp Tân Cương"]);
  create.mutable_batch()->set_lot_code("TC-SPLIT");
  create.mutable_batch()->set_harvest_date(Day(-2));
  create.mutable_batch()->set_quantity(100);
  create.mutable_batch()->set_unit("kg");
  batch::v1::Batch lot;
  ASSERT_TRUE(batch_->Stub()->CreateBatch(Context().get(), create, &lot).ok());
  Browser browser(console_->http_port());
  ASSERT_EQ(SignIn(browser, "htx.tancuong").status, 303);
  ASSERT_EQ(browser.Get("/" + lot.name()).status, 200);
  std::map<std::string, std::string> split = {{"csrf", browser.csrf()}, {"lot_code_1", "TC-SPLIT-1"},
                                              {"quantity_1", "60"},     {"lot_code_2", "TC-SPLIT-2"},
                                              {"quantity_2", "30"}};
  HttpResult refused = browser.Post("/" + lot.name() + "/split", Form(split));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("add up to"), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("value=\"TC-SPLIT-2\""), std::string::npos);
  EXPECT_NE(refused.body.find("<details open><summary>Chia lô"), std::string::npos);
  split["quantity_2"] = "40";
  HttpResult done = browser.Post("/" + lot.name() + "/split", Form(split));
  ASSERT_EQ(done.status, 303) << done.body;
  HttpResult page = browser.Get(HeaderOf(done, "Location"));
  EXPECT_NE(page.body.find("Đã chia/phối trộn"), std::string::npos);
  std::smatch child;
  ASSERT_TRUE(std::regex_search(page.body, child, std::regex("→ <a href=\"/(batches/[^\"]+)\"")));
  std::string child_lot = child[1];

  // Blend: one lot alone is refused (the box stays ticked); the two children make a new lot.
  std::vector<std::string> children;
  const std::regex child_link("→ <a href=\"/batches/([^\"]+)\"");
  for (std::sregex_iterator it(page.body.begin(), page.body.end(), child_link), end; it != end; ++it) {
    children.push_back((*it)[1]);
  }
  ASSERT_EQ(children.size(), 2u);
  ASSERT_EQ(browser.Get("/batches").status, 200);
  HttpResult alone = browser.Post("/batches/blend", Form({{"csrf", browser.csrf()}, {"lot_" + children[0], "1"},
                                                          {"lot_code", "TC-BLEND"}}));
  EXPECT_EQ(alone.status, 400) << alone.body;
  EXPECT_NE(alone.body.find("choose at least two lots"), std::string::npos);
  EXPECT_NE(alone.body.find("name=\"lot_" + children[0] + "\" value=\"1\" checked"), std::string::npos) << alone.body;
  HttpResult blended = browser.Post("/batches/blend", Form({{"csrf", browser.csrf()}, {"lot_" + children[0], "1"},
                                                            {"lot_" + children[1], "1"}, {"lot_code", "TC-BLEND"}}));
  ASSERT_EQ(blended.status, 303) << blended.body;
  HttpResult blend_page = browser.Get(HeaderOf(blended, "Location"));
  EXPECT_NE(blend_page.body.find("Đã phối trộn thành lô mới"), std::string::npos);
  EXPECT_NE(blend_page.body.find("100 kg"), std::string::npos);
  // Recall the blend: it needs a reason, and then the lot says so.
  const std::string blend_location = HeaderOf(blended, "Location");
  child_lot = blend_location.substr(1, blend_location.find('?') - 1);
  HttpResult no_reason = browser.Post("/" + child_lot + "/recall", Form({{"csrf", browser.csrf()}, {"reason", ""}}));
  EXPECT_EQ(no_reason.status, 400);
  EXPECT_NE(no_reason.body.find("aria-describedby=\"recall-reason-error\""), std::string::npos) << no_reason.body;
  HttpResult recalled = browser.Post("/" + child_lot + "/recall",
                                     Form({{"csrf", browser.csrf()}, {"reason", "Dư lượng vượt ngưỡng"}}));
  ASSERT_EQ(recalled.status, 303) << recalled.body;
  page = browser.Get("/" + child_lot);
  EXPECT_NE(page.body.find("Đã thu hồi"), std::string::npos);
  EXPECT_NE(page.body.find("Dư lượng vượt ngưỡng"), std::string::npos);
  EXPECT_EQ(page.body.find("id=\"recall\""), std::string::npos) << "a recalled lot has no recall form";
}

// A producer's scans: per day as an SVG chart (30 bars, zeros included) with the numbers as a
// table, per lot, and the stamps flagged "possible copy"; another producer's scans are not counted.
TEST_F(ConsoleTest, AProducerSeesScansPerDayAndLotAndTheStampsFlaggedAsPossibleCopies) {
  auto lot_of = [&](const std::string& product, const std::string& code) {
    batch::v1::CreateBatchRequest create;
    create.mutable_batch()->set_product(product);
    create.mutable_batch()->set_lot_code(code);
    create.mutable_batch()->set_harvest_date(Day(-5));
    create.mutable_batch()->set_quantity(10);
    create.mutable_batch()->set_unit("kg");
    batch::v1::Batch lot;
    EXPECT_TRUE(batch_->Stub()->CreateBatch(Context().get(), create, &lot).ok());
    return lot;
  };
  const batch::v1::Batch tea = lot_of(products_["Chè búp Tân Cương"], "TC-SCAN-1");
  const batch::v1::Batch honey = lot_of(products_["Mật ong hoa nhãn"], "MO-SCAN-1");
  stamp::v1::RecordScansRequest scans;
  int next_id = 0;
  auto scan = [&](const batch::v1::Batch& lot, uint64_t serial, int days_ago, const std::string& verdict, int count) {
    stamp::v1::ScanRecord* record = scans.add_scans();
    record->set_scan_id(absl::StrCat("scan-", ++next_id));
    record->set_serial(serial);
    grpcutil::ToProtoTime(absl::Now() - absl::Hours(24) * days_ago, record->mutable_scan_time());
    record->set_client_hash(absl::StrCat("00000000000000", 10 + next_id));
    record->set_verdict(verdict);
    record->set_batch(lot.name());
    record->set_product(lot.product());
    record->set_producer(lot.producer());
    record->set_province_code("19");
    record->set_count(count);
  };
  scan(tea, 101, 2, "VERDICT_GENUINE", 3);
  scan(tea, 101, 0, "VERDICT_GENUINE", 1);
  scan(tea, 102, 0, "VERDICT_POSSIBLE_COPY", 2);
  scan(honey, 201, 0, "VERDICT_POSSIBLE_COPY", 40);
  stamp::v1::RecordScansResponse recorded;
  ASSERT_TRUE(stamp_->Stub()->RecordScans(Context("services/lookup", "service").get(), scans, &recorded).ok());
  ASSERT_EQ(recorded.recorded(), 3 + 1 + 2 + 40);  // scans, counting each record's count

  Browser browser(console_->http_port());
  ASSERT_EQ(SignIn(browser, "htx.tancuong").status, 303);
  HttpResult page = browser.Get("/scans");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_LT(page.body.size(), 100u * 1024);
  // 30 days of bars, today's with 3 scans of which 2 possible copies, two days ago's with 3.
  std::smatch svg;
  ASSERT_TRUE(std::regex_search(page.body, svg, std::regex("<svg viewBox[^]*?</svg>")));
  const std::string chart = svg.str();
  EXPECT_NE(chart.find("role=\"img\" aria-label=\"Lượt quét tem mỗi ngày"), std::string::npos);
  size_t bars = 0;
  for (size_t at = chart.find("class=\"bar\""); at != std::string::npos; at = chart.find("class=\"bar\"", at + 1)) ++bars;
  EXPECT_EQ(bars, 30u);
  EXPECT_NE(chart.find("<title>" + Day(0) + ": 3</title>"), std::string::npos) << chart;
  EXPECT_NE(chart.find("<title>" + Day(0) + ": 2</title>"), std::string::npos) << "the possible copies of today";
  EXPECT_NE(chart.find("<title>" + Day(-2) + ": 3</title>"), std::string::npos);
  EXPECT_NE(chart.find("<title>" + Day(-1) + ": 0</title>"), std::string::npos);
  EXPECT_EQ(chart.find(": 40<"), std::string::npos) << "another producer's scans";
  EXPECT_NE(page.body.find("<td data-label=\"Mục / Item\">" + Day(-2) + "</td><td data-label=\"Lượt quét\">3</td>"),
            std::string::npos);
  // By lot, with its code; the flagged stamp and not the others.
  EXPECT_NE(page.body.find(">TC-SCAN-1</a></td><td data-label=\"Lượt quét / Scans\">6"), std::string::npos)
      << page.body;
  EXPECT_EQ(page.body.find("MO-SCAN-1"), std::string::npos);
  EXPECT_NE(page.body.find("<td data-label=\"Số tem / Serial\">102</td>"), std::string::npos);
  EXPECT_EQ(page.body.find("<td data-label=\"Số tem / Serial\">101</td>"), std::string::npos);
  EXPECT_EQ(page.body.find("<td data-label=\"Số tem / Serial\">201</td>"), std::string::npos);
  // The lot's own page charts its scans too.
  HttpResult lot_page = browser.Get("/" + tea.name());
  EXPECT_NE(lot_page.body.find("<title>" + Day(0) + ": 3</title>"), std::string::npos);
  // Offices have no producer's scan page.
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  EXPECT_EQ(office.Get("/scans").status, 403);
}

// An office's evaluation round in the console: a submitted dossier is accepted, another returned
// (refused first without a reason, which is said next to the field); the council member scores
// in the console and sees only the rounds it sits on; the office closes the round with its
// decision and the new 5-star rating shows in the report's stars chart.
TEST_F(ConsoleTest, AnOfficeRunsAnEvaluationRoundAndSeesTheNewRatingInTheReport) {
  CreateUser("hoi-dong-1", "council", "", "");
  CreateUser("hoi-dong-khac", "council", "", "");
  auto evaluation = registry_->EvaluationStub();
  // The office opens the round in the console; a round without its certificate prefix is refused
  // next to that field, with what was typed kept.
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  HttpResult rounds_page = office.Get("/rounds");
  ASSERT_EQ(rounds_page.status, 200) << rounds_page.body;
  EXPECT_NE(rounds_page.body.find("<option value=\"criteriaSets/ocop-2023\""), std::string::npos) << rounds_page.body;
  std::map<std::string, std::string> round_form = {{"csrf", office.csrf()},
                                                   {"display_name", "Hội đồng OCOP tỉnh Thái Nguyên 2026"},
                                                   {"year", "2026"},
                                                   {"council_level", "3"},
                                                   {"criteria_set", "criteriaSets/ocop-2023"},
                                                   {"council_members", users_["hoi-dong-1"] + "\r\n"},
                                                   {"certificate_prefix", ""}};
  HttpResult no_prefix = office.Post("/rounds", Form(round_form));
  EXPECT_EQ(no_prefix.status, 400) << no_prefix.body;
  EXPECT_NE(no_prefix.body.find("aria-describedby=\"new-round-certificate_prefix-error\""), std::string::npos)
      << no_prefix.body;
  EXPECT_NE(no_prefix.body.find(users_["hoi-dong-1"]), std::string::npos) << "typed values kept";
  round_form["certificate_prefix"] = "TW-OCOP-2026-";
  HttpResult opened = office.Post("/rounds", Form(round_form));
  ASSERT_EQ(opened.status, 303) << opened.body;
  const std::string round_location = HeaderOf(opened, "Location");
  registry::v1::GetRoundRequest get_round;
  get_round.set_name(round_location.substr(1, round_location.find('?') - 1));
  registry::v1::EvaluationRound created;
  ASSERT_TRUE(evaluation->GetRound(Context("admin-1", "admin").get(), get_round, &created).ok());
  EXPECT_EQ(created.province_code(), "19");
  ASSERT_EQ(created.council_members_size(), 1);
  EXPECT_EQ(created.council_members(0), users_["hoi-dong-1"]);
  auto dossier_of = [&](const std::string& product) {
    registry::v1::CreateDossierRequest request;
    request.mutable_dossier()->set_round(created.name());
    request.mutable_dossier()->set_product(product);
    request.mutable_dossier()->set_self_assessed_score(92);
    registry::v1::DossierDocument* document = request.mutable_dossier()->add_documents();
    document->set_kind(registry::v1::DOCUMENT_KIND_PRODUCT_STORY);
    document->set_title("Câu chuyện sản phẩm");
    document->set_uri("https://ocop.example.vn/ho-so/cau-chuyen.pdf");
    document->set_sha256(std::string(64, 'a'));
    registry::v1::Dossier dossier;
    EXPECT_TRUE(evaluation->CreateDossier(Context("admin-1", "admin").get(), request, &dossier).ok());
    registry::v1::TransitionDossierRequest submit;
    submit.set_name(dossier.name());
    submit.set_to(registry::v1::DOSSIER_STATE_SUBMITTED);
    EXPECT_TRUE(evaluation->TransitionDossier(Context("admin-1", "admin").get(), submit, &dossier).ok());
    return dossier;
  };
  const registry::v1::Dossier tea = dossier_of(products_["Chè búp Tân Cương"]);
  const registry::v1::Dossier other = dossier_of(products_["Chè móc câu"]);
  const registry::v1::Dossier green = dossier_of(products_["Trà xanh <b>đặc biệt</b>"]);

  HttpResult rounds = office.Get("/rounds");
  ASSERT_EQ(rounds.status, 200) << rounds.body;
  EXPECT_NE(rounds.body.find("href=\"/" + created.name() + "\">Hội đồng OCOP tỉnh Thái Nguyên 2026"), std::string::npos);
  HttpResult page = office.Get("/" + created.name());
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Đã nộp, chờ tiếp nhận"), std::string::npos);
  EXPECT_NE(page.body.find("Câu chuyện sản phẩm"), std::string::npos);
  const std::string tea_id = tea.name().substr(9);
  const std::string other_id = other.name().substr(9);
  ASSERT_EQ(office.Post("/" + tea.name() + "/accept", Form({{"csrf", office.csrf()}})).status, 303);
  ASSERT_EQ(office.Post("/" + green.name() + "/accept", Form({{"csrf", office.csrf()}})).status, 303);
  HttpResult refused = office.Post("/" + other.name() + "/return", Form({{"csrf", office.csrf()}, {"reason", ""}}));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("aria-describedby=\"return-" + other_id + "-reason-error\""), std::string::npos)
      << refused.body;
  HttpResult returned = office.Post("/" + other.name() + "/return",
                                    Form({{"csrf", office.csrf()}, {"reason", "Thiếu phiếu kiểm nghiệm"}}));
  ASSERT_EQ(returned.status, 303) << returned.body;
  const std::string location = HeaderOf(returned, "Location");
  EXPECT_NE(location.find("#dossier-" + other_id), std::string::npos) << "back to the dossier on the page";
  page = office.Get(location.substr(0, location.find('#')));  // a browser keeps the fragment to itself
  EXPECT_NE(page.body.find("Đã trả lại hồ sơ"), std::string::npos);
  // The office cannot close while the accepted dossier lacks its member's sheet; it says why.
  HttpResult early = office.Post("/" + created.name() + "/close", Form({{"csrf", office.csrf()},
                                                                        {"decision_number", "99/QĐ-UBND"},
                                                                        {"decision_date", "2026-12-01"}}));
  EXPECT_EQ(early.status, 409) << early.body;
  EXPECT_NE(early.body.find("value=\"99/QĐ-UBND\""), std::string::npos) << "typed values kept";
  EXPECT_EQ(office.Get("/" + created.name() + "/certificates").status, 409) << "no certificates before closing";

  // The council member scores in the console; another member sees no such round.
  Browser stranger(console_->http_port());
  ASSERT_EQ(SignIn(stranger, "hoi-dong-khac").status, 303);
  EXPECT_EQ(stranger.Get("/" + created.name()).status, 404);
  EXPECT_EQ(stranger.Get("/rounds").body.find(created.name()), std::string::npos);
  EXPECT_EQ(stranger.Get("/reports").status, 403);
  Browser member(console_->http_port());
  ASSERT_EQ(SignIn(member, "hoi-dong-1").status, 303);
  page = member.Get("/" + created.name());
  ASSERT_EQ(page.status, 200) << page.body;
  ASSERT_NE(page.body.find("id=\"score-" + tea_id + "\""), std::string::npos) << page.body;
  // One sheet per page (a round of many dossiers stays small); the others are a link away.
  const std::string green_id = green.name().substr(9);
  EXPECT_EQ(page.body.find("id=\"score-" + green_id + "\""), std::string::npos);
  EXPECT_NE(page.body.find("?from=0&amp;dossier=" + green_id + "#dossier-" + green_id), std::string::npos) << page.body;
  EXPECT_EQ(page.body.find("id=\"close\""), std::string::npos) << "closing is the office's";
  EXPECT_EQ(page.body.find("/accept\""), std::string::npos);
  // Every criterion the page asks for, scored as the end-to-end test scores a 5-star product (95).
  const std::map<std::string, std::string> points = {{"c_A1", "20"}, {"c_A2", "20"}, {"c_B1", "25"}, {"c_C1", "30"}};
  std::map<std::string, std::string> sheet = {{"csrf", member.csrf()}};
  std::smatch field;
  std::string rest = page.body;
  while (std::regex_search(rest, field, std::regex("name=\"(c_[A-Z0-9]+)\" type=\"number\""))) {
    sheet[field[1]] = points.count(field[1]) ? points.at(field[1]) : "0";
    rest = field.suffix();
  }
  ASSERT_GE(sheet.size(), 6u) << page.body;
  std::map<std::string, std::string> too_many = sheet;
  too_many["c_A1"] = "1000";
  HttpResult over = member.Post("/" + tea.name() + "/score", Form(too_many));
  EXPECT_EQ(over.status, 400);
  EXPECT_NE(over.body.find("value=\"1000\""), std::string::npos) << "typed values kept";
  HttpResult scored = member.Post("/" + tea.name() + "/score", Form(sheet));
  ASSERT_EQ(scored.status, 303) << scored.body;
  page = member.Get(HeaderOf(scored, "Location").substr(0, HeaderOf(scored, "Location").find('#')));
  EXPECT_NE(page.body.find("Bạn đã chấm hồ sơ này"), std::string::npos);
  // The next sheet is the other dossier's; the same scores for it.
  ASSERT_NE(page.body.find("id=\"score-" + green_id + "\""), std::string::npos) << page.body;
  sheet["csrf"] = member.csrf();
  ASSERT_EQ(member.Post("/" + green.name() + "/score", Form(sheet)).status, 303);

  // The office closes the round: the certificate is issued and the report counts a 5-star product.
  // (The registry's day is the harness's, 1 December 2026.)
  HttpResult before = office.Get("/reports");
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_NE(before.body.find("<title>5 sao / stars: 0</title>"), std::string::npos) << before.body;
  HttpResult closed = office.Post("/" + created.name() + "/close", Form({{"csrf", office.csrf()},
                                                                         {"decision_number", "123/QĐ-BNN"},
                                                                         {"decision_date", "2026-12-01"}}));
  ASSERT_EQ(closed.status, 303) << closed.body;
  page = office.Get(HeaderOf(closed, "Location"));
  EXPECT_NE(page.body.find("TW-OCOP-2026-0001"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("★★★★★"), std::string::npos);

  // The certificates: the list as CSV and a printable PDF per product, whose QR code opens the
  // product's public page on lookup. The council member does not print them.
  const std::string certificate_path = "/" + created.name() + "/certificates/" + tea_id;
  EXPECT_NE(page.body.find("href=\"" + certificate_path + "\""), std::string::npos) << page.body;
  const std::string tea_page = "https://ocop.tn.gov.vn/p/" + tea.product().substr(strlen("products/"));
  HttpResult list = office.Get("/" + created.name() + "/certificates");
  ASSERT_EQ(list.status, 200) << list.body;
  EXPECT_EQ(HeaderOf(list, "Content-Type"), "text/csv; charset=utf-8");
  EXPECT_EQ(list.body.rfind("\xEF\xBB\xBF" "certificate_number,", 0), 0u) << list.body;
  EXPECT_NE(list.body.find("TW-OCOP-2026-0001," + tea.product() + ",Chè búp Tân Cương,Đồ uống,"), std::string::npos)
      << list.body;
  EXPECT_NE(list.body.find(",123/QĐ-BNN,2026-12-01,2029-11-30," + tea_page + "\r\n"), std::string::npos) << list.body;
  EXPECT_EQ(list.body.find(other.product()), std::string::npos) << "returned: no certificate";
  HttpResult certificate = office.Get(certificate_path);
  ASSERT_EQ(certificate.status, 200) << certificate.body;
  EXPECT_EQ(HeaderOf(certificate, "Content-Type"), "application/pdf");
  EXPECT_NE(HeaderOf(certificate, "Content-Disposition").find("filename=\"TW-OCOP-2026-000"), std::string::npos);
  const std::string certificate_file = dir_.File("certificate.pdf");
  std::ofstream(certificate_file, std::ios::binary) << certificate.body;
  const std::string printed = ocop::testing::RunCommand("pdftotext '" + certificate_file + "' - 2>&1");
  for (const std::string& expected : {std::string("GIẤY CHỨNG NHẬN"), std::string("Chè búp Tân Cương"),
                                      std::string("Đạt hạng 5 sao"), std::string("123/QĐ-BNN ngày 01/12/2026"),
                                      std::string("Có giá trị đến hết ngày 30/11/2029")}) {
    EXPECT_NE(printed.find(expected), std::string::npos) << expected << " in:\n" << printed;
  }
  ocop::testing::RunCommand("pdftoppm -r 200 -png '" + certificate_file + "' '" + dir_.File("certificate") + "'");
  EXPECT_EQ(ocop::testing::RunCommand("zbarimg --quiet --raw -Sdisable -Sqrcode.enable '" +
                                      dir_.File("certificate-1.png") + "' 2>/dev/null"),
            tea_page + "\n");
  EXPECT_EQ(office.Get("/" + created.name() + "/certificates/" + other_id).status, 404);
  EXPECT_EQ(member.Get(certificate_path).status, 404);
  HttpResult after = office.Get("/reports?as_of=2026-12-01");
  ASSERT_EQ(after.status, 200);
  EXPECT_LT(after.body.size(), 100u * 1024);
  EXPECT_NE(after.body.find("<title>5 sao / stars: 2</title>"), std::string::npos) << after.body;
  // A plan's targets as the plan words them: the 5-star stock "about 2" is met, new producers
  // "from 3 to 5" are not.
  registry::v1::SetPlanRequest plan;
  plan.mutable_plan()->set_name("plans/tn-console");
  plan.mutable_plan()->set_province_code("19");
  plan.mutable_plan()->set_display_name("Kế hoạch thử");
  plan.mutable_plan()->set_period_start("2026-01-01");
  plan.mutable_plan()->set_period_end("2026-12-31");
  registry::v1::PlanTarget* stock = plan.mutable_plan()->add_targets();
  stock->set_metric(registry::v1::PLAN_METRIC_FIVE_STAR_PRODUCTS);
  stock->set_bound(registry::v1::TARGET_BOUND_ABOUT);
  stock->set_target(2);
  registry::v1::PlanTarget* producers = plan.mutable_plan()->add_targets();
  producers->set_metric(registry::v1::PLAN_METRIC_NEW_OCOP_PRODUCERS);
  producers->set_bound(registry::v1::TARGET_BOUND_RANGE);
  producers->set_target(3);
  producers->set_target_max(5);
  registry::v1::ProvincePlan stored_plan;
  ASSERT_TRUE(registry_->Stub()->SetPlan(Context().get(), plan, &stored_plan).ok());
  HttpResult planned = office.Get("/reports?as_of=2026-12-01&plan=plans/tn-console");
  ASSERT_EQ(planned.status, 200);
  EXPECT_NE(planned.body.find("Sản phẩm 5 sao còn hiệu lực"), std::string::npos) << planned.body;
  EXPECT_NE(planned.body.find("≈ 2</td>"), std::string::npos) << planned.body;
  EXPECT_NE(planned.body.find("3–5</td>"), std::string::npos) << planned.body;
  const std::string target_cell = "<td data-label=\"Chỉ tiêu / Target\">";
  EXPECT_NE(planned.body.find("<tr>" + target_cell + "Sản phẩm 5 sao còn hiệu lực"), std::string::npos);
  EXPECT_NE(planned.body.find("<tr class=\"expiring\">" + target_cell + "Chủ thể OCOP mới"), std::string::npos);
  EXPECT_EQ(office.Get("/reports?as_of=not-a-day").status, 400);
  // A producer has neither rounds nor reports.
  Browser producer(console_->http_port());
  ASSERT_EQ(SignIn(producer, "htx.tancuong").status, 303);
  EXPECT_EQ(producer.Get("/rounds").status, 403);
  EXPECT_EQ(producer.Get("/reports").status, 403);
  EXPECT_EQ(producer.Post("/" + tea.name() + "/accept", Form({{"csrf", producer.csrf()}})).status, 403);
}

// The renewal worklist on /reports opens a re-evaluation: the office picks an open round next to
// an expiring certificate, and the dossier it creates names that certificate; a second press of the
// button creates nothing more.
TEST_F(ConsoleTest, AnOfficeOpensAReEvaluationFromTheExpiringCertificates) {
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  HttpResult page = office.Get("/reports?as_of=2026-12-01");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Chưa có đợt đánh giá nào đang mở"), std::string::npos) << page.body;

  auto evaluation = registry_->EvaluationStub();
  registry::v1::CreateRoundRequest create_round;
  registry::v1::EvaluationRound* round = create_round.mutable_round();
  round->set_display_name("Hội đồng OCOP tỉnh Thái Nguyên 2026");
  round->set_province_code("19");
  round->set_year(2026);
  round->set_council_level(registry::v1::COUNCIL_LEVEL_PROVINCE);
  round->set_criteria_set("criteriaSets/ocop-2023");
  round->set_certificate_prefix("TN-OCOP-2026-");
  round->add_council_members("hoi-dong-1");
  registry::v1::EvaluationRound created;
  ASSERT_TRUE(evaluation->CreateRound(Context("admin-1", "admin").get(), create_round, &created).ok());

  page = office.Get("/reports?as_of=2026-12-01");
  ASSERT_EQ(page.status, 200) << page.body;
  std::smatch form;
  // The row of "Chè móc câu", whose certificate ends on 2027-01-09.
  ASSERT_TRUE(std::regex_search(page.body, form,
                                std::regex("<form class=\"inline\" method=\"post\" action=\"/renewals\">(.*?)</form>")))
      << page.body;
  const std::string fields = form[1];
  std::smatch value;
  auto hidden = [&](const std::string& name) {
    return std::regex_search(fields, value, std::regex("name=\"" + name + "\" value=\"([^\"]*)\"")) ? value[1].str()
                                                                                                  : std::string();
  };
  const std::string product = hidden("product");
  const std::string renews = hidden("renews");
  const std::string request_id = hidden("request_id");
  EXPECT_EQ(product, products_["Chè móc câu"]);
  EXPECT_EQ(renews, product + "/ratings/1");
  EXPECT_NE(fields.find("<option value=\"" + created.name() + "\">"), std::string::npos) << fields;

  const std::string body = Form({{"csrf", office.csrf()}, {"request_id", request_id}, {"product", product},
                                 {"renews", renews}, {"round", created.name()}});
  HttpResult opened = office.Post("/renewals", body);
  ASSERT_EQ(opened.status, 303) << opened.body;
  const std::string location = HeaderOf(opened, "Location");
  EXPECT_EQ(location.rfind("/" + created.name() + "?done=renewal#dossier-", 0), 0u) << location;
  EXPECT_NE(office.Get(location.substr(0, location.find('#'))).body.find("Đã lập hồ sơ đánh giá lại"),
            std::string::npos);
  // The same press again (a double tap): the same dossier, not a second one.
  HttpResult again = office.Post("/renewals", body);
  ASSERT_EQ(again.status, 303) << again.body;
  EXPECT_EQ(HeaderOf(again, "Location"), location);
  registry::v1::ListDossiersRequest list;
  list.set_round(created.name());
  registry::v1::ListDossiersResponse dossiers;
  ASSERT_TRUE(evaluation->ListDossiers(Context("admin-1", "admin").get(), list, &dossiers).ok());
  ASSERT_EQ(dossiers.dossiers_size(), 1);
  EXPECT_EQ(dossiers.dossiers(0).renews(), renews);
  // A certificate that is not the product's current one is refused, and the page says why.
  HttpResult wrong = office.Post("/renewals", Form({{"csrf", office.csrf()}, {"request_id", "console-other"},
                                                    {"product", products_["Chè búp Tân Cương"]},
                                                    {"renews", renews}, {"round", created.name()}}));
  EXPECT_EQ(wrong.status, 400) << wrong.body;
  EXPECT_NE(wrong.body.find("dossier.renews"), std::string::npos) << wrong.body;
  // Not for a producer.
  Browser producer(console_->http_port());
  ASSERT_EQ(SignIn(producer, "htx.tancuong").status, 303);
  EXPECT_EQ(producer.Post("/renewals", Form({{"csrf", producer.csrf()}})).status, 403);
}

// An office imports a province's producers and products from CSV files in the console: a bad row
// is listed with its file and line and nothing is written; a check-only pass writes nothing; the
// real pass creates them, and the products page shows them.
TEST_F(ConsoleTest, AnOfficeImportsCsvFilesAndSeesEachBadRowWithItsLine) {
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  HttpResult page = office.Get("/import");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("enctype=\"multipart/form-data\""), std::string::npos);
  const std::string producers =
      "external_id,kind,display_name,representative,province_code,commune_code,street\r\n"
      "TN-CT-901,cooperative,HTX Chè Phúc Xuân,Lê Văn Hoà,19,05503,Xóm Khuôn Ngàn\r\n"
      "TN-CT-902,spaceship,HTX Sai Loại,Ai Đó,19,05503,Xóm 1\r\n";
  const std::string products =
      "external_id,producer_external_id,display_name,group,score,council_level,certificate_number,"
      "decision_number,decision_date\r\n"
      "TN-SP-901,TN-CT-901,Chè Phúc Xuân thượng hạng,beverages,75,province,TN-OCOP-2026-0901,77/QĐ-UBND,2026-06-01\r\n";
  HttpResult bad = office.PostFiles("/import", {{"csrf", office.csrf()}, {"producers", producers},
                                                {"products", products}});
  EXPECT_EQ(bad.status, 400) << bad.body;
  EXPECT_NE(bad.body.find("1 dòng có lỗi; chưa ghi gì"), std::string::npos) << bad.body;
  EXPECT_NE(bad.body.find("<td data-label=\"Tệp / File\">producers.csv</td><td data-label=\"Dòng / Line\">3</td>"),
            std::string::npos)
      << bad.body;
  EXPECT_NE(bad.body.find("spaceship"), std::string::npos);
  EXPECT_EQ(office.Get("/producers?q=phuc+xuan").body.find("HTX Chè Phúc Xuân"), std::string::npos) << "nothing written";

  const std::string good = producers.substr(0, producers.find("TN-CT-902"));
  // A row the registry refuses (no such commune) is listed the same way, from its answer.
  std::string unknown_commune = good;
  unknown_commune.replace(unknown_commune.find("05503"), 5, "99999");
  HttpResult refused = office.PostFiles("/import", {{"csrf", office.csrf()}, {"producers", unknown_commune}});
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("<td data-label=\"Tệp / File\">producers.csv</td><td data-label=\"Dòng / Line\">2</td>"),
            std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("99999"), std::string::npos);
  HttpResult checked = office.PostFiles("/import", {{"csrf", office.csrf()}, {"producers", good},
                                                    {"products", products}, {"validate_only", "1"}});
  ASSERT_EQ(checked.status, 200) << checked.body;
  EXPECT_NE(checked.body.find("chưa ghi gì (chỉ kiểm tra)"), std::string::npos) << checked.body;
  EXPECT_EQ(office.Get("/producers?q=phuc+xuan").body.find("HTX Chè Phúc Xuân"), std::string::npos);
  HttpResult applied = office.PostFiles("/import", {{"csrf", office.csrf()}, {"producers", good}, {"products", products}});
  ASSERT_EQ(applied.status, 200) << applied.body;
  EXPECT_NE(applied.body.find("Đã nhập dữ liệu"), std::string::npos) << applied.body;
  EXPECT_NE(office.Get("/producers?q=phuc+xuan").body.find("HTX Chè Phúc Xuân"), std::string::npos);
  EXPECT_NE(office.Get("/products?q=phuc+xuan").body.find("Chè Phúc Xuân thượng hạng"), std::string::npos);
  // Without the session's token, or without a file, nothing happens; a producer has no import.
  EXPECT_EQ(office.PostFiles("/import", {{"csrf", "guess"}, {"producers", good}}).status, 403);
  EXPECT_EQ(office.PostFiles("/import", {{"csrf", office.csrf()}}).status, 400);
  Browser producer(console_->http_port());
  ASSERT_EQ(SignIn(producer, "htx.tancuong").status, 303);
  EXPECT_EQ(producer.Get("/import").status, 403);
}

// An office adds a producer (refused first for a commune that is not there, the typed values kept),
// adds a product to it and edits both; an edit made from a stale page is refused, not applied. A
// product's page shows its rating history with who recorded each decision; its producer may open
// and edit its words, another producer may not open it.
TEST_F(ConsoleTest, AnOfficeAddsAndEditsProducersAndProducts) {
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  ASSERT_EQ(office.Get("/producers").status, 200);
  std::map<std::string, std::string> producer = {{"csrf", office.csrf()},  {"display_name", "HTX Miến dong Na Rì"},
                                                 {"kind", "1"},            {"full_name", "Hoàng Thị Lan"},
                                                 {"phone", "0209 3888 001"}, {"commune_code", "99999"},
                                                 {"street", "Thôn Nà Pài"}};
  HttpResult refused = office.Post("/producers", Form(producer));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("aria-describedby=\"new-producer-commune_code-error\""), std::string::npos)
      << refused.body;
  EXPECT_NE(refused.body.find("value=\"Hoàng Thị Lan\""), std::string::npos);
  EXPECT_NE(refused.body.find("<details open>"), std::string::npos);
  producer["commune_code"] = "05503";
  HttpResult created = office.Post("/producers", Form(producer));
  ASSERT_EQ(created.status, 303) << created.body;
  const std::string producer_page = HeaderOf(created, "Location");
  const std::string producer_name = producer_page.substr(1, producer_page.find('?') - 1);
  HttpResult page = office.Get(producer_page);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Đã thêm chủ thể"), std::string::npos);
  EXPECT_NE(page.body.find("Xã Tân Cương"), std::string::npos) << "the registry names the commune";

  // Classified by Decision 148: a drinks line for a food product is refused next to the field.
  std::map<std::string, std::string> new_product = {{"csrf", office.csrf()},
                                                    {"display_name", "Miến dong Na Rì"},
                                                    {"group", "1"},
                                                    {"category", "II.1.a"},
                                                    {"description", "Miến dong làm thủ công"}};
  HttpResult wrong_category = office.Post("/" + producer_name + "/products", Form(new_product));
  EXPECT_EQ(wrong_category.status, 400) << wrong_category.body;
  EXPECT_NE(wrong_category.body.find("aria-describedby=\"product-category-error\""), std::string::npos)
      << wrong_category.body;
  new_product["category"] = "I.3.c";
  HttpResult product = office.Post("/" + producer_name + "/products", Form(new_product));
  ASSERT_EQ(product.status, 303) << product.body;
  const std::string product_page = HeaderOf(product, "Location");
  const std::string product_name = product_page.substr(1, product_page.find('?') - 1);
  page = office.Get("/" + producer_name);
  EXPECT_NE(page.body.find("href=\"/" + product_name + "\">Miến dong Na Rì</a>"), std::string::npos);
  page = office.Get("/" + product_name);
  EXPECT_NE(page.body.find("I.3.c · Chế biến từ rau, củ, quả, hạt"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("<option value=\"I.3.c\" selected>"), std::string::npos) << "the edit form keeps it";

  // Edit the producer; the same page sent again after that is stale and refused.
  std::smatch etag;
  ASSERT_TRUE(std::regex_search(page.body, etag, std::regex("name=\"etag\" value=\"([^\"]*)\"")));
  producer["etag"] = etag[1];
  producer["phone"] = "0209 3888 999";
  // More trained workers than workers: the registry's refusal lands on the field, nothing is saved.
  producer["workers"] = "12";
  producer["trained_workers"] = "15";
  producer["green_value_chain"] = "1";
  producer["raw_material_hectares"] = "3,5";
  producer["raw_material_area"] = "Bãi dong riềng Nà Pài";
  HttpResult too_many = office.Post("/" + producer_name, Form(producer));
  EXPECT_EQ(too_many.status, 400) << too_many.body;
  EXPECT_NE(too_many.body.find("aria-describedby=\"producer-trained_workers-error\""), std::string::npos)
      << too_many.body;
  producer["trained_workers"] = "8";
  ASSERT_EQ(office.Post("/" + producer_name, Form(producer)).status, 303);
  page = office.Get("/" + producer_name);
  EXPECT_NE(page.body.find("0209 3888 999"), std::string::npos);
  EXPECT_NE(page.body.find("12 (8)"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("3.5 ha Bãi dong riềng Nà Pài"), std::string::npos) << page.body;
  producer["phone"] = "0209 0000 000";
  HttpResult stale = office.Post("/" + producer_name, Form(producer));
  EXPECT_EQ(stale.status, 409) << stale.body;
  EXPECT_NE(stale.body.find("Someone else changed it meanwhile"), std::string::npos);
  EXPECT_EQ(office.Get("/" + producer_name).body.find("0209 0000 000"), std::string::npos);

  // A product's page: the rating history names who recorded each decision.
  page = office.Get("/" + products_["Chè búp Tân Cương"]);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find("Lịch sử xếp hạng"), std::string::npos);
  EXPECT_NE(page.body.find("1/QĐ-UBND (2025-06-30)"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("Người ghi, lúc"), std::string::npos);
  ASSERT_TRUE(std::regex_search(page.body, etag, std::regex("name=\"etag\" value=\"([^\"]*)\"")));
  HttpResult suspended = office.Post("/" + products_["Chè búp Tân Cương"],
                                     Form({{"csrf", office.csrf()}, {"etag", etag[1]},
                                           {"display_name", "Chè búp Tân Cương"}, {"description", "Chè búp"},
                                           {"status", "2"}}));
  ASSERT_EQ(suspended.status, 303) << suspended.body;
  EXPECT_NE(office.Get("/" + products_["Chè búp Tân Cương"]).body.find("Tạm dừng"), std::string::npos);

  // Its producer opens and edits its words, not its status; another producer cannot open it.
  Browser tea(console_->http_port());
  ASSERT_EQ(SignIn(tea, "htx.tancuong").status, 303);
  page = tea.Get("/" + products_["Chè búp Tân Cương"]);
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body.find("name=\"status\""), std::string::npos);
  EXPECT_EQ(tea.Get("/" + products_["Mật ong hoa nhãn"]).status, 404);
  EXPECT_EQ(tea.Get("/" + producer_name).status, 403);
  EXPECT_EQ(tea.Post("/producers", Form(producer)).status, 403);
}

// An admin reads each service's audit trail in the console, filtered: the office's new producer at
// the registry, a producer's refused write at the batch service; nobody else may.
TEST_F(ConsoleTest, AnAdminReadsEachServicesAuditTrail) {
  CreateUser("quan-tri", "admin", "", "");
  const std::string season = AreaWithSeason(honey_.name(), "VN-TN-05503-077");
  Browser tea(console_->http_port());
  ASSERT_EQ(SignIn(tea, "htx.tancuong").status, 303);
  ASSERT_EQ(tea.Get("/products").status, 200);
  EXPECT_EQ(tea.Post("/" + season + "/events", Form({{"csrf", tea.csrf()}, {"biz_step", "ocop:pruning"},
                                                    {"event_time", Day(-1) + "T07:00"}}))
                .status,
            403);
  Browser admin(console_->http_port());
  ASSERT_EQ(SignIn(admin, "quan-tri").status, 303);
  HttpResult page = admin.Get("/audit?service=batch&denied=1");
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_NE(page.body.find(users_["htx.tancuong"] + " (producer)"), std::string::npos) << page.body;
  EXPECT_NE(page.body.find("AppendEvent"), std::string::npos);
  EXPECT_NE(page.body.find("PERMISSION_DENIED"), std::string::npos);
  page = admin.Get("/audit?service=registry&method=CreateUser");
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("CreateUser"), std::string::npos);
  EXPECT_EQ(page.body.find("AppendEvent"), std::string::npos);
  EXPECT_EQ(admin.Get("/audit?service=elsewhere").status, 400);
  EXPECT_EQ(tea.Get("/audit").status, 403);
  Browser office(console_->http_port());
  ASSERT_EQ(SignIn(office, "vanphong.tn").status, 303);
  EXPECT_EQ(office.Get("/audit").status, 403);
}

// A producer registers a growing area and a season in the console, then records a diary event
// with a photo picked on the phone: the console keeps only the photo's SHA-256 (with its address).
TEST_F(ConsoleTest, AProducerRegistersAnAreaAndAttachesAPhotoToTheDiaryByItsHash) {
  Browser browser(console_->http_port());
  ASSERT_EQ(SignIn(browser, "htx.tancuong").status, 303);
  HttpResult areas = browser.Get("/areas");
  ASSERT_EQ(areas.status, 200) << areas.body;
  std::map<std::string, std::string> area = {{"csrf", browser.csrf()},   {"code", "VN-TN-05503-042"},
                                             {"crop", "Chè Trung du"},    {"commune_code", "05503"},
                                             {"area_hectares", "0"}};
  HttpResult refused = browser.Post("/areas", Form(area));
  EXPECT_EQ(refused.status, 400) << refused.body;
  EXPECT_NE(refused.body.find("aria-describedby=\"area-area_hectares-error\""), std::string::npos) << refused.body;
  EXPECT_NE(refused.body.find("value=\"VN-TN-05503-042\""), std::string::npos);
  area["area_hectares"] = "1,5";
  ASSERT_EQ(browser.Post("/areas", Form(area)).status, 303);
  areas = browser.Get("/areas?done=area");
  EXPECT_NE(areas.body.find("Đã đăng ký vùng trồng"), std::string::npos);
  EXPECT_NE(areas.body.find("1.5 ha"), std::string::npos) << areas.body;
  std::smatch form_action;
  ASSERT_TRUE(std::regex_search(areas.body, form_action, std::regex("action=\"/(growingAreas/[^/\"]+)/seasons\"")));
  const std::string area_name = form_action[1];
  HttpResult season = browser.Post("/" + area_name + "/seasons", Form({{"csrf", browser.csrf()},
                                                                       {"label", "Vụ xuân 2027"},
                                                                       {"start_date", Day(-3)}}));
  ASSERT_EQ(season.status, 303) << season.body;
  const std::string season_name = HeaderOf(season, "Location").substr(1, HeaderOf(season, "Location").find('?') - 1);
  HttpResult page = browser.Get("/" + season_name);
  ASSERT_EQ(page.status, 200);
  EXPECT_NE(page.body.find("enctype=\"multipart/form-data\""), std::string::npos);

  const std::string photo = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(5000, '\x07');
  HttpResult recorded = browser.PostFiles("/" + season_name + "/events",
                                          {{"csrf", browser.csrf()},
                                           {"biz_step", "ocop:fertilizing"},
                                           {"event_time", Day(-1) + "T07:30"},
                                           {"attachment_file", photo},
                                           {"attachment_uri", "https://zalo.example.vn/anh/bon-phan.png"}});
  ASSERT_EQ(recorded.status, 303) << recorded.body;
  batch::v1::ListEventsRequest list;
  list.set_parent(season_name);
  batch::v1::ListEventsResponse events;
  ASSERT_TRUE(batch_->Stub()->ListEvents(Context().get(), list, &events).ok());
  ASSERT_EQ(events.events_size(), 1);
  ASSERT_EQ(events.events(0).attachments_size(), 1);
  EXPECT_EQ(events.events(0).attachments(0).sha256(), crypto::HexEncode(crypto::Sha256(photo)));
  EXPECT_EQ(events.events(0).attachments(0).uri(), "https://zalo.example.vn/anh/bon-phan.png");
  // A photo without the address it is published at is refused next to the address.
  HttpResult no_uri = browser.PostFiles("/" + season_name + "/events", {{"csrf", browser.csrf()},
                                                                        {"biz_step", "ocop:caring"},
                                                                        {"event_time", Day(-1) + "T08:00"},
                                                                        {"attachment_file", photo}});
  EXPECT_EQ(no_uri.status, 400) << no_uri.body;
  EXPECT_NE(no_uri.body.find("aria-describedby=\"event-attachment_uri-error\""), std::string::npos);
}

// A round of many dossiers: an office's page shows 25 cards with their forms, a link to the next
// 25, and every form carries the page it came from; the page stays under 100 KB.
TEST(ConsolePages, ARoundShowsItsDossiersTwentyFiveToAPage) {
  RoundView view;
  view.round.set_name("rounds/r1");
  view.round.set_state(registry::v1::ROUND_STATE_OPEN);
  view.office = true;
  view.csrf = "CSRF";
  for (int i = 0; i < 60; ++i) {
    registry::v1::Dossier dossier;
    dossier.set_name(absl::StrCat("dossiers/d", i));
    dossier.set_product(absl::StrCat("products/p", i));
    dossier.set_state(registry::v1::DOSSIER_STATE_SUBMITTED);
    dossier.add_documents()->set_uri(absl::StrCat("https://ocop.example.vn/ho-so/", i, ".pdf"));
    view.product_names[dossier.product()] = absl::StrCat("Sản phẩm số ", i);
    view.dossiers.push_back(dossier);
  }
  auto cards = [](const std::string& page) {
    size_t count = 0;
    for (size_t at = page.find("<section class=\"card\""); at != std::string::npos;
         at = page.find("<section class=\"card\"", at + 1)) {
      ++count;
    }
    return count;
  };
  std::string page = RenderRoundBody(view);
  EXPECT_EQ(cards(page), 25u);
  EXPECT_LT(page.size(), 100u * 1024);
  EXPECT_NE(page.find("id=\"dossier-d24\""), std::string::npos);
  EXPECT_EQ(page.find("id=\"dossier-d25\""), std::string::npos);
  EXPECT_NE(page.find("href=\"/rounds/r1?from=25\""), std::string::npos);
  EXPECT_NE(page.find("<input type=\"hidden\" name=\"from\" value=\"0\">"), std::string::npos);
  view.first_dossier = 50;
  page = RenderRoundBody(view);
  EXPECT_EQ(cards(page), 10u);
  EXPECT_NE(page.find("href=\"/rounds/r1?from=25\">"), std::string::npos) << "back a page";
  EXPECT_EQ(page.find("?from=60"), std::string::npos);
  EXPECT_NE(page.find("51–60 / 60"), std::string::npos);
  view.first_dossier = 1000;  // a stale link shows no card rather than failing
  EXPECT_EQ(cards(RenderRoundBody(view)), 0u);
}

}  // namespace
}  // namespace ocop::console
