// actorgraph explorer: the page's entry point. It loads /api/meta, wires the parts together and
// holds the view operations (choose, expand, remove, pin, clear, rebuild) and the history steps.
//
// The parts, each a module of static/: api.js (requests, errors, toasts), state.js (the view in the
// address bar and the history), graph.js (the canvas), details.js (the details panel), search.js,
// filters.js, queries.js (named queries and the Cypher console). Helpers shared with the offline
// snapshot (DOM, grades, name keys, as-of, evidence) come from /vendor/common.js (viz/assets/common.js).
//
// Every piece of text that comes from the data (names, aliases, quotes, query results) reaches the
// page through textContent or a text node, never as markup; the graph's labels are drawn on the canvas.

import { api, apiJSON, pendingRequests, recallToken, report, run, toast } from './api.js';
import { connect as connectDetails, refreshDetails, showEdge, showEntity, showNothing } from './details.js';
import { setupFilters, syncFilters } from './filters.js';
import {
  adaptToSize, dropWhatDoesNotHoldOn, edges, entityIds, merge, network, nodes, refreshStyles, settlingNow,
  showLabels, typeInfo, updateStatus, useScales as graphScales,
} from './graph.js';
import { lastQueryResult, setupQueries, toggleMenu } from './queries.js';
import { setupSearch } from './search.js';
import {
  LIST_KEYS, addressMoved, filters, pushView, readURL, state, useScales as stateScales, viewKey,
} from './state.js';

const C = window.actorgraphCommon;
const $ = (id) => document.getElementById(id);
let meta = null;

// ------------------------------------------------------------------ view operations

async function expand(id, { root = false } = {}) {
  const res = await apiJSON('/api/expand', {
    method: 'POST',
    body: { id, known: entityIds(), removed: state.rm, filters: filters(), limit: state.lim },
  });
  if (!root && !state.sel.includes(id) && !state.exp.includes(id)) state.exp.push(id);
  pushView();
  const done = merge(res.nodes, res.edges, id);
  if (res.total > res.shown) {
    const name = (nodes.get(id) || {})._name || id;
    toast(`${name}: showing ${res.shown} of ${res.total} neighbours (raise “Neighbours per expansion” to see more).`);
  } else if (res.edges_truncated) {
    toast('Some relations among these entities are not drawn: the view holds a few thousand at most.');
  }
  await done;
  if (state.pick === `n:${id}`) await showEntity(id); // its list of relations on screen grew
  return res;
}

async function choose(id) {
  state.rm = state.rm.filter((x) => x !== id);
  state.show = state.show.filter((x) => x !== id);
  if (!state.sel.includes(id)) state.sel.push(id);
  await expand(id, { root: true });
  if (!nodes.get(id)) { // it does not exist on the as-of day (an event dated later): said, and its details shown
    toast(`Not on the view as of ${state.asof}: it does not exist on that day.`);
    await showEntity(id);
    return;
  }
  refreshStyles([id]);
  network.selectNodes([id]);
  showLabels(network.getSelectedEdges());
  network.fit({ nodes: [id, ...network.getConnectedNodes(id)], animation: false });
  if (network.getScale() > 1.3) network.moveTo({ scale: 1.3, animation: false });
  await showEntity(id);
}

function removeNode(id) {
  for (const k of ['sel', 'exp', 'show', 'pin']) state[k] = state[k].filter((x) => x !== id);
  if (!state.rm.includes(id)) state.rm.push(id);
  // vis-network logs an error for ids it does not hold (a node removed meanwhile).
  if (nodes.get(id)) edges.remove(network.getConnectedEdges(id));
  nodes.remove(id);
  if (state.pick === `n:${id}` || (state.pick || '').split('|').includes(id)) {
    state.pick = null;
    showNothing();
  }
  pushView();
  adaptToSize();
  updateStatus();
}

function togglePin(id) {
  const pinned = state.pin.includes(id);
  state.pin = pinned ? state.pin.filter((x) => x !== id) : state.pin.concat([id]);
  pushView();
  refreshStyles([id]);
  nodes.update({ id, fixed: !pinned });
  return !pinned;
}

