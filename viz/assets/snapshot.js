/* actorgraph snapshot page: legend, filters, search, tooltips and the details panel.
 *
 * The data block's fields are read by name; viz/snapshot.py lists them in one table.
 * Helpers shared with the explorer (DOM, grades, name keys, as-of, evidence) come from
 * common.js, inlined before this script as window.actorgraphCommon.
 *
 * Every piece of text from the facts reaches the screen through textContent (or a
 * vis-network label, drawn on the canvas), never parsed as HTML.
 * Tooltips are DOM elements handed to vis-network as `title`, built the first time
 * the pointer rests on an item.
 */
(function () {
  "use strict";

  var C = window.actorgraphCommon;
  var el = C.el;
  var plural = C.plural;
  var api = (window.actorgraph = { firstFrame: false, timings: { start: performance.now() } });
  var data = JSON.parse(document.getElementById("graph-data").textContent);
  api.timings.parsed = performance.now();
  var types = data.types;
  var rels = data.relations;
  var sources = data.sources;
  var grades = data.grades;
  var nodeRows = data.nodes;
  var edgeRows = data.edges;
  var N = nodeRows.length;
  var E = edgeRows.length;
  var BIG = N > 1500 || E > 4000;
  var FONT = 'system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif';
  var SYMBOL = { dot: "\u25CF", circle: "\u25CF", ellipse: "\u2B2C", diamond: "\u25C6", star: "\u2605",
                 square: "\u25A0", triangle: "\u25B2", triangleDown: "\u25BC", hexagon: "\u2B22",
                 box: "\u25AC", database: "\u25AE", text: "T" };

  function $(id) { return document.getElementById(id); }

  function swatch(t) {
    var sw = el("span", { class: "swatch", text: SYMBOL[t.shape] || SYMBOL.dot });
    sw.style.color = t.color;
    return sw;
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
    nodeType[i] = nodeRows[i].type;
    incident[i] = [];
    typeCount[nodeType[i]]++;
  }
  for (var j = 0; j < E; j++) {
    var e = edgeRows[j];
    incident[e.from].push(j);
    if (e.to !== e.from) incident[e.to].push(j);
  }

  // -- legend and filter controls ----------------------------------------------------------
  var typeBoxes = [];
  types.forEach(function (t, k) {
    var box = el("input", { attrs: { type: "checkbox", value: t.type }, on: { change: applyFilters } });
    box.checked = true;
    typeBoxes.push(box);
    var row = el("label", { class: "row" + (typeCount[k] ? "" : " empty"), attrs: { title: t.description } },
                 [box, swatch(t), el("span", { class: "name", text: t.type }),
                  el("span", { class: "count", text: typeCount[k].toLocaleString("en") })]);
    $("legend").append(row);
  });

  // Sizes and colours: what the node size measures; the communities' colours when coloured by community.
  $("sizes-note").textContent = "Node size: " + data.size_by.name + " (" + data.size_by.summary + ")." +
    (data.colour_by === "community" ? " Colour: community (Leiden), shape: entity type." : "") +
    ((data.focus || []).length ? " A heavy ring marks the focus." : "");
  if (data.colour_by === "community") {
    var shownCommunities = Math.min(data.communities, C.communities);
    for (var q = 0; q < shownCommunities; q++) {
      var sw = el("span", { class: "swatch", text: "●" });
      sw.style.color = C.communityColour(q);
      $("community-legend").append(el("div", { class: "row" }, [sw, el("span", { text: "community " + (q + 1) })]));
    }
    if (data.communities > shownCommunities) {
      var rest = el("span", { class: "swatch", text: "●" });
      rest.style.color = C.communityColour(-1);
      $("community-legend").append(el("div", { class: "row" }, [rest, el("span", {
        text: plural(data.communities - shownCommunities, "smaller community", "smaller communities") })]));
    }
  }

  // Grades: the registry's scales, offered down to the grade the snapshot was cut at.
  var credSel = $("credibility");
  var reliSel = $("reliability");
  C.fillGradeSelect(credSel, grades.credibility, data.at_least.credibility);
  C.fillGradeSelect(reliSel, grades.reliability, data.at_least.reliability);
  credSel.value = data.at_least.credibility === null ? "" : String(data.at_least.credibility);
  reliSel.value = data.at_least.reliability === null ? "" : String(data.at_least.reliability);
  credSel.addEventListener("change", applyFilters);
  reliSel.addEventListener("change", applyFilters);
  var credRank = C.ranks(grades.credibility);
  var reliRank = C.ranks(grades.reliability);
  $("grades-note").textContent = "A relation stays when one piece of its evidence meets both grades (" +
    grades.credibility.grades[0].grade + " and " + grades.reliability.grades[0].grade + " are best).";
  // As of: the slider steps through the days at which something starts or stops holding and the report
  // days; the date field takes any day. Marks under the slider tell stated dates from report dates.
  var days = data.days;
  $("asof-note").textContent = "Relations with stated dates hold between them; " + data.horizon.description + ".";
  var slider = $("asof");
  var anyDay = $("asof-any");
  var dayField = $("asof-date");
  var chosenDay = null; // the as-of day, or null: any date
  slider.max = String(Math.max(days.length - 1, 0));
  $("asof-min").textContent = days[0] || "";
  $("asof-max").textContent = days[days.length - 1] || "";
  // (the marks come after the first frame: a big snapshot has thousands of days, each mark an element to lay out)
  function dayMarks() { C.dayTicks($("asof-ticks"), days, data.stated_days, data.report_days); }
  function asOf() { return chosenDay; }
  function showDay() {
    $("asof-label").textContent = chosenDay || "any date";
    anyDay.checked = chosenDay === null;
    slider.disabled = chosenDay === null || !days.length;
    if (chosenDay) { dayField.value = chosenDay; slider.value = String(C.dayIndex(days, chosenDay)); }
  }
  function setDay(day) { chosenDay = day; showDay(); applyFilters(); }
  anyDay.addEventListener("change", function () {
    setDay(anyDay.checked ? null : dayField.value || days[Number(slider.value)] || null);
  });
  slider.addEventListener("input", function () { $("asof-label").textContent = days[Number(slider.value)] || ""; });
  slider.addEventListener("change", function () { setDay(days[Number(slider.value)] || null); });
  // A typed day counts once it is whole (a date field's value is "" until then).
  dayField.addEventListener("change", function () {
    if (/^\d{4}-\d{2}-\d{2}$/.test(dayField.value)) setDay(dayField.value);
  });
  api.setAsOf = function (day) { dayField.value = day || ""; setDay(day || null); };

  // -- vis-network items -------------------------------------------------------------------
  var focusSet = new Set(data.focus || []);
  // How a node looks comes from its group (in vis-network a group's shape and colour win over the node's
  // own): one group per entity type, community (when coloured by community) and focus.
  var groups = {};
  function groupOf(t, community, focus) {
    var name = t.type + (community === null ? "" : "/" + community) + (focus ? "/focus" : "");
    if (!groups[name]) {
      var colour = community === null ? t.color : C.communityColour(community);
      var look = C.nodeLook({ shape: t.shape, color: colour }, 11);
      delete look.size;
      if (focus) look.shapeProperties = Object.assign({}, look.shapeProperties || {}, { useBorderWithImage: true });
      groups[name] = Object.assign(look, {
        color: { background: colour, border: focus ? "#1d232b" : C.shade(colour, -0.3),
                 highlight: { background: C.shade(colour, 0.35), border: "#1d232b" },
                 hover: { background: C.shade(colour, 0.35), border: "#1d232b" } },
      });
    }
    return name;
  }
  var nodeItems = new Array(N);
  for (i = 0; i < N; i++) {
    var n = nodeRows[i];
    var t = types[n.type];
    var item = { size: C.nodeLook(t, n.size || 11).size };
    item.id = i;
    item.label = n.label || n.name;
    item.group = groupOf(t, data.colour_by === "community" ? (n.group === undefined ? -1 : n.group) : null,
                         focusSet.has(i));
    item.x = n.x;
    item.y = n.y;
    // Every label starts hidden (the nodes' font size is 0): the label grid (C.labelGrid) shows those that
    // fit, once the view is known. (No font of its own: 10,000 of them cost vis-network a tenth of a second.)
    // The focus entity: a heavy dark ring (its group's border), and its label considered first.
    if (focusSet.has(i)) item.borderWidth = 4;
    nodeItems[i] = item;
  }
  var seenPairs = new Map();
  var dashCost = 0;
  var doubtfulEdge = new Uint8Array(E);
  var inferredEdges = 0;
  var edgeItems = new Array(E);
  for (j = 0; j < E; j++) {
    e = edgeRows[j];
    var item = { id: j, from: e.from, to: e.to };
    if (!BIG) item.label = rels[e.type];
    if (e.basis === "inferred") inferredEdges++;
    if (C.doubtful(grades.credibility, e.cred)) {
      // Doubtful (the worse half of the credibility scale): dashed. vis-network draws a dashed line
      // as one segment per dash, in graph units, so a big drawing gets a warm tint instead (C.edgeLook).
      doubtfulEdge[j] = 1;
      if (dashCost >= 0) {
        var a = nodeRows[e.from], b = nodeRows[e.to];
        dashCost += Math.sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y)) / 10;
        if (dashCost > 200000) dashCost = -1;
      }
    }
    // Relations between the same two entities fan out instead of overlapping.
    var key = e.from < e.to ? e.from * N + e.to : e.to * N + e.from;
    var k = seenPairs.get(key) || 0;
    seenPairs.set(key, k + 1);
    if (k > 0) {
      var flip = (k % 2 === 1) !== (e.from > e.to);
      item.smooth = { enabled: true, type: flip ? "curvedCW" : "curvedCCW", roundness: 0.2 * Math.ceil(k / 2) };
    }
    edgeItems[j] = item;
  }
  // Time basis by shade, credibility by dashes (or tint): the legend is drawn by the same rule.
  // A big drawing gives its most common colour to all relations at once (the edges' default) and its own
  // only to the others: vis-network merges every relation's own options, which 50,000 times takes seconds.
  var dashesDrawn = dashCost >= 0;
  var looks = new Array(E);
  var colourCount = Object.create(null);
  for (j = 0; j < E; j++) {
    looks[j] = C.edgeLook(edgeRows[j].basis === "inferred", doubtfulEdge[j] === 1, dashesDrawn);
    colourCount[looks[j].color] = (colourCount[looks[j].color] || 0) + 1;
  }
  var usualColour = null;
  if (BIG) {
    Object.keys(colourCount).forEach(function (c) {
      if (usualColour === null || colourCount[c] > colourCount[usualColour]) usualColour = c;
    });
  }
  for (j = 0; j < E; j++) {
    if (looks[j].color !== usualColour) edgeItems[j].color = { color: looks[j].color };
    if (looks[j].dashes) edgeItems[j].dashes = looks[j].dashes;
  }
  looks = null;
  // Arrowheads: a big drawing draws none at the whole view, where they are a few pixels wide and 50,000 of
  // them cost most of a second a frame; the relations in view get theirs once zoomed in (refreshLabels).
  var ARROW = { to: { enabled: true, scaleFactor: 0.45 } };
  var NO_ARROW = { to: { enabled: false, scaleFactor: 0.45 } };
  var ARROW_SCALE = 0.4; // an arrowhead is about 10 drawing units long: 4 px on screen from here
  C.lineLegend(grades.credibility, dashesDrawn).forEach(function (k) { $("lines").append(k); });
  var options = {
    autoResize: true,
    groups: groups,
    physics: { enabled: false },
    layout: { improvedLayout: false, randomSeed: 1 },
    nodes: {
      size: 11, borderWidth: 1, borderWidthSelected: 3,
      // Label sizes are set per node at each zoom by the label grid, so they stay the same on screen.
      font: { size: 0, face: FONT, color: "#1d232b", strokeWidth: 3, strokeColor: "#ffffff" },
      scaling: { label: { drawThreshold: 1 } },
      // Never bold on hover or selection: a bolder label is wider than the room the label grid kept for it.
      labelHighlightBold: false,
    },
    edges: {
      smooth: false, width: 1, selectionWidth: 2,
      color: { highlight: "#1d232b", hover: "#5f6b7a", inherit: false, opacity: BIG ? 0.35 : 1 },
      arrows: BIG ? NO_ARROW : ARROW,
      font: { size: 8, face: FONT, color: "#4b5563", strokeWidth: 3, strokeColor: "#ffffff", align: "middle" },
      // Edge labels only once zoomed in far enough to read them (12 px and more: 1.5 times the whole view).
      scaling: { label: { drawThreshold: 13 } },
    },
    interaction: {
      hover: false, tooltipDelay: 200, multiselect: true, keyboard: false,
      hideEdgesOnDrag: BIG, hideEdgesOnZoom: BIG,
    },
  };

  if (usualColour) options.edges.color.color = usualColour;

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
    scheduleLabels(true);
    setTimeout(dayMarks, 0);
    if (loading) loading.remove();
    // (vis-network empties its container: the message goes in afresh)
    if (!N) emptyNote(true, "Nothing to show: no entity passes the snapshot's filters.");
  });
  api.network = network;
  api.nodes = nodes;
  api.edges = edges;
  api.data = data;

  // -- labels: the most important first, never colliding, the same size on screen at any zoom -------
  var byImportance = [];
  for (i = 0; i < N; i++) byImportance.push(i);
  byImportance.sort(function (a, b) {
    return (focusSet.has(b) - focusSet.has(a)) || (nodeRows[b].value - nodeRows[a].value) || (a - b);
  });
  var labelItems = byImportance.map(function (i) {
    var n = nodeRows[i];
    var ext = C.halfExtent(types[n.type].shape, n.size || 11);
    return { id: i, px: n.font || 13, hw: ext[0], hh: ext[1], text: n.label || n.name };
  });
  // Every node was created with font size 0: the grid knows it, so its first placement updates only the
  // labels it draws (not all N nodes: 10,000 updates cost seconds before the page answers).
  var gridState = { font: Object.create(null) };
  for (i = 0; i < N; i++) gridState.font[i] = 0;
  var gridTimer = null;
  var gridView = "";
  function placeLabels() {
    gridTimer = null;
    var sc = network.getScale();
    var c = network.getViewPosition();
    var v = sc.toFixed(5) + "," + c.x.toFixed(1) + "," + c.y.toFixed(1) + "," + $("network").clientWidth;
    if (v === gridView) return;
    gridView = v;
    api.labelled = C.labelGrid({
      network: network, dataset: nodes, items: labelItems, face: FONT, state: gridState,
      hidden: function (id) { return nodeHidden[id] === 1; },
      // A big drawing labels only what is in view, and only once zoomed in enough to tell nodes apart.
      limit: BIG ? 400 : Infinity, minScale: BIG ? 0.15 : 0,
    }).length;
    api.labelsPlaced = (api.labelsPlaced || 0) + 1;
  }
  function scheduleLabels(now) {
    if (now) { clearTimeout(gridTimer); gridView = ""; placeLabels(); return; }
    if (gridTimer === null) gridTimer = setTimeout(placeLabels, BIG ? 200 : 60);
  }
  network.on("afterDrawing", function () { scheduleLabels(false); });
  api.placeLabels = function () { scheduleLabels(true); return api.labelled; };
  api.gridState = gridState;

  // -- the block of entities tied to nothing else shown, captioned --------------------------------
  if (data.detached) {
    network.on("afterDrawing", function (ctx) {
      var sc = network.getScale();
      ctx.save();
      ctx.font = (13 / sc) + "px " + FONT;
      ctx.fillStyle = "#5f6b7a";
      ctx.textBaseline = "bottom";
      ctx.fillText("Not tied to anything else shown: " + plural(data.detached.count, "entity", "entities"),
                   data.detached.x, data.detached.y + 30);
      ctx.restore();
    });
  }

  // -- edge labels and arrowheads on big graphs: only for the relations in view, once zoomed in ------------
  // vis-network lays out every label it has on every frame, even those too small to draw;
  // 50,000 of them would cost seconds per frame (and their arrowheads most of a second).
  var posX = new Float64Array(N);
  var posY = new Float64Array(N);
  for (i = 0; i < N; i++) { posX[i] = nodeRows[i].x; posY[i] = nodeRows[i].y; }
  var labelled = new Set();
  var arrows = new Set(); // (a big drawing) the relations given their arrowhead
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
    var arrowed = new Set();
    var font = options.edges.font.size;
    var labels = font * scale >= options.edges.scaling.label.drawThreshold - 1;
    if (labels || scale >= ARROW_SCALE) {
      var box = $("network");
      var tl = network.DOMtoCanvas({ x: 0, y: 0 });
      var br = network.DOMtoCanvas({ x: box.clientWidth, y: box.clientHeight });
      for (var j = 0; j < E && arrowed.size < LABEL_LIMIT; j++) {
        if (edgeHidden[j]) continue;
        var e = edgeRows[j];
        // in view: either end, or the middle (a relation crossing the view)
        var mx = (posX[e.from] + posX[e.to]) / 2;
        var my = (posY[e.from] + posY[e.to]) / 2;
        var inMiddle = mx >= tl.x && mx <= br.x && my >= tl.y && my <= br.y;
        if (labels && inMiddle) want.add(j);
        if (inMiddle || (posX[e.to] >= tl.x && posX[e.to] <= br.x && posY[e.to] >= tl.y && posY[e.to] <= br.y)) {
          arrowed.add(j);
        }
      }
    }
    var upd = new Map();
    function change(j, key, value) {
      var u = upd.get(j);
      if (!u) upd.set(j, (u = { id: j }));
      u[key] = value;
    }
    labelled.forEach(function (j) { if (!want.has(j)) { labelled.delete(j); change(j, "label", null); } });
    want.forEach(function (j) { if (!labelled.has(j)) { labelled.add(j); change(j, "label", rels[edgeRows[j].type]); } });
    arrows.forEach(function (j) { if (!arrowed.has(j)) { arrows.delete(j); change(j, "arrows", NO_ARROW); } });
    arrowed.forEach(function (j) { if (!arrows.has(j)) { arrows.add(j); change(j, "arrows", ARROW); } });
    if (upd.size) edges.update(Array.from(upd.values()));
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

  // The same rule as graph.views.filter_graph: an entity stays when its type is on and it exists on
  // the day; a relation when both its entities stay, it holds on the day and one piece of its
  // evidence meets both grades; entities left without relations by a date or grade filter go too
  // (those that had none stay). The windows are graph.asof's, as ISO days.
  function applyFilters() {
    var day = asOf();
    var on = typeBoxes.map(function (b) { return b.checked; });
    var exists = new Uint8Array(N);
    for (var n = 0; n < N; n++) exists[n] = on[nodeType[n]] && C.holdsOn(nodeRows[n].first, nodeRows[n].last, day) ? 1 : 0;
    var credMax = credSel.value === "" ? Infinity : credRank[credSel.value];
    var reliMax = reliSel.value === "" ? Infinity : reliRank[reliSel.value];
    var narrowed = day !== null || credSel.value !== "" || reliSel.value !== "";
    var nodeUpd = [];
    var edgeUpd = [];
    var keep = new Uint8Array(N);
    var shownEdges = 0;
    var shownInferred = 0;
    for (var j = 0; j < E; j++) {
      var e = edgeRows[j];
      var ok = exists[e.from] && exists[e.to] && C.holdsOn(e.first, e.last, day) &&
        e.ev.some(function (ev) { return credRank[ev.cred] <= credMax && reliRank[sources[ev.src].reliability] <= reliMax; });
      if (ok) { keep[e.from] = 1; keep[e.to] = 1; shownEdges++; if (e.basis === "inferred") shownInferred++; }
      var h = ok ? 0 : 1;
      if (h !== edgeHidden[j]) { edgeHidden[j] = h; edgeUpd.push({ id: j, hidden: !!h }); }
    }
    var shownNodes = 0;
    for (var i = 0; i < N; i++) {
      var visible = exists[i] && (!narrowed || keep[i] || incident[i].length === 0);
      if (visible) shownNodes++;
      var hn = visible ? 0 : 1;
      if (hn !== nodeHidden[i]) { nodeHidden[i] = hn; nodeUpd.push({ id: i, hidden: !!hn }); }
    }
    lastView = "";
    if (nodeUpd.length) nodes.update(nodeUpd);
    if (edgeUpd.length) edges.update(edgeUpd);
    summarise(shownNodes, shownEdges, shownInferred);
    if (N) emptyNote(shownNodes === 0);
    notify("filtered", { day: day });
    gridView = "";
    scheduleLabels(false);
  }

  // An explicit message when the page's filters leave nothing to draw.
  function emptyNote(empty, text) {
    var note = $("nothing");
    if (!empty) { if (note) note.remove(); return; }
    if (!note) $("network").append(el("div", { class: "nothing", attrs: { id: "nothing" },
      text: text || "Nothing to show: no entity passes these filters." }));
  }

  // The heading says what is shown and, of the relations shown, how many have stated dates.
  function summarise(shownNodes, shownEdges, shownInferred) {
    var text = shownNodes === N && shownEdges === E
      ? plural(N, "entity", "entities") + " and " + plural(E, "relation") + "."
      : "Showing " + shownNodes.toLocaleString("en") + " of " + plural(N, "entity", "entities") +
        " and " + shownEdges.toLocaleString("en") + " of " + plural(E, "relation") + ".";
    $("summary").textContent = text;
    $("time").textContent = "Time: " + C.basisCount(shownEdges - shownInferred, shownInferred) + " (" +
      data.horizon.description + ")" + (chosenDay ? ", as of " + chosenDay : "") + ".";
  }
  summarise(N, E, inferredEdges);
  /** The indices of the relations shown (for tests and scripted tours). */
  api.shownEdges = function () {
    var out = [];
    for (var j = 0; j < E; j++) if (!edgeHidden[j]) out.push(j);
    return out;
  };
  api.applyFilters = applyFilters;
  // The map and the timeline (map.js, timeline.js) follow the filters and the selection through
  // these events, and read what is hidden here.
  function notify(name, detail) { document.dispatchEvent(new CustomEvent("actorgraph:" + name, { detail: detail })); }
  api.nodeHidden = nodeHidden;
  api.edgeHidden = edgeHidden;
  api.asOf = asOf;
  api.symbolOf = function (t) { return SYMBOL[t.shape] || SYMBOL.dot; };
  api.selectEdge = function (j) { selectEdge(j); };

  // -- tooltips (DOM elements, built on first hover) --------------------------------------
  function nodeTip(i) {
    var n = nodeRows[i];
    var tip = el("div", { class: "tip" }, [el("b", { text: n.name }), el("div", { text: types[n.type].type })]);
    if (n.aka) tip.append(el("div", { text: "Also known as: " + n.aka.join("; ") }));
    tip.append(el("div", { class: "note", text: plural(incident[i].length, "relation") + " \u00b7 click for details" }));
    return tip;
  }

  function edgeTitle(e) {
    return nodeRows[e.from].name + " \u2192 " + rels[e.type] + " \u2192 " + nodeRows[e.to].name;
  }

  function edgeTip(j) {
    var e = edgeRows[j];
    var tip = el("div", { class: "tip" }, [el("b", { text: edgeTitle(e) })]);
    tip.append(el("div", { text: "Credibility " + e.cred + ", reliability " + e.reli + " (the best of " +
      plural(e.ev.length, "piece") + " of evidence)" }));
    e.ev.forEach(function (ev) {
      tip.append(el("div", { class: "ev" }, [el("div", { text: "\u201c" + ev.quote + "\u201d" }),
                                             el("div", { class: "src", text: C.sourceLine(sources[ev.src], ev.cred, ev.by) })]));
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
  // The details column opens with the first choice and closes with its button.
  function openDetails() {
    C.clear(details);
    details.append(el("button", { attrs: { id: "details-close", type: "button", "aria-label": "Close the details" },
                                  text: "\u00d7", on: { click: function () {
                                    document.body.classList.remove("details-open");
                                    network.setSize("100%", "100%");
                                  } } }));
    if (!document.body.classList.contains("details-open")) {
      document.body.classList.add("details-open");
      network.setSize("100%", "100%"); // the drawing narrows now, so a focus below centres in what is left
    }
  }

  function link(text, onClick) {
    return el("button", { class: "link", text: text, attrs: { type: "button" }, on: { click: onClick } });
  }

  function morePairs(more, skip) {
    return Object.keys(more || {}).filter(function (k) { return skip.indexOf(k) < 0; })
      .map(function (k) { return [C.words(k), more[k]]; });
  }

  function showNode(i, focus) {
    notify("select", { node: i });
    var n = nodeRows[i];
    var t = types[n.type];
    var more = n.more || {};
    openDetails();
    details.append(el("h3", { text: n.name }), el("div", { class: "kind" }, [swatch(t), " " + t.type]));
    var pairs = [["id", n.id], ["names", C.namesList([n.name].concat(n.aka || []), n.rep)]]
      .concat(morePairs(more, ["description", "lat", "lon"]));
    if (more.lat !== undefined) pairs.push(["coordinates", more.lat + ", " + more.lon]);
    if (n.first || n.last) pairs.push(["exists", C.validity(n.first, n.last)]);
    details.append(C.defs(pairs));
    if (more.description) details.append(el("p", { text: more.description }));
    if (n.inferred) details.append(C.inferredNote(n.inferred));
    if (n.ev) {
      details.append(el("h2", { text: plural(n.ev.length, "piece") + " of evidence for the entity" }));
      n.ev.forEach(function (ev) { details.append(evidenceBox(ev)); });
    }
    // Outgoing relations first, then incoming, each by type and name: "LEADS \u2192 X", "MEMBER_OF \u2190 Y".
    var inc = incident[i].map(function (j) {
      var e = edgeRows[j];
      var out = e.from === i;
      return { j: j, out: out, text: rels[e.type] + (out ? " \u2192 " : " \u2190 ") + nodeRows[out ? e.to : e.from].name };
    }).sort(function (a, b) { return (b.out - a.out) || (a.text < b.text ? -1 : a.text > b.text ? 1 : 0); });
    details.append(el("h2", { text: plural(inc.length, "relation") }));
    var ul = el("ul");
    inc.slice(0, 500).forEach(function (r) {
      var j = r.j;
      ul.append(el("li", {}, [link(r.text, function () { selectEdge(j); }),
                              edgeHidden[j] ? el("span", { class: "note", text: " (hidden by filters)" }) : null]));
    });
    details.append(ul);
    if (inc.length > 500) details.append(el("p", { class: "note", text: "and " + (inc.length - 500) + " more" }));
    if (focus) {
      network.selectNodes([i]);
      if (!nodeHidden[i]) network.focus(i, { scale: Math.max(network.getScale(), 0.9), animation: BIG ? false : { duration: 300 } });
    }
  }

  function showEdge(j) {
    notify("select", { edge: j });
    var e = edgeRows[j];
    var more = e.more || {};
    openDetails();
    details.append(el("h3", {}, [link(nodeRows[e.from].name, function () { showNode(e.from, true); }),
                                 " \u2192 " + rels[e.type] + " \u2192 ",
                                 link(nodeRows[e.to].name, function () { showNode(e.to, true); })]),
                   el("div", { class: "kind", text: "Relation" + (edgeHidden[j] ? " (hidden by filters)" : "") }));
    var cited = new Set(e.ev.map(function (ev) { return ev.src; })).size;
    var stated = C.validity(more.valid_from, more.valid_to);
    details.append(C.defs([
      ["best credibility", C.gradeLabel(grades.credibility, e.cred)],
      ["best reliability", C.gradeLabel(grades.reliability, e.reli)],
      ["valid", stated && stated + " (stated)"],
      // The horizon behind an inferred window is told under the as-of slider and in the heading.
      ["holds", e.basis === "inferred" && (e.first || e.last)
        ? C.validity(e.first, e.last) + " (inferred from when it was reported)" : null],
      ["sources", C.corroboration(cited, more.originators || 1)],
    ].concat(morePairs(more, ["valid_from", "valid_to", "originators"]))));
    details.append(el("h2", { text: plural(e.ev.length, "piece") + " of evidence" }));
    e.ev.forEach(function (ev) { details.append(evidenceBox(ev)); });
  }

  // A snapshot opens offline: a source's address is shown as text, never followed.
  function evidenceBox(ev) {
    return C.evidenceBox({ quote: ev.quote, credibility: ev.cred, source: sources[ev.src], observed: ev.observed,
                           observed_stated: !!ev.observed, attribution: ev.by }, grades, false);
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

  // -- search: the one name matcher (graph.names, ported in common.js) --------------------------
  // Exact spellings first, then spelling variants (Abou Kamal, Boukamal, البوكمال for Al-Bukamal), then
  // names containing what was typed, then what the matcher only suggests.
  var keys = null;
  var matcher = null;
  var results = $("results");

  function search(query, focus) {
    var q = C.nameKey(query);
    C.clear(results);
    if (!q) { network.unselectAll(); return []; }
    if (!keys) {
      keys = new Array(N);
      for (var i = 0; i < N; i++) {
        var n = nodeRows[i];
        keys[i] = [C.nameKey(n.name), C.nameKey(n.id)].concat((n.aka || []).map(C.nameKey));
      }
      matcher = C.nameMatcher(nodeRows.map(function (n) { return { id: n.id, name: n.name, names: n.aka || [] }; }));
    }
    var ranked = matcher.candidates(query, 100);
    var exact = [], strong = [], partial = [], weak = [], how = {};
    ranked.forEach(function (c) {
      how[c.index] = c;
      if (c.reason === "alias") exact.push(c.index);
      else if (c.score >= (c.reason === "fuzzy" ? 80 : 75)) strong.push(c.index);
    });
    for (i = 0; i < N; i++) {
      if (exact.indexOf(i) < 0 && strong.indexOf(i) < 0 && q.length >= 2 &&
          keys[i].some(function (k) { return k.indexOf(q) >= 0; })) partial.push(i);
    }
    ranked.forEach(function (c) {
      if (c.score >= 30 && exact.indexOf(c.index) < 0 && strong.indexOf(c.index) < 0 && partial.indexOf(c.index) < 0) {
        weak.push(c.index);
      }
    });
    var found = exact.concat(strong, partial, weak);
    found.slice(0, 100).forEach(function (i) {
      var c = how[i];
      var as = c && c.reason !== "alias" && C.nameKey(c.matched) !== C.nameKey(nodeRows[i].name) &&
        c.matched !== nodeRows[i].id;  // the spelling that matched, when it is not the name: in <bdi>, for Arabic
      results.append(el("li", {}, [
        link(nodeRows[i].name, function () { showNode(i, true); }),
        el("span", { class: "note" }, [" " + types[nodeRows[i].type].type].concat(
          as ? [" \u00b7 as \u201c", el("bdi", { text: c.matched }), "\u201d"] : [],
          nodeHidden[i] ? [" (hidden by filters)"] : [])),
      ]));
    });
    if (!found.length) results.append(el("li", { class: "none", text: "No entity matches." }));
    else if (found.length > 100) results.append(el("li", { class: "none", text: "and " + (found.length - 100) + " more" }));
    // As graph.names.NameIndex.resolve: a unique clear best variant is taken; several close ones are all selected.
    if (!exact.length && strong.length) {
      var top = ranked[0];
      strong = [top.index].concat(ranked.slice(1).filter(function (c) {
        return (c.score > top.score - 6 && c.reason !== "fuzzy") || c.score === top.score;
      }).map(function (c) { return c.index; }));
    }
    var chosen = (exact.length ? exact : strong.length ? strong : partial).filter(function (i) { return !nodeHidden[i]; })
      .sort(function (a, b) { return a - b; });
    network.selectNodes(chosen);
    if (focus && chosen.length === 1) showNode(chosen[0], true);
    else if (focus && chosen.length > 1) network.fit({ nodes: chosen, animation: BIG ? false : { duration: 300 } });
    return found.map(function (i) { return nodeRows[i].id; });
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

  // -- on paper: the sources cited by what is shown (the print stylesheet shows the list) ---------
  sources.forEach(function (src) {
    $("print-source-list").append(el("li", { text: [src.title || src.id, src.publisher, src.published || src.retrieved,
      "reliability " + (src.reliability || "?")].filter(Boolean).join(", ") }));
  });

  // -- key players: the most important entities by the size measure; choosing one focuses it --------
  $("key-players-title").textContent = "Key players by " + data.size_by.name;
  (data.key_players || []).forEach(function (i) {
    var n = nodeRows[i];
    var a = link(C.short(n.name, 60), function () { showNode(i, true); });
    a.title = n.name;
    $("key-players").append(el("li", {}, [a, el("span", { class: "value", text: String(n.value) })]));
  });
  api.nameKey = C.nameKey;
  api.holdsOn = C.holdsOn;
})();
