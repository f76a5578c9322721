// Signatures lookup has verified, so a re-scan skips the Ed25519 verification. Ed25519 is
// deterministic: a signed message has exactly one valid signature, so remembering it lets a
// repeat scan skip the check while any other signature still fails. Sharded and bounded in bytes
// (cache::ShardedLru): first scans of a million stamps only push out the oldest proofs.
#pragma once

#include <functional>
#include <string>

#include "absl/time/time.h"
#include "common/cache/sharded_lru.h"

namespace ocop::lookup {

class ProofCache {
 public:
  ProofCache(size_t max_bytes, std::function<absl::Time()> clock)
      : clock_(std::move(clock)),
        proofs_(cache::ShardedLru<Proof>::Bounds::Bytes(max_bytes),
                [](const Proof& proof) { return proof.signature.capacity() + 1; }) {}

  // True when `signature` was verified for `key` (which names everything it covers) and is not
  // older than the ttl it was remembered with.
  bool Proven(const std::string& key, const std::string& signature) {
    const absl::Time now = clock_();
    return proofs_.Check(key, [&](const Proof& proof) { return proof.expires > now && proof.signature == signature; });
  }
  void Remember(const std::string& key, const std::string& signature, absl::Duration ttl) {
    proofs_.Put(key, Proof{signature, clock_() + ttl});
  }
  size_t size() const { return proofs_.size(); }
  size_t max_bytes() const { return proofs_.max_bytes(); }

 private:
  struct Proof {
    std::string signature;
    absl::Time expires;
  };
  std::function<absl::Time()> clock_;
  cache::ShardedLru<Proof> proofs_;
};

}  // namespace ocop::lookup