function clearView() {
  for (const k of LIST_KEYS) state[k] = [];
  state.pick = null;
  nodes.clear();
  edges.clear();
  pushView();
  showNothing();
  adaptToSize();
  updateStatus();
}

// A query's result drawn on the view: its entities join the view.
async function showGraph(graph) {
  const ents = graph.nodes.filter((n) => n.entity !== false).map((n) => n.id);
  for (const id of ents) {
    if (!state.sel.includes(id) && !state.show.includes(id)) state.show.push(id);
  }
  state.rm = state.rm.filter((x) => !ents.includes(x));
  pushView();
  await merge(graph.nodes, graph.edges, null);
  network.fit({ nodes: graph.nodes.map((n) => n.id).slice(0, 3000), animation: false });
}

let rebuildSeq = 0;
// The view from the state, as the server computes it: what is no longer in it leaves the screen.
async function rebuild({ fit = false } = {}) {
  const seq = ++rebuildSeq;
  if (!state.sel.length && !state.exp.length && !state.show.length) {
    nodes.clear();
    edges.clear();
    updateStatus();
    return;
  }
  const res = await apiJSON('/api/view', {
    method: 'POST',
    body: {
      roots: state.sel, expanded: state.exp, shown: state.show, removed: state.rm,
      filters: filters(), limit: state.lim,
    },
  });
  if (seq !== rebuildSeq) return; // a newer rebuild is on its way
  const keepN = new Set(res.nodes.map((n) => n.id));
  const keepE = new Set(res.edges.map((e) => e.id));
  nodes.remove(nodes.getIds().filter((id) => !keepN.has(id)));
  edges.remove(edges.getIds().filter((id) => !keepE.has(id)));
  const done = merge(res.nodes, res.edges, state.sel[0]);
  if (res.missing.length) toast(`Not in the database, so left out: ${res.missing.join(', ')}.`, 'error');
  else if (res.edges_truncated) toast('Some relations among the entities on screen are not drawn: the view holds a few thousand at most.');
  await done;
  if (fit) network.fit({ animation: false });
}

let rebuildTimer = null;
function scheduleRebuild() {
  clearTimeout(rebuildTimer);
  rebuildTimer = setTimeout(() => {
    rebuild().catch((e) => toast(e.message, 'error'));
    refreshDetails();
  }, 200);
}

// A filter changed: a new history entry, and the view again under the new filters.
function filtersChanged(what) {
  pushView();
  if (what === 'asof') dropWhatDoesNotHoldOn(state.asof); // at once; the server's answer follows
  updateStatus();
  scheduleRebuild();
}

// ------------------------------------------------------------------ history: Back, Forward, pasted links

function selectPicked() {
  const id = state.pick && state.pick.startsWith('n:') ? state.pick.slice(2) : null;
  if (id && nodes.get(id)) network.selectNodes([id]);
}

function setupFromState({ fit = true } = {}) {
  return rebuild({ fit }).then(() => {
    if (state.pick) refreshDetails();
    else showNothing();
    selectPicked();
  });
}

function addressChanged() {
  if (!addressMoved()) return; // the page wrote it itself
  const before = viewKey();
  readURL();
  if (!meta) return;
  syncFilters();
  updateStatus();
  if (viewKey() === before) { // only the details panel's pick moved
    if (state.pick) refreshDetails(); else showNothing();
    selectPicked();
    return;
  }
  refreshStyles(nodes.getIds()); // chosen and pinned may differ
  run(() => setupFromState({ fit: nodes.length === 0 }));
}

// ------------------------------------------------------------------ export and the top bar

function download(href, filename) {
  const a = C.el('a', { attrs: { download: filename } });
  a.href = href;
  document.body.append(a);
  a.click();
  a.remove();
}

