// The details panel: an entity (its facts, buttons, relations on screen) or a relation (its grades and
// every piece of evidence, with the text around the quote in its document when documents are served).

import { apiJSON, run } from './api.js';
import { edgeDetail, edges, network, nodes, showLabels, typeInfo } from './graph.js';
import { state, writeURL } from './state.js';

const C = window.actorgraphCommon;
const { el, clear } = C;
const $ = (id) => document.getElementById(id);

// What the panel needs from the rest of the page: the view operations and what /api/meta said.
let view = null;
let meta = null;
let scales = null;
/** actions: {expand, choose, remove, togglePin}; info: /api/meta; grades: the scales. */
export function connect(actions, info, grades) { view = actions; meta = info; scales = grades; }

export function showNothing() {
  const d = $('details');
  clear(d);
  delete d.dataset.entity;
  delete d.dataset.edge;
  d.append(el('p', { class: 'muted', text: 'Nothing selected. Click a node or a relation.' }));
}

export function typeBadge(type) {
  const t = typeInfo[type];
  const sw = el('span', { class: 'swatch' });
  sw.style.background = t ? t.color : '#9aa5b1';
  return el('span', { class: 'type-badge' }, [sw, type]);
}

let detailSeq = 0;
// The panel's data, or null when a newer pick superseded this one or the request failed (then the
// error is shown in the panel).
async function fetchDetails(url, seq, d) {
  try {
    const data = await apiJSON(url);
    return seq === detailSeq ? data : null;
  } catch (e) {
    if (seq === detailSeq) {
      clear(d);
      d.append(el('p', { class: 'message error', text: e.message }));
    }
    return null;
  }
}

function button(text, id, title, onClick) {
  return el('button', { text, attrs: { type: 'button', id, title: title || '' }, on: { click: onClick } });
}

export async function showEntity(id) {
  const seq = ++detailSeq;
  state.pick = `n:${id}`;
  writeURL();
  const d = $('details');
  const ent = await fetchDetails(`/api/entities/${encodeURIComponent(id)}`, seq, d);
  if (!ent) return;
  clear(d);
  d.dataset.entity = id;
  delete d.dataset.edge;
  d.append(typeBadge(ent.type), el('h2', { text: ent.name }));
  // Each name marked reported (a quote about the entity says it) or the curator's: computed by the server.
  const names = C.namesList([ent.name, ...ent.aliases], ent.reported_names);
  names.setAttribute('aria-label', 'names');
  d.append(names);
  if (ent.description) d.append(el('p', { text: ent.description }));
  if (ent.inferred) d.append(C.inferredNote(ent.inferred));
  const pinned = state.pin.includes(id);
  const buttons = el('div', { class: 'buttons' }, [
    button('Expand', 'btn-expand', 'Show its neighbours (or double-click the node)', () => run(() => view.expand(id))),
    button(pinned ? 'Unpin' : 'Pin', 'btn-pin', 'Keep the node where it is',
           (ev) => { ev.target.textContent = view.togglePin(id) ? 'Unpin' : 'Pin'; }),
    button('Remove', 'btn-remove', 'Take it off the view', () => view.remove(id)),
    button('Centre', 'btn-centre', '', () => network.focus(id, { scale: 1.2, animation: { duration: 300 } })),
  ]);
  if (!nodes.get(id)) buttons.prepend(button('Show', 'btn-show', 'Put it on the view', () => run(() => view.choose(id))));
  d.append(buttons);
  const loc = ent.lat !== null && ent.lat !== undefined ? `${ent.lat.toFixed(4)}, ${ent.lon.toFixed(4)}` : null;
  const attrs = Object.entries(ent.attributes || {}).map(([k, v]) => [C.words(k), v]);
  d.append(C.defs([['id', ent.id], ...attrs, ['location', loc],
                   ['exists', C.validity(ent.valid_from_day, ent.valid_to_day)], ['dataset', ent.dataset]]));
  if (ent.evidence && ent.evidence.length) {
    d.append(el('h3', { text: `Evidence for the entity (${ent.evidence.length})` }));
    for (const ev of ent.evidence) d.append(C.evidenceBox(ev, scales, true));
  }
  // Relations on screen: each opens its evidence. The entity may be off screen (or removed while
  // its details loaded): then no relations are on screen.
  const onScreen = nodes.get(id) ? network.getConnectedEdges(id) : [];
  const touching = onScreen.map((eid) => edges.get(eid)).filter(Boolean);
  d.append(el('h3', { text: `Relations on screen (${touching.length})` }));
  const list = el('ul', { class: 'rel-list' });
  touching.sort((a, b) => a._data.type.localeCompare(b._data.type));
  const LIST_MAX = 150;
  for (const e of touching.slice(0, LIST_MAX)) {
    const other = nodes.get(e.from === id ? e.to : e.from);
    const arrow = e.from === id ? '→' : '←';
    const detail = edgeDetail(e._data);
    list.append(el('li', {}, [el('button', {
      class: 'link', attrs: { type: 'button', 'data-edge': e.id },
      text: `${e._data.type} ${arrow} ${other ? other._name : '?'}${detail ? ` (${detail})` : ''}`,
      on: { click: () => { network.selectEdges([e.id]); showLabels([e.id]); showEdge(e.id); } },
    })]));
  }
  if (touching.length > LIST_MAX) {
    list.append(el('li', { class: 'muted', text: `… and ${touching.length - LIST_MAX} more (click them on the graph)` }));
  }
  d.append(list);
  const total = Object.entries(ent.relations || {});
  if (total.length) {
    d.append(el('h3', { text: 'Relations in the database' }));
    d.append(C.defs(total));
  }
}

