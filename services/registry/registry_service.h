// gRPC handlers of ocop.registry.v1.RegistryService: proto in, domain call, status out.
#pragma once

#include "common/feed/change_feed.h"
#include "common/grpc/held_calls.h"
#include "ocop/registry/v1/registry.grpc.pb.h"
#include "services/registry/importer.h"
#include "services/registry/producers.h"
#include "services/registry/products.h"
#include "services/registry/reports.h"
#include "services/registry/product_ideas.h"
#include "services/registry/sales_points.h"

namespace ocop::registry {

class RegistryServiceImpl final : public v1::RegistryService::Service {
 public:
  // The parts of the registry it serves; none is owned.
  struct Parts {
    Producers* producers;
    Products* products;
    Reports* reports;
    Importer* importer;
    SalesPoints* sales_points;
    ProductIdeas* product_ideas;
    feed::ChangeFeed* feed;
  };
  explicit RegistryServiceImpl(Parts parts) : parts_(parts) {}

  grpc::Status CreateProducer(grpc::ServerContext* context, const v1::CreateProducerRequest* request,
                              v1::Producer* response) override;
  grpc::Status GetProducer(grpc::ServerContext* context, const v1::GetProducerRequest* request,
                           v1::Producer* response) override;
  grpc::Status UpdateProducer(grpc::ServerContext* context, const v1::UpdateProducerRequest* request,
                              v1::Producer* response) override;
  grpc::Status ListProducers(grpc::ServerContext* context, const v1::ListProducersRequest* request,
                             v1::ListProducersResponse* response) override;
  grpc::Status CreateProduct(grpc::ServerContext* context, const v1::CreateProductRequest* request,
                             v1::Product* response) override;
  grpc::Status GetProduct(grpc::ServerContext* context, const v1::GetProductRequest* request,
                          v1::Product* response) override;
  grpc::Status UpdateProduct(grpc::ServerContext* context, const v1::UpdateProductRequest* request,
                             v1::Product* response) override;
  grpc::Status AddRating(grpc::ServerContext* context, const v1::AddRatingRequest* request,
                         v1::OcopRating* response) override;
  grpc::Status ListRatings(grpc::ServerContext* context, const v1::ListRatingsRequest* request,
                           v1::ListRatingsResponse* response) override;
  grpc::Status GetCouncilRules(grpc::ServerContext* context, const v1::GetCouncilRulesRequest* request,
                               v1::CouncilRuleSet* response) override;
  grpc::Status ListProductCategories(grpc::ServerContext* context, const v1::ListProductCategoriesRequest* request,
                                     v1::ListProductCategoriesResponse* response) override;
  grpc::Status ListProducts(grpc::ServerContext* context, const v1::ListProductsRequest* request,
                            v1::ListProductsResponse* response) override;
  grpc::Status ImportRecords(grpc::ServerContext* context, grpc::ServerReader<v1::ImportRecordsRequest>* reader,
                             v1::ImportRecordsResponse* response) override;
  grpc::Status ReportCertifiedProducts(grpc::ServerContext* context, const v1::ReportCertifiedProductsRequest* request,
                                       v1::CertifiedProductsReport* response) override;
  grpc::Status ReportProducers(grpc::ServerContext* context, const v1::ReportProducersRequest* request,
                               v1::ProducersReport* response) override;
  grpc::Status ReportCertificationCounts(grpc::ServerContext* context,
                                         const v1::ReportCertificationCountsRequest* request,
                                         v1::CertificationCounts* response) override;
  grpc::Status ListExpiringCertificates(grpc::ServerContext* context,
                                        const v1::ListExpiringCertificatesRequest* request,
                                        v1::ListExpiringCertificatesResponse* response) override;
  grpc::Status SetPlan(grpc::ServerContext* context, const v1::SetPlanRequest* request,
                       v1::ProvincePlan* response) override;
  grpc::Status GetPlanProgress(grpc::ServerContext* context, const v1::GetPlanProgressRequest* request,
                               v1::PlanProgress* response) override;
  grpc::Status SetSalesPoint(grpc::ServerContext* context, const v1::SetSalesPointRequest* request,
                             v1::SalesPoint* response) override;
  grpc::Status GetSalesPoint(grpc::ServerContext* context, const v1::GetSalesPointRequest* request,
                             v1::SalesPoint* response) override;
  grpc::Status ListSalesPoints(grpc::ServerContext* context, const v1::ListSalesPointsRequest* request,
                               v1::ListSalesPointsResponse* response) override;
  grpc::Status SetProductIdea(grpc::ServerContext* context, const v1::SetProductIdeaRequest* request,
                              v1::ProductIdea* response) override;
  grpc::Status GetProductIdea(grpc::ServerContext* context, const v1::GetProductIdeaRequest* request,
                              v1::ProductIdea* response) override;
  grpc::Status ListProductIdeas(grpc::ServerContext* context, const v1::ListProductIdeasRequest* request,
                                v1::ListProductIdeasResponse* response) override;
  grpc::Status ReportProductIdeas(grpc::ServerContext* context, const v1::ReportProductIdeasRequest* request,
                                  v1::ProductIdeasReport* response) override;
  grpc::Status WatchChanges(grpc::ServerContext* context, const common::v1::WatchChangesRequest* request,
                            grpc::ServerWriter<common::v1::Change>* writer) override;

 private:
  Parts parts_;
  // A client-streamed import holds a thread until it half-closes: two at once, cut after a minute
  // without a message.
  grpcutil::HeldCalls imports_{"imports", 2, absl::Seconds(60)};
};

// The most rows (producers and products together) and request bytes one ImportRecords takes: a
// national catalogue (some 14,000 products and 8,000 producers) fits many times over.
inline constexpr int kMaxImportRows = 100'000;
inline constexpr size_t kMaxImportBytes = 64 << 20;

}  // namespace ocop::registry
