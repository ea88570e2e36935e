// The HTTP clients the integration tests use: the CLI's own (tools/cli/http_client.h).
#pragma once

#include "tools/cli/http_client.h"

namespace contrack::testing {
using http::HttpClient;
using http::HttpHeaders;
using http::HttpResponse;
using http::RawConnection;
using http::SseClient;
using http::SseEvent;
}  // namespace contrack::testing
