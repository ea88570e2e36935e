// The server's TLS: a certificate chain and private key loaded into an OpenSSL context that
// accepts TLS 1.2 and later only. Reload (SIGHUP) builds a new context from the same files and
// swaps it in for new connections; connections keep the context they started with. Safe for
// concurrent use.
#pragma once

// clang-format off
#include <utility>  // Before any Boost.Asio header: awaitable.hpp needs it under C++23.
// clang-format on

#include <boost/asio/ssl.hpp>
#include <memory>
#include <mutex>
#include <string>

#include "domain/error.h"

namespace contrack::api {

namespace ssl = boost::asio::ssl;

class TlsContext {
 public:
  // Loads the PEM certificate chain `cert_file` and the PEM private key `key_file`. Fails
  // (invalid_argument, naming the file and OpenSSL's reason) when either cannot be read or
  // parsed, or the key does not match the certificate.
  [[nodiscard]] static Result<std::shared_ptr<TlsContext>> Load(const std::string& cert_file,
                                                                const std::string& key_file);

  // Reads the files again; on failure keeps the current context and returns the error.
  [[nodiscard]] Result<void> Reload();

  // The context new connections use; shared, so a reload never frees one in use.
  std::shared_ptr<boost::asio::ssl::context> Current() const;

  const std::string& cert_file() const { return cert_file_; }

 private:
  TlsContext(std::string cert_file, std::string key_file)
      : cert_file_(std::move(cert_file)), key_file_(std::move(key_file)) {}
  [[nodiscard]] Result<std::shared_ptr<boost::asio::ssl::context>> Build() const;

  const std::string cert_file_, key_file_;
  mutable std::mutex mu_;
  std::shared_ptr<boost::asio::ssl::context> current_;  // guarded by mu_
};

}  // namespace contrack::api
