// Bench event shapes.
#include "bench/bench_events.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <iostream>

#include "domain/codec.h"
#include "domain/dates.h"

namespace contrack::bench {

std::string ContractId(uint64_t i) { return fmt::format("BENCH-{:07}", i); }

const std::string& FundingJson() {
  static const std::string kJson =
      R"({"decision":{"reference":"WYCA-FIN-2024-0412","maker":"Director of Finance and )"
      R"(Resources","date":"2024-04-12"},"funding":{"funder":"Office of the Police and Crime )"
      R"(Commissioner for West Yorkshire","financial_year":"2024/25","amount_pence":12500000},)"
      R"("note":"Contribution to the 2024/25 Drug Intervention Programme; grant agreement )"
      R"(OPCC-WY-2024-17."})";
  return kJson;
}

v1::EventBody FundingBody() {
  auto b = ParseJson<v1::EventBody>(FundingJson(), "bench funding");
  if (!b) {
    std::cerr << "contrack_bench: " << b.error().ToString() << "\n";
    std::abort();
  }
  return *b;
}

v1::EventBody AwardBody(uint64_t i) {
  using std::chrono::days;
  const Date base = *ParseDate("2016-01-01", "base");
  const Date start = base + days{static_cast<int>((i * 7919) % 3650)};
  const int months = 12 + static_cast<int>(i % 49);
  const Date end = PeriodEnd(start - days{1}, months);
  const int64_t value = 1'000'000 + static_cast<int64_t>((i * 104729) % 99'000'000);

  v1::EventBody b;
  auto* d = b.mutable_decision();
  d->set_reference(fmt::format("BENCH-DDN-{}", i));
  d->set_maker("Director of Resources");
  d->set_date(FormatDate(start - days{30}));
  d->set_key_decision(value >= 25'000'000);
  auto* a = b.mutable_award();
  a->set_authority(fmt::format("Bench Authority {:03}", i % 400));
  a->set_title(fmt::format("Support services lot {}", i % 97));
  a->mutable_supplier()->set_name(fmt::format("Supplier {:05} Ltd", i % 20000));
  a->set_procedure("open");
  a->set_start_date(FormatDate(start));
  a->set_end_date(FormatDate(end));
  a->set_value_pence(value);
  for (uint64_t k = 0; k < i % 3; ++k) a->add_extension_options()->set_months(12);
  return b;
}

std::string AwardJson(uint64_t i) { return ToJson(AwardBody(i)); }

double Percentile(std::vector<uint32_t>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  size_t rank = static_cast<size_t>(std::ceil(p / 100.0 * static_cast<double>(v.size())));
  rank = std::clamp<size_t>(rank, 1, v.size());
  return v[rank - 1];
}

}  // namespace contrack::bench
