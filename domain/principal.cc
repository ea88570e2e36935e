// Principals and the write authorisation rule.
#include "domain/principal.h"

#include <algorithm>

namespace contrack {

std::string RoleName(Role r) {
  switch (r) {
    case Role::kOfficer:
      return "officer";
    case Role::kAuditor:
      return "auditor";
    case Role::kAdmin:
      return "admin";
  }
  return "?";
}

bool Principal::ReadsEverything() const {
  return role != Role::kOfficer ||
         std::find(authorities.begin(), authorities.end(), "*") != authorities.end();
}

bool Principal::Covers(const std::string& authority) const {
  if (role == Role::kAdmin) return true;
  return std::find(authorities.begin(), authorities.end(), "*") != authorities.end() ||
         std::find(authorities.begin(), authorities.end(), authority) != authorities.end();
}

const std::string& FirstEventAuthority(const v1::EventBody& body) {
  static const std::string kNone;
  if (body.has_award()) return body.award().authority();
  if (body.has_waiver()) return body.waiver().authority();
  return kNone;
}

Result<void> AuthorizeAppend(const Principal& p, const v1::ContractState* state,
                             std::span<const v1::EventBody> events) {
  if (!p.CanWrite()) {
    return Fail(kForbidden, p.name + " has the role " + RoleName(p.role) + "; " + RoleName(p.role) +
                                "s never write");
  }
  for (const auto& e : events) {
    if (e.has_authority_reassignment() && p.role != Role::kAdmin) {
      return Fail(kForbidden, p.name + " has the role " + RoleName(p.role) +
                                  "; only an admin may reassign a contract's authority");
    }
  }
  const std::string* authority = nullptr;
  if (state != nullptr && !state->authority().empty()) {
    authority = &state->authority();
  } else if (!events.empty()) {
    const v1::EventBody& first = events.front();
    // Any other first event is refused by the rules (first_event_must_be_award_or_waiver).
    if (!first.has_award() && !first.has_waiver()) return {};
    authority = &FirstEventAuthority(first);
    if (authority->empty()) {
      return Fail(kInvalidArgument,
                  "a contract's first event must be an award or a waiver naming its authority");
    }
  }
  if (authority != nullptr && !p.MayWrite(*authority)) {
    return Fail(kForbidden, p.name + " may not write contracts of " + *authority);
  }
  return {};
}

bool Principal::MayReadContract(const v1::ContractState& s) const {
  if (MayRead(s.authority())) return true;
  return std::any_of(s.participants().begin(), s.participants().end(),
                     [&](const v1::Participant& p) { return Covers(p.authority()); });
}

}  // namespace contrack
