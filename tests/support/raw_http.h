// Raw HTTP clients for tests: a TCP connection for hostile input, and a Server-Sent Events client.
// Neither is safe for concurrent use.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "tools/cli/http_client.h"

namespace contrack::testing {

using contrack::http::HttpHeaders;
using contrack::http::HttpResponse;

// A raw TCP connection for hostile input: send arbitrary bytes, read what comes back.
class RawConnection {
 public:
  // Connects to host:port (an IP literal); connected() says whether that worked.
  RawConnection(std::string host, uint16_t port,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const;

  // Writes all of `bytes`. Returns false on error or timeout (the peer may have closed).
  bool Send(std::string_view bytes);

  struct ReadResult {
    std::string data;     // every byte received
    bool closed = false;  // the peer closed (FIN or reset)
    bool timed_out = false;
    std::string error;  // set for errors other than a clean close or a timeout
  };
  // Reads until the peer closes the connection or `timeout` passes.
  ReadResult ReadUntilClose(std::chrono::milliseconds timeout);

  // Reads exactly one HTTP response (bytes past it stay buffered for the next call).
  HttpResponse ReadResponse(std::chrono::milliseconds timeout = std::chrono::seconds(10));

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// One Server-Sent Event.
struct SseEvent {
  std::string id;
  std::string event;  // "event:" field; empty for the default type
  std::string data;   // "data:" lines joined with '\n'
};

// A client for one text/event-stream response (GET with "Accept: text/event-stream").
class SseClient {
 public:
  SseClient(std::string host, uint16_t port);
  ~SseClient();
  SseClient(const SseClient&) = delete;
  SseClient& operator=(const SseClient&) = delete;

  // Connects, sends the request and reads the response header. Returns the response with its
  // status and headers (and, when the status is not 200, its body). The stream is usable for
  // Next() only when the status is 200.
  HttpResponse Open(std::string_view target, const HttpHeaders& headers,
                    std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The next event, or nullopt when `timeout` passes, the stream ends or fails (see error()).
  // Comment lines (": keep-alive") are skipped.
  std::optional<SseEvent> Next(std::chrono::milliseconds timeout);

  // Why the last Next() returned nullopt ("timeout", "end of stream", ...).
  const std::string& error() const { return error_; }

  // Closes the connection (the server sees the client disconnect).
  void Close();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string error_;
};

}  // namespace contrack::testing
