// Building the page safely: every value is a text node or an attribute set with setAttribute,
// never HTML parsed from data (no innerHTML anywhere in web/).

// el('a', {href: '#/x', class: 'govuk-link'}, 'text', child, …): an element; children are
// nodes, strings (made text nodes), arrays of those, or null/undefined/false (skipped).
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on') && typeof v === 'function') {
      node.addEventListener(k.slice(2), v);
    } else if (k === 'value') {
      node.value = v;
    } else {
      node.setAttribute(k, v === true ? '' : String(v));
    }
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(node, c);
    else if (c instanceof Node) node.appendChild(c);
    else node.appendChild(document.createTextNode(String(c)));
  }
  return node;
}

// Replaces the children of `node` with `children`.
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function text(s) { return document.createTextNode(String(s)); }

// A GOV.UK summary list: rows of [key, value (node or text), {changed}].
export function summaryList(rows) {
  return el('dl', {class: 'govuk-summary-list'}, rows.map(([k, v, opts]) =>
    el('div', {class: 'govuk-summary-list__row' + (opts && opts.changed ? ' contrack-changed' : '')},
      el('dt', {class: 'govuk-summary-list__key'}, k),
      el('dd', {class: 'govuk-summary-list__value'}, v))));
}

// A GOV.UK table with a caption, header cells and rows of cells (nodes or text).
export function table(caption, headers, rows, opts = {}) {
  return el('table', {class: 'govuk-table', id: opts.id},
    el('caption', {class: 'govuk-table__caption govuk-table__caption--m'}, caption),
    el('thead', {class: 'govuk-table__head'},
      el('tr', {class: 'govuk-table__row'}, headers.map((h) =>
        (h instanceof Node && h.tagName === 'TH') ? h
          : el('th', {scope: 'col', class: 'govuk-table__header'}, h)))),
    el('tbody', {class: 'govuk-table__body'}, rows.map((r) =>
      el('tr', {class: 'govuk-table__row' + (r.className ? ' ' + r.className : '')},
        (r.cells || r).map((c) => el('td', {class: 'govuk-table__cell'}, c))))));
}

// The GOV.UK error summary: a title and a list of {text, href} (href: the field's id).
// Focused, so keyboard and screen reader users land on it.
export function errorSummary(title, errors) {
  const box = el('div', {class: 'govuk-error-summary', 'data-module': 'govuk-error-summary',
    tabindex: '-1', id: 'error-summary'},
    el('div', {role: 'alert'},
      el('h2', {class: 'govuk-error-summary__title'}, title),
      el('div', {class: 'govuk-error-summary__body'},
        el('ul', {class: 'govuk-list govuk-error-summary__list'}, errors.map((e) =>
          el('li', {}, e.href ? el('a', {href: '#' + e.href, 'data-field': e.href,
            onclick: (ev) => { ev.preventDefault(); const f = document.getElementById(e.href); if (f) f.focus(); }}, e.text)
            : el('span', {class: 'contrack-error-text'}, e.text)))))));
  return box;
}

export function notification(title, message, kind = 'success') {
  return el('div', {class: 'govuk-notification-banner' + (kind === 'success' ? ' govuk-notification-banner--success' : ''),
    role: kind === 'success' ? 'alert' : 'region', 'aria-labelledby': 'banner-title', id: 'banner'},
    el('div', {class: 'govuk-notification-banner__header'},
      el('h2', {class: 'govuk-notification-banner__title', id: 'banner-title'}, title)),
    el('div', {class: 'govuk-notification-banner__content'},
      el('p', {class: 'govuk-notification-banner__heading'}, message)));
}

export function visuallyHidden(s) { return el('span', {class: 'govuk-visually-hidden'}, s); }

// A labelled text input in a GOV.UK form group; returns {group, input}.
export function field({id, label, hint, value, type = 'text', width, inputmode, autocomplete, required}) {
  const hintId = hint ? id + '-hint' : null;
  const input = el('input', {class: 'govuk-input' + (width ? ' govuk-input--width-' + width : ''),
    id, name: id, type, value: value || '', inputmode, autocomplete: autocomplete || 'off',
    'aria-describedby': hintId, spellcheck: 'false', 'aria-required': required ? 'true' : null});
  const group = el('div', {class: 'govuk-form-group'},
    el('label', {class: 'govuk-label', for: id}, label),
    hint && el('div', {class: 'govuk-hint', id: hintId}, hint),
    input);
  return {group, input};
}

export function button(label, attrs = {}) {
  return el('button', Object.assign({type: 'submit', class: 'govuk-button', 'data-module': 'govuk-button'}, attrs), label);
}
