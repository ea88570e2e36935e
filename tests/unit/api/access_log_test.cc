// The access log's buffered sink, writing to a pipe: lines wait until 16 KiB have gathered or
// the logger is flushed, then all arrive, whole and in order.
#include "services/api/access_log.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <spdlog/logger.h>
#include <unistd.h>

#include <memory>
#include <string>

namespace contrack::api {
namespace {

class AccessLogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_EQ(::pipe2(fds_, O_NONBLOCK), 0);
    ::fcntl(fds_[1], F_SETPIPE_SZ, 1 << 20);  // room for everything a test writes
  }
  void TearDown() override {
    ::close(fds_[0]);
    ::close(fds_[1]);
  }
  // Everything written to the pipe so far.
  std::string Drain() {
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = ::read(fds_[0], buf, sizeof buf)) > 0;) out.append(buf, n);
    return out;
  }
  std::shared_ptr<spdlog::logger> Logger() {
    auto l =
        std::make_shared<spdlog::logger>("test-access", std::make_shared<BufferedFdSink>(fds_[1]));
    l->set_pattern("%v");
    return l;
  }
  int fds_[2] = {-1, -1};
};

TEST_F(AccessLogTest, LinesWaitForAFlushThenArriveInOrder) {
  auto log = Logger();
  log->info("GET /v1/contracts/A 200");
  log->info("GET /v1/contracts/B 404");
  EXPECT_EQ(Drain(), "") << "nothing written before a flush or 16 KiB";
  log->flush();
  EXPECT_EQ(Drain(), "GET /v1/contracts/A 200\nGET /v1/contracts/B 404\n");
  log->flush();
  EXPECT_EQ(Drain(), "") << "a flush writes each line once";
}

TEST_F(AccessLogTest, SixteenKibibytesOfLinesAreWrittenWithoutAFlush) {
  auto log = Logger();
  const std::string line(99, 'x');  // 100 bytes with the newline
  const size_t lines = BufferedFdSink::kFlushBytes / 100 + 1;
  for (size_t i = 0; i < lines; ++i) log->info(line);
  const std::string out = Drain();
  EXPECT_EQ(out.size(), lines * 100);
  log->info("tail");
  EXPECT_EQ(Drain(), "");
}

TEST_F(AccessLogTest, DestroyingTheLoggerWritesWhatIsLeft) {
  Logger()->info("last line");
  EXPECT_EQ(Drain(), "last line\n");
}

}  // namespace
}  // namespace contrack::api
