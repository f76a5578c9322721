#include "services/registry/registry_service.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "common/actor/actor.h"
#include "common/auth/grpc_auth.h"
#include "common/auth/ownership.h"
#include "common/grpc/fingerprint.h"
#include "common/grpc/paging.h"
#include "common/ocop_category/ocop_category.h"
#include "common/status/grpc_status.h"
#include "common/text/vietnamese.h"
#include "common/grpc/reply.h"
#include "services/registry/proto_convert.h"

namespace ocop::registry {

using grpcutil::Reply;

grpc::Status RegistryServiceImpl::CreateProducer(grpc::ServerContext* context,
                                                 const v1::CreateProducerRequest* request,
                                                 v1::Producer* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Producer> producer = FromProto(request->producer());
  if (producer.ok()) {
    producer = parts_.producers->CreateProducer(*caller, std::move(*producer),
                                         request->request_id(), grpcutil::RequestFingerprint(*request));
  }
  return Reply(producer, response);
}

grpc::Status RegistryServiceImpl::GetProducer(grpc::ServerContext* context,
                                              const v1::GetProducerRequest* request,
                                              v1::Producer* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Producer> producer = parts_.producers->GetProducer(*caller, request->name());
  return Reply(producer, response);
}

grpc::Status RegistryServiceImpl::UpdateProducer(grpc::ServerContext* context,
                                                 const v1::UpdateProducerRequest* request,
                                                 v1::Producer* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Producer> producer = FromProto(request->producer());
  if (producer.ok()) {
    std::vector<std::string> paths(request->update_mask().paths().begin(), request->update_mask().paths().end());
    producer = parts_.producers->UpdateProducer(*caller, *producer, paths, request->producer().etag());
  }
  return Reply(producer, response);
}

grpc::Status RegistryServiceImpl::ListProducers(grpc::ServerContext* context,
                                                const v1::ListProducersRequest* request,
                                                v1::ListProducersResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->kind() < 0 || request->kind() > kMaxProducerKind) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "kind: unknown value");
  }
  if (request->query().size() > 200) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "query: at most 200 bytes");
  }
  ProducerFilter filter{request->province_code(), static_cast<ProducerKind>(request->kind()),
                        request->commune_code(), text::FoldForSearch(request->query())};
  absl::StatusOr<Page<Producer>> page = parts_.producers->ListProducers(
      *caller, filter, PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Producer& producer : page->items) *response->add_producers() = ToProto(producer);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::CreateProduct(grpc::ServerContext* context,
                                                const v1::CreateProductRequest* request,
                                                v1::Product* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Product> product = FromProto(request->product());
  if (product.ok()) {
    product = parts_.products->CreateProduct(*caller, std::move(*product),
                                       request->request_id(), grpcutil::RequestFingerprint(*request));
  }
  return Reply(product, response);
}

grpc::Status RegistryServiceImpl::GetProduct(grpc::ServerContext* context,
                                             const v1::GetProductRequest* request, v1::Product* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Product> product = parts_.products->GetProduct(*caller, request->name());
  return Reply(product, response);
}

grpc::Status RegistryServiceImpl::UpdateProduct(grpc::ServerContext* context,
                                                const v1::UpdateProductRequest* request, v1::Product* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Product> product = FromProto(request->product());
  if (product.ok()) {
    std::vector<std::string> paths(request->update_mask().paths().begin(), request->update_mask().paths().end());
    product = parts_.products->UpdateProduct(*caller, *product, paths, request->product().etag());
  }
  return Reply(product, response);
}

grpc::Status RegistryServiceImpl::AddRating(grpc::ServerContext* context, const v1::AddRatingRequest* request,
                                            v1::OcopRating* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<OcopRating> rating = FromProto(request->rating(), "rating");
  if (rating.ok()) {
    rating = parts_.products->AddRating(*caller, request->parent(), std::move(*rating),
                                  request->request_id(), grpcutil::RequestFingerprint(*request));
  }
  return Reply(rating, response);
}

