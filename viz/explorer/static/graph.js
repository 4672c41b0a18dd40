// The canvas: vis-network's nodes and edges, how each is drawn, where new ones are placed (by the
// server's layout engine, POST /api/place, around what is on screen; a short physics run only when the
// server's answer cannot be used), which edge labels show, and the status line.
// Names reach the canvas as labels (drawn, never parsed) and tooltips built from text nodes.

import { apiJSON } from './api.js';
import { state } from './state.js';

const C = window.actorgraphCommon;
const { el } = C;
const $ = (id) => document.getElementById(id);

/** Entity type -> {color, shape, ...} from GET /api/meta. */
export const typeInfo = {};
// The registry's grading scales, once /api/meta has answered.
let scales = { reliability: { name: 'reliability', grades: [] }, credibility: { name: 'credibility', grades: [] } };
export function useScales(grades) { scales = grades; }

const FACE = 'system-ui, sans-serif';
export const nodes = new vis.DataSet();
export const edges = new vis.DataSet();
export const network = new vis.Network($('graph'), { nodes, edges }, {
  autoResize: true,
  layout: { improvedLayout: false, randomSeed: 7 },
  physics: {
    enabled: false,
    solver: 'forceAtlas2Based',
    // avoidOverlap 1: shapes keep apart (labels are chosen so they never collide: placeLabels below).
    forceAtlas2Based: { gravitationalConstant: -90, centralGravity: 0.004, springLength: 140, springConstant: 0.06, damping: 0.5, avoidOverlap: 1 },
    stabilization: { enabled: false, fit: false, updateInterval: 25 },
    minVelocity: 1,
  },
  interaction: { hover: true, tooltipDelay: 250, multiselect: false, keyboard: false, hideEdgesOnDrag: false },
  nodes: {
    size: 14, borderWidth: 1,
    // Label sizes are set per node at each zoom by the label grid (placeLabels), so they stay readable.
    font: { size: 0, face: FACE, color: '#1f2933', strokeWidth: 3, strokeColor: '#ffffff' },
    scaling: { label: { drawThreshold: 1 } },
    // Never bold on hover or selection: a bolder label is wider than the room the label grid kept for it.
    labelHighlightBold: false,
  },
  edges: {
    arrows: { to: { enabled: true, scaleFactor: 0.55 } },
    color: { color: '#9aa5b1', highlight: '#1f2933', hover: '#52606d' },
    font: { size: 10, face: 'system-ui, sans-serif', color: '#52606d', strokeWidth: 3, strokeColor: '#ffffff', align: 'middle' },
    smooth: { enabled: true, type: 'continuous', roundness: 0.3 },
    selectionWidth: 2, hoverWidth: 0.5,
  },
});
// A white background, so the exported PNG is not transparent.
network.on('beforeDrawing', (ctx) => {
  ctx.save();
  ctx.setTransform(1, 0, 0, 1, 0, 0);
  ctx.fillStyle = '#ffffff';
  ctx.fillRect(0, 0, ctx.canvas.width, ctx.canvas.height);
  ctx.restore();
});

// ------------------------------------------------------------------ how items are drawn

function tooltip(n) {
  const aliases = n.aliases && n.aliases.length ? ` · also ${n.aliases.slice(0, 4).join(', ')}` : '';
  return el('div', {}, [
    el('div', { class: 'tip-name', text: n.name }),
    el('div', { class: 'tip-meta', text: n.type + aliases }),
    el('div', { class: 'tip-meta', text: 'double-click to expand' }),
  ]);
}

/** The attribute that tells a relation apart (its use, role...), or ''. */
export function edgeDetail(e) {
  const a = e.attributes || {};
  return a.use || a.role || a.title || a.method || '';
}

function edgeTip(e) {
  const when = e.time_basis === 'inferred' ? `${C.validity(e.valid_from_day, e.valid_to_day)} (inferred)`
    : C.validity(e.valid_from, e.valid_to);
  const detail = edgeDetail(e);
  return el('div', {}, [
    el('div', { class: 'tip-name', text: e.type + (detail ? ` (${detail})` : '') }),
    el('div', { class: 'tip-meta', text: `reliability ${e.reliability || '?'} · credibility ${e.credibility || '?'} · ` +
      `${C.plural(e.evidence || 0, 'piece')} of evidence${when ? ` · valid ${when}` : ''}` }),
    el('div', { class: 'tip-meta', text: 'click for the evidence' }),
  ]);
}

