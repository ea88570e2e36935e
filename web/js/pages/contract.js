// One contract: its current state, flags with their rules, the timeline of events, funding by
// financial year, and the bitemporal view ("as of" a date, "as known at" a time) with what
// differs from the current state highlighted.
import {el, errorSummary, notification, summaryList, table, field, button, visuallyHidden} from '../dom.js';
import {get, query, errorOf, mayRecord} from '../api.js';
import {money, moneyOrZero, date, words, shortHash, flagRule, NOT_STATED} from '../format.js';
import {typeLabel} from '../events.js';

// The state's rows: [id, label, value as text]. The bitemporal view compares these.
function stateRows(s) {
  const total = Number(s.options_total || 0), used = Number(s.options_used || 0);
  return [
    ['status', 'Status', words(s.status) || NOT_STATED],
    ['authority', 'Authority', s.authority || NOT_STATED],
    ['supplier', 'Supplier', (s.supplier && s.supplier.name) || NOT_STATED],
    ['procedure', 'Procedure', words(s.procedure) || NOT_STATED],
    ['start_date', 'Start date', date(s.start_date)],
    ['original_end_date', 'Original end date', date(s.original_end_date)],
    ['current_end_date', 'Current end date', date(s.current_end_date)],
    ['max_extent_date', 'End with every remaining option', date(s.max_extent_date)],
    ['options', 'Extension options', total ? `${used} used of ${total}; ${total - used - Number(s.options_declined || 0)} left` +
      // Each option's fate, where the service reports it (OptionState).
      (s.options || []).map((o) => `; option ${o.number} (${o.months} months) ${words(o.status)}${o.date ? ' ' + o.date : ''}`).join('')
      : 'none'],
    ['original_value_pence', 'Original value', money(s.original_value_pence)],
    ['current_value_pence', 'Current value', money(s.current_value_pence)],
    ['annual_value_pence', 'Annual value', money(s.annual_value_pence)],
    ['variation_net_pence', 'Net variations', moneyOrZero(s.variation_net_pence) +
      (s.variation_percent ? ` (${Number(s.variation_percent).toFixed(1)}%)` : '')],
    ['funding_committed_pence', 'Funding committed', moneyOrZero(s.funding_committed_pence)],
    ['termination_date', 'Termination date', s.termination_date ? `${s.termination_date} (${words(s.termination_reason)})` : 'not terminated'],
    ['version', 'Version', String(s.version || 0)],
  ];
}

function flagsList(s) {
  const flags = s.flags || [];
  if (!flags.length) return el('p', {class: 'govuk-body', id: 'flags'}, 'No compliance flags.');
  return el('ul', {class: 'govuk-list', id: 'flags'}, flags.map((f) =>
    el('li', {}, el('strong', {class: 'govuk-tag govuk-tag--red'}, words(f)), ' ', flagRule(f))));
}

function timeline(events) {
  const correctionOf = new Map();  // retracted event id -> the correction's entry
  for (const e of events) {
    const c = e.body && e.body.correction;
    if (c && c.corrects_event_id) correctionOf.set(c.corrects_event_id, e);
  }
  const rows = events.map((e) => {
    const retracted = e.retracted || correctionOf.has(e.event_id);
    const wrap = (v) => retracted ? el('del', {}, v) : v;
    const fix = correctionOf.get(e.event_id);
    const typeCell = [wrap(typeLabel(e.type))];
    if (retracted) {
      typeCell.push(el('br'), el('span', {class: 'govuk-body-s'}, 'Retracted' +
        (fix ? ` by the correction at version ${fix.version}: ${(fix.body.correction.reason || 'no reason given')}` : '')));
    }
    return {className: retracted ? 'contrack-retracted-row' : '', cells: [
      String(e.version), typeCell, wrap(e.effective_date || ''),
      wrap(`${e.recorded_at || ''} by ${e.recorded_by || 'unknown'}`),
      wrap((e.body && e.body.decision && e.body.decision.reference) || NOT_STATED),
      el('code', {class: 'contrack-hash', title: e.hash}, shortHash(e.hash)),
    ]};
  });
  return table('Timeline of events', ['Version', 'Event', 'Effective', 'Recorded', 'Decision reference', 'Hash'], rows, {id: 'timeline'});
}

function fundingByYear(s) {
  const years = new Map();
  for (const f of s.funding || []) {
    const y = years.get(f.financial_year) || {committed: 0, conditional: 0, funders: new Set()};
    y.committed += Number(f.amount_pence || 0);
    y.conditional += Number(f.conditional_amount_pence || 0);
    y.funders.add(f.funder);
    years.set(f.financial_year, y);
  }
  if (!years.size) return el('p', {class: 'govuk-body', id: 'funding'}, 'No funding recorded.');
  const rows = [...years.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([year, y]) =>
    [year, [...y.funders].join(', '), money(y.committed), money(y.conditional)]);
  return table('Funding by financial year', ['Financial year', 'Funders', 'Committed', 'If extended'], rows, {id: 'funding'});
}