export async function showEdge(edgeId) {
  const seq = ++detailSeq;
  const parts = edgeId.split('|');
  const d = $('details');
  if (parts.length !== 3) {
    const e = edges.get(edgeId);
    clear(d);
    d.append(el('h2', { text: e ? e._data.type : 'relation' }),
             el('p', { class: 'muted', text: 'Not a relation between entities: no evidence to show.' }));
    return;
  }
  state.pick = `e:${edgeId}`;
  writeURL();
  const info = await fetchDetails(`/api/edges/${parts.map(encodeURIComponent).join('/')}`, seq, d);
  if (!info) return;
  clear(d);
  d.dataset.edge = edgeId;
  delete d.dataset.entity;
  const e = info.edge;
  d.append(el('div', { class: 'relation-line' }, [
    el('span', { text: info.source_name }), ' ', el('span', { class: 'rtype', text: `—${e.type}→` }), ' ',
    el('span', { text: info.target_name }),
  ]));
  const stated = C.validity(e.valid_from, e.valid_to);
  const cited = new Set(info.evidence.map((ev) => (ev.source || {}).id)).size;
  d.append(C.defs([
    ...Object.entries(e.attributes || {}).map(([k, v]) => [C.words(k), v]),
    ['valid', stated && `${stated} (stated)`],
    ['holds', e.time_basis === 'inferred' && (e.valid_from_day || e.valid_to_day)
      ? `${C.validity(e.valid_from_day, e.valid_to_day)} (inferred from when it was reported)`
      : null],
    ['best reliability', e.reliability ? C.gradeLabel(scales.reliability, e.reliability) : null],
    ['best credibility', e.credibility ? C.gradeLabel(scales.credibility, e.credibility) : null],
    ['sources', C.corroboration(cited, e.originators || 1)],
  ]));
  d.append(el('h3', { text: `Evidence (${info.evidence.length})` }));
  for (const ev of info.evidence) {
    const box = C.evidenceBox(ev, scales, true);
    const s = ev.source || {};
    if (ev.context) {
      const c = ev.context;
      box.append(el('div', { class: 'context-label' },
                    ['In the document', s.document ? el('span', { class: 'document', text: ` ${s.document}` }) : null]));
      box.append(el('div', { class: 'context' }, [
        (c.truncated_before ? '…' : '') + c.before, el('mark', { text: c.match }), c.after + (c.truncated_after ? '…' : ''),
      ]));
    } else if (meta && meta.documents && s.document) {
      box.append(el('div', { class: 'context-label', text: 'The quote was not found in the document.' }));
    }
    d.append(box);
  }
}

/** Show again what the panel showed (the view around it changed). */
export function refreshDetails() {
  const p = state.pick || '';
  if (p.startsWith('n:')) return showEntity(p.slice(2));
  if (p.startsWith('e:')) return showEdge(p.slice(2));
  return null;
}
