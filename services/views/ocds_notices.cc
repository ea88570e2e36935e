// Published notices as OCDS documents.
#include "services/views/ocds_notices.h"

#include <array>
#include <string>

#include "domain/regime.h"

namespace contrack::views {
namespace {

struct Row {
  std::string_view contrack_type;
  NoticeMapping mapping;
};

// contrack notice type -> documentType, UK notice form, object, title. Sources: docs/ocds.md.
constexpr std::array<Row, 10> kNotices = {{
    {domain::kNoticeContractAward,
     {"awardNotice", "UK6", NoticeObject::kAward, "Contract award notice"}},
    {domain::kNoticeContractDetails,
     {"contractNotice", "UK7", NoticeObject::kContract, "Contract details notice"}},
    {domain::kNoticeContractCopy,
     {"contractSigned", "", NoticeObject::kContract, "Copy of the contract"}},
    {domain::kNoticeContractChange,
     {"contractNotice", "UK10", NoticeObject::kContract, "Contract change notice"}},
    {domain::kNoticeContractPerformance,
     {"implementationNotice", "UK9", NoticeObject::kContract, "Contract performance notice"}},
    {domain::kNoticeContractTermination,
     {"contractTerminationNotice", "UK11", NoticeObject::kContract, "Contract termination notice"}},
    {domain::kNoticeModification,
     {"contractNotice", "", NoticeObject::kContract, "Modification notice"}},
    {domain::kNoticeContractsFinderAward,
     {"awardNotice", "", NoticeObject::kAward, "Contracts Finder award notice"}},
    {domain::kNoticePsrIntention,
     {"awardNotice", "", NoticeObject::kAward, "Provider Selection Regime intention notice"}},
    {domain::kNoticePsrAward,
     {"awardNotice", "", NoticeObject::kAward, "Provider Selection Regime award notice"}},
}};

}  // namespace

std::optional<NoticeMapping> MapNotice(std::string_view notice_type, std::string_view regime) {
  for (const auto& row : kNotices) {
    if (row.contrack_type != notice_type) continue;
    NoticeMapping m = row.mapping;
    if (notice_type == domain::kNoticeContractAward && regime != domain::kRegimePa2023) {
      m.uk_notice_type = "";
    }
    return m;
  }
  return std::nullopt;
}

namespace internal {

std::optional<Json> NoticeDocument(const v1::EventRecord& ev, const v1::ContractState& after) {
  const auto& n = ev.body().notice_published();
  const auto m = MapNotice(n.notice_type(), after.procurement_regime());
  if (!m) return std::nullopt;
  const std::string published = n.published_on().empty() ? ev.effective_date() : n.published_on();
  std::string title(m->title);
  if (!m->uk_notice_type.empty()) title += " (" + std::string(m->uk_notice_type) + ")";

  std::string description = title + " published " + published + ".";
  const bool url = domain::NoticeReferenceIsUrl(n.reference());
  if (!url) description += " Reference: " + n.reference() + ".";
  if (!n.discharges_event_id().empty()) {
    description +=
        domain::NoticeNamesModification(n.notice_type())
            ? " It publishes the variation " + n.discharges_event_id() + "."
            : " It meets the notice obligation of event " + n.discharges_event_id() + ".";
  }

  Json d = Json::object();
  d["id"] = ev.event_id();
  d["documentType"] = std::string(m->document_type);
  if (!m->uk_notice_type.empty()) d["noticeType"] = std::string(m->uk_notice_type);
  d["title"] = title;
  d["description"] = description;
  if (url) d["url"] = n.reference();
  d["datePublished"] = StartOf(published);
  d["language"] = "en";
  return d;
}

Json RetractedNoticeDocument(const std::string& notice_id, const v1::EventRecord& correction) {
  Json d = Json::object();
  d["id"] = notice_id;
  for (const char* field :
       {"documentType", "noticeType", "title", "url", "datePublished", "language"}) {
    d[field] = nullptr;
  }
  d["description"] = "Retracted by correction " + correction.event_id() + ": " +
                     correction.body().correction().reason() + ".";
  return d;
}

}  // namespace internal
}  // namespace contrack::views
