#include "services/lookup/backends.h"

#include "absl/strings/str_cat.h"
#include "common/auth/token_source.h"
#include "common/grpc/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"
#include "services/lookup/public_view.h"

namespace ocop::lookup {
namespace {

// A batch page shows its timeline; a batch with more events than this shows the first ones.
constexpr int kMaxEventsShown = 200;

class GrpcBackends final : public Backends {
 public:
  GrpcBackends(const BackendAddresses& addresses, absl::Duration deadline, std::shared_ptr<auth::TokenSource> tokens)
      : registry_(registry::v1::RegistryService::NewStub(auth::AuthenticatedChannel(addresses.registry, tokens))),
        batch_(batch::v1::BatchService::NewStub(auth::AuthenticatedChannel(addresses.batch, tokens))),
        stamp_(stamp::v1::StampService::NewStub(auth::AuthenticatedChannel(addresses.stamp, tokens))),
        deadline_(deadline) {}

  absl::StatusOr<stamp::v1::Stamp> GetStamp(uint64_t serial) override {
    stamp::v1::GetStampRequest request;
    request.set_name(absl::StrCat("stamps/", serial));
    return Call<stamp::v1::Stamp>(&stamp::v1::StampService::Stub::GetStamp, *stamp_, request);
  }

  absl::StatusOr<stamp::v1::Roll> GetRoll(const std::string& name) override {
    stamp::v1::GetRollRequest request;
    request.set_name(name);
    return Call<stamp::v1::Roll>(&stamp::v1::StampService::Stub::GetRoll, *stamp_, request);
  }

  absl::StatusOr<registry::v1::Product> FindProductByGtin(const std::string& gtin) override {
    registry::v1::ListProductsRequest request;
    request.set_gtin(gtin);
    request.set_page_size(1);
    OCOP_ASSIGN_OR_RETURN(
        registry::v1::ListProductsResponse response,
        Call<registry::v1::ListProductsResponse>(&registry::v1::RegistryService::Stub::ListProducts, *registry_, request));
    if (response.products_size() == 0) return absl::NotFoundError(absl::StrCat("no product with GTIN ", gtin));
    return response.products(0);
  }

  absl::StatusOr<std::string> FindBatch(const std::string& product, const std::string& lot_code) override {
    batch::v1::ListBatchesRequest request;
    request.set_product(product);
    request.set_lot_code(lot_code);
    request.set_page_size(1);
    OCOP_ASSIGN_OR_RETURN(
        batch::v1::ListBatchesResponse response,
        Call<batch::v1::ListBatchesResponse>(&batch::v1::BatchService::Stub::ListBatches, *batch_, request));
    if (response.batches_size() == 0) return absl::NotFoundError(absl::StrCat("no lot ", lot_code, " of ", product));
    return response.batches(0).name();
  }

  absl::StatusOr<std::string> ExportEpcis(const std::string& name) override {
    batch::v1::ExportEpcisRequest request;
    request.set_public_view(true);  // published as is on /v1/epcis/
    request.set_name(name);
    OCOP_ASSIGN_OR_RETURN(
        batch::v1::ExportEpcisResponse response,
        Call<batch::v1::ExportEpcisResponse>(&batch::v1::BatchService::Stub::ExportEpcis, *batch_, request));
    return std::move(*response.mutable_document());
  }

  absl::Status RecordScans(const std::vector<stamp::v1::ScanRecord>& scans) override {
    stamp::v1::RecordScansRequest request;
    for (const stamp::v1::ScanRecord& scan : scans) *request.add_scans() = scan;
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_ * 2);  // a batch of up to 5,000 records
    stamp::v1::RecordScansResponse response;
    return FromGrpcStatus(stamp_->RecordScans(&context, request, &response));
  }

  absl::StatusOr<stamp::v1::VerifyPinResponse> VerifyPin(const std::string& token, const std::string& pin,
                                                         const std::string& client) override {
    stamp::v1::VerifyPinRequest request;
    request.set_token(token);
    request.set_pin(pin);
    request.set_client(client);
    return Call<stamp::v1::VerifyPinResponse>(&stamp::v1::StampService::Stub::VerifyPin, *stamp_, request);
  }

