// The /v1 API from the page: fetch with the session cookie (same origin only), the CSRF token on
// every state-changing request, JSON in and out. The bearer token is sent once, to POST
// /v1/session, and never kept: not in a URL, not in browser storage, not in a variable after
// sign-in.

let session = null;  // {principal, role, authorities, csrf_token}, in memory only

export function currentSession() { return session; }

export function mayRecord() {
  return session !== null && (session.role === 'officer' || session.role === 'admin');
}

// One API call. Resolves to {status, ok, body} (body: parsed JSON, text, or null); rejects only
// when the network fails.
export async function call(method, path, body) {
  const headers = {'Accept': 'application/json'};
  if (method !== 'GET' && method !== 'HEAD') {
    if (session && session.csrf_token) headers['X-CSRF-Token'] = session.csrf_token;
  }
  const init = {method, headers, credentials: 'same-origin', cache: 'no-store', redirect: 'error',
    referrerPolicy: 'no-referrer'};
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const res = await fetch(path, init);
  const type = res.headers.get('Content-Type') || '';
  let parsed = null;
  if (type.startsWith('application/json')) parsed = await res.json().catch(() => null);
  else parsed = await res.text();
  if (res.status === 401 && path !== '/v1/session') {
    session = null;
    window.dispatchEvent(new CustomEvent('contrack:signed-out'));
  }
  return {status: res.status, ok: res.ok, body: parsed};
}

export const get = (path) => call('GET', path);

// The error of a failed call as {code, message, current_version?}.
export function errorOf(r) {
  if (r.body && r.body.error) return r.body.error;
  return {code: 'http_' + r.status, message: 'The service answered ' + r.status + '.'};
}

// Restores the session of the cookie, if any. Resolves to the session or null.
export async function loadSession() {
  const r = await call('GET', '/v1/session');
  session = r.ok && r.body && r.body.csrf_token ? r.body : null;
  return session;
}

// Exchanges `token` for a session cookie. Resolves to {ok, error}.
export async function signIn(token) {
  const res = await fetch('/v1/session', {method: 'POST', credentials: 'same-origin',
    cache: 'no-store', headers: {'Authorization': 'Bearer ' + token, 'Accept': 'application/json'}});
  const body = await res.json().catch(() => null);
  if (!res.ok) return {ok: false, error: (body && body.error) || {code: 'http_' + res.status, message: 'Sign-in failed.'}};
  session = body;
  return {ok: true};
}

export async function signOut() {
  await call('DELETE', '/v1/session').catch(() => null);
  session = null;
}

// A query string from an object, skipping empty values.
export function query(params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  }
  const s = q.toString();
  return s ? '?' + s : '';
}