function visNode(n) {
  const t = typeInfo[n.type] || { color: '#9aa5b1', shape: n.entity === false ? 'ellipse' : 'dot' };
  const root = state.sel.includes(n.id);
  const pinned = state.pin.includes(n.id);
  // Shapes with the label inside (a campaign's box) are drawn as a compact symbol, label beneath (C.nodeLook).
  const look = C.nodeLook(t, root ? 20 : 12);
  return {
    id: n.id,
    label: C.short(n.name, 34),
    ...look,
    borderWidth: pinned ? 3 : root ? 2.5 : 1,
    shapeProperties: { borderDashes: pinned ? [5, 3] : false },
    color: {
      background: t.color, border: pinned || root ? '#1f2933' : C.shade(t.color, -0.3),
      highlight: { background: t.color, border: '#111111' }, hover: { background: t.color, border: '#111111' },
    },
    font: { size: labelGrid.font[n.id] || 0 },
    title: tooltip(n),
    fixed: pinned,
    _name: n.name, _type: n.type, _aliases: n.aliases || [], _entity: n.entity !== false,
    _from: n.valid_from_day || null, _to: n.valid_to_day || null,
  };
}

// The worse half of the credibility scale is dashed; the best grades draw thicker lines.
const WIDTHS = [2.6, 2, 1.5];
function doubtful(e) {
  const worst = C.gradeList(scales.credibility).slice(-1)[0];
  return C.doubtful(scales.credibility, e.credibility === null || e.credibility === undefined ? worst : e.credibility);
}

// Time basis by shade (stated dark, inferred light), credibility by dashes: C.edgeLook, as the snapshot.
// Dashed lines are slow to draw by the thousand: a big view tints doubtful relations instead.
function edgeLook(e) {
  const look = C.edgeLook(e.time_basis === 'inferred', doubtful(e), !adaptToSize.big);
  return { color: { color: look.color, highlight: '#1f2933', hover: '#52606d' }, dashes: look.dashes };
}

function visEdge(e) {
  const detail = edgeDetail(e);
  const label = e.type.toLowerCase().replace(/_/g, ' ') + (detail ? ` · ${detail}` : '');
  const text = C.short(label, 42);
  const rank = C.rank(scales.credibility, e.credibility);
  return {
    id: e.id, from: e.source, to: e.target,
    ...labelProps(e.id, text),
    _label: text,
    ...edgeLook(e),
    width: rank >= 0 && rank < WIDTHS.length ? WIDTHS[rank] : 1,
    title: edgeTip(e),
    _data: e,
  };
}

// ------------------------------------------------------------------ placement and settling

// A seeded random source, so the same view is laid out the same way every time.
let seed = 0x2f6db3;
function random() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

// New nodes start next to a neighbour already on screen, spread on a circle.
function placeFresh(fresh, edgeList, centre) {
  const pos = new Map();
  const placed = (id) => pos.get(id) || (nodes.get(id) ? network.getPosition(id) : null);
  const adj = new Map();
  for (const e of edgeList) {
    if (!adj.has(e.source)) adj.set(e.source, []);
    if (!adj.has(e.target)) adj.set(e.target, []);
    adj.get(e.source).push(e.target);
    adj.get(e.target).push(e.source);
  }
  let todo = fresh.slice();
  const around = new Map(); // parent -> number of children placed so far
  const startAngle = random() * Math.PI * 2;
  for (let pass = 0; pass < 6 && todo.length; pass++) {
    const later = [];
    // children of one parent, counted first so they share the circle evenly
    const groups = new Map();
    for (const id of todo) {
      const nbrs = adj.get(id) || [];
      let parent = centre && nbrs.includes(centre) && placed(centre) ? centre : null;
      if (!parent) parent = nbrs.find((x) => placed(x)) || null;
      if (!parent) { later.push(id); continue; }
      if (!groups.has(parent)) groups.set(parent, []);
      groups.get(parent).push(id);
    }
    for (const [parent, kids] of groups) {
      const p = placed(parent);
      const done = around.get(parent) || 0;
      const total = done + kids.length;
      const radius = 110 + 9 * Math.sqrt(total) * 6;
      kids.forEach((id, i) => {
        const a = startAngle + ((done + i) / total) * Math.PI * 2;
        const r = radius * (0.8 + 0.4 * ((i * 7919) % 11) / 11);
        pos.set(id, { x: p.x + r * Math.cos(a), y: p.y + r * Math.sin(a) });
      });
      around.set(parent, total);
    }
    if (later.length === todo.length) {
      // Nothing connects these to what is placed: start them beside the view.
      const v = network.getViewPosition();
      const shift = nodes.length ? 420 : 0;
      const id = later.shift();
      pos.set(id, { x: v.x + shift + random() * 40, y: v.y + (random() - 0.5) * 200 });
    }
    todo = later;
  }
  return pos;
}

