// One append's decision: normalise, stamp and fold each body.
#include "domain/decide.h"

#include <utility>

#include "domain/validate.h"

namespace contrack::domain {

Result<Decision> Decide(const AppendInput& in, const Rules& rules) {
  Decision out;
  const Date recorded_day = DayOf(in.recorded_at);
  const uint64_t base_version = in.state ? in.state->version() : 0;
  const v1::ContractState* state = in.state;
  std::vector<v1::EventRecord> with_batch;  // prior and this append's records, for corrections
  for (size_t i = 0; i < in.bodies.size(); ++i) {
    auto fail = [&](Error e) -> Result<Decision> {
      if (in.bodies.size() > 1) e.message = "events[" + std::to_string(i) + "]: " + e.message;
      return std::unexpected(std::move(e));
    };
    const v1::EventBody& given = in.bodies[i];
    auto body =
        NormalizeBody(given, given.event_id().empty() ? in.new_event_id() : "", recorded_day);
    if (!body) return fail(body.error());
    v1::EventRecord rec;
    rec.set_sequence(in.first_sequence ? in.first_sequence + i : 0);
    rec.set_contract_id(in.contract_id);
    rec.set_version(base_version + i + 1);
    rec.set_event_id(body->event_id());
    rec.set_type(EventType(*body));
    rec.set_effective_date(body->effective_date());
    rec.set_recorded_at_us(in.recorded_at);
    rec.set_recorded_by(in.principal->name);
    *rec.mutable_body() = std::move(*body);

    if (rec.body().has_correction()) {
      with_batch.assign(in.prior.begin(), in.prior.end());
      with_batch.insert(with_batch.end(), out.records.begin(), out.records.end());
      const std::string& target = rec.body().correction().corrects_event_id();
      for (const auto& p : with_batch) {
        if (p.event_id() == target && p.body().has_authority_reassignment() &&
            in.principal->role != Role::kAdmin) {
          return fail({kForbidden,
                       in.principal->name + " has the role " + RoleName(in.principal->role) +
                           "; only an admin may retract an authority reassignment",
                       {}});
        }
      }
    }
    auto next = Next(state, rec, with_batch, rules);
    if (!next) return fail(next.error());
    out.state = std::move(*next);
    state = &out.state;
    out.records.push_back(std::move(rec));
  }
  return out;
}

}  // namespace contrack::domain
