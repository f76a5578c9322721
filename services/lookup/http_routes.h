// Lookup's public HTTP surface: the scan page, its JSON twin and the public keys.
//   GET /s/{token}, /S/{token}  -> HTML page (Vietnamese first, with English)
//   GET /01/{gtin}/10/{lot}/21/{serial}?k=..&s=..  -> the same page for a GS1 Digital Link stamp
//   GET /01/{gtin}[/10/{lot}[/21/{serial}]]        -> without a stamp signature: the lot's or the
//                                                     product's page ("walk up"), unit not verified
//   GET /01/...?linkType=linkset                   -> RFC 9264 linkset JSON of our links
//   GET /v1/resolve/01/...                         -> the walk-up as JSON
//   GET /v1/epcis/batches/{id}                     -> the lot's EPCIS 2.0 JSON-LD export
//   GET /v1/resolve/{token}     -> the ResolveResponse in protobuf's JSON mapping
//   POST /v1/pin/{token}        -> body "pin=12345678": the scratch-PIN check, as JSON
//   GET /.well-known/jwks.json  -> the stamp public keys as a JWK Set (RFC 8037)
//   GET /healthz                -> "ok"
#pragma once

#include <optional>
#include <string>

#include "common/http/http_server.h"
#include "services/lookup/key_ring.h"
#include "services/lookup/page_cache.h"
#include "services/lookup/resolver.h"

namespace ocop::lookup {

// Handles one request; runs on an HTTP worker thread (it blocks on Redis and backends).
// `client` is the scanning client's address (scans of genuine stamps are counted for it);
// `base_url` ("https://host", the configured public base URL) makes linkset links absolute; empty:
// they are relative. The request's Host header is never used. `pages` (may be null) keeps the
// rendered details of lots' pages.
http::HttpResponse HandleHttp(Resolver& resolver, KeyRing& keys, const http::HttpRequest& request,
                              const std::string& client = "", const std::string& base_url = "",
                              PageCache* pages = nullptr);

// The scan routes (/s/, /S/, /v1/resolve/{token}) answered from memory on the HTTP server's I/O
// thread (common/http FastHttpHandler); nothing for any other request or anything not in memory.
std::optional<http::HttpResponse> HandleHttpFromMemory(Resolver& resolver, const http::HttpRequest& request,
                                                       const std::string& client, PageCache* pages = nullptr);

}  // namespace ocop::lookup
