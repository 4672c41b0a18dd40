// The explorer's map: the entities on screen that have a place, over Natural Earth outlines, with
// Leaflet, no tile server (the outlines come from /vendor/, like the library).
//
// Where they are comes from POST /api/geo (graph.geo on rows read from Neo4j: own coordinates, or a
// site's or place's inherited through LOCATED_IN, with the precision), for the ids on screen; the
// answer also lists the relations on screen that place an actor there, with grades and first quotes.
// Markers, circles and the world come from /vendor/geo_common.js, shared with the snapshot's map.
//
// Linked both ways: choosing a marker selects the entity in the graph and shows it in the details
// panel; whatever the details panel shows (chosen on the graph, the search or the timeline) is ringed
// here. Popups are DOM built with textContent: a name is never markup.

import { apiJSON } from './api.js';
import { edges, entityIds, nodes, typeInfo } from './graph.js';

const C = window.actorgraphCommon;
const G = window.actorgraphGeo;
const { el } = C;
const $ = (id) => document.getElementById(id);

let map = null;
let cluster = null;
let circles = null;
let rings = null;
let world = null;
let located = []; // rows of /api/geo
let at = new Map(); // entity id -> row
let markers = new Map(); // entity id -> Leaflet marker
let placesOf = new Map(); // actor id -> [located ids]
let dirty = true;
let seq = 0;
let pick = null; // {node} or {edge}
let actions = null;

/** actions: {chooseEntity(id), chooseEdge(id)}: what a click on the map does in the rest of the page. */
export function connectMap(a) { actions = a; }

function typeOf(id) {
  const n = nodes.get(id);
  return typeInfo[n ? n._type : ''] || { color: '#9aa5b1', shape: 'dot', type: n ? n._type : 'Entity' };
}

function link(text, onClick) {
  return el('button', { class: 'link', text, attrs: { type: 'button' }, on: { click: onClick } });
}

function popup(r) {
  const n = nodes.get(r.id) || { _name: r.id, _type: 'Entity', _aliases: [] };
  const box = el('div', { class: 'map-popup' }, [
    el('h3', {}, [link(n._name, () => actions.chooseEntity(r.id))]),
    el('div', { class: 'kind', text: n._type }),
  ]);
  if (n._aliases && n._aliases.length) box.append(el('div', { class: 'aka', text: `Also known as: ${n._aliases.join('; ')}` }));
  box.append(el('div', { class: 'where', text: G.whereText(r.lat, r.lon, r.precision, r.inherited_from_name) }));
  if (r.placed.length) {
    box.append(el('h4', { text: `${C.plural(r.placed.length, 'actor')} placed here` }));
    const ul = el('ul', { class: 'placed' });
    for (const p of r.placed) {
      const li = el('li', {}, [
        link(p.actor_name, () => actions.chooseEntity(p.actor)),
        ` ${p.relation} `,
        el('span', { class: 'grade', text: `credibility ${p.credibility ?? '?'}` }),
        el('span', { class: 'grade', text: `reliability ${p.reliability ?? '?'}` }),
        p.valid_from || p.valid_to ? el('span', { class: 'note', text: ` ${C.validity(p.valid_from, p.valid_to)}` }) : null,
      ]);
      for (const ev of p.evidence) {
        li.append(el('blockquote', { text: `\u201c${ev.quote}\u201d` }),
                  el('div', { class: 'src', text: ev.source_title || ev.source }));
      }
      li.append(link('details of this relation', () => actions.chooseEdge(p.id)));
      ul.append(li);
    }
    box.append(ul);
  }
  return box;
}

async function build() {
  if (!world) {
    try { world = await apiJSON('/vendor/world-110m.geojson'); } catch (e) { world = null; }
  }
  if (map) return;
  map = G.newMap($('map'), world);
  circles = L.layerGroup();
  rings = L.layerGroup().addTo(map);
  cluster = G.newCluster(() => { explorerMap.ready = true; });
  map.addLayer(cluster);
  map.on('zoomend', precisionCircles);
  const key = L.control({ position: 'topright' });
  key.onAdd = () => el('div', { class: 'map-legend', attrs: { id: 'map-key' } });
  key.addTo(map);
}

function precisionCircles() {
  if (!map) return;
  if (map.getZoom() >= G.CIRCLES_FROM_ZOOM) map.addLayer(circles); else map.removeLayer(circles);
}

