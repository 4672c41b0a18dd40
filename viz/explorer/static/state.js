// The view's state and the address bar: the fragment holds the whole view, so a link reopens it,
// and every change to the view is a history entry, so Back and Forward step through the views.
//
//   sel   chosen entities          exp   expanded entities        rm    removed entities
//   pin   pinned entities          show  entities a query put on the view
//   et    entity types shown       rt    relation types shown     asof  as-of day (YYYY-MM-DD)
//   rel   reliability at least     cred  credibility at least     lim   neighbours per expansion
//   pick  what the details panel shows: n:<entity id> or e:<edge id>

import { rememberToken } from './api.js';

const C = window.actorgraphCommon;
export const LIST_KEYS = ['sel', 'exp', 'rm', 'pin', 'show'];
export const LIMIT = { min: 1, max: 2000, normal: 100 };

export const state = {
  sel: [], exp: [], rm: [], pin: [], show: [],
  et: null, rt: null, asof: null, rel: null, cred: null, lim: LIMIT.normal, pick: null,
};

// The grading scales (GET /api/meta `grades`); until they are known, grades from the address wait unchecked.
let scales = null;

/** Make the grade filters the scales' own grades (a grade a scale does not have is dropped). */
export function useScales(grades) {
  scales = grades;
  checkGrades();
}

function checkGrades() {
  if (!scales) return;
  state.rel = state.rel === null ? null : C.gradeOf(scales.reliability, state.rel);
  state.cred = state.cred === null ? null : C.gradeOf(scales.credibility, state.cred);
}

let lastFragment = null;

function currentFragment() { return location.hash.replace(/^#/, ''); }

/** Whether the address shows something other than the state (a pasted link, Back or Forward). */
export function addressMoved() { return currentFragment() !== lastFragment; }

/** The state from the address bar's fragment. */
export function readURL() {
  const p = new URLSearchParams(currentFragment());
  const list = (k) => (p.get(k) || '').split(',').map((s) => s.trim()).filter(Boolean);
  for (const k of LIST_KEYS) state[k] = list(k);
  state.et = p.has('et') ? list('et') : null;
  state.rt = p.has('rt') ? list('rt') : null;
  state.asof = /^\d{4}-\d{2}-\d{2}$/.test(p.get('asof') || '') ? p.get('asof') : null;
  state.rel = p.get('rel') || null;
  state.cred = p.get('cred') || null;
  checkGrades();
  const lim = Number(p.get('lim'));
  state.lim = Number.isInteger(lim) && lim >= LIMIT.min && lim <= LIMIT.max ? lim : LIMIT.normal;
  state.pick = p.get('pick') || null;
  lastFragment = currentFragment();
  if (p.has('token')) {
    rememberToken(p.get('token'));
    writeURL(); // the token stays in this tab, not in links copied from it
  }
}

function fragment() {
  const parts = [];
  const put = (k, v) => parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',')}`);
  for (const k of LIST_KEYS) if (state[k].length) put(k, state[k].join(','));
  if (state.et) put('et', state.et.join(','));
  if (state.rt) put('rt', state.rt.join(','));
  if (state.asof) put('asof', state.asof);
  if (state.rel !== null) put('rel', String(state.rel));
  if (state.cred !== null) put('cred', String(state.cred));
  if (state.lim !== LIMIT.normal) put('lim', String(state.lim));
  if (state.pick) put('pick', state.pick);
  return parts.join('&');
}

/** The state into the address bar, in the current history entry (what the details panel shows). */
export function writeURL() { setAddress(false); }

/** The state into the address bar as a new history entry (the view changed). */
export function pushView() { setAddress(true); }

function setAddress(push) {
  const f = fragment();
  if (f === lastFragment && f === currentFragment()) return;
  const url = f ? `#${f}` : location.pathname + location.search;
  if (push && f !== currentFragment()) history.pushState(null, '', url);
  else history.replaceState(null, '', url);
  lastFragment = f;
}

/** What the view is made of, without the details panel's pick: equal keys, same view. */
export function viewKey() {
  const { pick, ...rest } = state;
  return JSON.stringify(rest);
}

/** The filters as the API takes them. */
export function filters() {
  return {
    entity_types: state.et, relation_types: state.rt, as_of: state.asof,
    reliability_at_least: state.rel, credibility_at_least: state.cred,
  };
}
