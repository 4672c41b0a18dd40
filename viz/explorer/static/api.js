// The explorer's side of its JSON API: requests with the access token, plain-words errors,
// the "loading…" badge and the toast that reports what went wrong.

const TOKEN_HEADER = 'X-Actorgraph-Token';
const TOKEN_KEY = 'actorgraph-explorer-token';
const $ = (id) => document.getElementById(id);

let token = null;
let pending = 0;
let toastTimer = null;

/** What the page knows for tests and scripted tours (window.explorer reads it). */
export const report = { lastError: null };

export function rememberToken(value) {
  token = value;
  try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage off */ }
}

export function recallToken() {
  try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { /* storage off */ }
}

/** Requests on their way. */
export function pendingRequests() { return pending; }

function setBusy(delta) {
  pending += delta;
  $('busy').hidden = pending <= 0;
}

/** A short message at the bottom of the page; errors stay longer and are kept in report.lastError. */
export function toast(message, kind = 'info') {
  const t = $('toast');
  t.textContent = message;
  t.className = 'toast' + (kind === 'error' ? ' error' : '');
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 8000 : 4500);
  if (kind === 'error') report.lastError = message;
}

// The server's `detail` as one sentence (validation errors may come as a list of objects).
function detailText(detail) {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d) => (d && d.msg) || window.actorgraphCommon.plain(d)).join('; ');
  return window.actorgraphCommon.plain(detail);
}

/** fetch() for the API: JSON in, the token on, and an Error whose message says in plain words what failed. */
export async function api(path, { method = 'GET', body, signal } = {}) {
  const headers = { Accept: 'application/json' };
  if (token) headers[TOKEN_HEADER] = token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let res;
  setBusy(1);
  try {
    try {
      res = await fetch(path, {
        method, headers, signal, cache: 'no-store', credentials: 'same-origin',
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (e) {
      if (e.name === 'AbortError') throw e;
      throw new Error('The explorer server cannot be reached: is kg serve still running?');
    }
    if (!res.ok) {
      let detail = `The explorer server could not answer (HTTP ${res.status}${res.statusText ? ' ' + res.statusText : ''}).`;
      try {
        const j = await res.json();
        if (j && j.detail) detail = detailText(j.detail);
      } catch (e) { /* not JSON */ }
      if (res.status === 401) {
        detail = 'This explorer needs its access token: open the address kg serve printed (it ends with #token=…).';
      }
      const err = new Error(detail);
      err.status = res.status;
      throw err;
    }
    return res;
  } finally {
    setBusy(-1);
  }
}

export async function apiJSON(path, opts) { return (await api(path, opts)).json(); }

/** Run an action; its failure becomes a toast (an aborted request is no failure). */
export async function run(fn) {
  try { return await fn(); } catch (e) { if (e.name !== 'AbortError') toast(e.message, 'error'); return null; }
}
