// Loading and reloading the TLS certificate.
#include "services/api/tls.h"

#include <openssl/err.h>
#include <openssl/ssl.h>

namespace contrack::api {
namespace {

// OpenSSL's reason for the last failure, and clears its error queue.
std::string OpenSslReason() {
  std::string out;
  while (const unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof(buf));
    out = buf;  // the last is the most specific
  }
  return out.empty() ? "unknown error" : out;
}

}  // namespace

Result<std::shared_ptr<ssl::context>> TlsContext::Build() const {
  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1) {
    return Fail(ErrorCode::kInternal, "TLS: cannot require TLS 1.2: " + OpenSslReason());
  }
  SSL_CTX_set_options(
      native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
  if (SSL_CTX_use_certificate_chain_file(native, cert_file_.c_str()) != 1) {
    return Fail(kInvalidArgument,
                "TLS: cannot load the certificate chain " + cert_file_ + ": " + OpenSslReason());
  }
  if (SSL_CTX_use_PrivateKey_file(native, key_file_.c_str(), SSL_FILETYPE_PEM) != 1) {
    return Fail(kInvalidArgument,
                "TLS: cannot load the private key " + key_file_ + ": " + OpenSslReason());
  }
  if (SSL_CTX_check_private_key(native) != 1) {
    return Fail(kInvalidArgument, "TLS: the private key " + key_file_ +
                                      " does not match the certificate " + cert_file_ + ": " +
                                      OpenSslReason());
  }
  return ctx;
}

Result<std::shared_ptr<TlsContext>> TlsContext::Load(const std::string& cert_file,
                                                     const std::string& key_file) {
  std::shared_ptr<TlsContext> tls(new TlsContext(cert_file, key_file));
  if (auto r = tls->Reload(); !r) return std::unexpected(r.error());
  return tls;
}

Result<void> TlsContext::Reload() {
  auto ctx = Build();
  if (!ctx) return std::unexpected(ctx.error());
  std::lock_guard l(mu_);
  current_ = std::move(*ctx);
  return {};
}

std::shared_ptr<ssl::context> TlsContext::Current() const {
  std::lock_guard l(mu_);
  return current_;
}

}  // namespace contrack::api
