// The procurement regime of a contract (Procurement Act 2023, Public Contracts Regulations 2015,
// the Provider Selection Regime, or the authority's own rules), whether it is above the regime's
// threshold, and the notice types contrack knows. Pure functions, safe for concurrent use.
// Sources and what is unverified: docs/legal-sources.md; the rules: docs/rules.md, "Procurement
// regime and notice obligations".
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "domain/dates.h"
#include "proto/contrack.pb.h"

namespace contrack::domain {

inline constexpr const char kRegimePa2023[] = "pa2023";
inline constexpr const char kRegimePcr2015[] = "pcr2015";
inline constexpr const char kRegimePsr2023[] = "psr2023";  // SI 2023/1348, from 1 January 2024
inline constexpr const char kRegimeLocal[] = "local";      // the authority's own rules only
// Accepted on old records' awards: the regime is derived from the dates, and the contract is below
// the threshold unless award.above_threshold says otherwise.
inline constexpr const char kRegimeBelowThreshold[] = "below_threshold";

// The values award.regime accepts (empty: derived).
inline constexpr std::array<std::string_view, 5> kAwardRegimes = {
    kRegimePcr2015, kRegimePa2023, kRegimePsr2023, kRegimeLocal, kRegimeBelowThreshold};

// The Procurement Act 2023's go-live date: a procurement begun before it stays under PCR 2015
// (SI 2024/716 reg. 5, as amended by SI 2024/959).
inline constexpr Date kPa2023InForce{std::chrono::year{2025} / std::chrono::February / 24};
// PCR 2015 applies to procurements begun on or after 26 February 2015 (reg. 118: those begun
// before stay under the Public Contracts Regulations 2006, whose notices contrack does not
// derive).
inline constexpr Date kPcr2015InForce{std::chrono::year{2015} / std::chrono::February / 26};

// Notice types (notice_published.notice_type).
inline constexpr const char kNoticeContractAward[] = "contract_award_notice";  // UK6; PCR reg. 50
inline constexpr const char kNoticeContractDetails[] = "contract_details_notice";  // UK7
inline constexpr const char kNoticeContractCopy[] = "contract_copy";             // PA 2023 s.53(3)
inline constexpr const char kNoticeContractChange[] = "contract_change_notice";  // UK10
inline constexpr const char kNoticeContractPerformance[] = "contract_performance_notice";  // UK9
inline constexpr const char kNoticeContractTermination[] = "contract_termination_notice";  // UK11
inline constexpr const char kNoticeModification[] = "modification_notice";  // PCR reg. 72(3)
inline constexpr const char kNoticeContractsFinderAward[] = "contracts_finder_award";
inline constexpr const char kNoticePsrIntention[] = "psr_intention_notice";
inline constexpr const char kNoticePsrAward[] = "psr_award_notice";

inline constexpr std::array<std::string_view, 10> kNoticeTypes = {
    kNoticeContractAward,  kNoticeContractDetails,      kNoticeContractCopy,
    kNoticeContractChange, kNoticeContractPerformance,  kNoticeContractTermination,
    kNoticeModification,   kNoticeContractsFinderAward, kNoticePsrIntention,
    kNoticePsrAward};

// True for the notice types that publish one modification and must name it
// (notice_published.discharges_event_id): contract_change_notice, modification_notice.
bool NoticeNamesModification(std::string_view notice_type);

// True when a notice's reference (notice_published.reference: "the notice's identifier or URL") is
// an absolute http or https URL that may be published as a link: "http://" or "https://" (any
// case) and a host, then only printable ASCII without spaces, quotes, angle brackets, backslashes
// or the other characters RFC 3986 excludes. Any other reference (a notice number, or
// "javascript:...") is text, never a link. Validation accepts both; this is the one rule that tells
// them apart.
bool NoticeReferenceIsUrl(std::string_view reference);

// The regime an award puts a contract under, and how it was decided.
struct RegimeDecision {
  std::string regime;  // kRegimePa2023, kRegimePcr2015, kRegimePsr2023 or kRegimeLocal
  // stated, or derived from: procurement_started_on, decision_date, start_date
  std::string basis;
  std::string procurement_started_on;  // the date it was derived from ("" when stated)
};

// The regime of an award: award.regime when it names one (pa2023, pcr2015, psr2023, local);
// otherwise (empty or below_threshold) pcr2015 when the procurement began before
// kPa2023InForce and pa2023 from that day, the procurement's start being
// award.procurement_started_on, else the decision's date, else award.start_date.
// REQUIRES: the award passed ValidateBody.
RegimeDecision RegimeOf(const v1::Award& award, const v1::Decision& decision);

// The threshold (pence, VAT inclusive) for a contract of `category` ("services", "goods",
// "works") under `regime` for a procurement begun on `procurement_start`, for a sub-central
// authority (a council: contrack's authorities); nullopt for psr2023 and local, which have none
// contrack applies. docs/legal-sources.md gives the figures and their status.
std::optional<int64_t> ThresholdPence(std::string_view regime, std::string_view category,
                                      bool light_touch, Date procurement_start);

// The contract's estimated value as the thresholds and the £5m duties read it: the whole-life
// value (options included) when known, else the current value; nullopt when neither is stated.
std::optional<int64_t> EstimatedValue(const v1::ContractState& s);

// Sets the state's procurement terms from the award in `body`: procurement_regime, regime_basis,
// procurement_started_on, above_threshold (stated; false for a below_threshold award; else
// derived from EstimatedValue against ThresholdPence, absent when either is unknown),
// above_threshold_basis, threshold_pence, exemption, kpis, entered_into_date (default: the
// decision's date, else the start date) and award_max_extent_date.
// REQUIRES: body.has_award(); the state's award fields (values, options, category) already set.
void ApplyProcurementTerms(v1::ContractState* s, const v1::EventBody& body);

}  // namespace contrack::domain