grpc::Status RegistryServiceImpl::ListRatings(grpc::ServerContext* context, const v1::ListRatingsRequest* request,
                                              v1::ListRatingsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Page<OcopRating>> page = parts_.products->ListRatings(
      *caller, request->parent(), PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const OcopRating& rating : page->items) *response->add_ratings() = ToProto(rating);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::GetCouncilRules(grpc::ServerContext* context, const v1::GetCouncilRulesRequest*,
                                                  v1::CouncilRuleSet* response) {
  // Not public: only callers the role table allows (the verdict is read, not the actor).
  if (absl::StatusOr<Actor> caller = auth::CallerOf(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  *response = ToProto(parts_.products->council_rules().rules());
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListProductCategories(grpc::ServerContext* context,
                                                        const v1::ListProductCategoriesRequest*,
                                                        v1::ListProductCategoriesResponse* response) {
  if (absl::StatusOr<Actor> caller = auth::CallerOf(*context); !caller.ok()) return ToGrpcStatus(caller.status());
  for (const ocop_category::Category& category : ocop_category::AllCategories()) {
    v1::ProductCategory* out = response->add_categories();
    out->set_code(std::string(category.code));
    out->set_product_group(category.product_group);
    out->set_group_name(std::string(category.group_name));
    out->set_name(std::string(category.name));
    out->set_english_name(std::string(category.english_name));
    for (absl::string_view ministry : absl::StrSplit(category.ministries, "; ")) {
      out->add_ministries(std::string(ministry));
    }
  }
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ListProducts(grpc::ServerContext* context,
                                               const v1::ListProductsRequest* request,
                                               v1::ListProductsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  if (request->group() < 0 || request->group() > kMaxProductGroup) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "group: unknown value");
  }
  if (request->query().size() > 200) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "query: at most 200 bytes");
  }
  ProductFilter filter{request->producer(), request->province_code(), static_cast<ProductGroup>(request->group()),
                       request->stars(), text::FoldForSearch(request->query()), request->gtin()};
  absl::StatusOr<Page<Product>> page = parts_.products->ListProducts(
      *caller, filter, PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const Product& product : page->items) *response->add_products() = ToProto(product);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ImportRecords(grpc::ServerContext* context,
                                                grpc::ServerReader<v1::ImportRecordsRequest>* reader,
                                                v1::ImportRecordsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<grpcutil::HeldCalls::Hold> hold = imports_.Enter(context);
  if (!hold.ok()) return ToGrpcStatus(hold.status());
  std::vector<ImportProducerRow> producers;
  std::vector<ImportProductRow> products;
  bool first = true;
  ImportOptions options;
  size_t bytes = 0;
  v1::ImportRecordsRequest request;
  while (reader->Read(&request)) {
    hold->Progress();
    if (first) {
      options.validate_only = request.validate_only();
      if (request.has_producer_fields()) {
        options.producer_fields.emplace(request.producer_fields().paths().begin(),
                                        request.producer_fields().paths().end());
      }
      if (request.has_product_fields()) {
        options.product_fields.emplace(request.product_fields().paths().begin(), request.product_fields().paths().end());
      }
    }
    first = false;
    bytes += request.ByteSizeLong();
    const size_t rows = producers.size() + products.size() + static_cast<size_t>(request.producers_size()) +
                        static_cast<size_t>(request.products_size());
    if (rows > static_cast<size_t>(kMaxImportRows) || bytes > kMaxImportBytes) {
      return ToGrpcStatus(absl::InvalidArgumentError(absl::StrCat(
          "import: at most ", kMaxImportRows, " rows and ", kMaxImportBytes >> 20,
          " MiB per import; split the files and import them one after another")));
    }
    for (const v1::ImportProducerRow& row : request.producers()) {
      absl::StatusOr<Producer> producer = FromProto(row.producer());
      if (!producer.ok()) {
        return ToGrpcStatus(absl::InvalidArgumentError(
            absl::StrCat("producers line ", row.line(), ": ", producer.status().message())));
      }
      producers.push_back({row.line(), std::move(*producer), row.producer().has_workforce(),
                           row.producer().has_value_chain()});
    }
    for (const v1::ImportProductRow& row : request.products()) {
      absl::StatusOr<Product> product = FromProto(row.product());
      if (!product.ok()) {
        return ToGrpcStatus(absl::InvalidArgumentError(
            absl::StrCat("products line ", row.line(), ": ", product.status().message())));
      }
      products.push_back({row.line(), std::move(*product), row.producer_external_id()});
    }
  }
  // A stream that broke off (or stalled and was cut) ends its reads like a finished one: never
  // import half a file.
  if (hold->stalled()) return grpc::Status(grpc::StatusCode::CANCELLED, "import: no message for a minute");
  if (context->IsCancelled()) return grpc::Status(grpc::StatusCode::CANCELLED, "import: the client went away");
  // Applying a national register takes longer than the stall limit on PostgreSQL (two minutes for
  // 60,000 rows, bench_registry); cancelling then would report a failure for an import that still
  // commits.
  hold->Working();
  absl::StatusOr<ImportResult> result =
      parts_.importer->Import(*caller, std::move(producers), std::move(products), options);
  if (!result.ok()) return ToGrpcStatus(result.status());
  response->set_applied(result->applied);
  response->set_producers_created(result->producers_created);
  response->set_producers_updated(result->producers_updated);
  response->set_producers_unchanged(result->producers_unchanged);
  response->set_products_created(result->products_created);
  response->set_products_updated(result->products_updated);
  response->set_products_unchanged(result->products_unchanged);
  response->set_ratings_added(result->ratings_added);
  response->set_ratings_unchanged(result->ratings_unchanged);
  for (const ImportError& error : result->errors) {
    v1::ImportError* out = response->add_errors();
    out->set_file(error.file);
    out->set_line(error.line);
    out->set_message(error.message);
  }
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ReportCertifiedProducts(grpc::ServerContext* context,
                                                          const v1::ReportCertifiedProductsRequest* request,
                                                          v1::CertifiedProductsReport* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  std::vector<ReportDimension> group_by;
  for (int dimension : request->group_by()) {
    if (dimension <= 0 || dimension > kMaxReportDimension) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "group_by: unknown dimension");
    }
    group_by.push_back(static_cast<ReportDimension>(dimension));
  }
  absl::StatusOr<CertifiedReport> report = parts_.reports->ReportCertifiedProducts(
      *caller, request->as_of(), request->province_code(), FromProto(request->scope()), group_by);
  return Reply(report, response);
}

grpc::Status RegistryServiceImpl::ReportProducers(grpc::ServerContext* context,
                                                  const v1::ReportProducersRequest* request,
                                                  v1::ProducersReport* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<ProducersReport> report = parts_.reports->ReportProducers(
      *caller, request->as_of(), request->province_code(), FromProto(request->scope()),
      request->include_uncertified());
  return Reply(report, response);
}

grpc::Status RegistryServiceImpl::ReportCertificationCounts(grpc::ServerContext* context,
                                                            const v1::ReportCertificationCountsRequest* request,
                                                            v1::CertificationCounts* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<CertificationCounts> counts = parts_.reports->ReportCertificationCounts(
      *caller, request->as_of(), request->period_start(), request->period_end(), request->province_code(),
      FromProto(request->scope()));
  return Reply(counts, response);
}

grpc::Status RegistryServiceImpl::ListExpiringCertificates(grpc::ServerContext* context,
                                                           const v1::ListExpiringCertificatesRequest* request,
                                                           v1::ListExpiringCertificatesResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Page<ExpiringCertificate>> page = parts_.reports->ListExpiringCertificates(
      *caller, request->as_of(), request->within_days(), request->province_code(), FromProto(request->scope()),
      PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const ExpiringCertificate& certificate : page->items) *response->add_certificates() = ToProto(certificate);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::SetPlan(grpc::ServerContext* context, const v1::SetPlanRequest* request,
                                          v1::ProvincePlan* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<ProvincePlan> plan = FromProto(request->plan());
  if (plan.ok()) plan = parts_.reports->SetPlan(*caller, std::move(*plan));
  return Reply(plan, response);
}

grpc::Status RegistryServiceImpl::GetPlanProgress(grpc::ServerContext* context,
                                                  const v1::GetPlanProgressRequest* request,
                                                  v1::PlanProgress* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<PlanProgress> progress =
      parts_.reports->GetPlanProgress(*caller, request->name(), request->as_of());
  return Reply(progress, response);
}

grpc::Status RegistryServiceImpl::SetSalesPoint(grpc::ServerContext* context, const v1::SetSalesPointRequest* request,
                                                v1::SalesPoint* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<SalesPoint> point = FromProto(request->sales_point());
  if (point.ok()) point = parts_.sales_points->SetSalesPoint(*caller, std::move(*point));
  return Reply(point, response);
}

grpc::Status RegistryServiceImpl::GetSalesPoint(grpc::ServerContext* context, const v1::GetSalesPointRequest* request,
                                                v1::SalesPoint* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(parts_.sales_points->GetSalesPoint(*caller, request->name()), response);
}

grpc::Status RegistryServiceImpl::ListSalesPoints(grpc::ServerContext* context,
                                                  const v1::ListSalesPointsRequest* request,
                                                  v1::ListSalesPointsResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<Page<SalesPoint>> page =
      parts_.sales_points->ListSalesPoints(*caller, SalesPointFilter{request->province_code(), request->include_closed()},
                                           PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const SalesPoint& point : page->items) *response->add_sales_points() = ToProto(point);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::SetProductIdea(grpc::ServerContext* context,
                                                 const v1::SetProductIdeaRequest* request, v1::ProductIdea* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<ProductIdea> idea = FromProto(request->product_idea());
  if (idea.ok()) idea = parts_.product_ideas->SetProductIdea(*caller, std::move(*idea));
  return Reply(idea, response);
}

grpc::Status RegistryServiceImpl::GetProductIdea(grpc::ServerContext* context,
                                                 const v1::GetProductIdeaRequest* request, v1::ProductIdea* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  return Reply(parts_.product_ideas->GetProductIdea(*caller, request->name()), response);
}

grpc::Status RegistryServiceImpl::ListProductIdeas(grpc::ServerContext* context,
                                                   const v1::ListProductIdeasRequest* request,
                                                   v1::ListProductIdeasResponse* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  ProductIdeaFilter filter{request->province_code(), request->commune_code(),
                           static_cast<ProductIdeaStage>(request->stage())};
  absl::StatusOr<Page<ProductIdea>> page =
      parts_.product_ideas->ListProductIdeas(*caller, filter, PageRequest{request->page_size(), request->page_token()});
  if (!page.ok()) return ToGrpcStatus(page.status());
  for (const ProductIdea& idea : page->items) *response->add_product_ideas() = ToProto(idea);
  if (page->next_position > 0) response->set_next_page_token(grpcutil::EncodePageToken(page->next_position));
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::ReportProductIdeas(grpc::ServerContext* context,
                                                     const v1::ReportProductIdeasRequest* request,
                                                     v1::ProductIdeasReport* response) {
  auth::Caller caller(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  absl::StatusOr<ProductIdeasReport> report = parts_.product_ideas->ReportProductIdeas(
      *caller, {request->province_code(), request->registered_from(), request->registered_to(),
                request->exclude_dropped()});
  if (!report.ok()) return ToGrpcStatus(report.status());
  response->set_province_code(report->province_code);
  response->set_total(report->total);
  for (const auto& row : report->by_sector) {
    v1::ProductIdeasReport::SectorRow* out = response->add_by_sector();
    out->set_sector(row.sector);
    out->set_ideas(row.ideas);
  }
  for (const auto& row : report->by_commune) {
    v1::ProductIdeasReport::CommuneRow* out = response->add_by_commune();
    out->set_commune_code(row.commune_code);
    out->set_commune_name(row.commune_name);
    out->set_ideas(row.ideas);
  }
  for (const auto& row : report->by_stage) {
    v1::ProductIdeasReport::StageRow* out = response->add_by_stage();
    out->set_stage(static_cast<v1::ProductIdeaStage>(row.stage));
    out->set_ideas(row.ideas);
  }
  return grpc::Status::OK;
}

grpc::Status RegistryServiceImpl::WatchChanges(grpc::ServerContext* context,
                                               const common::v1::WatchChangesRequest* request,
                                               grpc::ServerWriter<common::v1::Change>* writer) {
  // Not public.
  absl::StatusOr<Actor> caller = auth::CallerOf(*context);
  if (!caller.ok()) return ToGrpcStatus(caller.status());
  // A scoped integrator sees only changes about its producer or its province's producers.
  auto visible = auth::FeedScope(
      *caller,
      [this](const std::string& entity, const std::string& name) { return parts_.products->ProducerOfChange(entity, name); },
      [this](const std::string& producer) { return parts_.producers->ProvinceOf(producer); });
  return parts_.feed->Serve(context, *request, writer, visible);
}

}  // namespace ocop::registry
