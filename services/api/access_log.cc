#include "services/api/access_log.h"

#include <unistd.h>

#include <cerrno>

namespace contrack::api {

BufferedFdSink::~BufferedFdSink() {
  std::lock_guard l(mutex_);
  WriteAll();
}

void BufferedFdSink::sink_it_(const spdlog::details::log_msg& msg) {
  spdlog::memory_buf_t formatted;
  formatter_->format(msg, formatted);
  buf_.append(formatted.data(), formatted.size());
  if (buf_.size() >= kFlushBytes) WriteAll();
}

void BufferedFdSink::flush_() { WriteAll(); }

void BufferedFdSink::WriteAll() {
  size_t done = 0;
  while (done < buf_.size()) {
    const ssize_t n = ::write(fd_, buf_.data() + done, buf_.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    done += static_cast<size_t>(n);
  }
  buf_.clear();
}

}  // namespace contrack::api
