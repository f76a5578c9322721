// Lookup's public HTTP surface: the scan page and its JSON twin.
//   GET /s/{token}, /S/{token}  -> HTML page (Vietnamese first, with English)
//   GET /v1/resolve/{token}     -> the ResolveResponse in protobuf's JSON mapping
//   GET /healthz                -> "ok"
#pragma once

#include "common/http/http_server.h"
#include "services/lookup/resolver.h"

namespace ocop::lookup {

// Handles one request; runs on an HTTP worker thread (it blocks on Redis and backends).
http::HttpResponse HandleHttp(Resolver& resolver, const http::HttpRequest& request);

}  // namespace ocop::lookup
