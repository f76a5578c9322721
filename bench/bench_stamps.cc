// Stamp rendering and issuing benchmark.
//
// Baseline: a tight loop of what a stamp costs with no service around it (Ed25519 sign, base32,
// QR encode, PNG or SVG render). Measured: the same stamps streamed by the real stamp service over
// gRPC on loopback (render record included), and IssueRoll latency for 1 and 10,000,000 stamps.
// Prints stamps/s and the ratio to the baseline; the goal is at least 70%.
#include <algorithm>
#include <cstdio>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "common/crypto/ed25519.h"
#include "common/qr/qr.h"
#include "common/token/token.h"
#include "tests/support/processes.h"
#include "tests/support/service_harness.h"

ABSL_FLAG(int, stamps, 3000, "Stamps per measurement");
ABSL_FLAG(int, issue_repeats, 30, "IssueRoll calls per roll size");

namespace {

using ocop::testing::Context;

double Baseline(const ocop::crypto::Ed25519PrivateKey& key, int stamps, bool png) {
  absl::Time start = absl::Now();
  size_t bytes = 0;
  for (int i = 1; i <= stamps; ++i) {
    std::string token = *ocop::token::EncodeToken(0x01020304, static_cast<uint64_t>(i), key);
    std::string url = absl::AsciiStrToUpper(absl::StrCat("https://ocop.tn.gov.vn/S/", token));
    ocop::qr::QrMatrix matrix = *ocop::qr::Encode(url);
    bytes += png ? ocop::qr::RenderPng(matrix, 4)->size() : ocop::qr::RenderSvg(matrix, 4).size();
  }
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  return bytes > 0 ? stamps / seconds : 0;
}

double Streamed(ocop::stamp::v1::StampService::Stub& stub, const std::string& roll, uint64_t first, int stamps,
                bool png) {
  ocop::stamp::v1::StreamStampsRequest request;
  request.set_roll(roll);
  request.set_first_serial(first);
  request.set_count(stamps);
  request.set_format(png ? ocop::stamp::v1::IMAGE_FORMAT_PNG : ocop::stamp::v1::IMAGE_FORMAT_SVG);
  request.set_printer("bench");
  auto context = Context("bench");
  absl::Time start = absl::Now();
  auto reader = stub.StreamStamps(context.get(), request);
  ocop::stamp::v1::RenderedStamp stamp;
  int received = 0;
  while (reader->Read(&stamp)) ++received;
  grpc::Status status = reader->Finish();
  double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  if (!status.ok() || received != stamps) {
    std::fprintf(stderr, "stream failed: %s (%d stamps)\n", status.error_message().c_str(), received);
    return 0;
  }
  return stamps / seconds;
}

absl::Duration MedianIssue(ocop::stamp::v1::StampService::Stub& stub, const std::string& batch, int64_t count,
                           int repeats) {
  std::vector<absl::Duration> samples;
  for (int i = 0; i < repeats; ++i) {
    ocop::stamp::v1::IssueRollRequest request;
    request.mutable_roll()->set_batch(batch);
    request.mutable_roll()->set_count(count);
    ocop::stamp::v1::Roll roll;
    absl::Time start = absl::Now();
    if (!stub.IssueRoll(Context("bench").get(), request, &roll).ok()) return absl::InfiniteDuration();
    samples.push_back(absl::Now() - start);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  absl::ParseCommandLine(argc, argv);
  const int stamps = absl::GetFlag(FLAGS_stamps);
  ocop::testing::TempDir dir;
  auto registry = ocop::testing::RegistryHarness::Start(dir.File("registry.db"));
  auto batch = ocop::testing::BatchHarness::Start(dir.File("batch.db"), (*registry)->address());
  ocop::stamp::StampsConfig config;
  config.public_base_url = "https://ocop.tn.gov.vn";
  auto stamp = ocop::testing::StampHarness::Start(dir.File("stamp.db"), dir.File("keys"), (*batch)->address(),
                                                  (*registry)->address(), config);
  if (!registry.ok() || !batch.ok() || !stamp.ok()) {
    std::fprintf(stderr, "cannot start services\n");
    return 1;
  }
  ocop::registry::v1::CreateProducerRequest producer_request;
  *producer_request.mutable_producer() = ocop::testing::TeaCooperative();
  ocop::registry::v1::Producer producer;
  (*registry)->Stub()->CreateProducer(Context().get(), producer_request, &producer);
  ocop::registry::v1::CreateProductRequest product_request;
  product_request.mutable_product()->set_producer(producer.name());
  product_request.mutable_product()->set_display_name("Chè");
  product_request.mutable_product()->set_group(ocop::registry::v1::PRODUCT_GROUP_BEVERAGES);
  ocop::registry::v1::Product product;
  (*registry)->Stub()->CreateProduct(Context().get(), product_request, &product);
  ocop::batch::v1::CreateBatchRequest batch_request;
  batch_request.mutable_batch()->set_product(product.name());
  batch_request.mutable_batch()->set_lot_code("BENCH");
  batch_request.mutable_batch()->set_harvest_date("2026-03-14");
  batch_request.mutable_batch()->set_quantity(1);
  batch_request.mutable_batch()->set_unit("kg");
  ocop::batch::v1::Batch lot;
  (*batch)->Stub()->CreateBatch(Context().get(), batch_request, &lot);
  auto stub = (*stamp)->Stub();
  ocop::stamp::v1::IssueRollRequest roll_request;
  roll_request.mutable_roll()->set_batch(lot.name());
  roll_request.mutable_roll()->set_count(2 * stamps);
  ocop::stamp::v1::Roll roll;
  if (!stub->IssueRoll(Context().get(), roll_request, &roll).ok()) return 1;

  auto key = ocop::crypto::Ed25519PrivateKey::Generate();
  std::printf("stamp rendering, %d stamps each (1 process; the service and client share the cores)\n", stamps);
  std::printf("%-6s %14s %14s %8s\n", "format", "baseline/s", "streamed/s", "ratio");
  for (bool png : {true, false}) {
    double baseline = Baseline(*key, stamps, png);
    uint64_t first = roll.first_serial() + (png ? 0 : static_cast<uint64_t>(stamps));
    double streamed = Streamed(*stub, roll.name(), first, stamps, png);
    std::printf("%-6s %14.0f %14.0f %7.0f%%\n", png ? "PNG" : "SVG", baseline, streamed,
                baseline > 0 ? 100 * streamed / baseline : 0);
  }
  int repeats = absl::GetFlag(FLAGS_issue_repeats);
  absl::Duration one = MedianIssue(*stub, lot.name(), 1, repeats);
  absl::Duration ten_million = MedianIssue(*stub, lot.name(), 10'000'000, repeats);
  std::printf("\nIssueRoll median latency over %d calls: N=1 %s, N=10,000,000 %s (ratio %.2f)\n", repeats,
              absl::FormatDuration(one).c_str(), absl::FormatDuration(ten_million).c_str(),
              absl::FDivDuration(ten_million, one));
  return 0;
}
