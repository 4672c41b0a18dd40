/* actorgraph snapshot page: legend, filters, search, tooltips and the details panel.
 *
 * Every piece of text from the facts reaches the screen through textContent (or a
 * vis-network label, drawn on the canvas), never parsed as HTML.
 * Tooltips are DOM elements handed to vis-network as `title`, built the first time
 * the pointer rests on an item.
 */
(function () {
  "use strict";

  var api = (window.actorgraph = { firstFrame: false, timings: { start: performance.now() } });
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  api.timings.parsed = performance.now();
  var types = data.types;
  var rels = data.relations;
  var sources = data.sources;
  var N = data.nodes.length;
  var E = data.edges.length;
  var BIG = N > 1500 || E > 4000;
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  var SYMBOL = { dot: "\u25CF", circle: "\u25CF", ellipse: "\u2B2C", diamond: "\u25C6", star: "\u2605",
                 square: "\u25A0", triangle: "\u25B2", triangleDown: "\u25BC", hexagon: "\u2B22",
                 box: "\u25AC", database: "\u25AE", text: "T" };
  var RELIABILITY = "ABCDEF";

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }

  function shade(hex, amount) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex);
    if (!m) return hex;
    var n = parseInt(m[1], 16);
    function f(c) { return Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount); }
    return "#" + ((1 << 24) | (f(n >> 16) << 16) | (f((n >> 8) & 255) << 8) | f(n & 255)).toString(16).slice(1);
  }

  function plural(n, word, many) {
    return n.toLocaleString("en") + " " + (n === 1 ? word : many || word + "s");
  }

  // The same idea as graph.names.name_key: accents, case, spaces and punctuation ignored.
  function nameKey(s) {
    return String(s).normalize("NFKD").toLowerCase().replace(/\u00df/g, "ss").replace(/\u03c2/g, "\u03c3")
      .replace(/[^\p{L}\p{N}]/gu, "");
  }

  // -- heading ---------------------------------------------------------------------------
  document.title = data.title;
  $("title").textContent = data.title;
  $("generated").textContent = "Generated " + data.generated.replace("T", " ").replace("Z", " UTC") +
    " by actorgraph. Click an item for its evidence; scroll to zoom, drag to pan.";
  $("filters").textContent = data.filters.length ? "Snapshot filters: " + data.filters.join("; ") + "." : "No filters.";

  // -- per node: type, incident edges ---------------------------------------------------
  var nodeType = new Array(N);
  var incident = new Array(N);
  var typeCount = types.map(function () { return 0; });
  for (var i = 0; i < N; i++) {
    nodeType[i] = data.nodes[i][2];
    incident[i] = [];
    typeCount[nodeType[i]]++;
  }
  for (var j = 0; j < E; j++) {
    var e = data.edges[j];
    incident[e[0]].push(j);
    if (e[1] !== e[0]) incident[e[1]].push(j);
  }

  // -- legend and filter controls ----------------------------------------------------------
  var typeBoxes = [];
  types.forEach(function (t, k) {
    var row = el("label", "row" + (typeCount[k] ? "" : " empty"));
    row.title = t.description;
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.value = t.type;
    box.addEventListener("change", applyFilters);
    typeBoxes.push(box);
    var sw = el("span", "swatch", SYMBOL[t.shape] || SYMBOL.dot);
    sw.style.color = t.color;
    row.append(box, sw, el("span", "name", t.type), el("span", "count", typeCount[k].toLocaleString("en")));
    $("legend").append(row);
  });
  var credSel = $("credibility");
  for (var c = 1; c <= data.grades.credibility; c++) {
    var o = el("option", null, c === 1 ? "1 only" : "1 to " + c);
    o.value = String(c);
    credSel.append(o);
  }
  credSel.value = String(data.grades.credibility);
  var relSel = $("reliability");
  for (var r = 0; r <= RELIABILITY.indexOf(data.grades.reliability); r++) {
    var letter = RELIABILITY[r];
    var o2 = el("option", null, r === 0 ? "A only" : "A to " + letter);
    o2.value = letter;
    relSel.append(o2);
  }
  relSel.value = data.grades.reliability;
  credSel.addEventListener("change", applyFilters);
  relSel.addEventListener("change", applyFilters);

  // -- vis-network items -------------------------------------------------------------------
  var nodeItems = new Array(N);
  for (i = 0; i < N; i++) {
    var row = data.nodes[i];
    nodeItems[i] = { id: i, label: row[1], group: types[row[2]].type, x: row[3], y: row[4] };
  }
  var seenPairs = new Map();
  var dashCost = 0;
  var dashed = [];
  var edgeItems = new Array(E);
  for (j = 0; j < E; j++) {
    e = data.edges[j];
    var item = { id: j, from: e[0], to: e[1] };
    if (!BIG) item.label = rels[e[2]];
    if (e[3] >= 4) {
      // Unconfirmed (credibility 4-6): dashed. vis-network draws a dashed line as one
      // segment per dash, in graph units, so a big drawing gets a lighter colour instead.
      item.color = { color: "#ccd2da" };
      if (dashCost >= 0) {
        var a = data.nodes[e[0]], b = data.nodes[e[1]];
        dashCost += Math.sqrt((a[3] - b[3]) * (a[3] - b[3]) + (a[4] - b[4]) * (a[4] - b[4])) / 10;
        dashed.push(item);
        if (dashCost > 200000) dashCost = -1;
      }
    }
    // Relations between the same two entities fan out instead of overlapping.
    var key = e[0] < e[1] ? e[0] * N + e[1] : e[1] * N + e[0];
    var k = seenPairs.get(key) || 0;
    seenPairs.set(key, k + 1);
    if (k > 0) {
      var flip = (k % 2 === 1) !== (e[0] > e[1]);
      item.smooth = { enabled: true, type: flip ? "curvedCW" : "curvedCCW", roundness: 0.2 * Math.ceil(k / 2) };
    }
    edgeItems[j] = item;
  }
  if (dashCost >= 0) dashed.forEach(function (item) { item.dashes = true; delete item.color; });
  var groups = {};
  types.forEach(function (t) {
    groups[t.type] = {
      shape: t.shape,
      // Shapes with the label inside (box, ellipse...) need no halo around the text.
      font: /^(box|ellipse|circle|database|text)$/.test(t.shape) ? { strokeWidth: 0 } : {},
      color: { background: t.color, border: shade(t.color, -0.3),
               highlight: { background: shade(t.color, 0.35), border: "#1d232b" },
               hover: { background: shade(t.color, 0.35), border: "#1d232b" } },
    };
  });
  var options = {
    autoResize: true,
    groups: groups,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    nodes: {
      size: 11, borderWidth: 1, borderWidthSelected: 3,
      font: { size: 13, face: FONT, color: "#1d232b", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: BIG ? 7 : 5 } },
    },
    edges: {
      smooth: false, width: 1, selectionWidth: 2,
      color: { color: "#a3acb8", highlight: "#1d232b", hover: "#5f6b7a", inherit: false, opacity: BIG ? 0.35 : 1 },
      arrows: { to: { enabled: true, scaleFactor: 0.45 } },
      font: { size: 10, face: FONT, color: "#4b5563", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
      // Edge labels only once zoomed in far enough to read them (on big graphs, further still).
      scaling: { label: { drawThreshold: BIG ? 9 : 6 } },
    },
    interaction: {
      hover: false, tooltipDelay: 200, multiselect: true, keyboard: false,
      hideEdgesOnDrag: BIG, hideEdgesOnZoom: BIG,
    },
  };

  api.timings.items = performance.now();
  var nodes = new vis.DataSet(nodeItems);
  var edges = new vis.DataSet(edgeItems);
  api.timings.datasets = performance.now();
  var network = new vis.Network($("network"), { nodes: nodes, edges: edges }, options);
  api.timings.network = performance.now();
  network.once("afterDrawing", function () {
    api.firstFrame = true;
    api.firstFrameAt = api.timings.firstFrame = performance.now();
    var loading = $("loading");
    if (loading && N) loading.remove();
    else if (loading) loading.textContent = "Nothing to show: no entity passes the snapshot's filters.";
  });
  api.network = network;
  api.nodes = nodes;
  api.edges = edges;
  api.data = data;

  // -- edge labels on big graphs: only for the relations in view, once zoomed in ------------
  // vis-network lays out every label it has on every frame, even those too small to draw;
  // 50,000 of them would cost seconds per frame.
  var posX = new Float64Array(N);
  var posY = new Float64Array(N);
  for (i = 0; i < N; i++) { posX[i] = data.nodes[i][3]; posY[i] = data.nodes[i][4]; }
  var labelled = new Set();
  var LABEL_LIMIT = 3000;
  var lastView = "";
  var labelTimer = null;

  function refreshLabels() {
    labelTimer = null;
    var scale = network.getScale();
    var centre = network.getViewPosition();
    var view = scale.toFixed(4) + "," + centre.x.toFixed(1) + "," + centre.y.toFixed(1);
    if (view === lastView) return;
    lastView = view;
    var want = new Set();
    var font = options.edges.font.size;
    if (font * scale >= options.edges.scaling.label.drawThreshold - 1) {
      var box = $("network");
      var tl = network.DOMtoCanvas({ x: 0, y: 0 });
      var br = network.DOMtoCanvas({ x: box.clientWidth, y: box.clientHeight });
      for (var j = 0; j < E && want.size < LABEL_LIMIT; j++) {
        if (edgeHidden[j]) continue;
        var e = data.edges[j];
        var mx = (posX[e[0]] + posX[e[1]]) / 2;
        var my = (posY[e[0]] + posY[e[1]]) / 2;
        if (mx >= tl.x && mx <= br.x && my >= tl.y && my <= br.y) want.add(j);
      }
    }
    var upd = [];
    labelled.forEach(function (j) { if (!want.has(j)) { labelled.delete(j); upd.push({ id: j, label: null }); } });
    want.forEach(function (j) { if (!labelled.has(j)) { labelled.add(j); upd.push({ id: j, label: rels[data.edges[j][2]] }); } });
    if (upd.length) edges.update(upd);
  }

  if (BIG) {
    network.on("afterDrawing", function () {
      if (labelTimer === null) labelTimer = setTimeout(refreshLabels, 250);
    });
  }
  network.on("dragEnd", function (p) {
    if (!p.nodes.length) return;
    var moved = network.getPositions(p.nodes);
    p.nodes.forEach(function (id) { posX[id] = moved[id].x; posY[id] = moved[id].y; });
    lastView = "";
  });

  // -- filters -------------------------------------------------------------------------
  var nodeHidden = new Uint8Array(N);
  var edgeHidden = new Uint8Array(E);

  function applyFilters() {
    var on = typeBoxes.map(function (b) { return b.checked; });
    var cMax = Number(credSel.value);
    var rMax = relSel.value;
    // Narrower grades than the snapshot's drop the entities left without relations, as kg does.
    var graded = cMax < data.grades.credibility || rMax < data.grades.reliability;
    var nodeUpd = [];
    var edgeUpd = [];
    var keep = new Uint8Array(N);
    var shownEdges = 0;
    for (var j = 0; j < E; j++) {
      var e = data.edges[j];
      var ok = on[nodeType[e[0]]] && on[nodeType[e[1]]] && e[6].some(function (ev) {
        return ev[1] <= cMax && sources[ev[0]].reliability <= rMax;
      });
      if (ok) { keep[e[0]] = 1; keep[e[1]] = 1; shownEdges++; }
      var h = ok ? 0 : 1;
      if (h !== edgeHidden[j]) { edgeHidden[j] = h; edgeUpd.push({ id: j, hidden: !!h }); }
    }
    var shownNodes = 0;
    for (var i = 0; i < N; i++) {
      var visible = on[nodeType[i]] && (!graded || keep[i] || incident[i].length === 0);
      if (visible) shownNodes++;
      var hn = visible ? 0 : 1;
      if (hn !== nodeHidden[i]) { nodeHidden[i] = hn; nodeUpd.push({ id: i, hidden: !!hn }); }
    }
    lastView = "";
    if (nodeUpd.length) nodes.update(nodeUpd);
    if (edgeUpd.length) edges.update(edgeUpd);
    summarise(shownNodes, shownEdges);
  }

  function summarise(shownNodes, shownEdges) {
    var text = shownNodes === N && shownEdges === E
      ? plural(N, "entity", "entities") + " and " + plural(E, "relation") + "."
      : "Showing " + shownNodes.toLocaleString("en") + " of " + plural(N, "entity", "entities") +
        " and " + shownEdges.toLocaleString("en") + " of " + plural(E, "relation") + ".";
    $("summary").textContent = text;
  }
  summarise(N, E);
  api.applyFilters = applyFilters;

  // -- tooltips (DOM elements, built on first hover) --------------------------------------
  function sourceLine(ev) {
    var s = sources[ev[0]];
    var parts = [s.title, s.publisher, s.published];
    if (s.author) parts.splice(2, 0, s.author);
    return parts.join(", ") + " \u2014 reliability " + s.reliability + ", credibility " + ev[1];
  }

  function nodeTip(i) {
    var row = data.nodes[i];
    var tip = el("div", "tip");
    tip.append(el("b", null, row[1]), el("div", null, types[row[2]].type));
    if (row[5].length) tip.append(el("div", null, "Also known as: " + row[5].join("; ")));
    tip.append(el("div", "note", plural(incident[i].length, "relation") + " \u00b7 click for details"));
    return tip;
  }

  function edgeTip(j) {
    var e = data.edges[j];
    var tip = el("div", "tip");
    tip.append(el("b", null, data.nodes[e[0]][1] + " \u2192 " + rels[e[2]] + " \u2192 " + data.nodes[e[1]][1]));
    tip.append(el("div", null, "Credibility " + e[3] + ", reliability " + e[4] + " (best of " +
      plural(e[6].length, "piece") + " of evidence)"));
    e[6].forEach(function (ev) {
      var d = el("div", "ev");
      d.append(el("div", null, "\u201c" + ev[2] + "\u201d"), el("div", "src", sourceLine(ev)));
      tip.append(d);
    });
    return tip;
  }

  var titledNodes = new Uint8Array(N);
  var titledEdges = new Uint8Array(E);
  var pointer = null;
  var container = $("network");
  container.addEventListener("mousemove", function (ev) {
    var rect = container.getBoundingClientRect();
    var pending = pointer !== null;
    pointer = { x: ev.clientX - rect.left, y: ev.clientY - rect.top };
    if (!pending) requestAnimationFrame(prepareTooltip);
  });

  // The title goes straight to the drawn item (what DataSet.update would do, minus the
  // redraw of the whole graph that a DataSet change triggers).
  function setTitle(items, dataset, id, title) {
    var item = items[id];
    if (item) item.setOptions({ title: title });
    else dataset.update({ id: id, title: title });
  }

  function prepareTooltip() {
    var p = pointer;
    pointer = null;
    if (!p) return;
    var n = network.getNodeAt(p);
    if (n !== undefined) {
      if (!titledNodes[n]) { titledNodes[n] = 1; setTitle(network.body.nodes, nodes, n, nodeTip(n)); }
      return;
    }
    var j = network.getEdgeAt(p);
    if (j !== undefined && !titledEdges[j]) { titledEdges[j] = 1; setTitle(network.body.edges, edges, j, edgeTip(j)); }
  }

  // -- details panel ---------------------------------------------------------------------
  var details = $("details");

  function link(text, onClick) {
    var b = el("button", "link", text);
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function defs(pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) {
      if (p[1] === undefined || p[1] === null || p[1] === "") return;
      var dd = el("dd");
      if (p[1] instanceof Node) dd.append(p[1]); else dd.textContent = Array.isArray(p[1]) ? p[1].join("; ") : String(p[1]);
      dl.append(el("dt", null, p[0]), dd);
    });
    return dl;
  }

  function extraPairs(extra) {
    return extra ? Object.keys(extra).map(function (k) { return [k.replace(/_/g, " "), extra[k]]; }) : [];
  }

  function showNode(i, focus) {
    var row = data.nodes[i];
    var t = types[row[2]];
    details.textContent = "";
    var kind = el("div", "kind");
    var sw = el("span", "swatch", SYMBOL[t.shape] || SYMBOL.dot);
    sw.style.color = t.color;
    kind.append(sw, " " + t.type);
    details.append(el("h3", null, row[1]), kind);
    var extra = row[6] || {};
    var pairs = [["id", row[0]], ["aliases", row[5].length ? row[5] : null]];
    var rest = {};
    Object.keys(extra).forEach(function (k) { if (k !== "description" && k !== "lat" && k !== "lon") rest[k] = extra[k]; });
    pairs = pairs.concat(extraPairs(rest));
    if (extra.lat !== undefined) pairs.push(["coordinates", extra.lat + ", " + extra.lon]);
    details.append(defs(pairs));
    if (extra.description) details.append(el("p", null, extra.description));
    // Outgoing relations first, then incoming, each by type and name: "LEADS \u2192 X", "MEMBER_OF \u2190 Y".
    var inc = incident[i].map(function (j) {
      var e = data.edges[j];
      var out = e[0] === i;
      return { j: j, out: out, text: rels[e[2]] + (out ? " \u2192 " : " \u2190 ") + data.nodes[out ? e[1] : e[0]][1] };
    }).sort(function (a, b) { return (b.out - a.out) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0); });
    details.append(el("h2", null, plural(inc.length, "relation")));
    var ul = el("ul");
    inc.slice(0, 500).forEach(function (r) {
      var j = r.j;
      var li = el("li");
      li.append(link(r.text, function () { selectEdge(j); }));
      if (edgeHidden[j]) li.append(el("span", "note", " (hidden by filters)"));
      ul.append(li);
    });
    details.append(ul);
    if (inc.length > 500) details.append(el("p", "note", "and " + (inc.length - 500) + " more"));
    if (focus) {
      network.selectNodes([i]);
      if (!nodeHidden[i]) network.focus(i, { scale: Math.max(network.getScale(), 0.9), animation: BIG ? false : { duration: 300 } });
    }
  }

  function showEdge(j) {
    var e = data.edges[j];
    details.textContent = "";
    var h = el("h3");
    h.append(link(data.nodes[e[0]][1], function () { showNode(e[0], true); }),
             " \u2192 " + rels[e[2]] + " \u2192 ",
             link(data.nodes[e[1]][1], function () { showNode(e[1], true); }));
    details.append(h, el("div", "kind", "Relation" + (edgeHidden[j] ? " (hidden by filters)" : "")));
    var extra = e[5] || {};
    var rest = {};
    Object.keys(extra).forEach(function (k) { if (k !== "valid_from" && k !== "valid_to") rest[k] = extra[k]; });
    var valid = extra.valid_from || extra.valid_to
      ? (extra.valid_from || "\u2026") + " to " + (extra.valid_to || "\u2026") : null;
    details.append(defs([["credibility", e[3] + " (best of its evidence)"], ["reliability", e[4] + " (best source)"],
                         ["valid", valid]].concat(extraPairs(rest))));
    details.append(el("h2", null, plural(e[6].length, "piece") + " of evidence"));
    e[6].forEach(function (ev) {
      var s = sources[ev[0]];
      var box = el("div", "evidence");
      box.append(el("q", null, ev[2]));
      var src = el("div", "src");
      src.append(el("span", "badge", "credibility " + ev[1]), el("span", "badge", "reliability " + s.reliability),
                 el("div", null, s.title), el("div", null, [s.publisher, s.author, s.published].filter(Boolean).join(", ")));
      if (s.url) src.append(el("div", null, s.url));
      box.append(src);
      details.append(box);
    });
  }

  function selectEdge(j) {
    network.unselectAll();
    if (!edgeHidden[j]) network.selectEdges([j]);
    showEdge(j);
  }

  network.on("click", function (p) {
    if (p.nodes.length) showNode(p.nodes[0], false);
    else if (p.edges.length) showEdge(p.edges[0]);
  });
  api.showNode = showNode;
  api.showEdge = showEdge;

  // -- search ----------------------------------------------------------------------------
  var keys = null;
  var results = $("results");

  function search(query, focus) {
    var q = nameKey(query);
    results.textContent = "";
    if (!q) { network.unselectAll(); return []; }
    if (!keys) {
      keys = new Array(N);
      for (var i = 0; i < N; i++) {
        var row = data.nodes[i];
        keys[i] = [nameKey(row[1]), nameKey(row[0])].concat(row[5].map(nameKey));
      }
    }
    var exact = [];
    var partial = [];
    for (i = 0; i < N; i++) {
      if (keys[i].indexOf(q) >= 0) exact.push(i);
      else if (q.length >= 2 && keys[i].some(function (k) { return k.indexOf(q) >= 0; })) partial.push(i);
    }
    var found = exact.concat(partial);
    found.slice(0, 100).forEach(function (i) {
      var li = el("li");
      li.append(link(data.nodes[i][1], function () { showNode(i, true); }),
                el("span", "note", " " + types[data.nodes[i][2]].type + (nodeHidden[i] ? " (hidden by filters)" : "")));
      results.append(li);
    });
    if (!found.length) results.append(el("li", "none", "No entity matches."));
    else if (found.length > 100) results.append(el("li", "none", "and " + (found.length - 100) + " more"));
    var chosen = (exact.length ? exact : partial).filter(function (i) { return !nodeHidden[i]; });
    network.selectNodes(chosen);
    if (focus && chosen.length === 1) showNode(chosen[0], true);
    else if (focus && chosen.length > 1) network.fit({ nodes: chosen, animation: BIG ? false : { duration: 300 } });
    return found.map(function (i) { return data.nodes[i][0]; });
  }

  var timer = null;
  var box = $("search");
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(function () { search(box.value, false); }, BIG ? 250 : 120);
  });
  box.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter") { clearTimeout(timer); search(box.value, true); }
  });
  api.search = search;
  api.nameKey = nameKey;
})();
