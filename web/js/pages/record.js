// Record a decision: one form per event type, built from the table in events.js. The contract's
// version when the form was opened is sent as expected_version, so a decision recorded meanwhile
// by someone else is a clear conflict, never a silent overwrite. The server's refusal (its code
// and facts) is shown in the error summary beside the form.
import {el, replace, errorSummary, button} from '../dom.js';
import {get, call, errorOf, mayRecord, currentSession} from '../api.js';
import {parsePounds} from '../format.js';
import {EVENT_TYPES, COMMON_FIELDS, eventType, typeLabel} from '../events.js';


const fieldId = (prefix, name) => prefix + name.replace(/\./g, '-');

function control(f, id, events) {
  const common = {id, name: id, 'aria-describedby': f.hint ? id + '-hint' : null};
  switch (f.kind) {
    case 'textarea':
      return el('textarea', Object.assign({class: 'govuk-textarea', rows: '3'}, common));
    case 'select':
      return el('select', Object.assign({class: 'govuk-select'}, common),
        f.options.map(([v, label]) => el('option', {value: v}, label)));
    case 'event':
      return el('select', Object.assign({class: 'govuk-select'}, common),
        el('option', {value: ''}, 'Choose an event'),
        events.filter((e) => !e.retracted).map((e) => el('option', {value: e.event_id},
          `Version ${e.version}: ${typeLabel(e.type)}, effective ${e.effective_date || 'not stated'}`)));
    case 'checkbox':
      return el('input', Object.assign({class: 'govuk-checkboxes__input', type: 'checkbox', value: 'true'}, common));
    case 'date':
      return el('input', Object.assign({class: 'govuk-input govuk-input--width-10', type: 'text', autocomplete: 'off',
        spellcheck: 'false', inputmode: 'numeric'}, common));
    case 'money':
      return el('div', {class: 'govuk-input__wrapper'},
        el('div', {class: 'govuk-input__prefix', 'aria-hidden': 'true'}, '£'),
        el('input', Object.assign({class: 'govuk-input govuk-input--width-10', type: 'text', autocomplete: 'off',
          spellcheck: 'false', inputmode: 'decimal'}, common)));
    case 'int':
      return el('input', Object.assign({class: 'govuk-input govuk-input--width-4', type: 'text', inputmode: 'numeric',
        autocomplete: 'off'}, common));
    default:
      return el('input', Object.assign({class: 'govuk-input', type: 'text', autocomplete: 'off'}, common));
  }
}

function group(f, id, events) {
  const label = f.label + (f.required ? '' : ' (optional)');
  if (f.kind === 'checkbox') {
    return el('div', {class: 'govuk-form-group', id: id + '-group'},
      el('div', {class: 'govuk-checkboxes govuk-checkboxes--small'},
        el('div', {class: 'govuk-checkboxes__item'}, control(f, id, events),
          el('label', {class: 'govuk-label govuk-checkboxes__label', for: id}, label))));
  }
  return el('div', {class: 'govuk-form-group', id: id + '-group'},
    el('label', {class: 'govuk-label', for: id}, label),
    f.hint && el('div', {class: 'govuk-hint', id: id + '-hint'}, f.hint),
    control(f, id, events));
}

function setPath(obj, path, value) {
  const keys = path.split('.');
  let o = obj;
  for (const k of keys.slice(0, -1)) o = (o[k] = o[k] || {});
  o[keys[keys.length - 1]] = value;
}

// The value of field `f` for the request, undefined when left empty, or {error}.
function read(f, id) {
  const input = document.getElementById(id);
  if (f.kind === 'checkbox') return input.checked ? true : undefined;
  const v = input.value.trim();
  if (v === '') return f.required ? {error: `Enter ${f.label.toLowerCase()}`} : undefined;
  switch (f.kind) {
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(v) ? v : {error: `${f.label} must be a date like 2016-03-01`};
    case 'money': {
      const p = parsePounds(v);
      return p === null ? {error: `${f.label} must be an amount in pounds, like 364,339.00`} : p;
    }
    case 'int':
      return /^-?\d+$/.test(v) ? Number(v) : {error: `${f.label} must be a whole number`};
    case 'months': {
      const parts = v.split(',').map((x) => x.trim()).filter(Boolean);
      if (!parts.every((x) => /^\d+$/.test(x))) return {error: `${f.label} must be numbers of months separated by commas`};
      return parts.map((m) => ({months: Number(m)}));
    }
    case 'list':
      return v.split(',').map((x) => x.trim()).filter(Boolean);
    default:
      return v;
  }
}

