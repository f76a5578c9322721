#include "services/registry/identity.h"

#include <prometheus/counter.h>

#include <set>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/auth/password.h"
#include "common/crypto/digest.h"
#include "common/status/status_macros.h"
#include "common/token/base32.h"
#include "common/token/token.h"
#include "common/validate/validate.h"

namespace ocop::registry {
namespace {

const std::set<std::string>& Roles() {
  static const auto* roles =
      new std::set<std::string>{"admin", "office", "council", "producer", "printer", "integrator", "service"};
  return *roles;
}

absl::Status ValidateUsername(const std::string& username) {
  bool ok = username.size() >= 3 && username.size() <= 64;
  for (char c : username) {
    ok = ok && (absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(
        "user.username: 3-64 characters, lower-case letters, digits, '.', '_' or '-'");
  }
  return absl::OkStatus();
}

// The role's scope must be exactly the one it needs.
absl::Status ValidateScope(const User& user) {
  if (Roles().count(user.role) == 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("user.role: must be admin, office, council, producer, printer, integrator or service, got '",
                     user.role.substr(0, 40), "'"));
  }
  if (user.role == "producer" || !user.producer.empty()) {
    OCOP_RETURN_IF_ERROR(validate::ResourceName("user.producer", user.producer, "producers"));
  }
  if (user.role == "office" || !user.province_code.empty()) {
    OCOP_RETURN_IF_ERROR(validate::DigitCode("user.province_code", user.province_code, 2));
  }
  if (user.role == "printer") OCOP_RETURN_IF_ERROR(validate::Text("user.printer", user.printer, 64, true));
  if ((user.role == "admin" || user.role == "service") && (!user.producer.empty() || !user.province_code.empty())) {
    return absl::InvalidArgumentError(absl::StrCat("user.role: ", user.role, " has no producer or province scope"));
  }
  if (user.role == "integrator" && !user.producer.empty() && !user.province_code.empty()) {
    return absl::InvalidArgumentError("user: an integrator is scoped to a producer or a province, not both");
  }
  return absl::OkStatus();
}

absl::Status RequireAdmin(const Actor& actor, const char* method) {
  if (actor.role == "admin") return absl::OkStatus();
  return absl::PermissionDeniedError(absl::StrCat(method, ": only an admin may do this"));
}

// A hash every unknown username is checked against, so a wrong username costs as long as a wrong
// password (the answer time does not tell which usernames exist).
const std::string& DecoyHash() {
  static const auto* hash = new std::string(*auth::HashPassword("decoy password, never used"));
  return *hash;
}

constexpr char kWrongCredentials[] = "wrong username or password";

}  // namespace

Identity::Identity(IdentityRepository* repository, const keys::KeyStore* keys, IdentityConfig config,
                   std::function<absl::Time()> clock, std::string issuer_prefix)
    : repository_(repository),
      keys_(keys),
      config_(std::move(config)),
      clock_(std::move(clock)),
      issuer_prefix_(std::move(issuer_prefix)),
      failed_logins_by_client_(config_.failed_logins_per_client_per_minute / 60.0,
                               std::max(1.0, config_.failed_logins_per_client_per_minute)) {}

absl::StatusOr<User> Identity::CreateUser(const Actor& actor, User user, const std::string& password,
                                          const std::string& request_id, const std::string& request_fingerprint) {
  OCOP_RETURN_IF_ERROR(RequireAdmin(actor, "CreateUser"));
  OCOP_RETURN_IF_ERROR(ValidateUsername(user.username));
  OCOP_RETURN_IF_ERROR(validate::Text("user.display_name", user.display_name, 200, false));
  OCOP_RETURN_IF_ERROR(ValidateScope(user));
  OCOP_RETURN_IF_ERROR(validate::Text("request_id", request_id, 100, false));
  if (!password.empty()) {
    OCOP_ASSIGN_OR_RETURN(user.password_hash, auth::HashPassword(password));
  }
  user.name = absl::StrCat("users/", validate::NewId(issuer_prefix_));
  user.disabled = false;
  user.create_time = clock_();
  return repository_->CreateUser(user, store::IdempotencyKey{actor.subject, "CreateUser", request_id,
                                                             request_fingerprint});
}

absl::Status Identity::EnsureAdmin(const std::string& username, const std::string& password) {
  absl::StatusOr<User> existing = repository_->FindUserByUsername(username);
  if (existing.ok()) return absl::OkStatus();
  if (!absl::IsNotFound(existing.status())) return existing.status();
  User admin;
  admin.username = username;
  admin.display_name = "Administrator";
  admin.role = "admin";
  return CreateUser(Actor{"bootstrap", "admin", ""}, admin, password, "", "").status();
}

absl::StatusOr<LoginResult> Identity::Login(const std::string& username, const std::string& password,
                                            const std::string& client) {
  const absl::Time now = clock_();
  if (ratelimit::Decision allowed = failed_logins_by_client_.Peek(client, now); !allowed.allowed) {
    static prometheus::Counter& rejections = ratelimit::RejectionsOf("registry_failed_logins");
    rejections.Increment();
    return absl::ResourceExhaustedError(absl::StrCat("login: too many failed logins from this client; retry in ",
                                                     absl::ToInt64Seconds(allowed.retry_after) + 1, " s"));
  }
  absl::StatusOr<User> user = repository_->FindUserByUsername(absl::AsciiStrToLower(username));
  if (!user.ok() && !absl::IsNotFound(user.status())) return user.status();
  if (user.ok() && now < user->locked_until) {
    return absl::ResourceExhaustedError(absl::StrCat("login: too many wrong passwords for this user; retry in ",
                                                     absl::ToInt64Minutes(user->locked_until - now) + 1, " min"));
  }
  const bool known = user.ok() && !user->disabled && !user->password_hash.empty();
  const bool correct = auth::VerifyPassword(known ? user->password_hash : DecoyHash(), password) && known;
  if (!correct) {
    failed_logins_by_client_.Allow(client, now);
    if (user.ok()) {
      const int failed = user->failed_logins + 1;
      const bool lock = failed >= config_.max_failed_logins;
      OCOP_RETURN_IF_ERROR(
          repository_->SetLoginState(user->name, lock ? 0 : failed, lock ? now + config_.login_lock : absl::InfinitePast()));
    }
    return absl::UnauthenticatedError(kWrongCredentials);
  }
  if (user->failed_logins != 0) OCOP_RETURN_IF_ERROR(repository_->SetLoginState(user->name, 0, absl::InfinitePast()));
  LoginResult result;
  OCOP_ASSIGN_OR_RETURN(Credential session, NewCredential("sessions", "ocs", user->name, "login",
                                                          now + config_.session_lifetime, &result.session_secret));
  result.session = session.name;
  result.session_expire_time = session.expire_time;
  OCOP_ASSIGN_OR_RETURN(result.access_token, Mint(*user, session.name));
  return result;
}

absl::StatusOr<Credential> Identity::NewCredential(const std::string& collection, const std::string& kind,
                                                   const std::string& user, const std::string& display_name,
                                                   absl::Time expire_time, std::string* secret) {
  const std::string id = validate::NewId(issuer_prefix_);
  OCOP_ASSIGN_OR_RETURN(std::string random, crypto::RandomBytes(20));
  const std::string random_text = absl::AsciiStrToLower(token::Base32Encode(random));
  *secret = absl::StrCat(kind, "_", id, ".", random_text);
  Credential credential{absl::StrCat(collection, "/", id), user, crypto::HexEncode(crypto::Sha256(random_text)),
                        display_name, expire_time, "", "", clock_()};
  OCOP_RETURN_IF_ERROR(repository_->CreateCredential(credential));
  return credential;
}

absl::StatusOr<User> Identity::UserOfSecret(const std::string& secret, std::string* credential_name) {
  // "{kind}_{id}.{random}": a random secret of 160 bits, so a plain SHA-256 suffices.
  const size_t underscore = secret.find('_');
  const size_t dot = secret.find('.');
  if (underscore == std::string::npos || dot == std::string::npos || dot < underscore) {
    return absl::UnauthenticatedError("credential: not a session secret or API key");
  }
  const std::string kind = secret.substr(0, underscore);
  const std::string collection = kind == "ocs" ? "sessions" : kind == "ock" ? "apiKeys" : "";
  if (collection.empty()) return absl::UnauthenticatedError("credential: not a session secret or API key");
  const std::string name = absl::StrCat(collection, "/", secret.substr(underscore + 1, dot - underscore - 1));
  absl::StatusOr<Credential> credential = repository_->GetCredential(name);
  if (absl::IsNotFound(credential.status())) return absl::UnauthenticatedError("credential: unknown");
  OCOP_RETURN_IF_ERROR(credential.status());
  if (!crypto::ConstantTimeEquals(credential->secret_sha256, crypto::HexEncode(crypto::Sha256(secret.substr(dot + 1))))) {
    return absl::UnauthenticatedError("credential: unknown");
  }
  if (!credential->revoked_reason.empty()) return absl::UnauthenticatedError(absl::StrCat(name, " was revoked"));
  if (clock_() >= credential->expire_time) {
    return absl::UnauthenticatedError(absl::StrCat(name, " expired at ",
                                                   absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", credential->expire_time,
                                                                    absl::UTCTimeZone())));
  }
  OCOP_ASSIGN_OR_RETURN(User user, repository_->GetUser(credential->user));
  if (user.disabled) return absl::UnauthenticatedError(absl::StrCat(user.name, " is disabled"));
  *credential_name = name;
  return user;
}

