// Batch benchmark: appending 100,000 value-chain events across 1,000 lots, and verifying the hash
// chain of a 10,000-event lot.
//
// Baselines, measured in the same run on the same disk:
//  - appends: the same number of rows inserted into a plain SQLite table, one row per transaction
//    (each capture commits on its own, as ours do), with no validation, no hash chain, no signed
//    checkpoint, no idempotency check, no change feed;
//  - verification: SHA-256 over the same events' canonical bytes held in memory (what the walk
//    costs without reading the database).
// Measured: the batch domain (validation, step rules, chain hash, Ed25519 checkpoint, change feed,
// one SQLite transaction per event) called in-process, then the same over gRPC on loopback for a
// tenth of the events, then VerifyChain of one 10,000-event lot.
// Identity's goal: AppendEvent over gRPC with an access token (verified by the interceptor, the
// role table, the ownership check, the audit row) at >= 90% of the same service trusting a fixed
// caller, measured in the same run (the two take turns in chunks); the benchmark exits 1 below it.
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "bench/bench_events.h"
#include "common/auth/verdict_keys.h"
#include "common/crypto/digest.h"
#include "common/feed/change_feed.h"
#include "common/status/grpc_status.h"
#include "common/status/status_macros.h"
#include "common/grpc/client.h"
#include "common/grpc/proto_time.h"
#include "common/keys/key_store.h"
#include "common/store/database.h"
#include "services/batch/batch_service.h"
#include "services/batch/batches.h"
#include "services/batch/checkpoint_signer.h"
#include "services/batch/event_chain.h"
#include "services/batch/sql_batch_repository.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, events, 100000, "Events to append in-process");
ABSL_FLAG(int, lots, 1000, "Lots they are spread over");
ABSL_FLAG(int, long_chain, 10000, "Events of the lot whose chain is verified");

namespace {

using ocop::testing::Context;
namespace batch = ocop::batch;

using ocop::bench::kSteps;
using ocop::bench::MakeEvent;

// The unauthenticated baseline: every call is served as `caller`, no credential checked (what the
// services did before identity existed). Benchmark only: it writes the verdict the real
// interceptor (common/auth/grpc_auth.h) would.
class TrustingInterceptor final : public grpc::experimental::Interceptor {
 public:
  TrustingInterceptor(const ocop::Actor& caller, std::string method)
      : values_{"ok", caller.subject, caller.role, caller.producer, std::move(method)} {}
  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(grpc::experimental::InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      auto* metadata = methods->GetRecvInitialMetadata();
      metadata->emplace(ocop::auth::kVerdict, values_[0]);
      metadata->emplace(ocop::auth::kSubject, values_[1]);
      metadata->emplace(ocop::auth::kRole, values_[2]);
      metadata->emplace(ocop::auth::kProducer, values_[3]);
      metadata->emplace(ocop::auth::kMethod, values_[4]);
    }
    methods->Proceed();
  }

 private:
  std::string values_[5];
};

class TrustingInterceptorFactory final : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit TrustingInterceptorFactory(ocop::Actor caller) : caller_(std::move(caller)) {}
  grpc::experimental::Interceptor* CreateServerInterceptor(grpc::experimental::ServerRpcInfo* info) override {
    return new TrustingInterceptor(caller_, std::string(info->method()).substr(1));
  }

 private:
  ocop::Actor caller_;
};

using Interceptors = std::function<std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>>()>;