export async function recordPage(ctx) {
  const id = ctx.segments[1];
  const path = '/v1/contracts/' + encodeURIComponent(id);
  const heading = el('h1', {class: 'govuk-heading-l'}, 'Record a decision');
  const back = el('a', {class: 'govuk-back-link', href: '#/contracts/' + encodeURIComponent(id)}, 'Back to the contract');
  if (!mayRecord()) {
    return [back, heading, el('p', {class: 'govuk-body', id: 'read-only'},
      `${currentSession().principal} has the role ${currentSession().role}: auditors read and verify, and never record decisions.`)];
  }
  const [stateR, histR] = await Promise.all([get(path), get(path + '/events?limit=1000')]);
  // A new contract (404) starts at version 0 with an award or a waiver.
  const isNew = stateR.status === 404;
  if (!stateR.ok && !isNew) {
    const e = errorOf(stateR);
    return [back, errorSummary('There is a problem', [{text: `${e.code}: ${e.message}`}]), heading];
  }
  const version = isNew ? 0 : Number(stateR.body.version || 0);
  const events = histR.ok ? histR.body.events || [] : [];
  const errorSlot = el('div', {});
  const fieldsSlot = el('div', {id: 'event-fields'});
  const typeSelect = el('select', {class: 'govuk-select', id: 'event-type', name: 'event-type'},
    EVENT_TYPES.map((t) => el('option', {value: t.type}, t.label)));
  const asked = ctx.params.get('type');
  typeSelect.value = eventType(asked) ? asked : (isNew ? 'award' : 'extension');
  const typeHint = el('div', {class: 'govuk-hint', id: 'event-type-hint'});

  function drawFields() {
    const t = eventType(typeSelect.value);
    replace(typeHint, t.hint || '');
    replace(fieldsSlot, el('fieldset', {class: 'govuk-fieldset'},
      el('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--m'}, el('h2', {class: 'govuk-fieldset__heading'}, t.label)),
      t.fields.map((f) => group(f, fieldId('p-', f.name), events))),
    el('fieldset', {class: 'govuk-fieldset'},
      el('legend', {class: 'govuk-fieldset__legend govuk-fieldset__legend--m'}, el('h2', {class: 'govuk-fieldset__heading'}, 'The decision')),
      COMMON_FIELDS.map((f) => group(f, fieldId('c-', f.name), events))));
    replace(errorSlot);
  }
  typeSelect.addEventListener('change', drawFields);
  drawFields();

  const submit = button('Record decision', {id: 'record-submit'});
  const form = el('form', {novalidate: true, id: 'record-form'},
    el('div', {class: 'govuk-form-group'},
      el('label', {class: 'govuk-label govuk-label--s', for: 'event-type'}, 'Type of decision'),
      typeHint, typeSelect),
    fieldsSlot,
    el('p', {class: 'govuk-body-s'}, `Recorded against version ${version} of ${id}. If someone records another decision on it first, this one is refused rather than overwriting theirs.`),
    submit);

  function showErrors(title, errors) {
    for (const g of form.querySelectorAll('.govuk-form-group--error')) g.classList.remove('govuk-form-group--error');
    for (const m of form.querySelectorAll('.govuk-error-message')) m.remove();
    for (const e of errors) {
      if (!e.href) continue;
      const g = document.getElementById(e.href + '-group');
      if (!g) continue;
      g.classList.add('govuk-form-group--error');
      const input = document.getElementById(e.href);
      const msg = el('p', {class: 'govuk-error-message', id: e.href + '-error'}, el('span', {class: 'govuk-visually-hidden'}, 'Error: '), e.text);
      g.insertBefore(msg, g.querySelector('input, select, textarea, .govuk-input__wrapper, .govuk-checkboxes'));
      input.setAttribute('aria-describedby', [input.getAttribute('aria-describedby'), e.href + '-error'].filter(Boolean).join(' '));
    }
    replace(errorSlot, errorSummary(title, errors));
    errorSlot.querySelector('#error-summary').focus();
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const t = eventType(typeSelect.value);
    const body = {};
    const payload = {};
    const errors = [];
    for (const [fields, prefix, target] of [[t.fields, 'p-', payload], [COMMON_FIELDS, 'c-', body]]) {
      for (const f of fields) {
        const fid = fieldId(prefix, f.name);
        const v = read(f, fid);
        if (v && v.error) errors.push({text: v.error, href: fid});
        else if (v !== undefined) setPath(target, f.name, v);
      }
    }
    if (errors.length) return showErrors('There is a problem', errors);
    body[t.type] = payload;
    submit.disabled = true;
    const r = await call('POST', path + '/events', {expected_version: version, events: [body]});
    submit.disabled = false;
    if (r.ok) return ctx.go(`#/contracts/${encodeURIComponent(id)}?recorded=${encodeURIComponent(t.type)}`);
    const e = errorOf(r);
    if (e.code === 'version_conflict') {
      return showErrors('Someone else recorded a decision on this contract first', [{text:
        `version_conflict: this form was opened at version ${version}, and the contract is now at version ${e.current_version || 'a later one'}. ` +
        'Nothing was recorded. Open the contract again to see their decision, then record yours if it still applies.'}]);
    }
    showErrors('The decision was not recorded', [{text: `${e.code}: ${e.message}`}]);
  });

  return [back, errorSlot, el('span', {class: 'govuk-caption-l'}, id), heading, form];
}
