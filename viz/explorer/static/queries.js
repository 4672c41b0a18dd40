// The drawer below the graph: named queries (menu and form) and the read-only Cypher console,
// with their results as a readable table or drawn on the graph.

import { apiJSON, run, toast } from './api.js';
import { network } from './graph.js';
import { state } from './state.js';

const C = window.actorgraphCommon;
const { el, clear } = C;
const $ = (id) => document.getElementById(id);

let actions = null;
let queries = null;
let currentQuery = null;
let lastResult = null;

export function lastQueryResult() { return lastResult; }

export function toggleMenu(button, menu, open) {
  const show = open === undefined ? menu.hidden : open;
  menu.hidden = !show;
  button.setAttribute('aria-expanded', show ? 'true' : 'false');
}

function openDrawer(kind, title) {
  $('drawer').hidden = false;
  $('drawer-title').textContent = title;
  $('query-form').hidden = kind !== 'query';
  $('console-form').hidden = kind !== 'console';
  $('result-message').hidden = true;
  $('result-message').className = 'message';
  clear($('result'));
  network.redraw();
}

// The API's query description; `title` and `description` are the names it had before `question` and `notes`.
const question = (q) => q.question || q.title || '';
const notes = (q) => (q.notes !== undefined ? q.notes : q.description) || '';

async function loadQueries() {
  if (queries) return queries;
  queries = await apiJSON('/api/queries');
  const menu = $('queries-menu');
  clear(menu);
  if (!queries.length) menu.append(el('li', { class: 'muted empty-menu', text: 'No named queries.' }));
  for (const q of queries) {
    // The name is what `kg query NAME` takes; the question says what it answers.
    const b = el('button', { attrs: { type: 'button', role: 'menuitem', 'data-query': q.name } }, [
      el('code', { class: 'query-name', text: q.name }), el('span', { class: 'query-question', text: question(q) }),
    ]);
    b.addEventListener('click', () => { toggleMenu($('queries-button'), menu, false); openQuery(q); });
    menu.append(el('li', { attrs: { role: 'none' } }, [b]));
  }
  return queries;
}

function inputFor(p) {
  const t = (p.type || 'string').toLowerCase();
  let input;
  if (t === 'bool' || t === 'boolean') {
    input = el('input', { attrs: { type: 'checkbox', name: p.name } });
    input.checked = !!p.default;
  } else {
    const number = ['int', 'integer', 'float', 'number'].includes(t);
    input = el('input', { attrs: { type: number ? 'number' : 'text', name: p.name, step: t === 'float' || t === 'number' ? 'any' : '1' } });
    if (t === 'date') input.placeholder = 'YYYY, YYYY-MM or YYYY-MM-DD';
    if (t === 'entity') input.placeholder = 'id, name or alias';
    if (t === 'source') input.placeholder = 'source id, title or publisher';
    if (t.startsWith('list') || t === 'strings') input.placeholder = 'comma-separated';
    if (p.default !== null && p.default !== undefined) input.value = Array.isArray(p.default) ? p.default.join(', ') : String(p.default);
    // The entity on display is the likely subject; the as-of day the likely date.
    if (t === 'entity' && state.pick && state.pick.startsWith('n:') && !input.value) input.value = state.pick.slice(2);
    if (t === 'date' && state.asof && !input.value) input.value = state.asof;
    input.required = !!p.required;
  }
  input.dataset.kind = t;
  return el('label', {}, [
    el('span', { class: 'param-name', text: `${p.name}${p.required ? '' : ' (optional)'}` }), input,
    p.description ? el('small', { class: 'help', text: p.description }) : null,
  ]);
}

function openQuery(q) {
  currentQuery = q;
  openDrawer('query', question(q) || q.name);
  $('query-command').textContent = `kg query ${q.name}`;
  $('query-notes').textContent = notes(q);
  $('query-notes').hidden = !notes(q);
  const box = $('query-params');
  clear(box);
  for (const p of q.params || []) box.append(inputFor(p));
  if (!(q.params || []).length) box.append(el('span', { class: 'muted', text: 'No parameters.' }));
}

function formParams() {
  const out = {};
  for (const input of $('query-params').querySelectorAll('input')) {
    const kind = input.dataset.kind;
    if (input.type === 'checkbox') { out[input.name] = input.checked; continue; }
    const v = input.value.trim();
    if (v === '') continue;
    if (kind.startsWith('list') || kind === 'strings') out[input.name] = v.split(',').map((s) => s.trim()).filter(Boolean);
    else if (input.type === 'number') out[input.name] = Number(v);
    else out[input.name] = v;
  }
  return out;
}

function message(text, kind) {
  const m = $('result-message');
  m.textContent = text;
  m.className = `message ${kind}`;
  m.hidden = false;
}

// ------------------------------------------------------------------ result values as text
// Values come as graph.neo4j.values.to_plain makes them: nodes, relationships and paths as small tagged objects.

