// `contrack calendar` (tools/cli/calendar.h).
#include "tools/cli/calendar.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <ostream>

#include "services/views/calendar.h"

namespace contrack::cli {

int WriteOutput(const std::string& text, const std::string& path, std::ostream& out,
                std::ostream& err) {
  if (path.empty()) {
    out << text;
    out.flush();
    return out ? 0 : 1;
  }
  const std::string tmp = path + ".tmp";
  {
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    if (f) f.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (f) f.flush();
    if (!f) {
      const int e = errno;
      std::remove(tmp.c_str());
      err << "contrack: cannot write " << tmp << ": " << std::strerror(e) << "\n";
      return 1;
    }
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int e = errno;
    std::remove(tmp.c_str());
    err << "contrack: cannot replace " << path << ": " << std::strerror(e) << "\n";
    return 1;
  }
  return 0;
}

int CmdCalendar(const storage::EventLog& log, const storage::DeadlinesQuery& q,
                const std::string& public_url, const std::string& out_file, std::ostream& out,
                std::ostream& err) {
  auto d = storage::DeadlinesFor(log, Principal::Operator("offline-operator"), q);
  if (!d) {
    err << "contrack: " << d.error().name() << ": " << d.error().message << "\n";
    return 1;
  }
  views::CalendarOptions o;
  o.public_url = public_url;
  o.authority = q.authority;
  o.now = NowMicros();
  auto ics = views::CalendarIcs(d->decisions, d->notices, d->suppliers, o);
  if (!ics) {
    err << "contrack: " << ics.error().name() << ": " << ics.error().message << "\n";
    return 1;
  }
  return WriteOutput(*ics, out_file, out, err);
}

}  // namespace contrack::cli
