#include "common/ocop_category/ocop_category.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "absl/strings/match.h"

namespace ocop::ocop_category {
namespace {

using registry::v1::ProductGroup;

// The decision's table, line by line: 26 deepest lines, 13 of them food; a line's roman numeral
// is its product group.
TEST(OcopCategory, TheTableHasTheDecisionsTwentySixLinesEachInTheGroupItsNumeralNames) {
  const std::vector<Category>& all = AllCategories();
  ASSERT_EQ(all.size(), 26u);
  const std::map<std::string, ProductGroup> numerals = {
      {"I", registry::v1::PRODUCT_GROUP_FOOD},         {"II", registry::v1::PRODUCT_GROUP_BEVERAGES},
      {"III", registry::v1::PRODUCT_GROUP_HERBS},      {"IV", registry::v1::PRODUCT_GROUP_HANDICRAFTS},
      {"V", registry::v1::PRODUCT_GROUP_ORNAMENTAL},   {"VI", registry::v1::PRODUCT_GROUP_TOURISM}};
  std::map<ProductGroup, int> per_group;
  std::set<std::string> codes;
  for (const Category& category : all) {
    const std::string code(category.code);
    EXPECT_TRUE(codes.insert(code).second) << code;
    const std::string numeral = code.substr(0, code.find('.'));
    ASSERT_TRUE(numerals.count(numeral)) << code;
    EXPECT_EQ(category.product_group, numerals.at(numeral)) << code;
    EXPECT_FALSE(category.name.empty()) << code;
    EXPECT_FALSE(category.english_name.empty()) << code;
    EXPECT_TRUE(absl::StartsWith(category.ministries, "Bộ ")) << code;
    // Every code finds itself, and the codes sort in the decision's order.
    absl::StatusOr<const Category*> found = FindCategory("category", code);
    ASSERT_TRUE(found.ok()) << found.status();
    EXPECT_EQ(*found, &category);
    ++per_group[category.product_group];
  }
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const Category& a, const Category& b) { return a.code < b.code; }));
  EXPECT_EQ(per_group[registry::v1::PRODUCT_GROUP_FOOD], 13);
  EXPECT_EQ(per_group[registry::v1::PRODUCT_GROUP_BEVERAGES], 4);
  EXPECT_EQ(per_group[registry::v1::PRODUCT_GROUP_HERBS], 3);
  EXPECT_EQ(per_group[registry::v1::PRODUCT_GROUP_HANDICRAFTS], 2);
  EXPECT_EQ(per_group[registry::v1::PRODUCT_GROUP_ORNAMENTAL], 3);
  EXPECT_EQ(per_group[registry::v1::PRODUCT_GROUP_TOURISM], 1);
}

// Fixed lines of the decision, as printed.
TEST(OcopCategory, KnownLinesReadAsTheDecisionPrintsThem) {
  absl::StatusOr<const Category*> tea = FindCategory("product.category", "I.5.a");
  ASSERT_TRUE(tea.ok());
  EXPECT_EQ((*tea)->group_name, "Chè");
  EXPECT_EQ((*tea)->name, "Chè tươi, chế biến");
  EXPECT_EQ((*tea)->ministries, "Bộ Nông nghiệp và Môi trường");
  absl::StatusOr<const Category*> water = FindCategory("product.category", "II.2.a");
  ASSERT_TRUE(water.ok());
  EXPECT_EQ((*water)->name, "Nước khoáng thiên nhiên, nước uống đóng chai");
  EXPECT_EQ((*water)->ministries, "Bộ Y tế");
  absl::StatusOr<const Category*> coffee = FindCategory("product.category", "I.6");
  ASSERT_TRUE(coffee.ok());
  EXPECT_EQ((*coffee)->name, "Cà phê, ca cao");
  EXPECT_EQ((*coffee)->group_name, (*coffee)->name);
}

TEST(OcopCategory, CodesAreReadWhateverTheirCaseAndAGroupWithSubGroupsSaysWhichToChoose) {
  EXPECT_EQ(CanonicalCode(" i.5.A "), "I.5.a");
  EXPECT_EQ(CanonicalCode("vi.1"), "VI.1");
  absl::StatusOr<const Category*> tea = FindCategory("product.category", " i.5.A ");
  ASSERT_TRUE(tea.ok());
  EXPECT_EQ((*tea)->code, "I.5.a");

  absl::StatusOr<const Category*> group = FindCategory("product.category", "I.5");
  EXPECT_EQ(group.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(group.status().message(), "product.category: I.5 has sub-groups; choose one of I.5.a, I.5.b");
  for (const char* unknown : {"I.7", "I.5.c", "VII.1", "", "I", "chè", "I..a"}) {
    absl::StatusOr<const Category*> found = FindCategory("product_idea.category", unknown);
    EXPECT_EQ(found.status().code(), absl::StatusCode::kInvalidArgument) << unknown;
    EXPECT_TRUE(absl::StartsWith(found.status().message(), "product_idea.category: \"")) << found.status();
  }
}

TEST(OcopCategory, CategoriesUnderACodeAreItselfOrItsSubGroups) {
  EXPECT_EQ(CategoriesUnder("I").size(), 13u);
  ASSERT_EQ(CategoriesUnder("i.5").size(), 2u);
  EXPECT_EQ(CategoriesUnder("i.5")[1]->code, "I.5.b");
  ASSERT_EQ(CategoriesUnder("II.1.b").size(), 1u);
  EXPECT_EQ(CategoriesUnder("II.1.b")[0]->name, "Đồ uống có cồn khác");
  EXPECT_TRUE(CategoriesUnder("VII").empty());
  EXPECT_TRUE(CategoriesUnder("").empty());
  EXPECT_TRUE(CategoriesUnder("I.1.").empty());
}

}  // namespace
}  // namespace ocop::ocop_category
