// The call metadata through which the server interceptor (grpc_auth.h) hands a handler its
// verdict. Only the interceptor writes these on a server: it first erases every key with this
// prefix that the client sent. Shared with the benchmark's trusting baseline (bench/bench_batch.cc).
#pragma once

namespace ocop::auth {

inline constexpr char kPrefix[] = "x-ocop-auth-";
inline constexpr char kVerdict[] = "x-ocop-auth-verdict";  // "ok", or the absl status code number
inline constexpr char kMessage[] = "x-ocop-auth-message";
inline constexpr char kSubject[] = "x-ocop-auth-subject";
inline constexpr char kRole[] = "x-ocop-auth-role";
inline constexpr char kProducer[] = "x-ocop-auth-producer";
inline constexpr char kProvince[] = "x-ocop-auth-province";
inline constexpr char kPrinter[] = "x-ocop-auth-printer";
inline constexpr char kCredential[] = "x-ocop-auth-credential";
inline constexpr char kMethod[] = "x-ocop-auth-method";

}  // namespace ocop::auth