// A batch service over gRPC on loopback with its own database, whose calls pass `interceptors`;
// each call carries `token` when it is not empty.
class GrpcBatchService {
 public:
  static absl::StatusOr<std::unique_ptr<GrpcBatchService>> Start(const std::string& folder,
                                                                 const std::string& registry_address,
                                                                 const std::string& product,
                                                                 const Interceptors& interceptors,
                                                                 std::string token) {
    auto service = std::unique_ptr<GrpcBatchService>(new GrpcBatchService());
    service->token_ = std::move(token);
    std::filesystem::create_directories(folder);
    OCOP_ASSIGN_OR_RETURN(service->keys_, ocop::keys::KeyStore::Open(folder + "/keys"));
    service->signer_ = std::make_unique<batch::CheckpointSigner>(service->keys_.get());
    OCOP_ASSIGN_OR_RETURN(service->repository_,
                          batch::SqlBatchRepository::Open(folder + "/batch.db", service->signer_.get()));
    service->products_ = std::make_unique<batch::RegistryProductDirectory>(
        ocop::registry::v1::RegistryService::NewStub(
            ocop::auth::AuthenticatedChannel(registry_address, ocop::testing::ServiceTokens("batch"))),
        absl::Seconds(5));
    service->batches_ = std::make_unique<batch::Batches>(service->repository_.get(), service->products_.get(),
                                                         service->signer_.get(), [] { return absl::Now(); }, "g");
    service->feed_ = std::make_unique<ocop::feed::ChangeFeed>(service->repository_->database(),
                                                             service->repository_->notifier());
    service->service_ = std::make_unique<batch::BatchServiceImpl>(service->batches_.get(), service->feed_.get());
    ocop::grpcutil::ServerOptions options;
    options.shutdown_grace = absl::Milliseconds(200);
    options.interceptors = interceptors;
    OCOP_ASSIGN_OR_RETURN(service->server_, ocop::grpcutil::GrpcServer::Start(options, {service->service_.get()}));
    service->stub_ = ocop::batch::v1::BatchService::NewStub(
        ocop::grpcutil::MakeChannel(ocop::testing::LoopbackAddress(service->server_->port())));
    ocop::batch::v1::CreateBatchRequest create;
    create.mutable_batch()->set_product(product);
    create.mutable_batch()->set_lot_code("GRPC-1");
    create.mutable_batch()->set_harvest_date("2026-03-14");
    create.mutable_batch()->set_quantity(100);
    create.mutable_batch()->set_unit("kg");
    ocop::batch::v1::Batch lot;
    OCOP_RETURN_IF_ERROR(ocop::FromGrpcStatus(service->stub_->CreateBatch(service->Context().get(), create, &lot)));
    service->lot_ = lot.name();
    return service;
  }
  ~GrpcBatchService() {
    if (feed_) feed_->Stop();
    server_.reset();
  }

  // Seconds for `count` more AppendEvent calls.
  absl::StatusOr<double> Append(int count) {
    const absl::Time start = absl::Now();
    for (int i = 0; i < count; ++i, ++appended_) {
      ocop::batch::v1::AppendEventRequest request;
      request.set_parent(lot_);
      request.mutable_event()->set_type(ocop::batch::v1::EVENT_TYPE_OBJECT);
      request.mutable_event()->set_biz_step(kSteps[appended_ % 6]);
      ocop::grpcutil::ToProtoTime(absl::Now() - absl::Hours(1), request.mutable_event()->mutable_event_time());
      request.mutable_event()->mutable_location()->set_display_name("Kho HTX Chè Tân Cương");
      ocop::batch::v1::BatchEvent event;
      OCOP_RETURN_IF_ERROR(ocop::FromGrpcStatus(stub_->AppendEvent(Context().get(), request, &event)));
    }
    return absl::ToDoubleSeconds(absl::Now() - start);
  }

 private:
  GrpcBatchService() = default;
  std::unique_ptr<grpc::ClientContext> Context() const {
    auto call = std::make_unique<grpc::ClientContext>();
    ocop::grpcutil::PrepareContext(*call, absl::Seconds(10));
    if (!token_.empty()) call->AddMetadata("authorization", "Bearer " + token_);
    return call;
  }

  std::string token_;
  std::unique_ptr<ocop::keys::KeyStore> keys_;
  std::unique_ptr<batch::CheckpointSigner> signer_;
  std::unique_ptr<batch::SqlBatchRepository> repository_;
  std::unique_ptr<batch::RegistryProductDirectory> products_;
  std::unique_ptr<batch::Batches> batches_;
  std::unique_ptr<ocop::feed::ChangeFeed> feed_;
  std::unique_ptr<batch::BatchServiceImpl> service_;
  std::unique_ptr<ocop::grpcutil::GrpcServer> server_;
  std::unique_ptr<ocop::batch::v1::BatchService::Stub> stub_;
  std::string lot_;
  int appended_ = 0;
};

