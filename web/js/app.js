// The page's entry point: restores the session, routes the location hash to a page, and keeps
// the navigation, title and focus in step (WCAG: a route change moves focus to the heading).
import {el, replace} from './dom.js';
import {currentSession, loadSession, signOut} from './api.js';
import {signInPage} from './pages/signin.js';
import {contractsPage} from './pages/contracts.js';
import {contractPage} from './pages/contract.js';
import {recordPage} from './pages/record.js';
import {alertsPage} from './pages/alerts.js';
import {verifyPage} from './pages/verify.js';

const app = document.getElementById('app');
let cleanup = null;  // what the current page must stop (the live feed)

// The routes: a pattern over the hash's path segments and the page that draws it.
const ROUTES = [
  {match: (s) => s[0] === 'contracts' && s.length === 1, page: () => contractsPage, nav: 'contracts'},
  {match: (s) => s[0] === 'contracts' && s.length === 2, page: () => contractPage, nav: 'contracts'},
  {match: (s) => s[0] === 'contracts' && s.length === 3 && s[2] === 'record', page: () => recordPage, nav: 'contracts'},
  {match: (s) => s[0] === 'alerts', page: () => alertsPage, nav: 'alerts'},
  {match: (s) => s[0] === 'verify', page: () => verifyPage, nav: 'verify'},
];

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, qs] = h.split('?');
  const segments = path.split('/').filter(Boolean).map(decodeURIComponent);
  return {segments, params: new URLSearchParams(qs || '')};
}

export function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function setNav(active) {
  const s = currentSession();
  const nav = document.getElementById('nav');
  nav.hidden = !s;
  replace(document.getElementById('who'), s ? `Signed in as ${s.principal} (${s.role})` : '');
  for (const a of nav.querySelectorAll('a[data-nav]')) {
    if (a.dataset.nav === active) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
}

async function route() {
  if (cleanup) { cleanup(); cleanup = null; }
  const {segments, params} = parseHash();
  let render = signInPage;
  let nav = null;
  if (currentSession()) {
    const r = ROUTES.find((x) => x.match(segments));
    if (!r) { go('#/contracts'); return; }
    render = r.page();
    nav = r.nav;
  }
  setNav(nav);
  const ctx = {segments, params, go, onLeave: (f) => { cleanup = f; }};
  try {
    const nodes = await render(ctx);
    replace(app, nodes);
  } catch (e) {
    replace(app, el('h1', {class: 'govuk-heading-l'}, 'Sorry, there is a problem'),
      el('p', {class: 'govuk-body'}, 'The page could not be shown: ' + (e && e.message ? e.message : String(e))));
  }
  const h1 = app.querySelector('h1');
  document.title = (h1 ? h1.textContent + ' – ' : '') + 'contrack';
  const summary = app.querySelector('#error-summary');
  (summary || h1 || app).setAttribute('tabindex', '-1');
  (summary || h1 || app).focus();
}

window.addEventListener('hashchange', route);
window.addEventListener('contrack:signed-out', () => { if (!location.hash.startsWith('#/signin')) route(); });
document.getElementById('sign-out').addEventListener('click', async () => {
  await signOut();
  go('#/signin');
});

loadSession().then(route, route);
