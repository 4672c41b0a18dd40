// actorgraph explorer: the page logic.
//
// Every piece of text that comes from the data (names, aliases, quotes, query results)
// reaches the page through textContent or a text node, never as markup; the graph's
// labels are drawn on the canvas. The view's state lives in the address bar's fragment.
'use strict';

(() => {
  const TOKEN_HEADER = 'X-Actorgraph-Token';
  const TOKEN_KEY = 'actorgraph-explorer-token';
  const $ = (id) => document.getElementById(id);

  // ------------------------------------------------------------------ DOM helpers

  function el(tag, opts = {}, children = []) {
    const e = document.createElement(tag);
    if (opts.class) e.className = opts.class;
    if (opts.text !== undefined && opts.text !== null) e.textContent = String(opts.text);
    if (opts.attrs) for (const [k, v] of Object.entries(opts.attrs)) e.setAttribute(k, String(v));
    if (opts.on) for (const [k, f] of Object.entries(opts.on)) e.addEventListener(k, f);
    for (const c of children) if (c !== null && c !== undefined) e.append(c); // strings become text nodes
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function short(text, n) {
    const s = String(text);
    return s.length > n ? s.slice(0, n - 1) + '…' : s;
  }

  function safeUrl(u) {
    try {
      const url = new URL(String(u));
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : null;
    } catch (e) { return null; }
  }

  let toastTimer = null;
  function toast(message, kind = 'info') {
    const t = $('toast');
    t.textContent = message;
    t.className = 'toast' + (kind === 'error' ? ' error' : '');
    t.hidden = false;
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => { t.hidden = true; }, kind === 'error' ? 8000 : 4500);
    if (kind === 'error') explorer.lastError = message;
  }

  // ------------------------------------------------------------------ the API

  let token = null;
  let pending = 0;

  function setBusy(delta) {
    pending += delta;
    $('busy').hidden = pending <= 0;
  }

  async function api(path, { method = 'GET', body, signal } = {}) {
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
        throw new Error('cannot reach the explorer server: is kg serve still running?');
      }
      if (!res.ok) {
        let detail = `${res.status} ${res.statusText}`;
        try {
          const j = await res.json();
          if (j && j.detail) detail = typeof j.detail === 'string' ? j.detail : JSON.stringify(j.detail);
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

  async function apiJSON(path, opts) { return (await api(path, opts)).json(); }

  // ------------------------------------------------------------------ state <-> address bar

  const LIST_KEYS = ['sel', 'exp', 'rm', 'pin', 'show'];
  const state = {
    sel: [], exp: [], rm: [], pin: [], show: [],
    et: null, rt: null, asof: null, rel: null, cred: null, lim: 100, pick: null,
  };

  function readURL() {
    const p = new URLSearchParams(location.hash.replace(/^#/, ''));
    if (p.has('token')) {
      token = p.get('token');
      try { sessionStorage.setItem(TOKEN_KEY, token); } catch (e) { /* storage off */ }
    }
    const list = (k) => (p.get(k) || '').split(',').map((s) => s.trim()).filter(Boolean);
    for (const k of LIST_KEYS) state[k] = list(k);
    state.et = p.has('et') ? list('et') : null;
    state.rt = p.has('rt') ? list('rt') : null;
    state.asof = /^\d{4}-\d{2}-\d{2}$/.test(p.get('asof') || '') ? p.get('asof') : null;
    state.rel = /^[A-E]$/.test(p.get('rel') || '') ? p.get('rel') : null;
    state.cred = /^[1-5]$/.test(p.get('cred') || '') ? Number(p.get('cred')) : null;
    const lim = Number(p.get('lim'));
    state.lim = Number.isInteger(lim) && lim >= 1 && lim <= 2000 ? lim : 100;
    state.pick = p.get('pick') || null;
    if (p.has('token')) writeURL(); // the token stays in this tab, not in links copied from it
  }

  function fragment() {
    const parts = [];
    const put = (k, v) => parts.push(`${k}=${encodeURIComponent(v).replace(/%2C/g, ',')}`);
    for (const k of LIST_KEYS) if (state[k].length) put(k, state[k].join(','));
    if (state.et) put('et', state.et.join(','));
    if (state.rt) put('rt', state.rt.join(','));
    if (state.asof) put('asof', state.asof);
    if (state.rel) put('rel', state.rel);
    if (state.cred) put('cred', String(state.cred));
    if (state.lim !== 100) put('lim', String(state.lim));
    if (state.pick) put('pick', state.pick);
    return parts.join('&');
  }

  let lastFragment = null;
  function writeURL() {
    const f = fragment();
    lastFragment = f;
    history.replaceState(null, '', f ? `#${f}` : location.pathname + location.search);
  }

  function filters() {
    return {
      entity_types: state.et, relation_types: state.rt, as_of: state.asof,
      reliability_at_least: state.rel, credibility_at_least: state.cred,
    };
  }

  // ------------------------------------------------------------------ the graph

  const typeInfo = {};
  let meta = null;
  const nodes = new vis.DataSet();
  const edges = new vis.DataSet();
  const network = new vis.Network($('graph'), { nodes, edges }, {
    autoResize: true,
    layout: { improvedLayout: false, randomSeed: 7 },
    physics: {
      enabled: false,
      solver: 'forceAtlas2Based',
      forceAtlas2Based: { gravitationalConstant: -70, centralGravity: 0.004, springLength: 130, springConstant: 0.06, damping: 0.5, avoidOverlap: 0.5 },
      stabilization: { enabled: false, fit: false, updateInterval: 25 },
      minVelocity: 1,
    },
    interaction: { hover: true, tooltipDelay: 250, multiselect: false, keyboard: false, hideEdgesOnDrag: false },
    nodes: {
      size: 14, borderWidth: 1,
      font: { size: 13, face: 'system-ui, sans-serif', color: '#1f2933', strokeWidth: 3, strokeColor: '#ffffff' },
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

  function shade(hex, f = 0.7) {
    const m = /^#?([0-9a-f]{6})$/i.exec(hex || '');
    if (!m) return '#52606d';
    const n = parseInt(m[1], 16);
    const c = [(n >> 16) & 255, (n >> 8) & 255, n & 255].map((v) => Math.round(v * f));
    return `rgb(${c[0]},${c[1]},${c[2]})`;
  }

  function tooltip(n) {
    return el('div', {}, [
      el('div', { class: 'tip-name', text: n.name }),
      el('div', { class: 'tip-meta', text: n.type + (n.aliases && n.aliases.length ? ` · also ${n.aliases.slice(0, 4).join(', ')}` : '') }),
      el('div', { class: 'tip-meta', text: 'double-click to expand' }),
    ]);
  }

  function edgeDetail(e) {
    const a = e.attributes || {};
    return a.use || a.role || a.title || a.method || '';
  }

  function edgeTip(e) {
    const when = e.valid_from || e.valid_to ? ` · ${e.valid_from || '…'} – ${e.valid_to || '…'}` : '';
    return el('div', {}, [
      el('div', { class: 'tip-name', text: e.type + (edgeDetail(e) ? ` (${edgeDetail(e)})` : '') }),
      el('div', { class: 'tip-meta', text: `reliability ${e.reliability || '?'} · credibility ${e.credibility || '?'} · ${e.evidence} piece(s) of evidence${when}` }),
      el('div', { class: 'tip-meta', text: 'click for the evidence' }),
    ]);
  }

  function visNode(n) {
    const t = typeInfo[n.type] || { color: '#9aa5b1', shape: n.entity === false ? 'ellipse' : 'dot' };
    const root = state.sel.includes(n.id);
    const pinned = state.pin.includes(n.id);
    const box = t.shape === 'box';
    return {
      id: n.id,
      label: short(n.name, 34),
      shape: t.shape,
      size: root ? 22 : 14,
      borderWidth: pinned ? 3 : root ? 2.5 : 1,
      shapeProperties: { borderDashes: pinned ? [5, 3] : false },
      color: {
        background: t.color, border: pinned || root ? '#1f2933' : shade(t.color),
        highlight: { background: t.color, border: '#111111' }, hover: { background: t.color, border: '#111111' },
      },
      font: box ? { color: '#ffffff', strokeWidth: 0, size: root ? 15 : 13 } : { size: root ? 15 : 13 },
      title: tooltip(n),
      fixed: pinned,
      _name: n.name, _type: n.type, _aliases: n.aliases || [], _entity: n.entity !== false,
    };
  }

  function visEdge(e) {
    const detail = edgeDetail(e);
    const label = e.type.toLowerCase().replace(/_/g, ' ') + (detail ? ` · ${detail}` : '');
    const cred = e.credibility || 6;
    const text = short(label, 42);
    return {
      id: e.id, from: e.source, to: e.target,
      ...labelProps(e.id, text),
      _label: text,
      dashes: cred >= 4 && !adaptToSize.big, // dashed lines are slow to draw by the thousand
      width: cred <= 1 ? 2.6 : cred === 2 ? 2 : cred === 3 ? 1.5 : 1,
      title: edgeTip(e),
      _data: e,
    };
  }

  // A seeded random source, so the same view is laid out the same way every time.
  let seed = 0x2f6db3;
  function random() {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  // Placement: new nodes start next to a neighbour already on screen, spread on a circle.
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
        resolve();
      };
      network.on('stabilizationIterationsDone', done);
      network.setOptions({ physics: { enabled: true } });
      network.stabilize(iterations);
      setTimeout(done, 20000); // never leave the page waiting
    }));
    return settleChain;
  }

  // Busy views show edge labels only for the selection (and a hovered edge); big ones also
  // draw straight edges and hide them while dragging, so drawing stays quick.
  // (vis-network ignores an empty label in an update, so a hidden label is drawn in a transparent font;
  // in big views edges get no label at all until they are selected.)
  const labelled = new Set();
  const FONT_SHOWN = { color: '#52606d', strokeColor: '#ffffff' };
  const FONT_HIDDEN = { color: 'rgba(0,0,0,0)', strokeColor: 'rgba(0,0,0,0)' };
  function labelProps(id, text) {
    const show = !adaptToSize.busy || labelled.has(id);
    if (adaptToSize.big && !show) return { font: FONT_HIDDEN };
    return { label: text, font: show ? FONT_SHOWN : FONT_HIDDEN };
  }
  function adaptToSize() {
    const busy = edges.length > 40;
    const big = edges.length > 300 || nodes.length > 400;
    if (busy !== adaptToSize.busy) {
      adaptToSize.busy = busy;
      edges.update(edges.get().map((e) => ({ id: e.id, font: busy && !labelled.has(e.id) ? FONT_HIDDEN : FONT_SHOWN })));
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
      edges.update(edges.get().map((e) => ({ id: e.id, dashes: !big && (e._data.credibility || 6) >= 4 })));
    }
  }

  function showLabels(ids) {
    // A hub's hundreds of relations would bury each other's labels: then only a hovered one shows.
    const many = ids.length > 60;
    const want = new Set((many ? ids.slice(-1).filter((id) => id === hovered) : ids).filter((id) => edges.get(id)));
    const changes = [];
    for (const id of labelled) {
      if (!want.has(id) && edges.get(id)) changes.push({ id, font: adaptToSize.busy ? FONT_HIDDEN : FONT_SHOWN });
    }
    for (const id of want) if (!labelled.has(id)) changes.push({ id, label: edges.get(id)._label, font: FONT_SHOWN });
    labelled.clear();
    for (const id of want) labelled.add(id);
    if (changes.length) edges.update(changes);
  }
  let hovered = null;
  const selectedEdges = () => network.getSelectedEdges();
  network.on('select', () => showLabels(selectedEdges().concat(hovered ? [hovered] : [])));
  network.on('hoverEdge', (p) => { hovered = p.edge; showLabels(selectedEdges().concat([hovered])); });
  network.on('blurEdge', () => { hovered = null; showLabels(selectedEdges()); });

  function merge(nodeList, edgeList, centre) {
    const fresh = nodeList.filter((n) => !nodes.get(n.id)).map((n) => n.id);
    const pos = placeFresh(fresh, edgeList, centre);
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
    return settle(fresh);
  }

  function refreshStyles(ids) {
    const rows = ids.map((id) => nodes.get(id)).filter(Boolean);
    nodes.update(rows.map((r) => {
      const v = visNode({ id: r.id, name: r._name, type: r._type, aliases: r._aliases, entity: r._entity });
      delete v.title;
      return v;
    }));
  }

  function entityIds() { return nodes.getIds({ filter: (n) => n._entity }); }

  function updateStatus() {
    $('empty').hidden = nodes.length > 0;
    const f = [];
    if (state.asof) f.push(`as of ${state.asof}`);
    if (state.rel) f.push(`reliability A–${state.rel}`);
    if (state.cred) f.push(`credibility 1–${state.cred}`);
    if (state.et) f.push(`${state.et.length} entity type(s)`);
    if (state.rt) f.push(`${state.rt.length} relation type(s)`);
    $('status').textContent = `${nodes.length} entities · ${edges.length} relations on screen` + (f.length ? ` · ${f.join(' · ')}` : '');
  }

  // ------------------------------------------------------------------ view operations

  async function expand(id, { root = false } = {}) {
    const res = await apiJSON('/api/expand', {
      method: 'POST',
      body: { id, known: entityIds(), removed: state.rm, filters: filters(), limit: state.lim },
    });
    if (!root && !state.sel.includes(id) && !state.exp.includes(id)) state.exp.push(id);
    writeURL();
    const done = merge(res.nodes, res.edges, id);
    if (res.total > res.shown) {
      const name = (nodes.get(id) || {})._name || id;
      toast(`${name}: showing ${res.shown} of ${res.total} neighbours (raise “Neighbours per expansion” to see more)`);
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
    writeURL();
    adaptToSize();
    updateStatus();
  }

  function togglePin(id) {
    const pinned = state.pin.includes(id);
    state.pin = pinned ? state.pin.filter((x) => x !== id) : state.pin.concat([id]);
    writeURL();
    refreshStyles([id]);
    nodes.update({ id, fixed: !pinned });
    return !pinned;
  }

  function clearView() {
    for (const k of LIST_KEYS) state[k] = [];
    state.pick = null;
    nodes.clear();
    edges.clear();
    writeURL();
    showNothing();
    adaptToSize();
    updateStatus();
  }

  let rebuildSeq = 0;
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
    if (res.missing.length) toast(`not in the database (left out): ${res.missing.join(', ')}`, 'error');
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

  // ------------------------------------------------------------------ details panel

  const RELIABILITY = { A: 'completely reliable', B: 'usually reliable', C: 'fairly reliable', D: 'not usually reliable', E: 'unreliable', F: 'cannot be judged' };
  const CREDIBILITY = { 1: 'confirmed', 2: 'probably true', 3: 'possibly true', 4: 'doubtful', 5: 'improbable', 6: 'cannot be judged' };

  function showNothing() {
    const d = $('details');
    clear(d);
    d.append(el('p', { class: 'muted', text: 'Nothing selected. Click a node or a relation.' }));
  }

  function typeBadge(type) {
    const t = typeInfo[type];
    const sw = el('span', { class: 'swatch' });
    sw.style.background = t ? t.color : '#9aa5b1';
    return el('span', { class: 'type-badge' }, [sw, type]);
  }

  function dl(pairs) {
    const list = el('dl');
    for (const [k, v] of pairs) {
      if (v === null || v === undefined || v === '') continue;
      list.append(el('dt', { text: k }), el('dd', { text: typeof v === 'object' ? JSON.stringify(v) : v }));
    }
    return list;
  }

  let detailSeq = 0;
  // The details panel's data, or null when a newer pick superseded this one or the request
  // failed (then the error is shown in the panel).
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
  async function showEntity(id) {
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
    if (ent.aliases.length) {
      d.append(el('ul', { class: 'aliases', attrs: { 'aria-label': 'aliases' } }, ent.aliases.map((a) => el('li', { text: a }))));
    }
    if (ent.description) d.append(el('p', { text: ent.description }));
    const pinned = state.pin.includes(id);
    const buttons = el('div', { class: 'buttons' }, [
      el('button', { text: 'Expand', attrs: { type: 'button', id: 'btn-expand', title: 'Show its neighbours (or double-click the node)' },
        on: { click: () => run(() => expand(id)) } }),
      el('button', { text: pinned ? 'Unpin' : 'Pin', attrs: { type: 'button', id: 'btn-pin', title: 'Keep the node where it is' },
        on: { click: (ev) => { ev.target.textContent = togglePin(id) ? 'Unpin' : 'Pin'; } } }),
      el('button', { text: 'Remove', attrs: { type: 'button', id: 'btn-remove', title: 'Take it off the view' },
        on: { click: () => removeNode(id) } }),
      el('button', { text: 'Centre', attrs: { type: 'button', id: 'btn-centre' },
        on: { click: () => network.focus(id, { scale: 1.2, animation: { duration: 300 } }) } }),
    ]);
    if (!nodes.get(id)) {
      buttons.prepend(el('button', { text: 'Show', attrs: { type: 'button' }, on: { click: () => run(() => choose(id)) } }));
    }
    d.append(buttons);
    const attrs = Object.entries(ent.attributes || {});
    const loc = ent.lat !== null && ent.lat !== undefined ? `${ent.lat.toFixed(4)}, ${ent.lon.toFixed(4)}` : null;
    d.append(dl([['id', ent.id], ...attrs, ['location', loc], ['dataset', ent.dataset]]));
    // Relations on screen: each opens its evidence.
    // The entity may be off screen (or removed while its details loaded): then no relations are on screen.
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
      const b = el('button', {
        class: 'link', attrs: { type: 'button', 'data-edge': e.id },
        text: `${e._data.type} ${arrow} ${other ? other._name : '?'}${detail ? ` (${detail})` : ''}`,
        on: { click: () => { network.selectEdges([e.id]); showLabels([e.id]); showEdge(e.id); } },
      });
      list.append(el('li', {}, [b]));
    }
    if (touching.length > LIST_MAX) {
      list.append(el('li', { class: 'muted', text: `… and ${touching.length - LIST_MAX} more (click them on the graph)` }));
    }
    d.append(list);
    const total = Object.entries(ent.relations || {});
    if (total.length) {
      d.append(el('h3', { text: 'Relations in the database' }));
      d.append(dl(total));
    }
  }

  async function showEdge(edgeId) {
    const seq = ++detailSeq;
    const parts = edgeId.split('|');
    const d = $('details');
    if (parts.length !== 3) {
      const e = edges.get(edgeId);
      clear(d);
      d.append(el('h2', { text: e ? e._data.type : 'relation' }), el('p', { class: 'muted', text: 'Not a relation between entities: no evidence to show.' }));
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
      el('span', { text: info.source_name }), ' ', el('span', { class: 'rtype', text: `—${e.type}→` }), ' ', el('span', { text: info.target_name }),
    ]));
    d.append(dl([
      ...Object.entries(e.attributes || {}),
      ['valid', e.valid_from || e.valid_to ? `${e.valid_from || '…'} – ${e.valid_to || '…'}` : null],
      ['best reliability', e.reliability ? `${e.reliability} (${RELIABILITY[e.reliability] || ''})` : null],
      ['best credibility', e.credibility ? `${e.credibility} (${CREDIBILITY[e.credibility] || ''})` : null],
    ]));
    d.append(el('h3', { text: `Evidence (${info.evidence.length})` }));
    for (const ev of info.evidence) {
      const s = ev.source;
      const box = el('article', { class: 'evidence' });
      const url = s.url ? safeUrl(s.url) : null;
      const title = url
        ? el('a', { text: s.title || s.id, attrs: { target: '_blank', rel: 'noopener noreferrer' } })
        : el('span', { text: s.title || s.id });
      if (url) title.href = url;
      box.append(el('div', { class: 'src-title' }, [title]));
      box.append(el('div', { class: 'src-meta', text: [s.publisher, s.author, s.published].filter(Boolean).join(' · ') }));
      box.append(el('div', {}, [
        el('span', { class: 'grade', text: `reliability ${s.reliability || '?'}${s.reliability ? ' · ' + RELIABILITY[s.reliability] : ''}` }),
        el('span', { class: 'grade', text: `credibility ${ev.credibility || '?'}${ev.credibility ? ' · ' + CREDIBILITY[ev.credibility] : ''}` }),
      ]));
      box.append(el('blockquote', { class: 'quote', text: ev.quote }));
      if (ev.context) {
        const c = ev.context;
        box.append(el('div', { class: 'context-label', text: `In the document${s.document ? ` (${s.document})` : ''}` }));
        box.append(el('div', { class: 'context' }, [
          (c.truncated_before ? '…' : '') + c.before, el('mark', { text: c.match }), c.after + (c.truncated_after ? '…' : ''),
        ]));
      } else if (meta && meta.documents && s.document) {
        box.append(el('div', { class: 'context-label', text: 'quote not found in the document' }));
      }
      d.append(box);
    }
  }

  function refreshDetails() {
    const p = state.pick || '';
    if (p.startsWith('n:')) showEntity(p.slice(2));
    else if (p.startsWith('e:')) showEdge(p.slice(2));
  }

  async function run(fn) {
    try { return await fn(); } catch (e) { if (e.name !== 'AbortError') toast(e.message, 'error'); return null; }
  }

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

  // ------------------------------------------------------------------ search

  const search = $('search');
  const list = $('suggestions');
  let searchAbort = null;
  let searchTimer = null;
  let options = [];
  let active = -1;

  function closeSuggestions() {
    list.hidden = true;
    search.setAttribute('aria-expanded', 'false');
    search.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function highlight(i) {
    const items = list.querySelectorAll('li[role=option]');
    items.forEach((li, j) => li.setAttribute('aria-selected', j === i ? 'true' : 'false'));
    active = i;
    if (items[i]) {
      search.setAttribute('aria-activedescendant', items[i].id);
      items[i].scrollIntoView({ block: 'nearest' });
    }
  }

  function renderSuggestions(found, q) {
    clear(list);
    options = found;
    if (!found.length) {
      list.append(el('li', { class: 'none', text: `No entity matches “${q}”` }));
    }
    found.forEach((s, i) => {
      const li = el('li', { attrs: { role: 'option', id: `opt-${i}`, 'aria-selected': 'false', 'data-id': s.id } }, [
        el('span', { class: 'name', text: s.name }),
        s.matched ? el('span', { class: 'alias', text: `also “${s.matched}”` }) : null,
        el('span', { class: 'type' }, [typeBadge(s.type)]),
      ]);
      li.addEventListener('mousedown', (ev) => { ev.preventDefault(); pick(i); });
      list.append(li);
    });
    list.hidden = false;
    search.setAttribute('aria-expanded', 'true');
    active = -1;
  }

  async function suggest() {
    const q = search.value.trim();
    if (!q) { closeSuggestions(); return; }
    if (searchAbort) searchAbort.abort();
    searchAbort = new AbortController();
    try {
      const res = await apiJSON(`/api/search?q=${encodeURIComponent(q)}&limit=12`, { signal: searchAbort.signal });
      if (search.value.trim() === q) renderSuggestions(res.suggestions, q);
    } catch (e) {
      if (e.name !== 'AbortError') toast(e.message, 'error');
    }
  }

  function pick(i) {
    const s = options[i];
    if (!s) return;
    closeSuggestions();
    search.value = '';
    run(() => choose(s.id));
  }

  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = setTimeout(suggest, 120);
  });
  search.addEventListener('keydown', (ev) => {
    if (ev.key === 'ArrowDown' && options.length) { ev.preventDefault(); highlight(Math.min(active + 1, options.length - 1)); }
    else if (ev.key === 'ArrowUp' && options.length) { ev.preventDefault(); highlight(Math.max(active - 1, 0)); }
    else if (ev.key === 'Enter') { ev.preventDefault(); if (!list.hidden && options.length) pick(active >= 0 ? active : 0); }
    else if (ev.key === 'Escape') closeSuggestions();
  });
  search.addEventListener('blur', () => setTimeout(closeSuggestions, 150));

  // ------------------------------------------------------------------ filters

  function checks(container, names, selected, colorOf) {
    clear(container);
    for (const name of names) {
      const box = el('input', { attrs: { type: 'checkbox', value: name } });
      box.checked = !selected || selected.includes(name);
      const parts = [box];
      if (colorOf) {
        const sw = el('span', { class: 'swatch' });
        sw.style.background = colorOf(name);
        parts.push(sw);
      }
      parts.push(el('span', { text: name }));
      container.append(el('label', {}, parts));
    }
  }

  function checked(container, all) {
    const on = [...container.querySelectorAll('input:checked')].map((i) => i.value);
    return on.length === all.length ? null : on;
  }

  // The filter controls show the state (on start, and when a pasted link changes it).
  function syncFilters() {
    const etypes = meta.entity_types.map((t) => t.type);
    const rtypes = meta.relation_types.map((t) => t.type);
    checks($('entity-types'), etypes, state.et, (t) => typeInfo[t].color);
    checks($('relation-types'), rtypes, state.rt, null);
    const dates = meta.dates;
    const any = $('asof-any');
    any.checked = !state.asof;
    any.disabled = !dates.length && !state.asof;
    $('asof').disabled = any.checked || !dates.length;
    if (state.asof) {
      let best = 0;
      for (let i = 0; i < dates.length; i++) if (dates[i] <= state.asof) best = i;
      $('asof').value = String(best);
    }
    $('asof-label').textContent = state.asof || 'any date';
    $('min-reliability').value = state.rel || '';
    $('min-credibility').value = state.cred ? String(state.cred) : '';
    $('limit').value = String(state.lim);
  }

  function setupFilters() {
    const etypes = meta.entity_types.map((t) => t.type);
    const rtypes = meta.relation_types.map((t) => t.type);
    $('entity-types').addEventListener('change', () => { state.et = checked($('entity-types'), etypes); changed(); });
    $('relation-types').addEventListener('change', () => { state.rt = checked($('relation-types'), rtypes); changed(); });
    for (const b of document.querySelectorAll('[data-all],[data-none]')) {
      b.addEventListener('click', () => {
        const id = b.dataset.all || b.dataset.none;
        $(id).querySelectorAll('input').forEach((i) => { i.checked = !!b.dataset.all; });
        $(id).dispatchEvent(new Event('change'));
      });
    }
    const dates = meta.dates;
    const slider = $('asof');
    const any = $('asof-any');
    slider.max = String(Math.max(dates.length - 1, 0));
    $('asof-min').textContent = dates[0] || '';
    $('asof-max').textContent = dates[dates.length - 1] || '';
    const show = () => { $('asof-label').textContent = state.asof || 'any date'; };
    any.addEventListener('change', () => {
      slider.disabled = any.checked || !dates.length;
      state.asof = any.checked ? null : dates[Number(slider.value)] || null;
      show();
      changed();
    });
    slider.addEventListener('input', () => { $('asof-label').textContent = dates[Number(slider.value)] || ''; });
    slider.addEventListener('change', () => { state.asof = dates[Number(slider.value)] || null; show(); changed(); });
    $('min-reliability').addEventListener('change', (ev) => { state.rel = ev.target.value || null; changed(); });
    $('min-credibility').addEventListener('change', (ev) => { state.cred = ev.target.value ? Number(ev.target.value) : null; changed(); });
    $('limit').addEventListener('change', (ev) => {
      const v = Math.round(Number(ev.target.value));
      state.lim = Number.isFinite(v) ? Math.min(Math.max(v, 1), 2000) : 100;
      ev.target.value = String(state.lim);
      changed();
    });
    syncFilters();
  }

  function changed() {
    writeURL();
    updateStatus();
    scheduleRebuild();
  }

  // ------------------------------------------------------------------ queries and console

  const drawer = $('drawer');
  let queries = null;

  function openDrawer(kind, title) {
    drawer.hidden = false;
    $('drawer-title').textContent = title;
    $('query-form').hidden = kind !== 'query';
    $('console-form').hidden = kind !== 'console';
    $('result-message').hidden = true;
    $('result-message').className = 'message';
    clear($('result'));
    network.redraw();
  }
  $('drawer-close').addEventListener('click', () => { drawer.hidden = true; });

  function toggleMenu(button, menu, open) {
    const show = open === undefined ? menu.hidden : open;
    menu.hidden = !show;
    button.setAttribute('aria-expanded', show ? 'true' : 'false');
  }

  async function loadQueries() {
    if (queries) return queries;
    queries = await apiJSON('/api/queries');
    const menu = $('queries-menu');
    clear(menu);
    if (!queries.length) menu.append(el('li', { class: 'muted', text: 'No named queries.', attrs: { style: 'padding:6px 12px' } }));
    for (const q of queries) {
      const b = el('button', { attrs: { type: 'button', role: 'menuitem', 'data-query': q.name } }, [
        el('span', { text: q.title || q.name }), q.description ? el('small', { text: q.description }) : null,
      ]);
      b.addEventListener('click', () => { toggleMenu($('queries-button'), menu, false); openQuery(q); });
      menu.append(el('li', { attrs: { role: 'none' } }, [b]));
    }
    return queries;
  }

  $('queries-button').addEventListener('click', async () => {
    const menu = $('queries-menu');
    toggleMenu($('queries-button'), $('export-menu'), false);
    if (menu.hidden) {
      try { await loadQueries(); } catch (e) { toast(e.message, 'error'); return; }
    }
    toggleMenu($('queries-button'), menu);
  });

  let currentQuery = null;
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
      if (t === 'source') input.placeholder = 'source id';
      if (t.startsWith('list') || t === 'strings') input.placeholder = 'comma-separated';
      if (p.default !== null && p.default !== undefined) input.value = Array.isArray(p.default) ? p.default.join(', ') : String(p.default);
      // The entity on display is the likely subject; the as-of day the likely date.
      if (t === 'entity' && state.pick && state.pick.startsWith('n:') && !input.value) input.value = state.pick.slice(2);
      if (t === 'date' && state.asof && !input.value) input.value = state.asof;
      input.required = !!p.required;
    }
    input.dataset.kind = t;
    return el('label', { attrs: { title: p.description || '' } }, [`${p.name}${p.required ? '' : ' (optional)'}`, input]);
  }

  function openQuery(q) {
    currentQuery = q;
    openDrawer('query', q.title || q.name);
    $('query-description').textContent = q.description || '';
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

  function message(text, kind) {
    const m = $('result-message');
    m.textContent = text;
    m.className = `message ${kind}`;
    m.hidden = false;
  }

  function cellText(v) {
    if (v === null || v === undefined) return '';
    if (typeof v !== 'object') return String(v);
    if (v.node) return `(${v.node.labels.join(':')} ${v.node.properties.name || v.node.properties.title || v.node.properties.id || ''})`;
    if (v.relationship) return `[${v.relationship.type}] ${v.relationship.from} → ${v.relationship.to}`;
    if (v.path) return `path of ${v.path.relationships.length} relationship(s)`;
    return JSON.stringify(v);
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
            on: { click: () => run(() => choose(v)) } })]);
        }
        return el('td', { text: cellText(v) });
      })));
    }
    t.append(body);
    return t;
  }

  let lastResult = null;
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
    const rows = `${res.rows.length} row${res.rows.length === 1 ? '' : 's'}${res.truncated ? ` (cut at the limit of ${res.row_limit})` : ''} in ${res.elapsed_ms} ms`;
    const out = $('result');
    if (res.graph && res.graph.nodes.length) {
      const ents = res.graph.nodes.filter((n) => n.entity !== false).map((n) => n.id);
      for (const id of ents) {
        if (!state.sel.includes(id) && !state.show.includes(id)) state.show.push(id);
      }
      state.rm = state.rm.filter((x) => !ents.includes(x));
      writeURL();
      message(`${rows}: drawn as a graph (${res.graph.nodes.length} nodes, ${res.graph.edges.length} relations)`, 'info');
      const toggle = el('button', { text: 'Show as a table', attrs: { type: 'button', id: 'show-table' } });
      toggle.addEventListener('click', () => { toggle.remove(); out.append(table(res)); });
      out.append(toggle);
      await merge(res.graph.nodes, res.graph.edges, null);
      network.fit({ nodes: res.graph.nodes.map((n) => n.id).slice(0, 3000), animation: false });
    } else {
      message(rows, 'info');
      out.append(table(res));
    }
    return res;
  }

  // ------------------------------------------------------------------ export

  function download(href, filename) {
    const a = el('a', { attrs: { download: filename } });
    a.href = href;
    document.body.append(a);
    a.click();
    a.remove();
  }

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
    const canvas = $('graph').querySelector('canvas');
    download(canvas.toDataURL('image/png'), 'actorgraph-view.png');
  });

  $('fit-button').addEventListener('click', () => network.fit({ animation: { duration: 300 } }));
  $('clear-button').addEventListener('click', clearView);
  document.addEventListener('click', (ev) => {
    for (const [b, m] of [['queries-button', 'queries-menu'], ['export-button', 'export-menu']]) {
      if (!$(b).contains(ev.target) && !$(m).contains(ev.target)) toggleMenu($(b), $(m), false);
    }
  });
  window.addEventListener('hashchange', () => {
    if (location.hash.replace(/^#/, '') === lastFragment) return;
    readURL();
    if (meta) syncFilters();
    run(setupFromState);
  });

  // ------------------------------------------------------------------ start

  function setupFromState() {
    return rebuild({ fit: true }).then(() => {
      if (state.pick) refreshDetails();
      for (const id of state.pick && state.pick.startsWith('n:') ? [state.pick.slice(2)] : []) {
        if (nodes.get(id)) network.selectNodes([id]);
      }
    });
  }

  const explorer = {
    ready: false,
    lastError: null,
    state, network, nodes, edges,
    idle: () => pending === 0 && settling === 0,
    // Where a node is on the page (for tests and scripted tours).
    domPosition(id) {
      const p = network.canvasToDOM(network.getPosition(id));
      const r = $('graph').getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    },
    focus(id, scale = 1.4) { network.focus(id, { scale, animation: false }); },
    choose: (id) => run(() => choose(id)),
    expand: (id) => run(() => expand(id)),
    lastResult: () => lastResult,
  };
  window.explorer = explorer;

  (async () => {
    try { token = sessionStorage.getItem(TOKEN_KEY); } catch (e) { /* storage off */ }
    readURL();
    try {
      meta = await apiJSON('/api/meta');
    } catch (e) {
      toast(e.message, 'error');
      $('empty').textContent = e.message;
      explorer.ready = true;
      return;
    }
    for (const t of meta.entity_types) typeInfo[t.type] = t;
    typeInfo.Source = { color: '#c9ced6', shape: 'ellipse' };
    setupFilters();
    updateStatus();
    await run(setupFromState);
    if (!state.pick) showNothing();
    explorer.ready = true;
  })();
})();
