// contrackd serving HTTPS (--tls-cert, --tls-key) on loopback: the handshake (TLS 1.2 and later
// only), Strict-Transport-Security, the Secure __Host- session cookie, a plain request on the TLS
// port, the certificate reloaded on SIGHUP (a broken one kept out), bad flag combinations, and the
// refusal of plain HTTP off loopback without --insecure-http.
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <utility>  // before any Asio header (Boost 1.74 under C++23)
//
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>

#include "tests/integration/server_fixture.h"

namespace contrack::server_test {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;

// Makes a self-signed certificate for 127.0.0.1 with common name `cn`.
bool MakeCertificate(const std::filesystem::path& cert, const std::filesystem::path& key,
                     const std::string& cn) {
  const std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=" + cn +
                          " -addext subjectAltName=IP:127.0.0.1 -keyout " + key.string() +
                          " -out " + cert.string() + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

struct TlsExchange {
  bool handshake = false;
  std::string error;
  std::string peer_cn;   // the server certificate's common name
  std::string response;  // everything read until the server closed
};

// One request over TLS to 127.0.0.1:port (the certificate is not verified: it is made up by the
// test). `max_version` caps the client's protocol (e.g. TLS1_1_VERSION to check the refusal).
TlsExchange TlsRequest(uint16_t port, const std::string& request, int max_version = 0) {
  TlsExchange out;
  try {
    asio::io_context ioc;
    ssl::context ctx(ssl::context::tls_client);
    ctx.set_verify_mode(ssl::verify_none);
    if (max_version != 0) {
      SSL_CTX_set_min_proto_version(ctx.native_handle(), TLS1_VERSION);
      SSL_CTX_set_max_proto_version(ctx.native_handle(), max_version);
      SSL_CTX_set_security_level(ctx.native_handle(), 0);  // let the old version be offered
    }
    ssl::stream<asio::ip::tcp::socket> s(ioc, ctx);
    s.lowest_layer().connect({asio::ip::make_address("127.0.0.1"), port});
    timeval tv{10, 0};
    ::setsockopt(s.lowest_layer().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    ::setsockopt(s.lowest_layer().native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
    boost::system::error_code ec;
    s.handshake(ssl::stream_base::client, ec);
    if (ec) {
      out.error = ec.message();
      return out;
    }
    out.handshake = true;
    if (X509* cert = SSL_get_peer_certificate(s.native_handle())) {
      char cn[256] = {0};
      X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof(cn));
      out.peer_cn = cn;
      X509_free(cert);
    }
    asio::write(s, asio::buffer(request), ec);
    char buf[4096];
    for (;;) {
      const size_t n = s.read_some(asio::buffer(buf), ec);
      out.response.append(buf, n);
      if (ec) break;
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
  return out;
}

std::string Get(const std::string& target, const std::string& extra = "") {
  return "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + extra + "\r\n";
}

class TlsTest : public ServerFixture {
 protected:
  void SetUp() override {
    cert_ = dir_.path() / "cert.pem";
    key_ = dir_.path() / "key.pem";
    ASSERT_TRUE(MakeCertificate(cert_, key_, "contrack-first")) << "openssl req failed";
  }
  void StartTls() {
    ASSERT_NO_FATAL_FAILURE(
        StartServer({"--tls-cert", cert_.string(), "--tls-key", key_.string()}));
  }
  std::filesystem::path cert_, key_;
};

TEST_F(TlsTest, ServesHttpsWithHstsAndASecureHostCookie) {
  ASSERT_NO_FATAL_FAILURE(StartTls());
  auto r = TlsRequest(port(), Get("/healthz"));
  ASSERT_TRUE(r.handshake) << r.error;
  EXPECT_EQ(r.peer_cn, "contrack-first");
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 200")) << r.response;
  EXPECT_TRUE(Contains(r.response, "Strict-Transport-Security: max-age=31536000")) << r.response;
  r = TlsRequest(port(),
                 "POST /v1/session HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
                 "Authorization: Bearer " +
                     std::string(kLeedsOfficerToken) + "\r\nContent-Length: 0\r\n\r\n");
  ASSERT_TRUE(r.handshake) << r.error;
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 201")) << r.response;
  const auto at = r.response.find("Set-Cookie: ");
  ASSERT_NE(at, std::string::npos) << r.response;
  const std::string cookie = r.response.substr(at, r.response.find("\r\n", at) - at);
  EXPECT_TRUE(Contains(cookie, "Set-Cookie: __Host-contrack_session=")) << cookie;
  EXPECT_TRUE(Contains(cookie, "; Secure")) << cookie;
  EXPECT_TRUE(Contains(cookie, "; HttpOnly")) << cookie;
  EXPECT_TRUE(Contains(cookie, "; SameSite=Strict")) << cookie;
  EXPECT_TRUE(Contains(cookie, "; Path=/")) << cookie;
  // The cookie works over TLS under its __Host- name, not under the plain name.
  const std::string value = cookie.substr(cookie.find('=') + 1, 64);
  r = TlsRequest(port(), Get("/v1/session", "Cookie: __Host-contrack_session=" + value + "\r\n"));
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 200")) << r.response;
  r = TlsRequest(port(), Get("/v1/session", "Cookie: contrack_session=" + value + "\r\n"));
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 401")) << r.response;
  // The web page is served over TLS too.
  r = TlsRequest(port(), Get("/"));
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 200")) << r.response.substr(0, 300);
  EXPECT_TRUE(Contains(r.response, "Content-Security-Policy:"));
}

TEST_F(TlsTest, OldProtocolsAndPlainHttpAreRefused) {
  ASSERT_NO_FATAL_FAILURE(StartTls());
  auto r = TlsRequest(port(), Get("/healthz"), TLS1_1_VERSION);
  EXPECT_FALSE(r.handshake) << "TLS 1.1 was accepted: " << r.response;
  r = TlsRequest(port(), Get("/healthz"), TLS1_2_VERSION);
  EXPECT_TRUE(r.handshake) << "TLS 1.2 was refused: " << r.error;
  // A plain HTTP request on the TLS port gets no HTTP answer, and the server stays up.
  RawConnection c("127.0.0.1", port());
  ASSERT_TRUE(c.connected());
  c.Send("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  auto got = c.ReadUntilClose(3s);
  EXPECT_FALSE(Contains(got.data, "HTTP/1.1 200")) << got.data;
  EXPECT_TRUE(got.closed) << "the connection stayed open";
  r = TlsRequest(port(), Get("/healthz"));
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 200")) << r.error << r.response;
}

TEST_F(TlsTest, SighupReloadsTheCertificateAndKeepsItWhenTheNewOneIsBroken) {
  ASSERT_NO_FATAL_FAILURE(StartTls());
  ASSERT_EQ(TlsRequest(port(), Get("/healthz")).peer_cn, "contrack-first");
  ASSERT_TRUE(MakeCertificate(cert_, key_, "contrack-second"));
  server_->Signal(SIGHUP);
  const auto deadline = Clock::now() + 10s;
  std::string cn;
  while ((cn = TlsRequest(port(), Get("/healthz")).peer_cn) != "contrack-second" &&
         Clock::now() < deadline) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_EQ(cn, "contrack-second") << server_->Stderr();
  // A broken certificate: the reload fails, the current one stays.
  testing::WriteFile(cert_, "not a certificate");
  server_->Signal(SIGHUP);
  const auto until = Clock::now() + 10s;
  while (!Contains(server_->Stderr(), "kept the previous TLS certificate") &&
         Clock::now() < until) {
    std::this_thread::sleep_for(20ms);
  }
  EXPECT_TRUE(Contains(server_->Stderr(), "kept the previous TLS certificate"))
      << server_->Stderr();
  auto r = TlsRequest(port(), Get("/healthz"));
  EXPECT_EQ(r.peer_cn, "contrack-second") << r.error;
  EXPECT_TRUE(r.response.starts_with("HTTP/1.1 200")) << r.response;
}

// Runs contrackd with `args` expecting it to exit at once; returns its exit code and stderr.
std::pair<int, std::string> RunToExit(const TempDir& dir, const std::vector<std::string>& args) {
  std::string cmd = std::string(CONTRACK_BINARY_DIR) + "/contrackd";
  for (const auto& a : args) cmd += " '" + a + "'";
  const auto err = dir.path() / "stderr.txt";
  cmd += " >/dev/null 2>" + err.string();
  const int rc = std::system(cmd.c_str());
  return {WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, testing::ReadFile(err)};
}

TEST_F(TlsTest, BadTlsFlagsAreRefusedAtStart) {
  const std::string data = (dir_.path() / "d").string();
  auto [rc, err] = RunToExit(dir_, {"--listen", "127.0.0.1:0", "--data", data, "--tokens",
                                    tokens_.string(), "--tls-cert", cert_.string()});
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(Contains(err, "--tls-cert and --tls-key go together")) << err;
  std::tie(rc, err) = RunToExit(
      dir_, {"--listen", "127.0.0.1:0", "--data", data, "--tokens", tokens_.string(), "--tls-cert",
             cert_.string(), "--tls-key", (dir_.path() / "missing.pem").string()});
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(Contains(err, "cannot load the private key")) << err;
  std::tie(rc, err) =
      RunToExit(dir_, {"--listen", "127.0.0.1:0", "--data", data, "--tokens", tokens_.string(),
                       "--tls-cert", key_.string(), "--tls-key", key_.string()});
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(Contains(err, "cannot load the certificate")) << err;
}

TEST_F(TlsTest, PlainHttpOffLoopbackNeedsInsecureHttp) {
  const std::string data = (dir_.path() / "d").string();
  auto [rc, err] =
      RunToExit(dir_, {"--listen", "0.0.0.0:0", "--data", data, "--tokens", tokens_.string()});
  EXPECT_EQ(rc, 1);
  EXPECT_TRUE(Contains(err, "refusing to serve plain HTTP on 0.0.0.0:0")) << err;
  EXPECT_TRUE(Contains(err, "--insecure-http")) << err;
  EXPECT_TRUE(Contains(err, "--tls-cert")) << err;
  EXPECT_FALSE(std::filesystem::exists(data)) << "refused before the store was opened";
  // With --insecure-http it starts, and says what it risks.
  server_ = std::make_unique<ServerProcess>();
  server_->set_listen("0.0.0.0:0");
  ASSERT_TRUE(server_->Start(data_.string(), tokens_.string(), {"--insecure-http"}))
      << server_->Stderr();
  EXPECT_TRUE(Contains(server_->Stderr(), "--insecure-http: serving plain HTTP on 0.0.0.0:0"))
      << server_->Stderr();
  EXPECT_EQ(Client().Get("/healthz").status, 200);
  // Over TLS off loopback it starts without --insecure-http.
  auto tls = std::make_unique<ServerProcess>();
  tls->set_listen("0.0.0.0:0");
  ASSERT_TRUE(tls->Start((dir_.path() / "d2").string(), tokens_.string(),
                         {"--tls-cert", cert_.string(), "--tls-key", key_.string()}))
      << tls->Stderr();
  EXPECT_TRUE(TlsRequest(tls->port(), Get("/healthz")).response.starts_with("HTTP/1.1 200"));
}

}  // namespace
}  // namespace contrack::server_test
