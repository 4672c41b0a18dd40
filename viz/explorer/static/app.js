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
  adaptToSize, dropPendingMerges, dropWhatDoesNotHoldOn, edges, entityIds, fitView, labelsPending, merge, network, nodes, placeLabels, placementReport,
  refreshStyles, settlingNow, showLabels, typeInfo, updateStatus, useScales as graphScales,
} from './graph.js';
import { connectMap, explorerMap, mapPick, mapViewChanged, openMap } from './map.js';
import { lastQueryResult, setupQueries, toggleMenu } from './queries.js';
import { setupSearch } from './search.js';
import {
  connectTimeline, explorerTimeline, openTimeline, timelinePick, timelineViewChanged,
} from './timeline.js';
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
  fitView({ ids: [id, ...network.getConnectedNodes(id)] });
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
  dropPendingMerges();
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
  fitView({ ids: graph.nodes.map((n) => n.id).slice(0, 3000) });
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
  if (fit) fitView();
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

/** The view's title: the chosen entities ("Al-Bukamal and Fog 47: explorer view"). */
function viewTitle() {
  const names = state.sel.map((id) => (nodes.get(id) || {})._name).filter(Boolean);
  if (!names.length) return 'actorgraph explorer view';
  const said = names.length <= 3 ? names.join(', ') : `${names.slice(0, 3).join(', ')} and ${names.length - 3} more`;
  return C.short(`${said}: explorer view`, 200);
}

/** A briefing figure of the view: the canvas with a title, the date, the filters, the legend of the entity
 *  types on screen and the lines, drawn on one canvas (text drawn as text: fillText, never markup). */
function briefingCanvas() {
  const src = $('graph').querySelector('canvas');
  const scale = src.width / src.clientWidth || 1;
  const types = [...new Set(nodes.get().map((n) => n._type))].filter((t) => typeInfo[t]).sort();
  const pad = 16 * scale;
  const head = 70 * scale;
  const foot = (28 + 18 * Math.ceil(types.length / 4)) * scale;
  const out = document.createElement('canvas');
  out.width = src.width;
  out.height = src.height + head + foot;
  const ctx = out.getContext('2d');
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, out.width, out.height);
  ctx.fillStyle = '#1f2933';
  ctx.font = `600 ${18 * scale}px system-ui, sans-serif`;
  ctx.textBaseline = 'top';
  ctx.fillText(viewTitle(), pad, pad, out.width - 2 * pad);
  ctx.font = `${12 * scale}px system-ui, sans-serif`;
  ctx.fillStyle = '#52606d';
  const f = filters();
  const said = [f.as_of ? `as of ${f.as_of}` : 'any date',
    f.reliability_at_least ? `reliability at least ${f.reliability_at_least}` : null,
    f.credibility_at_least ? `credibility at least ${f.credibility_at_least}` : null].filter(Boolean).join(' · ');
  ctx.fillText(`${new Date().toISOString().slice(0, 10)} · ${C.plural(nodes.length, 'entity', 'entities')}, ` +
    `${C.plural(edges.length, 'relation')} · filters: ${said} · actorgraph explorer`, pad, pad + 26 * scale, out.width - 2 * pad);
  ctx.drawImage(src, 0, head);
  let x = pad;
  let y = head + src.height + 10 * scale;
  ctx.font = `${12 * scale}px system-ui, sans-serif`;
  types.forEach((t, i) => {
    if (i && i % 4 === 0) { x = pad; y += 18 * scale; }
    ctx.fillStyle = typeInfo[t].color;
    ctx.fillRect(x, y + 2 * scale, 10 * scale, 10 * scale);
    ctx.fillStyle = '#1f2933';
    ctx.fillText(t, x + 16 * scale, y);
    x += 170 * scale;
  });
  return out;
}

/** The briefing figure as SVG, drawn from the view (vector: relations as lines, entities as dots in their
 *  type's colour, the labels the label grid shows), under the same heading and above the same legend as the
 *  PNG. Every text is a text node (textContent), never markup. */