function legend() {
  const box = $('map-key');
  if (!box) return;
  C.clear(box);
  const inherited = located.filter((r) => r.inherited_from).length;
  const ids = entityIds();
  box.append(
    el('div', { text: `${C.plural(located.length, 'located entity', 'located entities')} of ${ids.length} on screen` +
      (inherited ? ` (${inherited} at the coordinates of the place they lie in)` : '') }),
    el('div', { class: 'note', text: 'A circle: placed only to the town, district, region or country.' }),
  );
}

/** Ask the server where the entities on screen are, and draw them. */
async function refresh() {
  const mine = ++seq;
  explorerMap.ready = false;
  await build();
  const ids = entityIds();
  const res = ids.length
    ? await apiJSON('/api/geo', { method: 'POST', body: { nodes: ids, edges: edges.getIds().filter((id) => id.split('|').length === 3) } })
    : { located: [] };
  if (mine !== seq) return;
  dirty = false;
  located = res.located;
  at = new Map(located.map((r) => [r.id, r]));
  placesOf = new Map();
  for (const r of located) {
    for (const p of r.placed) {
      if (!placesOf.has(p.actor)) placesOf.set(p.actor, []);
      placesOf.get(p.actor).push(r.id);
    }
  }
  cluster.clearLayers();
  circles.clearLayers();
  markers = new Map();
  const batch = located.map((r) => {
    const t = typeOf(r.id);
    const name = (nodes.get(r.id) || {})._name || r.id;
    const m = L.marker([r.lat, r.lon], { icon: G.pinIcon(t.shape, t.color, !!r.inherited_from), title: `${name} (${t.type || ''})`, riseOnHover: true });
    m.bindPopup(() => popup(r), { maxWidth: 360, minWidth: 220, autoPanPadding: [20, 20] });
    m.on('click', () => actions.chooseEntity(r.id));
    markers.set(r.id, m);
    const c = G.precisionCircle(r.lat, r.lon, r.radius_m, t.color, !!r.inherited_from);
    if (c) c.addTo(circles);
    return m;
  });
  cluster.addLayers(batch);
  if (!batch.length) explorerMap.ready = true;
  G.fitTo(map, located.map((r) => [r.lat, r.lon]));
  precisionCircles();
  legend();
  highlight(false);
}

// The located entities a pick concerns: the entity itself and the places an actor is placed at, or
// the located ends of a relation.
function concerned() {
  const out = new Set();
  if (!pick) return [];
  if (pick.node) {
    if (at.has(pick.node)) out.add(pick.node);
    for (const k of placesOf.get(pick.node) || []) out.add(k);
  } else if (pick.edge) {
    const [s, , o] = pick.edge.split('|');
    for (const k of [o, s]) if (at.has(k)) out.add(k);
  }
  return [...out];
}

function highlight(move = true) {
  if (!map) return;
  rings.clearLayers();
  const chosen = concerned();
  for (const k of chosen) G.ring(at.get(k).lat, at.get(k).lon).addTo(rings);
  if (!move || !visible() || !chosen.length) return;
  if (chosen.length === 1) {
    const m = markers.get(chosen[0]);
    cluster.zoomToShowLayer(m, () => { if (!m.isPopupOpen()) m.openPopup(); });
  } else {
    map.fitBounds(L.latLngBounds(chosen.map((k) => [at.get(k).lat, at.get(k).lon])).pad(0.3), { maxZoom: 9 });
  }
}

function visible() { const v = $('map-view'); return v && !v.hidden; }

/** What the details panel shows now: the map rings it. */
export function mapPick(p) {
  pick = p;
  highlight(true);
}

/** The view changed: redraw when shown, else when next opened. */
export function mapViewChanged() {
  dirty = true;
  if (visible()) refresh().catch((e) => { explorerMap.error = e.message; });
}

/** The map tab was opened. */
export async function openMap() {
  await build();
  map.invalidateSize();
  if (dirty) await refresh();
  else highlight(true);
}

export const explorerMap = {
  ready: false,
  error: null,
  /** Entity ids with a marker now. */
  markers: () => [...markers.keys()],
  /** How many markers the cluster layer holds (each in a cluster or on its own). */
  clustered: () => (cluster ? cluster.getLayers().length : 0),
  /** Entity ids ringed for the current pick. */
  selected: () => (map ? concerned() : []),
  /** Choose a located entity as a click on its marker does. */
  click: (id) => { const m = markers.get(id); if (m) m.fire('click'); },
  /** Open an entity's popup where it is, whether its marker is in a cluster or not (it is built then). */
  openPopup: (id) => {
    const r = at.get(id);
    if (r) L.popup({ maxWidth: 360, minWidth: 220 }).setLatLng([r.lat, r.lon]).setContent(popup(r)).openOn(map);
  },
  leaflet: () => map,
};
