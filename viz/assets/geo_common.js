/* What the maps and timelines of the snapshot (map.js, timeline.js) and of the explorer
 * (viz/explorer/static/map.js, timeline.js) share: how a located entity is drawn on a Leaflet map
 * (its type's symbol and colour, lighter when its coordinates are inherited, a circle of its
 * precision's radius), the world's outlines, and how a timeline's items, window and options are made.
 * One implementation of each, as window.actorgraphGeo; every text is set as text (Leaflet sets a
 * string icon or popup as HTML, vis-timeline a string item: both get DOM elements here).
 */
(function () {
  "use strict";
  var C = window.actorgraphCommon;
  var el = C.el;

  // Entity shapes (the registry's vis-network shapes) as the symbols the legends and markers show.
  var SYMBOL = { dot: "\u25CF", circle: "\u25CF", ellipse: "\u2B2C", diamond: "\u25C6", star: "\u2605",
                 square: "\u25A0", triangle: "\u25B2", triangleDown: "\u25BC", hexagon: "\u2B22",
                 box: "\u25AC", database: "\u25AE", text: "T" };
  function symbolOf(shape) { return SYMBOL[shape] || SYMBOL.dot; }

  /** A marker's icon: the type's symbol in its colour (lighter when the coordinates are inherited). */
  function pinIcon(shape, color, inherited) {
    var mark = el("span", { class: "map-symbol" + (inherited ? " inherited" : ""), text: symbolOf(shape) });
    mark.style.color = color;
    return L.divIcon({ className: "map-pin", html: mark, iconSize: [22, 22], iconAnchor: [11, 11], popupAnchor: [0, -8] });
  }

  /** The circle of a precision's radius (none for a point: radius 0), dashed when inherited. */
  function precisionCircle(lat, lon, radius, color, inherited) {
    if (!(radius > 0)) return null;
    return L.circle([lat, lon], { radius: radius, interactive: false, weight: 1, color: color, opacity: 0.6,
                                  fillOpacity: 0.08, dashArray: inherited ? "4 4" : null });
  }

  /** Where a located entity is, in words. */
  function whereText(lat, lon, precision, inheritedName) {
    var p = precision + " precision";
    return inheritedName ? "at the coordinates of " + inheritedName + " (" + p + ", inherited)"
      : lat.toFixed(3) + ", " + lon.toFixed(3) + " (" + p + ")";
  }

  /** A new map in `box` over the world's outlines (GeoJSON, or null), no tile server. */
  function newMap(box, world) {
    var map = L.map(box, { zoomSnap: 0.25, worldCopyJump: true, preferCanvas: false, minZoom: 1, maxZoom: 12 });
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution("Outlines: Natural Earth 1:110m");
    if (world) {
      L.geoJSON(world, { interactive: false,
                         style: { color: "#a3adb8", weight: 0.8, fillColor: "#f4f1ea", fillOpacity: 1 } }).addTo(map);
    }
    return map;
  }

  /** A cluster layer for markers; `onDone` once every marker given to addLayers is in. */
  function newCluster(onDone) {
    return L.markerClusterGroup({ chunkedLoading: true, showCoverageOnHover: false, maxClusterRadius: 40,
                                  spiderfyOnMaxZoom: true,
                                  chunkProgress: function (done, total) { if (done >= total && onDone) onDone(); } });
  }

  /** Fit the map to points [[lat, lon]] (room at the top right for the key), or show the world. */
  function fitTo(map, pts) {
    if (pts.length) map.fitBounds(L.latLngBounds(pts), { maxZoom: 8, paddingTopLeft: [50, 110], paddingBottomRight: [50, 40] });
    else map.setView([20, 10], 2);
  }

  /** The ring around a chosen located entity. */
  function ring(lat, lon) {
    return L.circleMarker([lat, lon], { radius: 15, color: "#1d232b", weight: 3, fill: false, interactive: false });
  }

  // Precision circles show from this zoom: below it they cover whole regions.
  var CIRCLES_FROM_ZOOM = 6;

  // -- timelines ------------------------------------------------------------------------------

  function ms(day) { return Date.parse(day + "T00:00:00Z"); }
  function endOf(day) { return ms(day) + 86400000 - 1; }

  /** An entity's item (null when undated): an event with a date only is a point, else a range
   *  (an open end drawn to `lo` / `hi`, the data's first and last days). */
  function entityItem(id, first, last, isEvent, color, lo, hi) {
    if (!first && !last) return null;
    var it = first && !last && isEvent
      ? { id: id, start: ms(first), type: "point", group: "entities", className: "tl-entity" }
      : { id: id, start: ms(first || lo || last), end: endOf(last || hi || first), type: "range", group: "entities",
          className: "tl-entity" + (!first || !last ? " open" : "") };
    it.style = "border-color: " + color + ";";
    return it;
  }

  /** A relation's item (null without a window): stated dates dark, inferred from reports light and dashed. */
  function relationItem(id, first, last, basis, lo, hi) {
    if (!first && !last) return null;
    var inferred = basis === "inferred";
    return { id: id, start: ms(first || lo || last), end: endOf(last || hi || first), type: "range",
             group: inferred ? "inferred" : "stated",
             className: (inferred ? "tl-inferred" : "tl-stated") + (!first || !last ? " open" : "") };
  }

  var GROUPS = [
    { id: "entities", content: "Events and campaigns", order: 0 },
    { id: "stated", content: "Relations, stated dates", order: 1 },
    { id: "inferred", content: "Relations, inferred from reports", order: 2 },
  ];

  /** vis-timeline's options; `content(id)`: the DOM element an item shows (never a string: HTML). */
  function timelineOptions(content, stack) {
    return {
      // No start/end: given at construction, a window makes vis-timeline lay every item out several
      // times (seconds with thousands); the caller sets the data's span after (extent).
      stack: stack, selectable: true, multiselect: true, showCurrentTime: false,
      zoomMin: 86400000 * 7, orientation: "top", verticalScroll: true, horizontalScroll: false,
      height: "100%", groupOrder: "order", margin: { item: { horizontal: 2, vertical: 3 } },
      template: function (item) { return content(String(item.id)); },
      groupTemplate: function (g) { return el("span", { text: g.content }); },
      tooltip: { followMouse: true, overflowMethod: "cap" },
    };
  }

  /** The span of the items, padded (null for none): the window a timeline opens on, not "now". */
  function extent(rows) {
    var first = Infinity, last = -Infinity;
    rows.forEach(function (it) { first = Math.min(first, it.start); last = Math.max(last, it.end || it.start); });
    if (!isFinite(first)) return null;
    var pad = Math.max((last - first) * 0.03, 86400000 * 15);
    return [first - pad, last + pad];
  }

  /** An item's label: the entity's symbol and name, or "from → RELATION → to", as text. */
  function entityLabel(shape, color, name) {
    var sym = el("span", { class: "tl-symbol", text: symbolOf(shape) });
    sym.style.color = color;
    return el("span", { class: "tl-item" }, [sym, " " + name]);
  }
  function relationLabel(fromName, rel, toName) {
    return el("span", { class: "tl-item" }, [fromName + " \u2192 " + rel + " \u2192 " + toName]);
  }

  window.actorgraphGeo = {
    SYMBOL: SYMBOL, symbolOf: symbolOf, pinIcon: pinIcon, precisionCircle: precisionCircle, whereText: whereText,
    newMap: newMap, newCluster: newCluster, fitTo: fitTo, ring: ring, CIRCLES_FROM_ZOOM: CIRCLES_FROM_ZOOM,
    ms: ms, endOf: endOf, entityItem: entityItem, relationItem: relationItem, GROUPS: GROUPS,
    timelineOptions: timelineOptions, extent: extent, entityLabel: entityLabel, relationLabel: relationLabel,
  };
})();