absl::StatusOr<IssuedToken> Identity::MintAccessToken(const std::string& session_secret, const std::string& api_key) {
  if (session_secret.empty() == api_key.empty()) {
    return absl::InvalidArgumentError("session_secret, api_key: exactly one is required");
  }
  std::string credential;
  OCOP_ASSIGN_OR_RETURN(User user, UserOfSecret(session_secret.empty() ? api_key : session_secret, &credential));
  return Mint(user, credential);
}

std::map<std::string, std::string> Identity::VerificationKeys() const {
  std::map<std::string, std::string> keys;
  for (const keys::PublicKeyInfo& key : keys_->PublicKeys()) keys[token::KeyIdToHex(key.key_id)] = key.public_key;
  return keys;
}

absl::StatusOr<IssuedToken> Identity::MintServiceToken(const std::string& service) {
  User self;
  self.name = absl::StrCat("services/", service);
  self.role = "service";
  return Mint(self, "");
}

absl::StatusOr<IssuedToken> Identity::Mint(const User& user, const std::string& credential) {
  const absl::Time now = clock_();
  auth::AccessClaims claims;
  claims.issuer = config_.issuer;
  claims.audience = config_.audience;
  claims.subject = user.name;
  claims.role = user.role;
  claims.producer = user.producer;
  claims.province = user.province_code;
  claims.printer = user.printer;
  claims.credential = credential;
  OCOP_ASSIGN_OR_RETURN(std::string jti, crypto::RandomBytes(12));
  claims.token_id = crypto::HexEncode(jti);
  claims.issued_at = now;
  claims.not_before = now;
  claims.expires_at = now + config_.access_token_lifetime;
  OCOP_ASSIGN_OR_RETURN(const crypto::Ed25519PrivateKey* key, keys_->Key(keys_->signing_key_id()));
  OCOP_ASSIGN_OR_RETURN(std::string token, auth::SignAccessToken(claims, keys_->signing_key_id(), *key));
  return IssuedToken{std::move(token), claims.expires_at};
}