function setupTopBar() {
  $('export-button').addEventListener('click', () => {
    toggleMenu($('queries-button'), $('queries-menu'), false);
    toggleMenu($('export-button'), $('export-menu'));
  });
  $('export-html').addEventListener('click', async () => {
    toggleMenu($('export-button'), $('export-menu'), false);
    const ids = entityIds();
    if (!ids.length) { toast('Nothing to export: the view is empty.'); return; }
    try {
      const res = await api('/api/export/html', {
        method: 'POST',
        body: {
          nodes: ids, edges: edges.getIds().filter((id) => id.split('|').length === 3),
          title: 'actorgraph explorer view', filters: filters(),
        },
      });
      const blob = await res.blob();
      const url = URL.createObjectURL(blob);
      download(url, 'actorgraph-view.html');
      setTimeout(() => URL.revokeObjectURL(url), 10000);
    } catch (e) { toast(e.message, 'error'); }
  });
  $('export-png').addEventListener('click', () => {
    toggleMenu($('export-button'), $('export-menu'), false);
    download($('graph').querySelector('canvas').toDataURL('image/png'), 'actorgraph-view.png');
  });
  $('fit-button').addEventListener('click', () => network.fit({ animation: { duration: 300 } }));
  $('clear-button').addEventListener('click', clearView);
  document.addEventListener('click', (ev) => {
    for (const [b, m] of [['queries-button', 'queries-menu'], ['export-button', 'export-menu']]) {
      if (!$(b).contains(ev.target) && !$(m).contains(ev.target)) toggleMenu($(b), $(m), false);
    }
  });
}

function setupCanvas() {
  network.on('click', (params) => {
    if (params.nodes.length) run(() => showEntity(params.nodes[0]));
    else if (params.edges.length) run(() => showEdge(params.edges[0]));
  });
  network.on('doubleClick', (params) => {
    if (params.nodes.length) {
      const id = params.nodes[0];
      const n = nodes.get(id);
      if (n && n._entity) run(() => expand(id));
    }
  });
  network.on('dragEnd', (params) => {
    // A dragged pinned node stays pinned where it was dropped.
    for (const id of params.nodes) if (state.pin.includes(id)) nodes.update({ id, fixed: true });
  });
}

// The registry's grading scales from /api/meta, by name (a list of scales is taken too).
function scalesOf(grades) {
  const out = {};
  for (const s of Array.isArray(grades) ? grades : Object.values(grades || {})) if (s && s.name) out[s.name] = s;
  for (const name of ['reliability', 'credibility']) if (!out[name]) out[name] = { name, title: name, description: '', grades: [] };
  return out;
}

// ------------------------------------------------------------------ start

const explorer = {
  ready: false,
  get lastError() { return report.lastError; },
  state, network, nodes, edges,
  idle: () => pendingRequests() === 0 && settlingNow() === 0,
  // Where a node is on the page (for tests and scripted tours).
  domPosition(id) {
    const p = network.canvasToDOM(network.getPosition(id));
    const r = $('graph').getBoundingClientRect();
    return { x: r.left + p.x, y: r.top + p.y };
  },
  focus(id, scale = 1.4) { network.focus(id, { scale, animation: false }); },
  choose: (id) => run(() => choose(id)),
  expand: (id) => run(() => expand(id)),
  lastResult: lastQueryResult,
};
window.explorer = explorer;

(async () => {
  recallToken();
  readURL();
  setupTopBar();
  setupCanvas();
  setupSearch((id) => run(() => choose(id)));
  setupQueries({ choose, showGraph });
  window.addEventListener('popstate', addressChanged);
  window.addEventListener('hashchange', addressChanged);
  try {
    meta = await apiJSON('/api/meta');
  } catch (e) {
    toast(e.message, 'error');
    $('empty').textContent = e.message;
    explorer.ready = true;
    return;
  }
  const scales = scalesOf(meta.grades);
  stateScales(scales);
  graphScales(scales);
  for (const t of meta.entity_types) typeInfo[t.type] = t;
  typeInfo.Source = { color: '#c9ced6', shape: 'ellipse' };
  connectDetails({ expand, choose, remove: removeNode, togglePin }, meta, scales);
  setupFilters(meta, scales, filtersChanged);
  updateStatus();
  await run(setupFromState);
  explorer.ready = true;
})();
