// Verify the log: the head digest to copy and publish, a check that an earlier digest is still a
// prefix of the log, and (auditors and admins) the live feed of new events.
import {el, replace, errorSummary, summaryList, field, button} from '../dom.js';
import {get, query, errorOf, currentSession} from '../api.js';
import {typeLabel} from '../events.js';

export async function verifyPage(ctx) {
  const heading = el('h1', {class: 'govuk-heading-l'}, 'Verify the log');
  const r = await get('/v1/verify');
  if (!r.ok) {
    const e = errorOf(r);
    return [errorSummary('The log could not be verified', [{text: `${e.code}: ${e.message}`}]), heading];
  }
  const v = r.body;
  const digest = `${v.head_sequence || 0}:${v.head_hash || ''}`;
  const out = [heading,
    el('p', {class: 'govuk-body'}, 'Every event is chained to the one before it by a SHA-256 hash. Publish the head digest; anyone holding it can later check that the log still contains exactly what it held then.'),
    summaryList([
      ['Chain', el('span', {id: 'chain-ok'}, v.ok ? `intact: ${v.events_checked || 0} events checked` : `BROKEN: ${v.message || ''}`)],
      ['Head digest', el('code', {class: 'contrack-digest contrack-hash', id: 'head-digest'}, digest)],
    ])];
  const copied = el('span', {role: 'status', class: 'govuk-body-s', id: 'copy-status'});
  out.push(el('div', {class: 'contrack-actions'},
    el('button', {type: 'button', class: 'govuk-button govuk-button--secondary', id: 'copy-digest', onclick: async () => {
      try { await navigator.clipboard.writeText(digest); replace(copied, 'Copied.'); } catch (e) { replace(copied, 'Select the digest and copy it.'); }
    }}, 'Copy the digest'), copied));

  const d = field({id: 'earlier-digest', label: 'An earlier digest', hint: 'SEQUENCE:HASH, as copied above at an earlier time', width: 30});
  const result = el('div', {id: 'digest-result', role: 'status', 'aria-live': 'polite'});
  const form = el('form', {novalidate: true, id: 'digest-form'}, d.group, button('Check the digest', {class: 'govuk-button', id: 'digest-check'}));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const value = d.input.value.trim();
    if (!value) return replace(result, errorSummary('There is a problem', [{text: 'Enter a digest', href: 'earlier-digest'}]));
    const c = await get('/v1/verify' + query({digest: value}));
    if (!c.ok) {
      const e = errorOf(c);
      return replace(result, errorSummary('The digest could not be checked', [{text: `${e.code}: ${e.message}`, href: 'earlier-digest'}]));
    }
    const ok = c.body.digest_ok === true;
    replace(result, el('div', {class: 'govuk-inset-text'}, el('strong', {}, ok ? 'The log still holds this digest.' : 'The log does NOT hold this digest.'),
      ' ', c.body.digest_message || ''));
  });
  out.push(el('h2', {class: 'govuk-heading-m'}, 'Check an earlier digest'), form, result);

  const s = currentSession();
  if (s && (s.role === 'auditor' || s.role === 'admin')) {
    const list = el('ol', {class: 'govuk-list contrack-feed', id: 'feed', 'aria-live': 'polite'});
    const state = el('p', {class: 'govuk-body-s', id: 'feed-state'}, 'Connecting…');
    // EventSource sends the session cookie (it cannot send headers); the server accepts it.
    const source = new EventSource('/v1/feed' + query({after: v.head_sequence || 0}));
    source.onopen = () => replace(state, `Waiting for new events after sequence ${v.head_sequence || 0}.`);
    source.onerror = () => replace(state, 'The live feed is disconnected; it reconnects automatically.');
    source.onmessage = (m) => {
      let e;
      try { e = JSON.parse(m.data); } catch (err) { return; }
      list.prepend(el('li', {}, `#${e.sequence} ${e.recorded_at || ''} ${typeLabel(e.type)} on `,
        el('a', {class: 'govuk-link', href: '#/contracts/' + encodeURIComponent(e.contract_id)}, e.contract_id),
        ` by ${e.recorded_by || ''}`));
    };
    ctx.onLeave(() => source.close());
    out.push(el('h2', {class: 'govuk-heading-m'}, 'Live feed of new events'), state, list);
  }
  return out;
}