absl::StatusOr<NewApiKey> Identity::CreateApiKey(const Actor& actor, const std::string& user,
                                                 const std::string& display_name, absl::Time expire_time) {
  OCOP_RETURN_IF_ERROR(RequireAdmin(actor, "CreateApiKey"));
  OCOP_RETURN_IF_ERROR(validate::ResourceName("user", user, "users"));
  OCOP_RETURN_IF_ERROR(validate::Text("display_name", display_name, 200, true));
  const absl::Time now = clock_();
  if (expire_time == absl::InfinitePast()) expire_time = now + config_.default_api_key_lifetime;
  if (expire_time <= now || expire_time > now + config_.longest_api_key_lifetime) {
    return absl::InvalidArgumentError("expire_time: must be in the future and at most a year ahead");
  }
  absl::StatusOr<User> owner = repository_->GetUser(user);
  if (absl::IsNotFound(owner.status())) return absl::NotFoundError(absl::StrCat("user: ", user, " not found"));
  OCOP_RETURN_IF_ERROR(owner.status());
  NewApiKey key;
  OCOP_ASSIGN_OR_RETURN(Credential credential,
                        NewCredential("apiKeys", "ock", user, display_name, expire_time, &key.key));
  key.name = credential.name;
  key.expire_time = expire_time;
  return key;
}

absl::Status Identity::Revoke(const Actor& actor, const std::string& name, const std::string& reason) {
  if (actor.role != "admin") {
    // Signing out: a person may end their own session (the web console does at sign-out), and
    // nothing else. Someone else's session, or one that does not exist, is the same refusal.
    absl::StatusOr<Credential> credential =
        absl::StartsWith(name, "sessions/") ? repository_->GetCredential(name) : absl::NotFoundError(name);
    if (!credential.ok() || credential->user != actor.subject) {
      if (credential.ok() || absl::IsNotFound(credential.status()) || absl::IsInvalidArgument(credential.status())) {
        return absl::PermissionDeniedError(absl::StrCat(
            "RevokeCredential: only an admin may revoke ", name, "; a person may revoke only their own sessions"));
      }
      return credential.status();
    }
  }
  OCOP_RETURN_IF_ERROR(validate::Text("reason", reason, 500, true));
  if (!absl::StartsWith(name, "sessions/") && !absl::StartsWith(name, "apiKeys/") && !absl::StartsWith(name, "users/") &&
      !absl::StartsWith(name, "oidc:")) {
    return absl::InvalidArgumentError(
        "name: must be sessions/{id}, apiKeys/{id}, users/{id} or oidc:{sub} (a provider's user)");
  }
  OCOP_RETURN_IF_ERROR(validate::Text("name", name, 300, true));
  return repository_->Revoke(name, reason, actor.subject, clock_());
}

std::map<uint32_t, std::string> Identity::PublicKeys() const {
  std::map<uint32_t, std::string> keys;
  for (const keys::PublicKeyInfo& key : keys_->PublicKeys()) keys[key.key_id] = key.public_key;
  return keys;
}

}  // namespace ocop::registry
