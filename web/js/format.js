// Formatting values for people: money, dates, codes, and "not stated" for what the record does
// not say.

export const NOT_STATED = 'not stated';

const gbp = new Intl.NumberFormat('en-GB', {style: 'currency', currency: 'GBP'});

// Pence (a JSON number or string, proto's int64) as pounds; "not stated" when absent.
export function money(pence) {
  if (pence === undefined || pence === null || pence === '') return NOT_STATED;
  const n = Number(pence);
  if (!Number.isFinite(n)) return String(pence);
  return gbp.format(n / 100);
}

// Pence as money, where absent means zero (sums and deltas, not stated values).
export function moneyOrZero(pence) { return money(pence === undefined ? 0 : pence); }

export function date(d) { return d ? String(d) : NOT_STATED; }

// A code such as "exercise_or_decline_option" as words.
export function words(code) { return code ? String(code).replace(/_/g, ' ') : ''; }

export function shortHash(h) { return h ? String(h).slice(0, 16) + '…' : ''; }

// Pounds typed by a person ("1,234.56", "£364,339", "-1500") as integer pence, or null.
export function parsePounds(s) {
  const t = String(s).replace(/[£,\s]/g, '');
  if (!/^-?\d+(\.\d{1,2})?$/.test(t)) return null;
  const neg = t.startsWith('-');
  const [whole, frac = ''] = t.replace('-', '').split('.');
  const pence = BigInt(whole) * 100n + BigInt((frac + '00').slice(0, 2));
  const v = neg ? -pence : pence;
  return v.toString();  // int64 as a JSON string, as the API accepts
}

// The rule each compliance flag stands for (docs/rules.md).
export const FLAG_RULES = {
  direct_award_without_waiver: 'Direct award with no waiver of the contract procedure rules recorded.',
  key_decision_without_decision_record: 'The last value decision reached the key-decision threshold (£250,000 by default) with no decision reference.',
  variation_over_de_minimis: 'Net variations exceed 10% of the original value (15% for works): PCR 2015 reg 72(1)(f).',
  variation_over_50_percent: 'Net variations exceed 50% of the original value: PCR 2015 reg 72(1)(b)–(c) limit.',
  funding_shortfall: 'Committed funding is below the current value.',
};

export function flagRule(flag) { return FLAG_RULES[flag] || 'See docs/rules.md.'; }

export const STATUSES = ['pre_award', 'active', 'lapsed', 'terminated', 'expired', 'terminating'];
