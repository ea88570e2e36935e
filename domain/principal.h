// Who acts on the record, and whether they may append to a contract. Pure; safe for concurrent use.
//
// A contract's authority is fixed by the first event ever appended to it (an award or a waiver
// naming it); no correction, novation or award changes it, only an admin's explicit
// authority_reassignment event. Whether a principal may write is decided by the write path
// against that authority (storage/event_log.cc, Prepare), in the step that drafts the append.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "domain/error.h"
#include "proto/contrack.pb.h"

namespace contrack {

enum class Role { kOfficer, kAuditor, kAdmin };

std::string RoleName(Role r);

struct Principal {
  std::string name;  // recorded as recorded_by on every event it appends
  Role role = Role::kOfficer;
  std::vector<std::string> authorities;  // "*" = all

  // The offline operator (the CLI's --as): an admin with every authority.
  static Principal Operator(std::string name) { return {std::move(name), Role::kAdmin, {"*"}}; }

  bool CanWrite() const { return role == Role::kOfficer || role == Role::kAdmin; }
  // True when this principal's authorities include `authority` (an admin's include every one).
  bool Covers(const std::string& authority) const;
  // True when this principal may read contracts of `authority`: an auditor or an admin reads
  // every authority, an officer those it Covers.
  bool MayRead(const std::string& authority) const {
    return role != Role::kOfficer || Covers(authority);
  }
  // True when this principal may read the contract `s`: as MayRead, for its lead authority or
  // any of its participating authorities (a joint contract is read by each party's officers).
  bool MayReadContract(const v1::ContractState& s) const;
  // True when this principal may append to contracts of `authority` (AuthorizeAppend decides
  // the whole rule).
  bool MayWrite(const std::string& authority) const { return CanWrite() && Covers(authority); }
  bool ReadsEverything() const;
};

// The authority named by a contract's first event: the award's or the waiver's; "" for any other
// body.
const std::string& FirstEventAuthority(const v1::EventBody& body);

// Decides whether `p` may append `events` to a contract whose newest state is `state` (nullptr:
// the contract has no event yet). Errors: forbidden (an auditor; an officer outside the
// contract's authority; an authority_reassignment by anyone but an admin), invalid_argument (a
// first event that names no authority). A later award or waiver naming another authority is
// refused by the lifecycle rules (authority_mismatch).
[[nodiscard]] Result<void> AuthorizeAppend(const Principal& p, const v1::ContractState* state,
                                           std::span<const v1::EventBody> events);

}  // namespace contrack