// Physics runs only to settle new nodes; everything already placed is held still.
let settleChain = Promise.resolve();
let settling = 0;
export function settlingNow() { return settling + merging; }

function settle(fresh) {
  if (!fresh.length) return settleChain;
  settling += 1;
  settleChain = settleChain.then(() => new Promise((resolve) => {
    const freshSet = new Set(fresh);
    const hold = nodes.getIds().filter((id) => !freshSet.has(id) && !state.pin.includes(id));
    if (hold.length) nodes.update(hold.map((id) => ({ id, fixed: true })));
    const n = fresh.length;
    const iterations = n > 1000 ? 40 : n > 400 ? 80 : n > 100 ? 150 : 250;
    let finished = false;
    const done = () => {
      if (finished) return;
      finished = true;
      network.off('stabilizationIterationsDone', done);
      network.setOptions({ physics: { enabled: false } });
      const still = new Set(nodes.getIds());
      const release = hold.filter((id) => still.has(id));
      if (release.length) nodes.update(release.map((id) => ({ id, fixed: false })));
      settling -= 1;
      lastGridView = '';
      placeLabels(false);
      resolve();
    };
    network.on('stabilizationIterationsDone', done);
    network.setOptions({ physics: { enabled: true } });
    network.stabilize(iterations);
    setTimeout(done, 20000); // never leave the page waiting
  }));
  return settleChain;
}

// ------------------------------------------------------------------ edge labels and big views

// Busy views show edge labels only for the selection (and a hovered edge); big ones also
// draw straight edges and hide them while dragging, so drawing stays quick.
// (vis-network ignores an empty label in an update, so a hidden label is drawn in a transparent font;
// in big views edges get no label at all until they are selected.)
const labelled = new Set();
const FONT_SHOWN = { color: '#52606d', strokeColor: '#ffffff' };
const FONT_HIDDEN = { color: 'rgba(0,0,0,0)', strokeColor: 'rgba(0,0,0,0)' };
// An edge too short to hold its label (its two nodes close together) draws none but for the selection and
// a hovered edge: the label would be squeezed between the two shapes (Fog 47 -> Badr Hospital).
const tooShort = new Set();
const labelShown = (id) => labelled.has(id) || (!adaptToSize.busy && !tooShort.has(id));
function labelProps(id, text) {
  const show = labelShown(id);
  if (adaptToSize.big && !show) return { font: FONT_HIDDEN };
  return { label: text, font: show ? FONT_SHOWN : FONT_HIDDEN };
}

const EDGE_FONT = '10px system-ui, sans-serif'; // edges.font: 10 drawing units, as the room is measured
const labelWidths = new Map();
function labelWidth(text) {
  if (!labelWidths.has(text)) labelWidths.set(text, C.textWidth(text, EDGE_FONT));
  return labelWidths.get(text);
}
function halfWidth(id) {
  const n = nodes.get(id);
  if (!n) return 0;
  const ext = C.drawnExtent(n.shape, n.size || 12);
  return Math.max(ext[0], ext[1]);
}

/** Which edges are too short for their label, by the room between their nodes' shapes (drawing units, so
 *  the zoom does not change it): those stop drawing it until they are selected or hovered. */
