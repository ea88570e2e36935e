// The contracts: the API's filters (authority, supplier, status) on the server, then a search over
// id, title and supplier, sorting by any column and pages of 25 in the page.
import {el, replace, errorSummary, button, visuallyHidden} from '../dom.js';
import {get, query, errorOf, mayRecord} from '../api.js';
import {money, date, words, STATUSES} from '../format.js';

const PAGE = 25;
const COLUMNS = [
  {key: 'contract_id', label: 'Contract'},
  {key: 'title', label: 'Title'},
  {key: 'supplier', label: 'Supplier', value: (c) => (c.supplier && c.supplier.name) || ''},
  {key: 'authority', label: 'Authority'},
  {key: 'status', label: 'Status'},
  {key: 'current_end_date', label: 'Current end'},
  {key: 'current_value_pence', label: 'Current value', value: (c) => Number(c.current_value_pence || 0), numeric: true},
];

export async function contractsPage(ctx) {
  const p = ctx.params;
  const filters = {authority: p.get('authority') || '', supplier: p.get('supplier') || '', status: p.get('status') || ''};
  const state = {sort: p.get('sort') || 'contract_id', dir: p.get('dir') || 'ascending', q: p.get('q') || '', page: Number(p.get('page') || 1)};
  const heading = el('h1', {class: 'govuk-heading-l'}, 'Contracts');

  const r = await get('/v1/contracts' + query(Object.assign({limit: 1000}, filters)));
  if (!r.ok) {
    const e = errorOf(r);
    return [errorSummary('The contracts could not be listed', [{text: `${e.code}: ${e.message}`}]), heading];
  }
  const all = r.body.contracts || [];

  const filterForm = el('form', {class: 'contrack-inline-form', id: 'filters', novalidate: true},
    textGroup('f-authority', 'Authority', filters.authority),
    textGroup('f-supplier', 'Supplier contains', filters.supplier),
    el('div', {class: 'govuk-form-group'},
      el('label', {class: 'govuk-label', for: 'f-status'}, 'Status'),
      el('select', {class: 'govuk-select', id: 'f-status', name: 'status'},
        el('option', {value: ''}, 'Any'),
        STATUSES.map((s) => el('option', {value: s, selected: s === filters.status}, words(s))))),
    button('Apply filters', {class: 'govuk-button govuk-button--secondary', id: 'apply-filters'}));
  filterForm.addEventListener('submit', (ev) => {
    ev.preventDefault();
    ctx.go('#/contracts' + query({authority: val('f-authority'), supplier: val('f-supplier'), status: val('f-status'), q: state.q}));
  });

  const search = el('input', {class: 'govuk-input govuk-input--width-20', id: 'search', type: 'search',
    value: state.q, 'aria-describedby': 'search-hint', autocomplete: 'off'});
  const searchGroup = el('div', {class: 'govuk-form-group'},
    el('label', {class: 'govuk-label govuk-label--s', for: 'search'}, 'Search contracts'),
    el('div', {class: 'govuk-hint', id: 'search-hint'}, 'By contract id, title or supplier'),
    search);
  const status = el('p', {class: 'govuk-body', id: 'result-count', role: 'status', 'aria-live': 'polite'});
  const tableSlot = el('div', {});
  const pager = el('nav', {class: 'govuk-pagination', 'aria-label': 'Pages of contracts'});
  search.addEventListener('input', () => { state.q = search.value; state.page = 1; draw(); });

  function rowsShown() {
    const q = state.q.trim().toLowerCase();
    const col = COLUMNS.find((c) => c.key === state.sort) || COLUMNS[0];
    const value = col.value || ((c) => c[col.key] || '');
    const rows = all.filter((c) => !q || [c.contract_id, c.title, c.supplier && c.supplier.name]
      .some((v) => String(v || '').toLowerCase().includes(q)));
    rows.sort((a, b) => {
      const x = value(a), y = value(b);
      const d = col.numeric ? x - y : String(x).localeCompare(String(y), 'en-GB');
      return state.dir === 'ascending' ? d : -d;
    });
    return rows;
  }

  function header(col) {
    const sorted = state.sort === col.key;
    const th = el('th', {scope: 'col', class: 'govuk-table__header', 'aria-sort': sorted ? state.dir : 'none'},
      el('button', {type: 'button', class: 'contrack-sort', 'data-sort': col.key, onclick: () => {
        state.dir = sorted && state.dir === 'ascending' ? 'descending' : 'ascending';
        state.sort = col.key;
        draw();
        tableSlot.querySelector(`button[data-sort="${col.key}"]`).focus();
      }}, col.label));
    return th;
  }

  function draw() {
    const rows = rowsShown();
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    state.page = Math.min(Math.max(1, state.page), pages);
    const shown = rows.slice((state.page - 1) * PAGE, state.page * PAGE);
    replace(status, `${rows.length} of ${all.length} contracts` + (r.body.next_after ? ' (more match the filters: narrow them to see the rest)' : '') +
      (pages > 1 ? `, page ${state.page} of ${pages}` : ''));
    replace(tableSlot, el('table', {class: 'govuk-table', id: 'contracts-table'},
      el('caption', {class: 'govuk-table__caption govuk-visually-hidden'}, 'Contracts, sortable by each column'),
      el('thead', {class: 'govuk-table__head'}, el('tr', {class: 'govuk-table__row'}, COLUMNS.map(header))),
      el('tbody', {class: 'govuk-table__body'}, shown.map((c) => el('tr', {class: 'govuk-table__row'},
        el('td', {class: 'govuk-table__cell'}, el('a', {class: 'govuk-link', href: '#/contracts/' + encodeURIComponent(c.contract_id)}, c.contract_id)),
        el('td', {class: 'govuk-table__cell'}, c.title || ''),
        el('td', {class: 'govuk-table__cell'}, (c.supplier && c.supplier.name) || ''),
        el('td', {class: 'govuk-table__cell'}, c.authority || ''),
        el('td', {class: 'govuk-table__cell'}, el('strong', {class: 'govuk-tag govuk-tag--grey'}, words(c.status))),
        el('td', {class: 'govuk-table__cell'}, date(c.current_end_date)),
        el('td', {class: 'govuk-table__cell govuk-table__cell--numeric'}, money(c.current_value_pence)))))));
    const links = [];
    if (state.page > 1) links.push(pageLink('Previous', state.page - 1, 'prev'));
    if (state.page < pages) links.push(pageLink('Next', state.page + 1, 'next'));
    replace(pager, links);
  }

  function pageLink(label, page, kind) {
    return el('div', {class: 'govuk-pagination__' + kind},
      el('a', {class: 'govuk-link govuk-pagination__link', href: '#', rel: kind, onclick: (ev) => {
        ev.preventDefault(); state.page = page; draw(); status.focus();
      }}, el('span', {class: 'govuk-pagination__link-title'}, label, visuallyHidden(' page'))));
  }

  draw();
  const out = [heading, filterForm, searchGroup, status, tableSlot, pager];
  if (mayRecord()) out.push(newContractForm(ctx));
  return out;
}

