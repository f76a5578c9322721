#include "services/lookup/backends.h"

#include "absl/strings/str_cat.h"
#include "common/grpc/client.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/token/token.h"

namespace ocop::lookup {
namespace {

// A batch page shows its timeline; a batch with more events than this shows the first ones.
constexpr int kMaxEventsShown = 1000;
constexpr char kActor[] = "service:lookup";

class GrpcBackends final : public Backends {
 public:
  GrpcBackends(const BackendAddresses& addresses, absl::Duration deadline)
      : registry_(registry::v1::RegistryService::NewStub(grpcutil::MakeChannel(addresses.registry))),
        batch_(batch::v1::BatchService::NewStub(grpcutil::MakeChannel(addresses.batch))),
        stamp_(stamp::v1::StampService::NewStub(grpcutil::MakeChannel(addresses.stamp))),
        deadline_(deadline) {}

  absl::StatusOr<stamp::v1::Stamp> GetStamp(uint64_t serial) override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_, kActor);
    stamp::v1::GetStampRequest request;
    request.set_name(absl::StrCat("stamps/", serial));
    stamp::v1::Stamp response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(stamp_->GetStamp(&context, request, &response)));
    return response;
  }

  absl::StatusOr<stamp::v1::Roll> GetRoll(const std::string& name) override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_, kActor);
    stamp::v1::GetRollRequest request;
    request.set_name(name);
    stamp::v1::Roll response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(stamp_->GetRoll(&context, request, &response)));
    return response;
  }

  absl::StatusOr<stamp::v1::VerifyPinResponse> VerifyPin(uint64_t serial, const std::string& pin) override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_, kActor);
    stamp::v1::VerifyPinRequest request;
    request.set_stamp(absl::StrCat("stamps/", serial));
    request.set_pin(pin);
    stamp::v1::VerifyPinResponse response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(stamp_->VerifyPin(&context, request, &response)));
    return response;
  }

  absl::StatusOr<v1::BatchView> GetBatchView(const std::string& name) override {
    v1::BatchView view;
    {
      grpc::ClientContext context;
      grpcutil::PrepareContext(context, deadline_, kActor);
      batch::v1::GetBatchRequest request;
      request.set_name(name);
      OCOP_RETURN_IF_ERROR(FromGrpcStatus(batch_->GetBatch(&context, request, view.mutable_batch())));
    }
    batch::v1::ListEventsRequest request;
    request.set_parent(name);
    request.set_page_size(kMaxEventsShown);
    do {
      grpc::ClientContext context;
      grpcutil::PrepareContext(context, deadline_, kActor);
      batch::v1::ListEventsResponse response;
      OCOP_RETURN_IF_ERROR(FromGrpcStatus(batch_->ListEvents(&context, request, &response)));
      for (auto& event : *response.mutable_events()) *view.add_events() = std::move(event);
      request.set_page_token(response.next_page_token());
    } while (!request.page_token().empty() && view.events_size() < kMaxEventsShown);
    return view;
  }

  absl::StatusOr<registry::v1::Product> GetProduct(const std::string& name) override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_, kActor);
    registry::v1::GetProductRequest request;
    request.set_name(name);
    registry::v1::Product response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(registry_->GetProduct(&context, request, &response)));
    return response;
  }

  absl::StatusOr<registry::v1::Producer> GetProducer(const std::string& name) override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_, kActor);
    registry::v1::GetProducerRequest request;
    request.set_name(name);
    registry::v1::Producer response;
    OCOP_RETURN_IF_ERROR(FromGrpcStatus(registry_->GetProducer(&context, request, &response)));
    return response;
  }

  absl::StatusOr<std::map<uint32_t, std::string>> ListPublicKeys() override {
    grpc::ClientContext context;
    grpcutil::PrepareContext(context, deadline_, kActor);
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
  std::unique_ptr<registry::v1::RegistryService::Stub> registry_;
  std::unique_ptr<batch::v1::BatchService::Stub> batch_;
  std::unique_ptr<stamp::v1::StampService::Stub> stamp_;
  absl::Duration deadline_;
};

}  // namespace

std::unique_ptr<Backends> MakeGrpcBackends(const BackendAddresses& addresses, absl::Duration deadline) {
  return std::make_unique<GrpcBackends>(addresses, deadline);
}

}  // namespace ocop::lookup