export function checkEdgeRoom() {
  if (adaptToSize.big) { tooShort.clear(); return; } // big views draw no edge label but the selection's
  const at = network.getPositions();
  const changes = [];
  edges.forEach((e) => {
    const a = at[e.from];
    const b = at[e.to];
    if (!a || !b || e.from === e.to) return;
    const room = Math.hypot(a.x - b.x, a.y - b.y) - halfWidth(e.from) - halfWidth(e.to) - 10; // 10: the arrowhead
    const short = room < labelWidth(e._label || '') + 6;
    if (short === tooShort.has(e.id)) return;
    if (short) tooShort.add(e.id); else tooShort.delete(e.id);
    changes.push({ id: e.id, ...labelProps(e.id, e._label) });
  });
  if (changes.length) edges.update(changes);
}

export function adaptToSize() {
  const busy = edges.length > 40;
  const big = edges.length > 300 || nodes.length > 400;
  if (busy !== adaptToSize.busy) {
    adaptToSize.busy = busy;
    edges.update(edges.get().map((e) => ({ id: e.id, font: labelShown(e.id) ? FONT_SHOWN : FONT_HIDDEN })));
  }
  if (big !== adaptToSize.big) {
    adaptToSize.big = big;
    network.setOptions({
      edges: {
        smooth: big ? false : { enabled: true, type: 'continuous', roundness: 0.3 },
        arrows: { to: { enabled: !big, scaleFactor: 0.55 } },
      },
      interaction: { hideEdgesOnDrag: big, hideEdgesOnZoom: big },
    });
    edges.update(edges.get().map((e) => ({ id: e.id, ...edgeLook(e._data) })));
  }
}

/** Show the labels of these edges (and hide the others' in a busy view). */
export function showLabels(ids) {
  // A hub's hundreds of relations would bury each other's labels: then only a hovered one shows.
  const many = ids.length > 60;
  const want = new Set((many ? ids.slice(-1).filter((id) => id === hovered) : ids).filter((id) => edges.get(id)));
  const changes = [];
  for (const id of labelled) {
    if (!want.has(id) && edges.get(id)) changes.push({ id, font: FONT_HIDDEN, _off: true });
  }
  for (const id of want) if (!labelled.has(id)) changes.push({ id, label: edges.get(id)._label, font: FONT_SHOWN });
  labelled.clear();
  for (const id of want) labelled.add(id);
  for (const c of changes) if (c._off) { delete c._off; c.font = labelShown(c.id) ? FONT_SHOWN : FONT_HIDDEN; }
  if (changes.length) edges.update(changes);
}
let hovered = null;
const selectedEdges = () => network.getSelectedEdges();
network.on('select', () => showLabels(selectedEdges().concat(hovered ? [hovered] : [])));
network.on('hoverEdge', (p) => { hovered = p.edge; showLabels(selectedEdges().concat([hovered])); });
network.on('blurEdge', () => { hovered = null; showLabels(selectedEdges()); });

// ------------------------------------------------------------------ putting the API's nodes and edges on screen

// New nodes are placed by the server (POST /api/place: the snapshot's layout engine), every node on
// screen held exactly where it is, so what the analyst arranged never moves. Only if that answer cannot
// be used (the server out of reach, a position missing) do they start on circles and settle by physics.
const placement = { server: 0, physics: 0, lastMs: null, lastError: null };
export function placementReport() { return { ...placement }; }
const PLACE_MAX = 20000; // the server's limits (PlaceRequest)
const TIES_MAX = 100000;
const round1 = (v) => Math.round(Math.max(-1e7, Math.min(1e7, v)) * 10) / 10;

