// GS1 Digital Link stamps and walk-up links: Parse, ParsePath, LooksLikeDigitalLink.
// Properties: a stamp that parses encodes back (same GTIN, lot, serial, key id) and parses again
// to the same fields; ParsePath accepts every stamp Parse accepts, with the same GTIN and lot.
#include "absl/strings/string_view.h"
#include "common/crypto/ed25519.h"
#include "common/digital_link/digital_link.h"
#include "tests/fuzz/fuzz_target.h"

namespace ocop::fuzz {
namespace {

const crypto::Ed25519PrivateKey& Key() {
  static const auto* key = new crypto::Ed25519PrivateKey(*crypto::Ed25519PrivateKey::Generate());
  return *key;
}

int Run(const uint8_t* data, size_t size) {
  const absl::string_view code(reinterpret_cast<const char*>(data), size);
  (void)digital_link::LooksLikeDigitalLink(code);
  absl::StatusOr<digital_link::DigitalLinkPath> path = digital_link::ParsePath(code);
  if (path.ok()) {
    FUZZ_CHECK(path->gtin.size() == 14);
    (void)path->Param("linkType");
  }
  absl::StatusOr<digital_link::DigitalLinkStamp> stamp = digital_link::Parse(code);
  if (!stamp.ok()) return 0;
  FUZZ_CHECK(stamp->gtin.size() == 14 && stamp->signature.size() == 64);
  FUZZ_CHECK(path.ok() && path->gtin == stamp->gtin && path->lot == stamp->lot);
  absl::StatusOr<std::string> again =
      digital_link::Encode("https://ocop.example.vn", stamp->key_id, stamp->gtin, stamp->lot, stamp->serial, Key());
  FUZZ_CHECK(again.ok());
  absl::StatusOr<digital_link::DigitalLinkStamp> reparsed = digital_link::Parse(*again);
  FUZZ_CHECK(reparsed.ok());
  FUZZ_CHECK(reparsed->gtin == stamp->gtin && reparsed->lot == stamp->lot && reparsed->serial == stamp->serial &&
             reparsed->key_id == stamp->key_id);
  return 0;
}

std::vector<std::string> Seeds() {
  std::string stamp = *digital_link::Encode("https://ocop.example.vn", 7, "08930000000019", "TC-2026/03 đợt 1", 42, Key());
  return {stamp,
          stamp.substr(std::string("https://ocop.example.vn").size()),
          "https://ocop.example.vn/01/08930000000019/10/L%2F1?linkType=linkset",
          "/01/08930000000019",
          "/01/08930000000019/10/ABC/21/123?k=00000007&s=AAAA&linkType=gs1:pip"};
}

}  // namespace

OCOP_FUZZ_TARGET(digital_link, Run, Seeds);

}  // namespace ocop::fuzz
