/* The snapshot's map: located entities over Natural Earth outlines, with Leaflet, entirely offline.
 *
 * A marker per located entity (graph.geo: its own lat/lon, or those of the place it is LOCATED_IN,
 * drawn lighter and said to be inherited), in its type's colour and symbol, clustered where dense;
 * a circle of the precision's radius (graph/schema.yaml geo_precision) around anything placed only
 * to a town, district, region or country. The popup names the entity, its type and aliases, and the
 * relations that place actors there (OCCUPIES, CONTROLS, ...) with their grades and evidence.
 * No tile server: the only layers are the outlines inlined in the page and the user's --overlay.
 *
 * Every text from the facts reaches the page as textContent: popups, tooltips and icons are DOM
 * elements (Leaflet sets a string popup or icon as HTML; an element it appends).
 *
 * Linked to the rest of the page through window.actorgraph (snapshot.js): choosing a marker shows
 * the entity in the graph and the details panel (api.showNode); an "actorgraph:select" event from
 * the graph, the search or the timeline highlights its places here; "actorgraph:filtered" (type,
 * grade and as-of filters) hides the markers of hidden entities. Built the first time the map is
 * opened (api.map.open), so the graph's first frame does not wait for it.
 */
(function () {
  "use strict";
  var C = window.actorgraphCommon;
  var G = window.actorgraphGeo; // geo_common.js: markers, circles, the world, shared with the explorer's map
  var api = window.actorgraph;
  var el = C.el;
  var data = api.data;
  var geo = data.geo;
  if (!geo || !window.L) return;
  var nodeRows = data.nodes, edgeRows = data.edges, types = data.types, rels = data.relations;
  var sources = data.sources, grades = data.grades;
  var located = geo.located; // [{n, lat, lon, p, from?}]
  var radius = {};
  geo.precision.grades.forEach(function (g) { radius[g.grade] = g.radius_m || 0; });

  // Where each located entity is, and the relations that place actors there.
  var at = new Map(); // node index -> index into located
  located.forEach(function (r, k) { at.set(r.n, k); });
  var placingTypes = new Set(geo.placing.map(function (name) { return rels.indexOf(name); }));
  var placedHere = located.map(function () { return []; }); // k -> [edge index]
  var placesOf = new Map(); // actor node index -> [k]
  edgeRows.forEach(function (e, j) {
    if (!placingTypes.has(e.type) || !at.has(e.to)) return;
    var k = at.get(e.to);
    placedHere[k].push(j);
    if (!placesOf.has(e.from)) placesOf.set(e.from, []);
    placesOf.get(e.from).push(k);
  });

  var map = null, cluster = null, circles = null, rings = null;
  var markers = new Array(located.length);
  var onMap = new Uint8Array(located.length);
  var selected = []; // located indices highlighted

  function typeOf(i) { return types[nodeRows[i].type]; }

  function icon(k) {
    var r = located[k];
    var t = typeOf(r.n);
    return G.pinIcon(t.shape, t.color, !!r.from);
  }

  function where(r) { return G.whereText(r.lat, r.lon, r.p, r.from); }

  function link(text, onClick) {
    return el("button", { class: "link", text: text, attrs: { type: "button" }, on: { click: onClick } });
  }

  // A popup is built when it opens, as DOM: the name, type, aliases and the placements with evidence.
  function popup(k) {
    var r = located[k];
    var n = nodeRows[r.n];
    var t = typeOf(r.n);
    var box = el("div", { class: "map-popup" }, [
      el("h3", {}, [link(n.name, function () { choose(r.n); })]),
      el("div", { class: "kind" }, [t.type + (n.more && n.more.kind ? " \u00b7 " + n.more.kind : "")]),
    ]);
    if (n.aka && n.aka.length) box.append(el("div", { class: "aka", text: "Also known as: " + n.aka.join("; ") }));
    box.append(el("div", { class: "where", text: where(r) }));
    var placed = placedHere[k];
    if (placed.length) {
      box.append(el("h4", { text: C.plural(placed.length, "actor") + " placed here" }));
      var ul = el("ul", { class: "placed" });
      placed.slice(0, 50).forEach(function (j) {
        var e = edgeRows[j];
        var hidden = api.edgeHidden && api.edgeHidden[j];
        var li = el("li", { class: hidden ? "hidden" : "" }, [
          link(nodeRows[e.from].name, function () { choose(e.from); }),
          " " + rels[e.type] + " ",
          el("span", { class: "grade", text: "credibility " + e.cred }),
          el("span", { class: "grade", text: "reliability " + e.reli }),
          e.more && (e.more.valid_from || e.more.valid_to) ? el("span", { class: "note", text: " " + C.validity(e.more.valid_from, e.more.valid_to) }) : null,
          hidden ? el("span", { class: "note", text: " (hidden by filters)" }) : null,
        ]);
        e.ev.slice(0, 3).forEach(function (ev) {
          li.append(el("blockquote", { text: "\u201c" + ev.quote + "\u201d" }),
                    el("div", { class: "src", text: C.sourceLine(sources[ev.src], ev.cred, ev.by) }));
        });
        li.append(link("details of this relation", function () { api.selectEdge(j); }));
        ul.append(li);
      });
      box.append(ul);
      if (placed.length > 50) box.append(el("p", { class: "note", text: "and " + (placed.length - 50) + " more" }));
    }
    return box;
  }

  // Choosing on the map chooses in the graph and the details panel (which tell the map back).
  function choose(i) { api.showNode(i, true); }

  function build() {
    var block = document.getElementById("world-data");
    map = G.newMap(document.getElementById("map"), block ? JSON.parse(block.textContent) : null);
    if (geo.overlay) overlay(geo.overlay).addTo(map);
    circles = L.layerGroup();
    rings = L.layerGroup().addTo(map);
    // Markers go in by chunks (the page stays responsive with thousands): the map is ready once all are in.
    cluster = G.newCluster(function () { api.map.ready = true; });
    var batch = [];
    located.forEach(function (r, k) {
      var t = typeOf(r.n);
      var m = L.marker([r.lat, r.lon], { icon: icon(k), title: nodeRows[r.n].name + " (" + t.type + ")", riseOnHover: true });
      m.bindPopup(function () { return popup(k); }, { maxWidth: 360, minWidth: 220, autoPanPadding: [20, 20] });
      m.on("click", function () { choose(r.n); });
      m.agIndex = k;
      markers[k] = m;
      var circle = G.precisionCircle(r.lat, r.lon, radius[r.p] || 0, t.color, !!r.from);
      if (circle) circle.addTo(circles);
      if (!(api.nodeHidden && api.nodeHidden[r.n])) { onMap[k] = 1; batch.push(m); }
    });
    cluster.addLayers(batch);
    map.addLayer(cluster);
    function precisionCircles() {
      if (map.getZoom() >= G.CIRCLES_FROM_ZOOM) map.addLayer(circles); else map.removeLayer(circles);
    }
    map.on("zoomend", precisionCircles);
    fit();
    precisionCircles();
    legend();
    if (!batch.length) api.map.ready = true;
  }

  // A user's GeoJSON (kg viz --overlay), checked when the page was written; names shown as text.
  function overlay(obj) {
    return L.geoJSON(obj, {
      style: { color: "#6a3d9a", weight: 1.5, fillOpacity: 0.04 },
      pointToLayer: function (f, latlng) { return L.circleMarker(latlng, { radius: 4, color: "#6a3d9a", weight: 1 }); },
      onEachFeature: function (f, layer) {
        var p = f.properties || {};
        var name = p.name || p.NAME || p.name_en || p.title;
        if (name !== undefined && name !== null) layer.bindTooltip(el("span", { text: String(name) }), { sticky: true });
      },
    });
  }

  function fit() {
    G.fitTo(map, located.map(function (r) { return [r.lat, r.lon]; }));
  }

  function legend() {
    var ctl = L.control({ position: "topright" });
    ctl.onAdd = function () {
      var inherited = located.filter(function (r) { return r.from; }).length;
      return el("div", { class: "map-legend" }, [
        el("div", { text: C.plural(located.length, "located entity", "located entities") +
                          (inherited ? " (" + inherited + " at the coordinates of the place they lie in)" : "") }),
        el("div", { class: "note", text: "A circle: placed only to the town, district, region or country." }),
      ]);
    };
    ctl.addTo(map);
  }

  // -- following the page ---------------------------------------------------------------------

  function followFilters() {
    if (!map) return;
    var add = [], remove = [];
    located.forEach(function (r, k) {
      var show = !(api.nodeHidden && api.nodeHidden[r.n]);
      if (show && !onMap[k]) { onMap[k] = 1; add.push(markers[k]); }
      else if (!show && onMap[k]) { onMap[k] = 0; remove.push(markers[k]); }
    });
    if (remove.length) cluster.removeLayers(remove);
    if (add.length) cluster.addLayers(add);
  }

  // The located entities a choice concerns: the entity itself, the places an actor is placed at,
  // the place a relation placing an actor points to (or the located ends of any other relation).
  function concerned(detail) {
    var out = [];
    function add(k) { if (k !== undefined && out.indexOf(k) < 0) out.push(k); }
    if (detail.node !== undefined) {
      add(at.get(detail.node));
      (placesOf.get(detail.node) || []).forEach(add);
    } else if (detail.edge !== undefined) {
      var e = edgeRows[detail.edge];
      add(at.get(e.to));
      add(at.get(e.from));
    }
    return out;
  }

  function highlight(detail) {
    selected = concerned(detail);
    if (!map) return;
    rings.clearLayers();
    selected.forEach(function (k) {
      var r = located[k];
      G.ring(r.lat, r.lon).addTo(rings);
    });
    if (!visible() || !selected.length) return;
    if (selected.length === 1 && onMap[selected[0]]) {
      var m = markers[selected[0]];
      cluster.zoomToShowLayer(m, function () { if (!m.isPopupOpen()) m.openPopup(); });
    } else {
      map.fitBounds(L.latLngBounds(selected.map(function (k) { return [located[k].lat, located[k].lon]; })).pad(0.3),
                    { maxZoom: 9 });
    }
  }

  function visible() { var v = document.getElementById("map-view"); return v && !v.hidden; }

  document.addEventListener("actorgraph:filtered", followFilters);
  document.addEventListener("actorgraph:select", function (ev) { highlight(ev.detail || {}); });

  api.map = {
    ready: false,
    located: located.length,
    /** Build the map the first time it is shown; afterwards fit it to its box again. */
    open: function () {
      if (!map) build(); else map.invalidateSize();
      if (selected.length) highlight(lastDetail());
    },
    /** Node indices of the markers on the map now (filters applied), in or out of clusters. */
    markers: function () {
      var out = [];
      located.forEach(function (r, k) { if (onMap[k]) out.push(r.n); });
      return out;
    },
    /** How many markers Leaflet's cluster layer holds (each in a cluster or on its own). */
    clustered: function () { return cluster ? cluster.getLayers().length : 0; },
    /** Node indices of the located entities the current choice highlights. */
    selected: function () { return selected.map(function (k) { return located[k].n; }); },
    /** Choose a located entity as a click on its marker does. */
    click: function (i) {
      var k = at.get(i);
      if (k === undefined) return;
      if (!map) build();
      markers[k].fire("click");
    },
    leaflet: function () { return map; },
  };
  var last = {};
  function lastDetail() { return last; }
  document.addEventListener("actorgraph:select", function (ev) { last = ev.detail || {}; });
})();