async function placeOnServer(fresh, nodeList, edgeList) {
  const freshSet = new Set(fresh);
  const halfSizes = sizesOnceMerged(nodeList, edgeList);
  const held = nodes.getIds().filter((id) => !freshSet.has(id));
  if (held.length + fresh.length > PLACE_MAX) return null;
  const at = network.getPositions(held);
  const positions = {};
  const labels = {};
  const sizes = {};
  for (const id of held) {
    const p = at[id];
    if (!p || !Number.isFinite(p.x) || !Number.isFinite(p.y)) return null;
    positions[id] = [round1(p.x), round1(p.y)];
    const n = nodes.get(id);
    if (n.label) labels[id] = String(n.label).slice(0, 200);
  }
  for (const n of nodeList) if (freshSet.has(n.id)) labels[n.id] = C.short(n.name, 34).slice(0, 200);
  for (const [id, half] of halfSizes) {
    if ((freshSet.has(id) || Object.prototype.hasOwnProperty.call(positions, id)) && Number.isFinite(half) && half > 0) {
      sizes[id] = Math.min(200, half);
    }
  }
  const known = (id) => freshSet.has(id) || Object.prototype.hasOwnProperty.call(positions, id);
  const seen = new Set();
  const ties = [];
  const tie = (a, b) => {
    if (a === b || !known(a) || !known(b)) return;
    const key = a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`;
    if (seen.has(key)) return;
    seen.add(key);
    ties.push([a, b]);
  };
  for (const e of edgeList) tie(e.source, e.target);
  edges.forEach((e) => tie(e.from, e.to));
  if (ties.length > TIES_MAX) ties.length = TIES_MAX;
  const t0 = performance.now();
  try {
    const res = await apiJSON('/api/place', {
      method: 'POST',
      body: { positions, nodes: fresh, ties, pinned: state.pin.filter((id) => positions[id]), labels, sizes },
    });
    const pos = new Map();
    for (const id of fresh) {
      const p = res.positions && res.positions[id];
      if (!p || !Number.isFinite(p[0]) || !Number.isFinite(p[1])) return null;
      pos.set(id, { x: p[0], y: p[1] });
    }
    placement.lastMs = Math.round(performance.now() - t0);
    placement.lastError = null;
    return pos;
  } catch (e) {
    placement.lastError = e.message;
    return null;
  }
}

// One merge at a time: a second waits until the first's nodes are on screen (they are held for it).
let mergeChain = Promise.resolve();
let merging = 0;
// Bumped when the view is emptied: a merge asked for before then (its placement still on its way, or
// queued behind another) adds nothing to the view the analyst cleared.
let viewEpoch = 0;
export function dropPendingMerges() { viewEpoch += 1; }

/** Add or update nodes and edges from the API (new nodes placed near `centre`); resolves once they are placed.
 *  Entities that do not exist on the as-of day (an event dated later, even a chosen one) stay off the view. */
export function merge(nodeList, edgeList, centre) {
  merging += 1;
  const epoch = viewEpoch;
  const done = mergeChain.then(() => mergeNow(nodeList, edgeList, centre, epoch)).finally(() => { merging -= 1; });
  mergeChain = done.catch(() => {});
  return done;
}

async function mergeNow(nodeList, edgeList, centre, epoch) {
  if (epoch !== viewEpoch) return undefined;
  nodeList = nodeList.filter((n) => C.holdsOn(n.valid_from_day, n.valid_to_day, state.asof));
  const fresh = nodeList.filter((n) => !nodes.get(n.id)).map((n) => n.id);
  let pos = fresh.length ? await placeOnServer(fresh, nodeList, edgeList) : new Map();
  if (epoch !== viewEpoch) return undefined;
  const physics = !pos;
  if (physics) pos = placeFresh(fresh, edgeList, centre);
  if (fresh.length) placement[physics ? 'physics' : 'server'] += 1;
  nodes.update(nodeList.map((n) => {
    const v = visNode(n);
    const p = pos.get(n.id);
    if (p) { v.x = p.x; v.y = p.y; }
    if (!p) delete v.fixed; // keep what settle() set
    if (!p && state.pin.includes(n.id)) v.fixed = true;
    return v;
  }));
  edges.update(edgeList.filter((e) => nodes.get(e.source) && nodes.get(e.target)).map(visEdge));
  adaptToSize();
  updateStatus();
  if (physics) return settle(fresh);
  lastGridView = '';
  placeLabels(false);
  return undefined;
}

// ------------------------------------------------------------------ importance and labels

// Node size by importance: the relations it has on screen (the chosen entities count as the most
// important), its area growing with them; the label grid then draws the most important labels first,
// only where they collide with nothing, at 12 to 14.5 px whatever the zoom (common.js labelGrid).
const labelGrid = { font: {} };
let importance = new Map();
/** A node's size by its relations on screen (d of the most connected's top), the chosen ones a little bigger. */
function drawnSize(t, d, top, chosen) {
  return C.nodeLook(t, 8 + 12 * Math.sqrt(d / top) + (chosen ? 4 : 0)).size;
}

/** Half the extent each node will be drawn at once these API nodes and edges are on screen too, so the
 *  server keeps room for the size a node is about to grow to (the chosen entity's above all). */
function sizesOnceMerged(nodeList, edgeList) {
  const coming = edgeList.filter((e) => !edges.get(e.id)).map((e) => ({ from: e.source, to: e.target }));
  const degree = degrees([...edges.get(), ...coming]);
  const top = Math.max(1, ...degree.values());
  const out = new Map();
  const put = (id, type, fallbackShape) => {
    const t = typeInfo[type] || { shape: fallbackShape };
    const size = drawnSize(t, degree.get(id) || 0, top, state.sel.includes(id));
    const ext = C.drawnExtent(C.nodeLook(t, 1).shape, size);
    out.set(id, Math.max(ext[0], ext[1]));
  };
  nodes.forEach((n) => put(n.id, n._type, n.shape));
  for (const n of nodeList) if (!out.has(n.id)) put(n.id, n.type, n.entity === false ? 'ellipse' : 'dot');
  return out;
}

/** Relations per node among `rows` ({from, to}; a loop counts once). */
function degrees(rows) {
  const degree = new Map();
  for (const e of rows) {
    degree.set(e.from, (degree.get(e.from) || 0) + 1);
    if (e.to !== e.from) degree.set(e.to, (degree.get(e.to) || 0) + 1);
  }
  return degree;
}

function rankNodes() {
  const degree = degrees(edges.get());
  const top = Math.max(1, ...degree.values());
  importance = new Map(nodes.getIds().map((id) => [id, (state.sel.includes(id) ? top + 1 : 0) + (degree.get(id) || 0)]));
  const upd = [];
  nodes.forEach((n) => {
    const d = degree.get(n.id) || 0;
    const t = typeInfo[n._type] || { shape: n.shape };
    const size = drawnSize(t, d, top, state.sel.includes(n.id));
    if (Math.abs((n.size || 0) - size) > 0.05) upd.push({ id: n.id, size });
  });
  if (upd.length) nodes.update(upd);
}

function labelItems() {
  const ids = nodes.getIds();
  const top = Math.max(1, ...importance.values());
  return ids.sort((a, b) => (importance.get(b) || 0) - (importance.get(a) || 0) || (a < b ? -1 : a > b ? 1 : 0))
    .map((id) => {
      const n = nodes.get(id);
      const ext = C.drawnExtent(n.shape, n.size || 12);
      return { id, px: 12 + 2.5 * Math.sqrt((importance.get(id) || 0) / top), hw: ext[0], hh: ext[1], text: n.label || '' };
    });
}

let gridTimer = null;
/** Whether the label grid is still to run (tests and tours wait for it). */
export function labelsPending() { return gridTimer !== null; }
/** Choose again which labels show (after the view moved or changed). now: at once. */
export function placeLabels(now) {
  const go = () => {
    gridTimer = null;
    if (settling) return; // once settled
    rankNodes();
    checkEdgeRoom();
    labelGrid.labelled = C.labelGrid({
      network, dataset: nodes, items: labelItems(), face: FACE, state: labelGrid,
      hidden: () => false, limit: nodes.length > 400 ? 300 : Infinity, bottom: 28, // the status line
    });
  };
  if (now) { clearTimeout(gridTimer); go(); return labelGrid.labelled; }
  if (gridTimer === null) gridTimer = setTimeout(go, 80);
  return null;
}
// vis-network's fit() measures each node with its label as last drawn, so the zoom it picks depends on which
// labels the grid happened to show at that moment (and so on how busy the machine was). This one measures the
// shapes plus a fixed room for a label beneath: the same view always gets the same zoom.
const LABEL_SIDE = 40; // drawing units kept either side of a node for its label
const LABEL_BELOW = 24; // and beneath it
const STATUS_PX = 28; // the status line over the foot of the canvas
/** Zoom and move so that `ids` (default: every node) fill the canvas. */
export function fitView({ ids = null, animation = false } = {}) {
  const list = (ids || nodes.getIds()).filter((id) => nodes.get(id));
  if (!list.length) return;
  const at = network.getPositions(list);
  let x0 = Infinity; let x1 = -Infinity; let y0 = Infinity; let y1 = -Infinity;
  for (const id of list) {
    const p = at[id];
    if (!p) continue;
    const n = nodes.get(id);
    const [hw, hh] = C.drawnExtent(n.shape, n.size || 12);
    x0 = Math.min(x0, p.x - Math.max(hw, LABEL_SIDE));
    x1 = Math.max(x1, p.x + Math.max(hw, LABEL_SIDE));
    y0 = Math.min(y0, p.y - hh);
    y1 = Math.max(y1, p.y + hh + LABEL_BELOW);
  }
  if (!Number.isFinite(x0)) return;
  const box = network.body.container;
  const W = box.clientWidth;
  const H = Math.max(1, box.clientHeight - STATUS_PX);
  let scale = Math.min(W / (1.1 * (x1 - x0)), H / (1.1 * (y1 - y0)));
  if (!Number.isFinite(scale) || scale <= 0) scale = 1;
  scale = Math.max(0.02, Math.min(10, scale)); // vis-network's own zoom limits
  network.moveTo({ position: { x: (x0 + x1) / 2, y: (y0 + y1) / 2 + STATUS_PX / 2 / scale }, scale, animation });
}

let lastGridView = '';
// A dragged node changes what collides and which edges are long enough for their label.
network.on('dragEnd', () => { lastGridView = ''; placeLabels(false); });
network.on('afterDrawing', () => {
  const c = network.getViewPosition();
  const v = `${network.getScale().toFixed(4)},${c.x.toFixed(1)},${c.y.toFixed(1)},${nodes.length},${edges.length}`;
  if (v !== lastGridView) { lastGridView = v; placeLabels(false); }
});

// Tooltips close when the view under them changes (vis-network would leave them on screen).
function closeTooltip() {
  const tip = document.querySelector('#graph div.vis-tooltip');
  if (tip) tip.style.visibility = 'hidden';
}
for (const ev of ['dragStart', 'zoom', 'click', 'doubleClick']) network.on(ev, closeTooltip);
nodes.on('*', closeTooltip);
edges.on('*', closeTooltip);

/** Draw these nodes again (chosen or pinned changed). */
export function refreshStyles(ids) {
  const rows = ids.map((id) => nodes.get(id)).filter(Boolean);
  nodes.update(rows.map((r) => {
    const v = visNode({ id: r.id, name: r._name, type: r._type, aliases: r._aliases, entity: r._entity,
                        valid_from_day: r._from, valid_to_day: r._to });
    delete v.title;
    delete v.size; // rankNodes' (importance) stays
    return v;
  }));
  placeLabels(false);
}

/** Take off the screen the entities that do not exist on `day` and the relations that do not hold on it,
 *  by the windows the API sends (graph.asof's, as ISO days); the server's answer follows. */
export function dropWhatDoesNotHoldOn(day) {
  const goneNodes = nodes.getIds({ filter: (n) => !C.holdsOn(n._from, n._to, day) });
  const goneNodeSet = new Set(goneNodes);
  const goneEdges = edges.getIds({ filter: (e) => goneNodeSet.has(e.from) || goneNodeSet.has(e.to) ||
    (e._data && !C.holdsOn(e._data.valid_from_day, e._data.valid_to_day, day)) });
  if (goneEdges.length) edges.remove(goneEdges);
  if (goneNodes.length) nodes.remove(goneNodes);
}

export function entityIds() { return nodes.getIds({ filter: (n) => n._entity }); }

export function updateStatus() {
  $('empty').hidden = nodes.length > 0;
  let stated = 0;
  let inferred = 0;
  edges.forEach((e) => {
    const basis = e._data && e._data.time_basis;
    if (basis === 'inferred') inferred++; else if (basis === 'stated') stated++;
  });
  $('basis-count').textContent = `On screen: ${C.basisCount(stated, inferred)}.`;
  const f = [];
  if (state.asof) f.push(`as of ${state.asof}`);
  if (state.rel !== null) f.push(`reliability at least ${state.rel}`);
  if (state.cred !== null) f.push(`credibility at least ${state.cred}`);
  if (state.et) f.push(C.plural(state.et.length, 'entity type'));
  if (state.rt) f.push(C.plural(state.rt.length, 'relation type'));
  $('status').textContent = `${C.plural(nodes.length, 'entity', 'entities')} and ${C.plural(edges.length, 'relation')} on screen` +
    ` (${stated} with stated dates, ${inferred} inferred)` + (f.length ? ` · ${f.join(' · ')}` : '');
}