  absl::StatusOr<v1::BatchView> GetBatchView(const std::string& name) override {
    batch::v1::GetTraceRequest request;
    request.set_name(name);
    request.set_max_events(kMaxEventsShown);  // the first and the latest steps
    OCOP_ASSIGN_OR_RETURN(batch::v1::Trace trace,
                          Call<batch::v1::Trace>(&batch::v1::BatchService::Stub::GetTrace, *batch_, request));
    // Reduced to the public view once, when fetched (public_view.h).
    v1::BatchView view;
    *view.mutable_batch() = PublicLotOf(trace.batch());
    for (const batch::v1::Batch& ancestor : trace.ancestors()) *view.add_ancestors() = PublicLotOf(ancestor);
    for (const batch::v1::Season& season : trace.seasons()) *view.add_seasons() = PublicSeasonOf(season);
    for (const batch::v1::BatchEvent& event : trace.events()) {
      if (view.events_size() == kMaxEventsShown) break;
      *view.add_events() = PublicEventOf(event);
    }
    return view;
  }

  absl::StatusOr<registry::v1::Product> GetProduct(const std::string& name) override {
    registry::v1::GetProductRequest request;
    request.set_name(name);
    return Call<registry::v1::Product>(&registry::v1::RegistryService::Stub::GetProduct, *registry_, request);
  }

  absl::StatusOr<registry::v1::Producer> GetProducer(const std::string& name) override {
    registry::v1::GetProducerRequest request;
    request.set_name(name);
    return Call<registry::v1::Producer>(&registry::v1::RegistryService::Stub::GetProducer, *registry_, request);
  }

  absl::StatusOr<std::vector<registry::v1::Product>> ListProductsIn(const std::string& province_code) override {
    registry::v1::ListProductsRequest request;
    request.set_province_code(province_code);
    return ListAll<registry::v1::Product, registry::v1::ListProductsResponse>(
        &registry::v1::RegistryService::Stub::ListProducts, request,
        [](registry::v1::ListProductsResponse& page) { return page.mutable_products(); });
  }

  absl::StatusOr<std::vector<registry::v1::Producer>> ListProducersIn(const std::string& province_code) override {
    registry::v1::ListProducersRequest request;
    request.set_province_code(province_code);
    return ListAll<registry::v1::Producer, registry::v1::ListProducersResponse>(
        &registry::v1::RegistryService::Stub::ListProducers, request,
        [](registry::v1::ListProducersResponse& page) { return page.mutable_producers(); });
  }

  absl::StatusOr<std::map<uint32_t, std::string>> ListPublicKeys() override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_);
    // Rare and rate-limited: worth waiting (within the deadline) for a stamp service that is
    // just coming back, e.g. restarted to rotate its key.
    context.set_wait_for_ready(true);
    stamp::v1::ListPublicKeysResponse response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(stamp_->ListPublicKeys(&context, {}, &response)));
    std::map<uint32_t, std::string> keys;
    for (const stamp::v1::PublicKey& key : response.keys()) {
      OCOP_ASSIGN_OR_RETURN(uint32_t key_id, token::KeyIdFromHex(key.key_id()));
      keys[key_id] = key.public_key();
    }
    return keys;
  }

 private:
  // One unary call with the deadline (the channel adds lookup's token); the gRPC status becomes an absl one.
  template <typename Response, typename Stub, typename Request>
  absl::StatusOr<Response> Call(grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&, Response*),
                                Stub& stub, const Request& request) {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_);
    Response response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus((stub.*method)(&context, request, &response)));
    return response;
  }

  // Every page of a registry listing, 1,000 records a call, each call with the deadline.
  template <typename Record, typename Response, typename Request, typename RecordsOf>
  absl::StatusOr<std::vector<Record>> ListAll(
      grpc::Status (registry::v1::RegistryService::Stub::*method)(grpc::ClientContext*, const Request&, Response*),
      Request request, RecordsOf records_of) {
    request.set_page_size(1000);
    std::vector<Record> all;
    do {
      OCOP_ASSIGN_OR_RETURN(Response page, Call<Response>(method, *registry_, request));
      for (Record& record : *records_of(page)) all.push_back(std::move(record));
      if (all.size() > kMaxCatalogueRecords) {
        return absl::FailedPreconditionError(
            absl::StrCat("province ", request.province_code(), " holds more than ", kMaxCatalogueRecords, " records"));
      }
      request.set_page_token(page.next_page_token());
    } while (!request.page_token().empty());
    return all;
  }

  std::unique_ptr<registry::v1::RegistryService::Stub> registry_;
  std::unique_ptr<batch::v1::BatchService::Stub> batch_;
  std::unique_ptr<stamp::v1::StampService::Stub> stamp_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<Backends> MakeGrpcBackends(const BackendAddresses& addresses, absl::Duration deadline,
                                           std::shared_ptr<auth::TokenSource> tokens) {
  return std::make_unique<GrpcBackends>(addresses, deadline, std::move(tokens));
}

}  // namespace ocop::lookup
