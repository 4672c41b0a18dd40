/* The snapshot's timeline (vis-timeline), its tabs and the as-of player.
 *
 * One item per dated entity and per relation with a window (graph.asof, the windows the page already
 * carries as ISO days): events as points, campaigns as ranges, relations with stated dates as dark
 * ranges and those inferred from their reports (the horizon around the observations) as light,
 * dashed ranges. An open end is drawn to the edge of the data. The window opens on the data's span,
 * not on "now". Item text is a DOM element built with textContent (vis-timeline sets a string as
 * HTML), made when the item is drawn.
 *
 * Linked like the map: choosing an item shows it in the graph and the details panel; an
 * "actorgraph:select" event selects the entity's item (or, for an undated entity, its relations'),
 * "actorgraph:filtered" hides what the filters hide and moves the as-of line.
 *
 * The tabs switch the middle of the page between graph, map and timeline; the play button steps
 * the as-of slider through its days (the same days and the same rule as kg viz --as-of: holdsOn),
 * and the graph, the map and the timeline follow it.
 */
(function () {
  "use strict";
  var C = window.actorgraphCommon;
  var G = window.actorgraphGeo; // geo_common.js: items, options and span, shared with the explorer's timeline
  var api = window.actorgraph;
  var el = C.el;
  var data = api.data;
  var nodeRows = data.nodes, edgeRows = data.edges, types = data.types, rels = data.relations;
  var days = data.days || [];
  function $(id) { return document.getElementById(id); }

  // -- items ----------------------------------------------------------------------------------
  var lo = days[0], hi = days[days.length - 1];
  var ms = G.ms;

  // Made once, after the graph's first frame (or when first needed): tens of thousands of items take a
  // tenth of a second or more that the first frame need not wait for.
  var items = null; // {id, start, end?, type, group, className}
  var itemOf = {}; // "n12" / "e40" -> item
  var BIG = false;
  function made() {
    if (items) return items;
    items = [];
    nodeRows.forEach(function (n, i) {
      var t = types[n.type];
      var it = G.entityItem("n" + i, n.first, n.last, t.type === "Event", t.color, lo, hi);
      if (!it) return;
      items.push(it);
      itemOf[it.id] = it;
    });
    edgeRows.forEach(function (e, j) {
      var it = G.relationItem("e" + j, e.first, e.last, e.basis, lo, hi);
      if (!it) return;
      items.push(it);
      itemOf[it.id] = it;
    });
    BIG = items.length > 3000;
    return items;
  }

  function content(id) {
    var k = Number(id.slice(1));
    if (id[0] === "n") {
      var n = nodeRows[k];
      var t = types[n.type];
      return G.entityLabel(t.shape, t.color, n.name);
    }
    var e = edgeRows[k];
    return G.relationLabel(nodeRows[e.from].name, rels[e.type], nodeRows[e.to].name);
  }

  function tooltip(id) {
    var k = Number(id.slice(1));
    if (id[0] === "n") {
      var n = nodeRows[k];
      return types[n.type].type + ": " + n.name + (n.aka ? " (also " + n.aka.join("; ") + ")" : "") + ", " +
        C.validity(n.first, n.last);
    }
    var e = edgeRows[k];
    return nodeRows[e.from].name + " " + rels[e.type] + " " + nodeRows[e.to].name + ": " +
      C.validity(e.first, e.last) + (e.basis === "inferred" ? " (inferred from when it was reported)" : " (stated)");
  }

  // vis-timeline draws every item in its window at once: tens of thousands of bars take many
  // seconds and no one can read them. A big timeline shows the events and campaigns, and the
  // relations of the entity (or the relation) chosen; a note says so. Stacking, which places each
  // item against the others, stays on for the small ones.
  var focus = new Set(); // in a big timeline: the relation items of the current choice
  var timeline = null, shown = null;
  var onLine = {};
  var selected = [];

  function wanted(it) { return !hiddenId(it.id) && (!BIG || it.group === "entities" || focus.has(it.id)); }

  function hiddenId(id) {
    var k = Number(id.slice(1));
    return id[0] === "n" ? api.nodeHidden && api.nodeHidden[k] : api.edgeHidden && api.edgeHidden[k];
  }

  function build() {
    made();
    var box = $("timeline");
    var groups = G.GROUPS;
    var rows = items.filter(function (it) { var w = wanted(it); onLine[it.id] = w; return w; });
    if (BIG) {
      var edgesDated = items.length - items.filter(function (it) { return it.group === "entities"; }).length;
      $("timeline-view").append(el("p", { class: "timeline-note", text: "Events and campaigns are shown; " +
        C.plural(edgesDated, "relation") + " have dates: choose an entity or a relation to see its relations here." }));
    }
    // Strings would be set as HTML: every label is an element built from text (content).
    timeline = new vis.Timeline(box, rows, groups, G.timelineOptions(content, !BIG));
    shown = timeline.itemsData;
    // The library would open on today: open on the data's span (set after construction; see above).
    var span = G.extent(rows);
    if (span) timeline.setWindow(span[0], span[1], { animation: false });
    timeline.on("select", function (p) {
      if (!p.items.length) return;
      var id = String(p.items[0]);
      if (id[0] === "n") api.showNode(Number(id.slice(1)), true); else if (id[0] === "e") api.selectEdge(Number(id.slice(1)));
    });
    timeline.on("itemover", function (p) {
      var id = String(p.item);
      if (itemOf[id]) p.event.target.title = tooltip(id);
    });
    asOfLine();
    api.timeline.ready = true;
  }

  function followFilters() {
    if (!timeline) return;
    var add = [], remove = [];
    items.forEach(function (it) {
      var show = wanted(it);
      if (show && !onLine[it.id]) { onLine[it.id] = true; add.push(it); }
      else if (!show && onLine[it.id]) { onLine[it.id] = false; remove.push(it.id); }
    });
    if (remove.length) shown.remove(remove);
    if (add.length) shown.add(add);
    asOfLine();
  }

  function asOfLine() {
    var day = api.asOf ? api.asOf() : null;
    var has = timeline.customTimes && timeline.customTimes.some(function (c) { return c.options.id === "asof"; });
    if (!day) { if (has) timeline.removeCustomTime("asof"); return; }
    if (has) timeline.setCustomTime(ms(day), "asof"); else timeline.addCustomTime(ms(day), "asof");
    timeline.setCustomTimeTitle("as of " + day, "asof");
    var w = timeline.getWindow();
    if (ms(day) < w.start.valueOf() || ms(day) > w.end.valueOf()) timeline.moveTo(ms(day), { animation: false });
  }

  function select(detail) {
    made();
    var ids = [];
    if (detail.node !== undefined) {
      if (itemOf["n" + detail.node]) ids.push("n" + detail.node);
      else {
        edgeRows.forEach(function (e, j) {
          if ((e.from === detail.node || e.to === detail.node) && itemOf["e" + j] && ids.length < 200) ids.push("e" + j);
        });
      }
    } else if (detail.edge !== undefined && itemOf["e" + detail.edge]) ids.push("e" + detail.edge);
    selected = ids;
    if (BIG) {
      focus = new Set(ids.filter(function (id) { return id[0] === "e"; }));
      if (detail.node !== undefined) {
        edgeRows.forEach(function (e, j) {
          if ((e.from === detail.node || e.to === detail.node) && itemOf["e" + j] && focus.size < 500) focus.add("e" + j);
        });
      }
      followFilters();
    }
    if (!timeline) return;
    var there = ids.filter(function (id) { return onLine[id]; });
    timeline.setSelection(there, { focus: visible() && there.length > 0, animation: false });
  }

  function visible() { var v = $("timeline-view"); return v && !v.hidden; }

  document.addEventListener("actorgraph:filtered", followFilters);
  document.addEventListener("actorgraph:select", function (ev) { select(ev.detail || {}); });

  api.timeline = {
    ready: false,
    /** How many items the timeline has (dated entities and relations), shown or not. */
    get items() { return made().length; },
    open: function () {
      if (!timeline) { build(); select(lastDetail); } else timeline.redraw();
    },
    /** The ids of the items on the timeline now ("n<node>", "e<edge>"), filters applied. */
    shown: function () { return shown ? shown.getIds().map(String) : made().filter(function (it) { return onLine[it.id] !== false; }).map(function (it) { return it.id; }); },
    /** The ids of the items the current choice selects. */
    selected: function () { return timeline ? timeline.getSelection().map(String) : selected.slice(); },
    /** Choose an item as a click does. */
    click: function (id) {
      if (!timeline) build();
      timeline.setSelection([id]);
      timeline.emit("select", { items: [id], event: null });
    },
    vis: function () { return timeline; },
    /** Every item, shown or not: {id, start, end?, type, group, className}. */
    all: function () { return made(); },
  };
  var lastDetail = {};
  document.addEventListener("actorgraph:select", function (ev) { lastDetail = ev.detail || {}; });
  function later() { if (window.requestIdleCallback) requestIdleCallback(made, { timeout: 1000 }); else setTimeout(made, 50); }
  if (api.firstFrame || !api.network) later(); else api.network.once("afterDrawing", later);

  // -- tabs -----------------------------------------------------------------------------------
  var views = { graph: $("network"), map: $("map-view"), timeline: $("timeline-view") };
  var tabs = Array.prototype.slice.call(document.querySelectorAll("#view-tabs [data-view]"));
  function show(name) {
    Object.keys(views).forEach(function (k) { if (views[k]) views[k].hidden = k !== name; });
    tabs.forEach(function (t) { t.setAttribute("aria-selected", String(t.dataset.view === name)); });
    if (name === "map" && api.map) api.map.open();
    else if (name === "timeline") api.timeline.open();
    else if (name === "graph" && api.network) api.network.redraw();
    api.view = name;
  }
  tabs.forEach(function (t) { t.addEventListener("click", function () { show(t.dataset.view); }); });
  if (api.map && !api.map.located) {
    var mapTab = document.querySelector('#view-tabs [data-view="map"]');
    if (mapTab) mapTab.title = "No entity in this snapshot has coordinates";
  }
  api.show = show;
  api.view = "graph";

  // -- play: step the as-of day through the slider's days --------------------------------------
  var play = $("asof-play");
  var playing = null;
  function stop() { clearInterval(playing); playing = null; if (play) { play.textContent = "\u25B6 Play"; play.setAttribute("aria-pressed", "false"); } }
  function step() {
    var day = api.asOf ? api.asOf() : null;
    var k = day ? C.dayIndex(days, day) + 1 : 0;
    if (k >= days.length) { stop(); return; }
    api.setAsOf(days[k]);
  }
  if (play) {
    if (!days.length) play.disabled = true;
    play.addEventListener("click", function () {
      if (playing) { stop(); return; }
      var day = api.asOf ? api.asOf() : null;
      if (!day || day >= days[days.length - 1]) api.setAsOf(days[0]);
      play.textContent = "\u23F8 Pause";
      play.setAttribute("aria-pressed", "true");
      playing = setInterval(step, Math.max(250, Math.min(900, 30000 / Math.max(days.length, 1))));
    });
  }
  api.play = { step: step, stop: stop, playing: function () { return playing !== null; } };
})();
