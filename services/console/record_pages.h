// The office's pages for one producer and one product: their facts, edit forms, a producer's
// products with a form for a new one, and a product's rating history (who recorded which
// decision, when). Rendering only; records.cc fetches and writes with the person's own token.
#pragma once

#include <string>
#include <vector>

#include "ocop/registry/v1/registry.pb.h"
#include "services/console/html.h"

namespace ocop::console {

inline const std::vector<std::string> kProducerFields = {
    "display_name", "kind",    "full_name",         "phone",           "commune_code", "street", "tax_code",
    "workers",      "trained_workers", "green_value_chain", "raw_material_hectares", "raw_material_area"};
inline const std::vector<std::string> kProductFields = {"display_name", "group", "category", "description", "status"};

// The form for a new producer (on the producers' page) or a producer's changes.
std::string ProducerForm(const std::string& form_id, const std::string& action, const std::string& csrf,
                         const FormState& form, const registry::v1::Producer* current);

struct ProducerView {
  registry::v1::Producer producer;
  std::vector<registry::v1::Product> products;
  std::string csrf;
  FormState edit_form;
  FormState product_form;
  std::string notice;
};
std::string RenderProducerBody(const ProducerView& view);

struct ProductView {
  registry::v1::Product product;
  std::string producer_name;
  std::vector<registry::v1::OcopRating> ratings;
  std::string csrf;
  FormState edit_form;
  bool office = false;  // an office also sets the status; a producer edits its words
  std::string notice;
};
std::string RenderProductBody(const ProductView& view);

}  // namespace ocop::console
