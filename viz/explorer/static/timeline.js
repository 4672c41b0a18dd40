// The explorer's timeline (vis-timeline, from /vendor/): the dated entities and relations on screen.
//
// Every node and edge of the view already carries its as-of window as ISO days, computed by the server
// with graph.asof (viz/explorer/store/drawn.py): events are points, campaigns ranges, relations with
// stated dates dark ranges and those inferred from their reports (the horizon around the observations)
// light, dashed ones; an open end is drawn to the edge of the data. The window opens on the data's
// span, not on "now". Items, options and the span come from /vendor/geo_common.js, shared with the
// snapshot's timeline; each item's text is a DOM element built from text (never a string: HTML).
//
// Linked both ways: choosing an item selects it in the graph and shows it in the details panel;
// whatever the details panel shows is selected here (an undated entity: its relations' items).

import { edges, nodes, typeInfo } from './graph.js';

const C = window.actorgraphCommon;
const G = window.actorgraphGeo;
const $ = (id) => document.getElementById(id);

let timeline = null;
let shown = null; // vis.DataSet of the items on the timeline
let itemIds = new Set();
let dirty = true;
let pick = null; // {node} or {edge}
let actions = null;

/** actions: {chooseEntity(id), chooseEdge(id)}: what choosing an item does in the rest of the page. */
export function connectTimeline(a) { actions = a; }

/** The items of the view now: "n:<entity id>" and "e:<edge id>". */
function items() {
  const ents = nodes.get({ filter: (n) => n._entity && (n._from || n._to) });
  const rels = edges.get({ filter: (e) => e._data && (e._data.valid_from_day || e._data.valid_to_day) });
  const days = [];
  for (const n of ents) days.push(n._from, n._to);
  for (const e of rels) days.push(e._data.valid_from_day, e._data.valid_to_day);
  const known = days.filter(Boolean).sort();
  const lo = known[0];
  const hi = known[known.length - 1];
  const out = [];
  for (const n of ents) {
    const t = typeInfo[n._type] || { color: '#9aa5b1' };
    const it = G.entityItem(`n:${n.id}`, n._from, n._to, n._type === 'Event', t.color, lo, hi);
    if (it) out.push(it);
  }
  for (const e of rels) {
    const d = e._data;
    const it = G.relationItem(`e:${e.id}`, d.valid_from_day, d.valid_to_day, d.time_basis, lo, hi);
    if (it) out.push(it);
  }
  return out;
}

function content(id) {
  if (id.startsWith('n:')) {
    const n = nodes.get(id.slice(2)) || { _name: id.slice(2), _type: '' };
    const t = typeInfo[n._type] || { color: '#9aa5b1', shape: 'dot' };
    return G.entityLabel(t.shape, t.color, n._name);
  }
  const e = edges.get(id.slice(2));
  const name = (nid) => (nodes.get(nid) || {})._name || nid;
  return e ? G.relationLabel(name(e.from), e._data.type, name(e.to)) : G.relationLabel(id, '', '');
}

function tooltip(id) {
  if (id.startsWith('n:')) {
    const n = nodes.get(id.slice(2));
    if (!n) return '';
    return `${n._type}: ${n._name}${n._aliases.length ? ` (also ${n._aliases.join('; ')})` : ''}, ${C.validity(n._from, n._to)}`;
  }
  const e = edges.get(id.slice(2));
  if (!e) return '';
  const d = e._data;
  const name = (nid) => (nodes.get(nid) || {})._name || nid;
  return `${name(e.from)} ${d.type} ${name(e.to)}: ${C.validity(d.valid_from_day, d.valid_to_day)}` +
    (d.time_basis === 'inferred' ? ' (inferred from when it was reported)' : ' (stated)');
}

function build() {
  shown = new vis.DataSet();
  timeline = new vis.Timeline($('timeline'), shown, G.GROUPS, G.timelineOptions(content, true));
  timeline.on('select', (p) => {
    if (!p.items.length) return;
    const id = String(p.items[0]);
    if (id.startsWith('n:')) actions.chooseEntity(id.slice(2)); else actions.chooseEdge(id.slice(2));
  });
  timeline.on('itemover', (p) => {
    const id = String(p.item);
    if (itemIds.has(id) && p.event && p.event.target) p.event.target.title = tooltip(id);
  });
}

function refresh() {
  if (!timeline) build();
  const rows = items();
  itemIds = new Set(rows.map((it) => it.id));
  shown.clear();
  shown.add(rows);
  const span = G.extent(rows);
  if (span) timeline.setWindow(span[0], span[1], { animation: false });
  dirty = false;
  $('timeline-empty').hidden = rows.length > 0;
  select(false); // it opens on the data's span, the pick selected in it
}

// The items a pick concerns: the entity's own, or (undated) those of its relations on screen.
function concerned() {
  if (!pick) return [];
  if (pick.edge) return itemIds.has(`e:${pick.edge}`) ? [`e:${pick.edge}`] : [];
  if (itemIds.has(`n:${pick.node}`)) return [`n:${pick.node}`];
  return edges.getIds({ filter: (e) => e.from === pick.node || e.to === pick.node })
    .map((id) => `e:${id}`).filter((id) => itemIds.has(id)).slice(0, 200);
}

function select(move = true) {
  if (!timeline) return;
  const ids = concerned();
  timeline.setSelection(ids, { focus: move && visible() && ids.length > 0, animation: false });
}

function visible() { const v = $('timeline-view'); return v && !v.hidden; }

/** What the details panel shows now: selected here. */
export function timelinePick(p) {
  pick = p;
  select();
}

/** The view changed: redraw when shown, else when next opened. */
export function timelineViewChanged() {
  dirty = true;
  if (visible()) refresh();
}

/** The timeline tab was opened. */
export function openTimeline() {
  if (dirty || !timeline) refresh();
  else timeline.redraw();
}

export const explorerTimeline = {
  /** The ids of the items on the timeline now ("n:<entity>", "e:<edge id>"). */
  shown: () => (shown ? shown.getIds().map(String) : []),
  /** The ids of the items selected. */
  selected: () => (timeline ? timeline.getSelection().map(String) : []),
  /** Choose an item as a click does. */
  click: (id) => {
    if (!timeline) refresh();
    timeline.setSelection([id]);
    timeline.emit('select', { items: [id], event: null });
  },
  /** The window shown, as [start ms, end ms]. */
  window: () => { if (!timeline) return null; const w = timeline.getWindow(); return [w.start.valueOf(), w.end.valueOf()]; },
  /** Every item with its group and class (for tests). */
  all: () => (shown ? shown.get() : []),
  vis: () => timeline,
};