function nodeText(n) {
  const p = n.properties || {};
  const labels = (n.labels || []).filter((l) => l !== 'Entity');
  const name = p.name || p.title || p.id || '';
  return labels.length ? `${name} (${labels.join(', ')})` : String(name);
}

function relationshipText(r) { return `${r.from} —${r.type}→ ${r.to}`; }

function pathText(path) {
  const ns = path.nodes || [];
  let text = ns.length ? nodeText(ns[0].node) : '';
  (path.relationships || []).forEach((rel, i) => {
    const r = rel.relationship;
    const before = ns[i] && ns[i].node.properties ? ns[i].node.properties.id : undefined;
    const arrow = r.from === before ? ` —${r.type}→ ` : ` ←${r.type}— `;
    text += arrow + (ns[i + 1] ? nodeText(ns[i + 1].node) : '?');
  });
  return text;
}

/** A result value as readable text: lists joined, nodes by name and label, relationships as "a —TYPE→ b". */
export function cellText(v) {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(cellText).join('; ');
  if (typeof v !== 'object') return String(v);
  if (v.node) return nodeText(v.node);
  if (v.relationship) return relationshipText(v.relationship);
  if (v.path) return pathText(v.path);
  const keys = Object.keys(v);
  if (keys.length === 2 && 'lat' in v && 'lon' in v) return `${v.lat}, ${v.lon}`;
  return keys.map((k) => `${k}: ${cellText(v[k])}`).join(', ');
}

function table(res) {
  const t = el('table');
  t.append(el('thead', {}, [el('tr', {}, res.columns.map((c) => el('th', { text: c })))]));
  const body = el('tbody');
  const idColumn = res.columns.indexOf('id');
  for (const row of res.rows) {
    body.append(el('tr', {}, row.map((v, i) => {
      if (i === idColumn && typeof v === 'string') {
        // An entity id: one click puts it on the view.
        return el('td', {}, [el('button', { class: 'link', text: v, attrs: { type: 'button', title: 'Show on the graph' },
          on: { click: () => run(() => actions.choose(v)) } })]);
      }
      return el('td', { text: cellText(v) });
    })));
  }
  t.append(body);
  return t;
}

async function runQuery(path, body) {
  clear($('result'));
  $('result-message').hidden = true;
  $('result-message').className = 'message';
  let res;
  try {
    res = await apiJSON(path, { method: 'POST', body });
  } catch (e) {
    message(e.message, 'error');
    return null;
  }
  lastResult = res;
  const rows = C.plural(res.rows.length, 'row') +
    (res.truncated ? ` (only the first ${res.row_limit.toLocaleString('en')}: the row limit)` : '') +
    `, in ${res.elapsed_ms} ms.`;
  const out = $('result');
  // How names given as parameters were taken (spelling variants, who else matches): the API's words, as text.
  if (res.matched && res.matched.length) {
    out.append(el('ul', { class: 'matched', attrs: { 'aria-label': 'How the names were matched' } },
      res.matched.map((line) => el('li', { text: line }))));
  }
  if (res.graph && res.graph.nodes.length) {
    message(`${rows} Drawn on the graph: ${C.plural(res.graph.nodes.length, 'node')} and ` +
            `${C.plural(res.graph.edges.length, 'relation')}.`, 'info');
    const toggle = el('button', { text: 'Show as a table', attrs: { type: 'button', id: 'show-table' } });
    toggle.addEventListener('click', () => { toggle.remove(); out.append(table(res)); });
    out.append(toggle);
    await actions.showGraph(res.graph);
  } else {
    message(rows, 'info');
    out.append(table(res));
  }
  return res;
}

/** Wire the Queries menu, the query form and the console. actions: {choose(id), showGraph({nodes, edges})}. */
export function setupQueries(viewActions) {
  actions = viewActions;
  $('drawer-close').addEventListener('click', () => { $('drawer').hidden = true; });
  $('queries-button').addEventListener('click', async () => {
    const menu = $('queries-menu');
    toggleMenu($('export-button'), $('export-menu'), false);
    if (menu.hidden) {
      try { await loadQueries(); } catch (e) { toast(e.message, 'error'); return; }
    }
    toggleMenu($('queries-button'), menu);
  });
  $('query-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    if (!currentQuery) return;
    await runQuery(`/api/queries/${encodeURIComponent(currentQuery.name)}`, { params: formParams() });
  });
  $('console-button').addEventListener('click', () => {
    openDrawer('console', 'Cypher console (read-only)');
    $('console-text').focus();
  });
  $('console-form').addEventListener('submit', async (ev) => {
    ev.preventDefault();
    await runQuery('/api/cypher', { query: $('console-text').value });
  });
  $('console-text').addEventListener('keydown', (ev) => {
    if (ev.key === 'Enter' && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); $('console-form').requestSubmit(); }
  });
}
