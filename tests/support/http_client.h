// The HTTP clients the integration tests use: the CLI's own (tools/cli/http_client.h), and the
// tests' raw socket and Server-Sent Events clients (raw_http.h).
#pragma once

#include "tests/support/raw_http.h"
#include "tools/cli/http_client.h"

namespace contrack::testing {
using http::HttpClient;
using http::HttpHeaders;
using http::HttpResponse;
}  // namespace contrack::testing
