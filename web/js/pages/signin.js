// Sign in: a bearer token exchanged once for a session cookie (POST /v1/session). The token
// field is a password field; the token is sent in a header and then forgotten.
import {el, errorSummary, button} from '../dom.js';
import {signIn} from '../api.js';

export async function signInPage(ctx) {
  const heading = el('h1', {class: 'govuk-heading-l'}, 'Sign in');
  const errorSlot = el('div', {});
  const input = el('input', {class: 'govuk-input govuk-input--width-30', id: 'token', name: 'token',
    type: 'password', autocomplete: 'current-password', spellcheck: 'false', 'aria-describedby': 'token-hint'});
  const group = el('div', {class: 'govuk-form-group', id: 'token-group'},
    el('label', {class: 'govuk-label govuk-label--s', for: 'token'}, 'Access token'),
    el('div', {class: 'govuk-hint', id: 'token-hint'},
      'The token your administrator gave you (tools/start.sh prints one for each role). It is exchanged for a session and not stored by this page.'),
    input);
  const form = el('form', {novalidate: true, id: 'sign-in-form'}, group, button('Sign in', {id: 'sign-in'}));
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const token = input.value.trim();
    if (!token) return showError('Enter your access token');
    const r = await signIn(token);
    input.value = '';
    if (!r.ok) return showError(r.error.code === 'unauthorized' ? 'The access token is not valid' : r.error.message);
    const next = ctx.params.get('next');
    ctx.go(next && next.startsWith('#/') ? next : '#/contracts');
  });
  function showError(message) {
    errorSlot.replaceChildren(errorSummary('There is a problem', [{text: message, href: 'token'}]));
    group.classList.add('govuk-form-group--error');
    const old = group.querySelector('.govuk-error-message');
    if (old) old.remove();
    group.insertBefore(el('p', {class: 'govuk-error-message', id: 'token-error'},
      el('span', {class: 'govuk-visually-hidden'}, 'Error: '), message), input);
    input.setAttribute('aria-describedby', 'token-hint token-error');
    errorSlot.querySelector('#error-summary').focus();
  }
  return [errorSlot, heading,
    el('p', {class: 'govuk-body'}, 'Officers record contract decisions; auditors replay histories and verify the log.'),
    form];
}