double BaselineAppends(const std::string& path, int count) {
  auto database = *ocop::store::Database::Open(
      path, {"CREATE TABLE events(id INTEGER PRIMARY KEY, lot TEXT, sequence INTEGER, step TEXT, "
             "time INTEGER, place TEXT, commune TEXT, details TEXT)"});
  absl::Time start = absl::Now();
  for (int i = 0; i < count; ++i) {
    (void)database->Transact([&](ocop::store::Connection& connection) -> absl::Status {
      auto insert = *connection.Prepare("INSERT INTO events(lot, sequence, step, time, place, commune, details) "
                                        "VALUES(?, ?, ?, ?, ?, ?, ?)");
      insert.Bind(1, absl::StrCat("batches/", i % 1000)).Bind(2, static_cast<int64_t>(i / 1000)).Bind(3, kSteps[i % 6])
          .Bind(4, static_cast<int64_t>(i)).Bind(5, "Kho HTX Chè Tân Cương").Bind(6, "05503")
          .Bind(7, "{\"operator\":\"Nguyễn Văn A\",\"temperature_c\":\"24\"}");
      return insert.Run();
    });
  }
  return absl::ToDoubleSeconds(absl::Now() - start);
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int event_count = absl::GetFlag(FLAGS_events);
  const int lot_count = absl::GetFlag(FLAGS_lots);
  const int long_chain = absl::GetFlag(FLAGS_long_chain);
  ocop::testing::TempDir dir;

  auto registry = *ocop::testing::RegistryHarness::Start(dir.File("registry.db"));
  auto registry_stub = registry->Stub();
  ocop::registry::v1::CreateProducerRequest producer_request;
  *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
  ocop::registry::v1::Producer producer;
  (void)registry_stub->CreateProducer(Context().get(), producer_request, &producer);
  ocop::registry::v1::CreateProductRequest product_request;
  product_request.mutable_product()->set_producer(producer.name());
  product_request.mutable_product()->set_display_name("Chè Tân Cương");
  product_request.mutable_product()->set_group(ocop::registry::v1::PRODUCT_GROUP_BEVERAGES);
  ocop::registry::v1::Product product;
  (void)registry_stub->CreateProduct(Context().get(), product_request, &product);

  const double baseline_seconds = BaselineAppends(dir.File("plain.db"), event_count);

  auto keys = *ocop::keys::KeyStore::Open(dir.File("batch-keys"));
  batch::CheckpointSigner signer(keys.get());
  auto repository = *batch::SqlBatchRepository::Open(dir.File("batch.db"), &signer);
  batch::RegistryProductDirectory products(
      ocop::registry::v1::RegistryService::NewStub(
          ocop::auth::AuthenticatedChannel(registry->address(), ocop::testing::ServiceTokens("batch"))),
      absl::Seconds(5));
  batch::Batches batches(repository.get(), &products, &signer, [] { return absl::Now(); }, "b");
  ocop::Actor actor{"bench", "producer", producer.name()};
  std::vector<std::string> lots;
  for (int i = 0; i < lot_count; ++i) {
    batch::Batch lot;
    lot.product = product.name();
    lot.lot_code = absl::StrCat("TC-", i);
    lot.harvest_date = "2026-03-14";
    lot.quantity = 100;
    lot.unit = "kg";
    absl::StatusOr<batch::Batch> created = batches.CreateBatch(actor, lot, batch::WriteKey{});
    if (!created.ok()) {
      std::fprintf(stderr, "create lot: %s\n", created.status().ToString().c_str());
      return 1;
    }
    lots.push_back(created->name);
  }
  absl::Time start = absl::Now();
  for (int i = 0; i < event_count; ++i) {
    absl::StatusOr<batch::BatchEvent> appended =
        batches.AppendEvent(actor, lots[i % lot_count], MakeEvent(i), batch::WriteKey{});
    if (!appended.ok()) {
      std::fprintf(stderr, "append: %s\n", appended.status().ToString().c_str());
      return 1;
    }
  }
  const double append_seconds = absl::ToDoubleSeconds(absl::Now() - start);

  // The same over gRPC, a tenth as many: into a service as our services run (every call carries
  // an access token that the interceptor verifies, then the role table, the ownership check and
  // the audit row), and into a twin trusting a fixed caller (the unauthenticated baseline). Both
  // run side by side and take turns in chunks of 100 calls, so a busy moment of the machine
  // lands on both alike.
  const int grpc_events = std::max(1, event_count / 10);
  const ocop::Actor bench_caller("users/bench", "producer", producer.name());
  auto trusting = [&] {
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> interceptors;
    interceptors.push_back(std::make_unique<TrustingInterceptorFactory>(bench_caller));
    return interceptors;
  };
  auto service_auth = ocop::testing::HarnessAuth("batch", [] { return ocop::testing::TestIssuerKeys(); });
  auto authenticating = [&] { return service_auth->Interceptors(); };
  const std::string token = ocop::testing::TestToken(bench_caller);
  auto trusted_service =
      GrpcBatchService::Start(dir.File("trusted"), registry->address(), product.name(), trusting, "");
  auto authenticated_service = GrpcBatchService::Start(dir.File("authenticated"), registry->address(),
                                                       product.name(), authenticating, token);
  if (!trusted_service.ok() || !authenticated_service.ok()) {
    std::fprintf(stderr, "grpc service: %s %s\n", trusted_service.status().ToString().c_str(),
                 authenticated_service.status().ToString().c_str());
    return 1;
  }
  double trusted_seconds = 0;
  double authenticated_seconds = 0;
  for (int done = 0; done < grpc_events; done += 100) {
    const int chunk = std::min(100, grpc_events - done);
    // Which goes first alternates too.
    const bool trusted_first = (done / 100) % 2 == 0;
    absl::StatusOr<double> authenticated = absl::UnknownError("not run");
    if (!trusted_first) authenticated = (*authenticated_service)->Append(chunk);
    absl::StatusOr<double> trusted = (*trusted_service)->Append(chunk);
    if (trusted_first) authenticated = (*authenticated_service)->Append(chunk);
    if (!trusted.ok() || !authenticated.ok()) {
      std::fprintf(stderr, "grpc append: %s %s\n", trusted.status().ToString().c_str(),
                   authenticated.status().ToString().c_str());
      return 1;
    }
    trusted_seconds += *trusted;
    authenticated_seconds += *authenticated;
  }
  const double grpc_seconds = authenticated_seconds;
  // What the gate itself costs per call once a token is cached (the "microseconds").
  const std::string authorization = "Bearer " + token;
  const int gate_calls = 100000;
  start = absl::Now();
  for (int i = 0; i < gate_calls; ++i) {
    if (!service_auth->authenticator().Authenticate("ocop.batch.v1.BatchService/AppendEvent", authorization).ok()) {
      std::fprintf(stderr, "authenticate failed\n");
      return 1;
    }
  }
  const double gate_micros = absl::ToDoubleMicroseconds(absl::Now() - start) / gate_calls;

  // One long chain, verified.
  batch::Batch long_lot;
  long_lot.product = product.name();
  long_lot.lot_code = "TC-LONG";
  long_lot.harvest_date = "2026-03-14";
  long_lot.quantity = 100;
  long_lot.unit = "kg";
  std::string long_name = batches.CreateBatch(actor, long_lot, batch::WriteKey{})->name;
  for (int i = 0; i < long_chain; ++i) (void)batches.AppendEvent(actor, long_name, MakeEvent(i), batch::WriteKey{});
  std::vector<batch::BatchEvent> chain = *repository->ChainEvents(long_name);
  start = absl::Now();
  std::string digest;
  for (const batch::BatchEvent& event : chain) digest = ocop::crypto::Sha256(batch::CanonicalEventBytes(event));
  const double hash_only_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  start = absl::Now();
  absl::StatusOr<batch::ChainVerification> verified = batches.VerifyChain(actor, long_name, {});
  const double verify_seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!verified.ok() || !verified->intact || verified->event_count != long_chain) {
    std::fprintf(stderr, "verification failed\n");
    return 1;
  }

  std::printf("batch benchmark (%d events over %d lots)\n", event_count, lot_count);
  std::printf("  baseline: plain SQLite, one row per transaction   %8.0f rows/s\n", event_count / baseline_seconds);
  std::printf("  AppendEvent in-process (chain, feed)             %8.0f events/s  ratio %.2f\n",
              event_count / append_seconds, baseline_seconds / append_seconds);
  std::printf("  AppendEvent over gRPC on loopback (%d events)   %8.0f events/s  ratio %.2f\n", grpc_events,
              grpc_events / grpc_seconds, (baseline_seconds / event_count) / (grpc_seconds / grpc_events));
  std::printf("  VerifyChain of a %d-event lot                   %8.1f ms  (hashing alone %.1f ms, ratio %.2f)\n",
              long_chain, verify_seconds * 1000, hash_only_seconds * 1000, hash_only_seconds / verify_seconds);
  const double auth_ratio = trusted_seconds / authenticated_seconds;
  std::printf("  AppendEvent over gRPC trusting a fixed caller     %8.0f events/s  (unauthenticated baseline)\n",
              grpc_events / trusted_seconds);
  std::printf("  AppendEvent over gRPC with an access token        %8.0f events/s  ratio %.2f (goal >= 0.90)\n",
              grpc_events / authenticated_seconds, auth_ratio);
  std::printf("  (both pay the ownership check and the audit row; the limit is one SQLite commit per event)\n");
  std::printf("  the gate alone (cached token, role table)         %8.2f us per call\n", gate_micros);
  if (auth_ratio < 0.90) {
    std::fprintf(stderr, "bench_batch: authenticated writes at %.2f of the unauthenticated rate, below 0.90\n",
                 auth_ratio);
    return 1;
  }
  return 0;
}
