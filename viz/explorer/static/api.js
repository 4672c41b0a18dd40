// The explorer's side of its JSON API: requests with the access token, plain-words errors,
// the "loading…" badge, the toast that reports what went wrong, and the notice shown while
// Neo4j cannot be reached (asked again quietly until it answers).

const TOKEN_HEADER = 'X-Actorgraph-Token';
const TOKEN_KEY = 'actorgraph-explorer-token';
const $ = (id) => document.getElementById(id);

let token = null;
let pending = 0;
let toastTimer = null;

/** What the page knows for tests and scripted tours (window.explorer reads it). */
export const report = { lastError: null, neo4jDown: null };

// While Neo4j cannot be reached: its one-line message stays on the page and a cheap read that needs
// Neo4j (a one-letter search) is tried again, 2 s after the failure and then up to every 15 s.
const RETRY_FIRST_MS = 2000;
const RETRY_MAX_MS = 15000;
const PROBE = '/api/search?q=a&limit=1';
let retryTimer = null;
let retryDelay = RETRY_FIRST_MS;
let metaLoaded = false; // the page got its first /api/meta: when Neo4j is back it carries on, else it reloads

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
  if (kind === 'error') report.lastError = message;
  if (message === report.neo4jDown) return; // the notice at the top says it already, and stays
  const t = $('toast');
  t.textContent = message;
  t.className = 'toast' + (kind === 'error' ? ' error' : '');
  t.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 8000 : 4500);
}

// The server's `detail` as one sentence (validation errors may come as a list of objects).
function detailText(detail) {
  if (typeof detail === 'string') return detail;
  if (Array.isArray(detail)) return detail.map((d) => (d && d.msg) || window.actorgraphCommon.plain(d)).join('; ');
  return window.actorgraphCommon.plain(detail);
}

function downNotice() {
  let el = $('neo4j-down');
  if (!el) {
    el = document.createElement('div');
    el.id = 'neo4j-down';
    el.className = 'toast error';
    el.setAttribute('role', 'alert');
    el.style.top = '60px'; // over the canvas, below the top bar (whose search stays usable)
    el.style.bottom = 'auto';
    el.style.maxWidth = '46vw'; // within the canvas, clear of the side panels
    document.body.appendChild(el);
  }
  return el;
}

/** Neo4j cannot be reached: say so (as text) until it answers again, and keep asking quietly. */
function neo4jDown(message) {
  report.neo4jDown = message;
  const el = downNotice();
  el.textContent = `${message} — trying again in the background…`;
  el.hidden = false;
  if (retryTimer === null) scheduleRetry();
}

function scheduleRetry() {
  retryTimer = setTimeout(async () => {
    let answered = false;
    try {
      const headers = { Accept: 'application/json' };
      if (token) headers[TOKEN_HEADER] = token;
      const res = await fetch(PROBE, { headers, cache: 'no-store', credentials: 'same-origin' });
      answered = res.ok;
    } catch (e) { /* the explorer server itself is away: keep trying */ }
    retryTimer = null;
    if (answered) {
      neo4jBack();
    } else {
      retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
      scheduleRetry();
    }
  }, retryDelay);
}

function neo4jBack() {
  report.neo4jDown = null;
  retryDelay = RETRY_FIRST_MS;
  clearTimeout(retryTimer);
  retryTimer = null;
  const el = $('neo4j-down');
  if (el) el.hidden = true;
  if (!metaLoaded) {
    window.location.reload(); // the page never got started: start it now
    return;
  }
  toast('Neo4j answers again.');
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
      let kind = null;
      try {
        const j = await res.json();
        if (j && j.detail) detail = detailText(j.detail);
        if (j && typeof j.error === 'string') kind = j.error;
      } catch (e) { /* not JSON */ }
      if (res.status === 503 && kind === 'unavailable') neo4jDown(detail);
      if (res.status === 401) {
        detail = 'This explorer needs its access token: open the address kg serve printed (it ends with #token=…).';
      }
      const err = new Error(detail);
      err.status = res.status;
      throw err;
    }
    if (path.startsWith('/api/meta')) metaLoaded = true;
    else if (report.neo4jDown) neo4jBack(); // a read went through: Neo4j is back (meta may come from a cache)
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