// A new contract starts with its award (or a waiver): its id, then the record form.
function newContractForm(ctx) {
  const input = el('input', {class: 'govuk-input govuk-input--width-20', id: 'new-contract-id', type: 'text',
    autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'new-contract-hint'});
  const form = el('form', {class: 'contrack-inline-form', id: 'new-contract', novalidate: true},
    el('div', {class: 'govuk-form-group'},
      el('label', {class: 'govuk-label', for: 'new-contract-id'}, 'Contract id'),
      el('div', {class: 'govuk-hint', id: 'new-contract-hint'}, 'For example LCC-DIP-CRI-2016'),
      input),
    button('Record a new contract', {class: 'govuk-button govuk-button--secondary', id: 'new-contract-go'}));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const id = input.value.trim();
    if (id) ctx.go(`#/contracts/${encodeURIComponent(id)}/record?type=award`);
  });
  return [el('h2', {class: 'govuk-heading-m'}, 'Record a new contract'), form];
}

function textGroup(id, label, value) {
  return el('div', {class: 'govuk-form-group'},
    el('label', {class: 'govuk-label', for: id}, label),
    el('input', {class: 'govuk-input govuk-input--width-20', id, type: 'text', value, autocomplete: 'off'}));
}

function val(id) { return document.getElementById(id).value.trim(); }
