#include "services/lookup/key_ring.h"

#include "common/status/status_macros.h"

namespace ocop::lookup {

KeyRing::KeyRing(KeySource source, std::function<absl::Time()> clock, absl::Duration min_refresh_interval)
    : source_(std::move(source)), clock_(std::move(clock)), min_refresh_interval_(min_refresh_interval) {}

absl::Status KeyRing::Refresh() {
  {
    std::lock_guard lock(mutex_);
    last_refresh_attempt_ = clock_();
  }
  absl::StatusOr<std::map<uint32_t, crypto::Ed25519Verifier>> verifiers = Fetch();
  std::lock_guard lock(mutex_);
  last_refresh_succeeded_ = verifiers.ok();
  if (!verifiers.ok()) return verifiers.status();
  // Keys are only ever added: a stamp signed with a retired key must still verify.
  for (auto& [key_id, verifier] : *verifiers) verifiers_.insert_or_assign(key_id, std::move(verifier));
  return absl::OkStatus();
}

absl::StatusOr<std::map<uint32_t, crypto::Ed25519Verifier>> KeyRing::Fetch() const {
  OCOP_ASSIGN_OR_RETURN(auto keys, source_());
  std::map<uint32_t, crypto::Ed25519Verifier> verifiers;
  for (const auto& [key_id, public_key] : keys) {
    OCOP_ASSIGN_OR_RETURN(crypto::Ed25519Verifier verifier, crypto::Ed25519Verifier::FromPublicKey(public_key));
    verifiers.emplace(key_id, std::move(verifier));
  }
  return verifiers;
}

std::optional<crypto::Ed25519Verifier> KeyRing::Find(uint32_t key_id) const {
  std::lock_guard lock(mutex_);
  auto it = verifiers_.find(key_id);
  if (it == verifiers_.end()) return std::nullopt;
  return it->second;
}

KeyRing::Verification KeyRing::Verify(uint32_t key_id,
                                      const std::function<bool(const crypto::Ed25519Verifier&)>& check) {
  std::optional<crypto::Ed25519Verifier> verifier = Find(key_id);
  if (!verifier.has_value()) {
    RefreshIfStale();
    verifier = Find(key_id);
    if (!verifier.has_value()) {
      // "Not genuine" needs the stamp service's word that it has no such key; an outage is not
      // a forgery.
      std::lock_guard lock(mutex_);
      return last_refresh_succeeded_ ? Verification::kUnknownKey : Verification::kCannotCheck;
    }
  }
  return check(*verifier) ? Verification::kValid : Verification::kBadSignature;
}

KeyRing::Verification KeyRing::Verify(const token::StampToken& token) {
  return Verify(token.key_id, [&](const crypto::Ed25519Verifier& verifier) { return token::VerifyToken(token, verifier); });
}

std::map<uint32_t, std::string> KeyRing::PublicKeys() const {
  std::lock_guard lock(mutex_);
  std::map<uint32_t, std::string> keys;
  for (const auto& [key_id, verifier] : verifiers_) keys[key_id] = verifier.public_key();
  return keys;
}

void KeyRing::RefreshIfStale() {
  bool may_refresh;
  {
    std::lock_guard lock(mutex_);
    may_refresh = clock_() - last_refresh_attempt_ >= min_refresh_interval_;
  }
  if (may_refresh) Refresh().IgnoreError();
}

size_t KeyRing::size() const {
  std::lock_guard lock(mutex_);
  return verifiers_.size();
}

}  // namespace ocop::lookup