function briefingSvg() {
  const NS = 'http://www.w3.org/2000/svg';
  const mk = (tag, attrs, text) => {
    const e = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  const box = $('graph');
  const W = box.clientWidth;
  const H = box.clientHeight;
  const head = 70;
  const types = [...new Set(nodes.get().map((n) => n._type))].filter((t) => typeInfo[t]).sort();
  const foot = 28 + 18 * Math.ceil(types.length / 4);
  const svg = mk('svg', { xmlns: NS, width: W, height: H + head + foot, viewBox: `0 0 ${W} ${H + head + foot}`,
    'font-family': 'system-ui, sans-serif' });
  svg.append(mk('rect', { x: 0, y: 0, width: W, height: H + head + foot, fill: '#ffffff' }));
  svg.append(mk('text', { x: 16, y: 30, 'font-size': 18, 'font-weight': 600, fill: '#1f2933' }, viewTitle()));
  const f = filters();
  const said = [f.as_of ? `as of ${f.as_of}` : 'any date',
    f.reliability_at_least ? `reliability at least ${f.reliability_at_least}` : null,
    f.credibility_at_least ? `credibility at least ${f.credibility_at_least}` : null].filter(Boolean).join(' · ');
  svg.append(mk('text', { x: 16, y: 52, 'font-size': 12, fill: '#52606d' },
    `${new Date().toISOString().slice(0, 10)} · ${C.plural(nodes.length, 'entity', 'entities')}, ` +
    `${C.plural(edges.length, 'relation')} · filters: ${said} · actorgraph explorer`));
  const g = mk('g', { transform: `translate(0 ${head})` });
  const at = (id) => network.canvasToDOM(network.getPosition(id));
  edges.forEach((e) => {
    if (!nodes.get(e.from) || !nodes.get(e.to)) return;
    const a = at(e.from);
    const b = at(e.to);
    g.append(mk('line', { x1: a.x.toFixed(1), y1: a.y.toFixed(1), x2: b.x.toFixed(1), y2: b.y.toFixed(1),
      stroke: (e.color && e.color.color) || '#9aa5b1', 'stroke-width': 1, 'stroke-dasharray': e.dashes ? '7 5' : 'none' }));
  });
  const scale = network.getScale();
  nodes.forEach((n) => {
    const p = at(n.id);
    const t = typeInfo[n._type] || { color: '#9aa5b1' };
    const r = Math.max(3, (n.size || 12) * scale);
    g.append(mk('circle', { cx: p.x.toFixed(1), cy: p.y.toFixed(1), r: r.toFixed(1), fill: t.color, stroke: '#1f2933',
      'stroke-width': 0.6 }));
    const px = ((n.font && n.font.size) || 0) * scale;
    if (px >= 1) {
      g.append(mk('text', { x: p.x.toFixed(1), y: (p.y + r + px).toFixed(1), 'font-size': px.toFixed(1),
        'text-anchor': 'middle', fill: '#1f2933', stroke: '#ffffff', 'stroke-width': 3, 'paint-order': 'stroke' },
      n.label || ''));
    }
  });
  svg.append(g);
  let x = 16;
  let y = head + H + 22;
  types.forEach((t, i) => {
    if (i && i % 4 === 0) { x = 16; y += 18; }
    svg.append(mk('rect', { x, y: y - 10, width: 10, height: 10, fill: typeInfo[t].color }));
    svg.append(mk('text', { x: x + 16, y, 'font-size': 12, fill: '#1f2933' }, t));
    x += 170;
  });
  return svg;
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
    // The snapshot keeps the arrangement on screen: each entity where it is now.
    const at = network.getPositions(ids);
    const positions = {};
    for (const id of ids) positions[id] = [Math.round(at[id].x * 10) / 10, Math.round(at[id].y * 10) / 10];
    try {
      const res = await api('/api/export/html', {
        method: 'POST',
        body: {
          nodes: ids, edges: edges.getIds().filter((id) => id.split('|').length === 3),
          title: viewTitle(), filters: filters(), positions,
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
    download(briefingCanvas().toDataURL('image/png'), 'actorgraph-view.png');
  });
  $('export-svg').addEventListener('click', () => {
    toggleMenu($('export-button'), $('export-menu'), false);
    const text = new XMLSerializer().serializeToString(briefingSvg());
    const url = URL.createObjectURL(new Blob([text], { type: 'image/svg+xml' }));
    download(url, 'actorgraph-view.svg');
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  });
  $('fit-button').addEventListener('click', () => fitView({ animation: { duration: 300 } }));
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

// ------------------------------------------------------------------ graph, map and timeline

// The tabs switch the canvas between the graph, the map and the timeline of what is on screen. The map and
// the timeline follow the view (entities and relations added or removed) and the details panel's pick
// (its data-entity / data-edge, whoever chose), and choosing on them picks in the graph and the panel.
let currentView = 'graph';
function showView(name) {
  currentView = name;
  $('graph').classList.toggle('behind', name !== 'graph');
  $('map-view').hidden = name !== 'map';
  $('timeline-view').hidden = name !== 'timeline';
  for (const t of document.querySelectorAll('#view-tabs [data-view]')) {
    t.setAttribute('aria-selected', String(t.dataset.view === name));
  }
  if (name === 'map') return run(openMap);
  if (name === 'timeline') return run(async () => openTimeline());
  network.redraw();
  return null;
}

function chooseEntity(id) {
  if (nodes.get(id)) network.selectNodes([id]); else network.unselectAll();
  return run(() => showEntity(id));
}

function chooseEdge(id) {
  if (edges.get(id)) {
    network.selectEdges([id]);
    showLabels([id]);
  }
  return run(() => showEdge(id));
}

function setupViews() {
  for (const t of document.querySelectorAll('#view-tabs [data-view]')) {
    t.addEventListener('click', () => showView(t.dataset.view));
  }
  connectMap({ chooseEntity, chooseEdge });
  connectTimeline({ chooseEntity, chooseEdge });
  const d = $('details');
  new MutationObserver(() => {
    const pick = d.dataset.entity ? { node: d.dataset.entity } : d.dataset.edge ? { edge: d.dataset.edge } : null;
    mapPick(pick);
    timelinePick(pick);
  }).observe(d, { attributes: true, attributeFilter: ['data-entity', 'data-edge'] });
  // What is on screen changed: added or removed (updates are restyling: labels, sizes, colours).
  let timer = null;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(() => { mapViewChanged(); timelineViewChanged(); }, 150);
  };
  for (const ds of [nodes, edges]) {
    ds.on('add', changed);
    ds.on('remove', changed);
  }
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
  idle: () => pendingRequests() === 0 && settlingNow() === 0 && !labelsPending(),
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
  placeLabels: () => placeLabels(true),
  fit: () => fitView(),
  // How new nodes were placed: by the server (POST /api/place) or, its answer unusable, by physics.
  placement: placementReport,
  briefing: () => briefingCanvas(),
  map: explorerMap,
  timeline: explorerTimeline,
  show: (name) => showView(name),
  get view() { return currentView; },
};
window.explorer = explorer;

(async () => {
  recallToken();
  readURL();
  setupTopBar();
  setupCanvas();
  setupViews();
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
