// The web console over HTTP against a real registry on a loopback port: sign-in with its cookies
// and CSRF checks, a producer's products with certificate validity, an office's producers.
#include "services/console/console.h"

#include <gtest/gtest.h>

#include <map>
#include <regex>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/auth/service_auth.h"
#include "common/grpc/client.h"
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

    ConsoleConfig config;
    config.registry = registry_->address();
    config.verifier.issuer = "ocop-trace/registry";
    config.verifier.audience = "ocop-trace";
    config.calendar = ocop::testing::TestNow;  // 1 December 2026
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
  }

  // Opens the sign-in page and signs in; the browser then holds the session cookie.
  HttpResult SignIn(Browser& browser, const std::string& username, const std::string& password = kPassword) {
    EXPECT_EQ(browser.Get("/login").status, 200);
    return browser.Post("/login", absl::StrCat("csrf=", browser.csrf(), "&username=", http::UrlEncode(username),
                                               "&password=", http::UrlEncode(password)));
  }

  ocop::testing::TempDir dir_;
  std::unique_ptr<ocop::testing::RegistryHarness> registry_;
  registry::v1::Producer tea_, honey_;
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
  ASSERT_TRUE(std::regex_search(products.body, row, std::regex("<tr><td[^>]*>Chè búp Tân Cương</td>.*?</tr>")));
  EXPECT_NE(row.str().find("2028-06-29"), std::string::npos) << row.str();
  EXPECT_EQ(row.str().find("class=\"tag\""), std::string::npos) << row.str();

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

}  // namespace
}  // namespace ocop::console
