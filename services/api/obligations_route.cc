// GET /v1/obligations: every readable contract's notice obligations (docs/api.md).
#include "domain/codec.h"
#include "domain/england_time.h"
#include "services/api/api.h"
#include "services/api/params.h"
#include "storage/obligations_query.h"

namespace contrack::api {

Response Api::Obligations(const Principal& p, const std::map<std::string, std::string>& query) {
  auto bounds = ParseBounds(query);
  if (!bounds) return ErrorResponse(bounds.error());
  storage::ObligationsQuery q;
  q.as_of = bounds->as_of.value_or(domain::TodayInEngland());
  q.effective_by = bounds->as_of;
  q.known_at = bounds->known_at;
  if (auto it = query.find("authority"); it != query.end()) q.authority = it->second;
  if (auto it = query.find("overdue"); it != query.end()) {
    if (it->second != "true" && it->second != "false") {
      return ErrorResponse(Error{kInvalidArgument,
                                 "overdue must be true or false, not " + it->second.substr(0, 16)});
    }
    q.overdue_only = it->second == "true";
  }
  auto r = storage::Obligations(log_, p, q);
  if (!r) return ErrorResponse(r.error());
  Response out;
  out.body = ToJson(*r);
  return out;
}

}  // namespace contrack::api
