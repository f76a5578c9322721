#include "common/ocop_category/ocop_category.h"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace ocop::ocop_category {
namespace {

using registry::v1::PRODUCT_GROUP_BEVERAGES;
using registry::v1::PRODUCT_GROUP_FOOD;
using registry::v1::PRODUCT_GROUP_HANDICRAFTS;
using registry::v1::PRODUCT_GROUP_HERBS;
using registry::v1::PRODUCT_GROUP_ORNAMENTAL;
using registry::v1::PRODUCT_GROUP_TOURISM;

constexpr absl::string_view kAgriculture = "Bộ Nông nghiệp và Môi trường";
constexpr absl::string_view kIndustryTrade = "Bộ Công Thương";
constexpr absl::string_view kHealth = "Bộ Y tế";
constexpr absl::string_view kAgricultureAndIndustryTrade = "Bộ Nông nghiệp và Môi trường; Bộ Công Thương";
constexpr absl::string_view kIndustryTradeAndAgriculture = "Bộ Công Thương; Bộ Nông nghiệp và Môi trường";
constexpr absl::string_view kHealthAndIndustryTrade = "Bộ Y tế; Bộ Công Thương";
constexpr absl::string_view kCultureAndAgriculture = "Bộ Văn hóa, Thể thao và Du lịch; Bộ Nông nghiệp và Môi trường";

}  // namespace

std::string CanonicalCode(absl::string_view code) {
  std::string canonical(absl::StripAsciiWhitespace(code));
  // Only a third part is a sub-group letter.
  const size_t letters_from =
      std::count(canonical.begin(), canonical.end(), '.') == 2 ? canonical.rfind('.') + 1 : canonical.size();
  for (size_t i = 0; i < canonical.size(); ++i) {
    canonical[i] = i >= letters_from ? absl::ascii_tolower(canonical[i]) : absl::ascii_toupper(canonical[i]);
  }
  return canonical;
}