// "2016-03-01" as the start of that day in UTC; an RFC 3339 time as it is.
function knownAt(v) { return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v + 'T00:00:00Z' : v; }

export async function contractPage(ctx) {
  const id = ctx.segments[1];
  const path = '/v1/contracts/' + encodeURIComponent(id);
  const [stateR, histR] = await Promise.all([get(path), get(path + '/events?limit=1000')]);
  if (!stateR.ok) {
    const e = errorOf(stateR);
    return [errorSummary('The contract could not be shown', [{text: `${e.code}: ${e.message}`}]),
      el('h1', {class: 'govuk-heading-l'}, id)];
  }
  const s = stateR.body;
  const events = histR.ok ? histR.body.events || [] : [];
  const out = [];
  const recorded = ctx.params.get('recorded');
  if (recorded) out.push(notification('Success', `Recorded: ${typeLabel(recorded)}. The contract is now at version ${s.version}.`));
  out.push(el('span', {class: 'govuk-caption-l'}, id), el('h1', {class: 'govuk-heading-l', id: 'contract-title'}, s.title || id));
  if (mayRecord()) {
    out.push(el('div', {class: 'contrack-actions'},
      el('a', {class: 'govuk-button', role: 'button', draggable: 'false', id: 'record-link',
        href: `#/contracts/${encodeURIComponent(id)}/record`}, 'Record a decision')));
  }
  out.push(el('h2', {class: 'govuk-heading-m'}, 'Current state'),
    summaryList(stateRows(s).map(([k, label, v]) => [label, el('span', {id: 'state-' + k}, v)])),
    el('h2', {class: 'govuk-heading-m'}, 'Compliance flags'), flagsList(s),
    timeline(events), fundingByYear(s));
  out.push(...await bitemporal(ctx, id, path, s));
  return out;
}

async function bitemporal(ctx, id, path, current) {
  const asOf = ctx.params.get('as_of') || '';
  const known = ctx.params.get('known_at') || '';
  const out = [el('h2', {class: 'govuk-heading-m', id: 'bitemporal'}, 'The contract as it stood'),
    el('p', {class: 'govuk-body'}, 'Pick a day ("as of") and a moment the record was read ("as known at") to see the contract as it stood then. What was recorded since that changes the picture is highlighted.')];
  const a = field({id: 'as-of', label: 'As of', hint: 'A date, for example 2016-06-30', value: asOf, width: 10});
  const k = field({id: 'known-at', label: 'As known at', hint: 'A date (the start of that day, UTC) or a time, for example 2016-03-01 or 2016-03-01T12:00:00Z', value: known, width: 20});
  const form = el('form', {class: 'contrack-inline-form', id: 'bitemporal-form', novalidate: true},
    a.group, k.group, button('Show', {class: 'govuk-button govuk-button--secondary', id: 'bitemporal-show'}));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go(`#/contracts/${encodeURIComponent(id)}` + query({as_of: a.input.value.trim(), known_at: k.input.value.trim()}) );
  });
  out.push(form);
  if (!asOf && !known) return out;
  const r = await get(path + query({as_of: asOf, known_at: known ? knownAt(known) : ''}));
  if (!r.ok) {
    const e = errorOf(r);
    out.push(errorSummary('The contract could not be shown as it stood', [{text: `${e.code}: ${e.message}`}]));
    return out;
  }
  // The baseline: with "as known at", the same day as the record tells it now (what was
  // recorded since); with "as of" alone, the contract today.
  let base = current, baseLabel = 'today';
  if (known) {
    const b = await get(path + query({as_of: asOf}));
    if (b.ok) { base = b.body; baseLabel = 'known now'; }
  }
  const now = new Map(stateRows(base).map(([key, , v]) => [key, v]));
  const rows = stateRows(r.body).map(([key, label, v]) => {
    const changed = now.get(key) !== v;
    return [label, el('span', {id: 'bt-' + key}, v, changed ? el('span', {class: 'contrack-changed-label'},
      ' ', visuallyHidden('changed: '), `(${baseLabel}: ${now.get(key)})`) : null), {changed}];
  });
  out.push(el('h3', {class: 'govuk-heading-s', id: 'bitemporal-heading'},
    `As of ${asOf || 'today'}, as known at ${known ? knownAt(known) : 'now'}`),
  el('p', {class: 'govuk-body-s'}, known ? `Highlighted rows differ from what the record says of ${asOf || 'today'} now.`
    : 'Highlighted rows differ from the contract today.'),
  summaryList(rows), el('h3', {class: 'govuk-heading-s'}, 'Flags then'), flagsList(r.body));
  // The second flags list must not repeat the first's id.
  out[out.length - 1].removeAttribute('id');
  return out;
}
