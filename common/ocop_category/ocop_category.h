// Decision 148/QĐ-TTg (2023)'s classification of OCOP products, as data: six product groups, each
// split into groups (nhóm) and most of those into sub-groups (phân nhóm); every deepest line is
// managed by one or two ministries. A product or a product idea is classified at a deepest line,
// by its code in the decision's own numbering: "I.5.a" is product group I (food), group 5 (tea),
// sub-group a (fresh and processed tea); "I.6" (coffee, cocoa) has no sub-groups.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ocop/registry/v1/registry.pb.h"

namespace ocop::ocop_category {

struct Category {
  // "I.5.a"; a group without sub-groups is its own deepest line ("I.6").
  absl::string_view code;
  registry::v1::ProductGroup product_group;
  // The group (nhóm) as the decision writes it, e.g. "Chè".
  absl::string_view group_name;
  // The sub-group (phân nhóm) as the decision writes it, e.g. "Chè tươi, chế biến"; the group's
  // name when it has no sub-groups.
  absl::string_view name;
  // The same in English (ours, for the English half of pages and for integrators).
  absl::string_view english_name;
  // The managing ministries (Bộ chủ trì quản lý) under today's names, "; "-separated: the
  // decision's Ministry of Agriculture and Rural Development has been the Ministry of Agriculture
  // and Environment since March 2025.
  absl::string_view ministries;
};

// The 26 deepest lines, in the decision's order.
const std::vector<Category>& AllCategories();

// `code` as the decision prints it: spaces around it dropped, roman numerals upper case, the
// sub-group letter lower case ("i.5.A " is "I.5.a"). Nothing is checked.
std::string CanonicalCode(absl::string_view code);

// The category `code` names (ASCII case and surrounding spaces ignored: "i.5.A " is "I.5.a"), or
// INVALID_ARGUMENT naming `field`: for a group that has sub-groups, which ones to choose from; for
// anything else, that it is not in the decision's classification.
absl::StatusOr<const Category*> FindCategory(absl::string_view field, absl::string_view code);

// The deepest lines at or under `code` (case and spaces ignored as above): "I.5" gives I.5.a and
// I.5.b, "I" the 13 food lines, "I.5.a" itself; none for a code outside the classification.
std::vector<const Category*> CategoriesUnder(absl::string_view code);

}  // namespace ocop::ocop_category