const std::vector<Category>& AllCategories() {
  static const std::vector<Category>* categories = new std::vector<Category>{
      {"I.1.a", PRODUCT_GROUP_FOOD, "Thực phẩm tươi sống", "Rau, củ, quả, hạt tươi",
       "Fresh vegetables, tubers, fruit and nuts", kAgriculture},
      {"I.1.b", PRODUCT_GROUP_FOOD, "Thực phẩm tươi sống", "Thịt, thủy sản, trứng, sữa tươi",
       "Fresh meat, fish and seafood, eggs, milk", kAgriculture},
      {"I.2.a", PRODUCT_GROUP_FOOD, "Thực phẩm thô, sơ chế", "Gạo, ngũ cốc, hạt sơ chế khác",
       "Rice, cereals and other pre-processed grains", kAgriculture},
      {"I.2.b", PRODUCT_GROUP_FOOD, "Thực phẩm thô, sơ chế", "Mật ong, mật khác và nông sản thực phẩm khác",
       "Honey, other syrups and other farm foods", kAgriculture},
      {"I.3.a", PRODUCT_GROUP_FOOD, "Thực phẩm chế biến", "Đồ ăn nhanh", "Fast food", kIndustryTrade},
      {"I.3.b", PRODUCT_GROUP_FOOD, "Thực phẩm chế biến", "Chế biến từ gạo, ngũ cốc",
       "Processed from rice and cereals", kAgricultureAndIndustryTrade},
      {"I.3.c", PRODUCT_GROUP_FOOD, "Thực phẩm chế biến", "Chế biến từ rau, củ, quả, hạt",
       "Processed from vegetables, tubers, fruit and nuts", kAgriculture},
      {"I.3.d", PRODUCT_GROUP_FOOD, "Thực phẩm chế biến",
       "Chế biến từ thịt, trứng, sữa, thủy sản, các sản phẩm từ mật ong, mật khác và nông sản thực phẩm khác",
       "Processed from meat, eggs, milk, fish and seafood, honey, other syrups and other farm foods",
       kAgricultureAndIndustryTrade},
      {"I.4.a", PRODUCT_GROUP_FOOD, "Gia vị", "Tương, nước mắm, gia vị dạng lỏng khác",
       "Soy pastes, fish sauce and other liquid seasonings", kAgriculture},
      {"I.4.b", PRODUCT_GROUP_FOOD, "Gia vị", "Gia vị khác", "Other seasonings", kAgriculture},
      {"I.5.a", PRODUCT_GROUP_FOOD, "Chè", "Chè tươi, chế biến", "Fresh and processed tea", kAgriculture},
      {"I.5.b", PRODUCT_GROUP_FOOD, "Chè", "Sản phẩm chè từ thực vật khác", "Tea-like products from other plants",
       kAgriculture},
      {"I.6", PRODUCT_GROUP_FOOD, "Cà phê, ca cao", "Cà phê, ca cao", "Coffee, cocoa", kAgriculture},
      {"II.1.a", PRODUCT_GROUP_BEVERAGES, "Đồ uống có cồn", "Rượu trắng", "White spirits", kIndustryTrade},
      {"II.1.b", PRODUCT_GROUP_BEVERAGES, "Đồ uống có cồn", "Đồ uống có cồn khác", "Other alcoholic drinks",
       kIndustryTrade},
      {"II.2.a", PRODUCT_GROUP_BEVERAGES, "Đồ uống không cồn", "Nước khoáng thiên nhiên, nước uống đóng chai",
       "Natural mineral water, bottled drinking water", kHealth},
      {"II.2.b", PRODUCT_GROUP_BEVERAGES, "Đồ uống không cồn", "Đồ uống không cồn", "Soft drinks",
       kIndustryTrade},
      {"III.1", PRODUCT_GROUP_HERBS, "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
       "Thực phẩm chức năng, thuốc dược liệu, thuốc cổ truyền",
       "Health supplements, herbal and traditional medicines", kHealth},
      {"III.2", PRODUCT_GROUP_HERBS, "Mỹ phẩm có thành phần từ dược liệu", "Mỹ phẩm có thành phần từ dược liệu",
       "Cosmetics with herbal ingredients", kHealth},
      {"III.3", PRODUCT_GROUP_HERBS, "Tinh dầu và dược liệu khác", "Tinh dầu và dược liệu khác",
       "Essential oils and other herbal materials", kHealthAndIndustryTrade},
      {"IV.1", PRODUCT_GROUP_HANDICRAFTS, "Thủ công mỹ nghệ gia dụng, trang trí",
       "Thủ công mỹ nghệ gia dụng, trang trí", "Household and decorative handicrafts",
       kIndustryTradeAndAgriculture},
      {"IV.2", PRODUCT_GROUP_HANDICRAFTS, "Vải, may mặc", "Vải, may mặc", "Textiles and garments",
       kIndustryTrade},
      {"V.1", PRODUCT_GROUP_ORNAMENTAL, "Hoa", "Hoa", "Flowers", kAgriculture},
      {"V.2", PRODUCT_GROUP_ORNAMENTAL, "Cây cảnh", "Cây cảnh", "Ornamental plants", kAgriculture},
      {"V.3", PRODUCT_GROUP_ORNAMENTAL, "Động vật cảnh", "Động vật cảnh", "Ornamental animals", kAgriculture},
      {"VI.1", PRODUCT_GROUP_TOURISM, "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
       "Dịch vụ du lịch cộng đồng, du lịch sinh thái và điểm du lịch",
       "Community tourism, ecotourism and tourist destinations", kCultureAndAgriculture},
  };
  return *categories;
}

absl::StatusOr<const Category*> FindCategory(absl::string_view field, absl::string_view code) {
  const std::string canonical = CanonicalCode(code);
  std::vector<absl::string_view> sub_groups;
  for (const Category& category : AllCategories()) {
    if (category.code == canonical) return &category;
    if (absl::StartsWith(category.code, canonical + ".")) sub_groups.push_back(category.code);
  }
  if (!sub_groups.empty() && std::count(canonical.begin(), canonical.end(), '.') == 1) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": ", canonical, " has sub-groups; choose one of ",
                                                   absl::StrJoin(sub_groups, ", ")));
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": \"", code,
                                                 "\" is not a line of Decision 148's classification (e.g. \"I.5.a\"; "
                                                 "ListProductCategories lists all 26)"));
}

std::vector<const Category*> CategoriesUnder(absl::string_view code) {
  const std::string canonical = CanonicalCode(code);
  std::vector<const Category*> under;
  if (canonical.empty()) return under;
  for (const Category& category : AllCategories()) {
    if (category.code == canonical || absl::StartsWith(category.code, canonical + ".")) under.push_back(&category);
  }
  return under;
}

}  // namespace ocop::ocop_category
