// Published notices (notice_published events) as OCDS documents: which documentType, UK notice
// type and release object each contrack notice type maps to. Pure functions; the table and its
// sources are in docs/ocds.md, "Notices as documents".
#pragma once

#include <optional>
#include <string_view>

#include "proto/contrack.pb.h"
#include "services/views/ocds_sections.h"

namespace contrack::views {

// The release object whose `documents` carries a notice.
enum class NoticeObject { kTender, kAward, kContract };

struct NoticeMapping {
  // The OCDS documentType code: from the OCDS 1.1.5 documentType codelist, or from the UK
  // extension's +documentType.csv (contractTerminationNotice, implementationNotice).
  std::string_view document_type;
  // Document.noticeType of the UK extension (cabinetoffice/ocds_uk_extension): the Find a Tender
  // notice form, "UK6" ... "UK11"; "" for notices that are not a Procurement Act form.
  std::string_view uk_notice_type;
  NoticeObject object;
  std::string_view title;  // "Contract termination notice"
};

// The mapping of notice_published.notice_type under the contract's `regime`
// (ContractState.procurement_regime): a contract_award_notice is the UK6 form only under pa2023
// (under PCR 2015 it is the regulation 50 notice). nullopt for a notice type contrack does not
// know.
std::optional<NoticeMapping> MapNotice(std::string_view notice_type, std::string_view regime);

namespace internal {

// The document for the notice_published event `ev` on a contract whose state after it is `after`:
// id = the event id, documentType, noticeType, title, datePublished (the publication day, start of
// day UTC), language, and url when the reference is an http(s) URL (domain::NoticeReferenceIsUrl),
// else the reference in the description. nullopt when MapNotice knows no mapping.
// REQUIRES: ev.body().has_notice_published().
std::optional<Json> NoticeDocument(const v1::EventRecord& ev, const v1::ContractState& after);

// What a correction puts in place of the retracted notice `notice_id`'s document: its fields set
// to null (so the compiled release drops them) and a description naming the correction.
Json RetractedNoticeDocument(const std::string& notice_id, const v1::EventRecord& correction);

}  // namespace internal
}  // namespace contrack::views
