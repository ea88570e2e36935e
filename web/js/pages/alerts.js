// Alerts: what needs a decision in the next N days, and month by month for a year, overdue
// first, each linking to its contract; the contract register (CSV) and the funding report.
import {el, errorSummary, table, field, button} from '../dom.js';
import {get, query, errorOf} from '../api.js';
import {money, words} from '../format.js';

function today() { return new Date().toISOString().slice(0, 10); }

function alertRow(a) {
  const days = Number(a.days_left || 0);
  const when = days < 0 ? el('strong', {class: 'govuk-tag govuk-tag--red'}, `Overdue by ${-days} days`)
    : days === 0 ? el('strong', {class: 'govuk-tag govuk-tag--orange'}, 'Due today') : `${days} days`;
  return [a.deadline, when, words(a.action),
    el('a', {class: 'govuk-link', href: '#/contracts/' + encodeURIComponent(a.contract_id)}, a.contract_id),
    a.title || '', a.end_date || '', String(a.options_left || 0), money(a.value_pence), a.authority || ''];
}

const HEADERS = ['Deadline', 'When', 'Decision needed', 'Contract', 'Title', 'Ends', 'Options left', 'Value', 'Authority'];

// Overdue first, then by deadline.
function ordered(alerts) {
  return [...alerts].sort((a, b) => (Number(a.days_left) < 0) !== (Number(b.days_left) < 0)
    ? (Number(a.days_left) < 0 ? -1 : 1) : String(a.deadline).localeCompare(String(b.deadline)));
}

export async function alertsPage(ctx) {
  const asOf = ctx.params.get('as_of') || today();
  const within = ctx.params.get('within_days') || '90';
  const heading = el('h1', {class: 'govuk-heading-l'}, 'Alerts and reports');
  const a = field({id: 'alerts-as-of', label: 'As of', hint: 'For example 2016-01-01', value: asOf, width: 10});
  const w = field({id: 'alerts-within', label: 'Within (days)', value: within, width: 4, inputmode: 'numeric'});
  const form = el('form', {class: 'contrack-inline-form', id: 'alerts-form', novalidate: true},
    a.group, w.group, button('Show alerts', {class: 'govuk-button govuk-button--secondary', id: 'alerts-show'}));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go('#/alerts' + query({as_of: a.input.value.trim(), within_days: w.input.value.trim()}));
  });
  const out = [heading, form];
  const [near, year, funding] = await Promise.all([
    get('/v1/alerts' + query({as_of: asOf, within_days: within})),
    get('/v1/alerts' + query({as_of: asOf, within_days: 366, months: 12})),
    get('/v1/reports/funding'),
  ]);
  if (!near.ok) {
    const e = errorOf(near);
    return [errorSummary('The alerts could not be shown', [{text: `${e.code}: ${e.message}`}]), ...out];
  }
  const nearAlerts = ordered(near.body.alerts || []);
  out.push(table(`Decisions needed within ${within} days of ${asOf}: ${nearAlerts.length}`, HEADERS,
    nearAlerts.map(alertRow), {id: 'alerts-near'}));
  if (year.ok) {
    const months = new Map();
    for (const x of ordered(year.body.alerts || [])) {
      const m = Number(x.days_left) < 0 ? 'Overdue' : (x.month || String(x.deadline).slice(0, 7));
      if (!months.has(m)) months.set(m, []);
      months.get(m).push(x);
    }
    out.push(el('h2', {class: 'govuk-heading-m'}, 'Month by month for a year'));
    if (!months.size) out.push(el('p', {class: 'govuk-body'}, 'Nothing needs a decision in the year ahead.'));
    for (const [m, list] of months) {
      out.push(table(m === 'Overdue' ? 'Overdue' : m, HEADERS, list.map(alertRow)));
    }
  }
  out.push(el('h2', {class: 'govuk-heading-m'}, 'Reports'),
    el('ul', {class: 'govuk-list'},
      el('li', {}, el('a', {class: 'govuk-link', href: '/v1/reports/register.csv', download: 'register.csv', id: 'register-link'},
        'Download the contract register (CSV, Local Government Transparency Code)')),
      el('li', {}, el('a', {class: 'govuk-link', href: '/v1/reports/funding', download: 'funding.json', id: 'funding-link'},
        'Download the funding report (JSON)'))));
  if (funding.ok) {
    const rows = (funding.body.rows || []).map((r) => [r.funder, r.authority, r.financial_year,
      money(r.committed_pence || 0), money(r.conditional_pence || 0), String(r.contracts || 0)]);
    out.push(table('Funding committed by funder, authority and financial year',
      ['Funder', 'Authority', 'Financial year', 'Committed', 'If extended', 'Contracts'], rows, {id: 'funding-report'}));
  }
  return out;
}
