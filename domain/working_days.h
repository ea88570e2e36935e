// Bank holidays and working days in the United Kingdom, computed from their rules, and the
// procurement standstill periods counted in working days. Pure functions, safe for concurrent use.
//
// The rules are those in force since 2007 (when St Andrew's Day became a bank holiday in
// Scotland); the one-off changes made by royal proclamation are data, in one table in
// working_days.cc, listed from 2011 on. A year before 2007 gets the same rules, which may differ
// from the days observed then; a future proclamation must be added to the table.
#pragma once

#include <vector>

#include "domain/dates.h"

namespace contrack::domain {

// The parts of the United Kingdom with their own bank holidays (gov.uk/bank-holidays).
enum class Region {
  kEnglandAndWales,
  kScotland,
  kNorthernIreland,
};

// Which days count as working days.
enum class WorkingDays {
  // Monday to Friday, except a bank holiday in England and Wales.
  kEnglandAndWales,
  // The Procurement Act 2023's "working day" (s.123, Interpretation): not a Saturday or Sunday,
  // and not a bank holiday under the Banking and Financial Dealings Act 1971 in ANY part of the
  // United Kingdom (nor Christmas Day or Good Friday, which are in every part's list). So
  // 2 January, St Andrew's Day, the first Monday of August (Scotland), St Patrick's Day and
  // 12 July (Northern Ireland) are not working days either, even for an authority in England.
  // Sources, and what is still unverified: docs/legal-sources.md.
  kProcurementAct,
};

// Easter Sunday of `year` in the Gregorian calendar (the anonymous Gregorian algorithm, as given
// by Meeus, "Astronomical Algorithms"; proleptic before 1583). REQUIRES: year >= 1.
[[nodiscard]] Date EasterSunday(int year);

// The bank holidays of `region` in `year`, in ascending order, as published on
// gov.uk/bank-holidays: the rules of the Banking and Financial Dealings Act 1971 and the yearly
// proclamations, with substitute days ("if a bank holiday is on a weekend, a substitute weekday
// becomes a bank holiday"). Christmas Day and Good Friday (common-law holidays) are included.
//
// England and Wales: New Year's Day, Good Friday, Easter Monday, the first Monday of May, the
// last Monday of May, the last Monday of August, Christmas Day, Boxing Day. Scotland: New Year's
// Day, 2 January, Good Friday, the first and last Mondays of May, the first Monday of August,
// St Andrew's Day (30 November), Christmas Day, Boxing Day. Northern Ireland: England and
// Wales's, plus St Patrick's Day (17 March) and the Battle of the Boyne (12 July).
//
// A fixed-date holiday on a Saturday or Sunday moves to the first weekday after it that is not
// already a holiday, the holidays taken in date order: 25 December on a Saturday gives Monday
// 27 and (Boxing Day) Tuesday 28; on a Sunday, Boxing Day stays on Monday 26 and Christmas moves
// to Tuesday 27; 26 December on a Saturday gives Monday 28.
[[nodiscard]] std::vector<Date> BankHolidays(int year, Region region = Region::kEnglandAndWales);

// True when `d` is one of BankHolidays(year of d, region).
[[nodiscard]] bool IsBankHoliday(Date d, Region region = Region::kEnglandAndWales);

// True when `d` is a working day under `rule`.
[[nodiscard]] bool IsWorkingDay(Date d, WorkingDays rule = WorkingDays::kEnglandAndWales);

// Counts working days from `d`, never counting `d` itself: for n > 0, the nth working day after
// `d`; for n < 0, the |n|th working day before `d`; for n == 0, `d` (even when it is not a
// working day). AddWorkingDays(Thu 2025-04-17, 1) is Tue 2025-04-22 (Good Friday, the weekend
// and Easter Monday skipped).
[[nodiscard]] Date AddWorkingDays(Date d, int n, WorkingDays rule = WorkingDays::kEnglandAndWales);

// The working days of a procurement standstill period.
inline constexpr int kStandstillWorkingDays = 8;

// The last day of a standstill period of eight working days "beginning with the day on which"
// the notice is published, counted in the Procurement Act's working days. This is the mandatory
// standstill period after a contract award notice (Procurement Act 2023 s.51(2): "the period of
// eight working days beginning with the day on which a contract award notice is published") and
// the voluntary standstill period after a contract change notice (s.76). The publication day is
// day 1 when it is a working day; published on a non-working day, the period is the next eight
// working days. The contract (or the modification) may not be entered into before the end of
// this day: the first day it may be is StandstillLastDay(published) + 1 day.
// Example: published Thu 2025-12-18 -> 18, 19, 22, 23, 24, 29, 30, 31 December: Wed 2025-12-31.
// Not the Provider Selection Regime's standstill (SI 2023/1348 reg. 12), which begins the day
// after publication and counts eight working days after that day.
[[nodiscard]] Date StandstillLastDay(Date published);

}  // namespace contrack::domain
