/* actorgraph page helpers, shared by the snapshot (inlined) and the explorer (served at /vendor/common.js).
 *
 * One implementation of what both pages do: building DOM from data (text only, never markup),
 * colours, the Admiralty grades (read from the data the page is given: the registry's scales,
 * never a list written here), name keys, the as-of test and how evidence is shown.
 * A classic script: it defines window.actorgraphCommon and nothing else.
 */
(function () {
  "use strict";

  // -- DOM --------------------------------------------------------------------------------

  /** An element. opts: class, text (set as textContent), attrs, on (event listeners).
   *  children: nodes or strings (strings become text nodes); null and undefined are skipped.
   *  el("span", { class: "badge", text: name }) */
  function el(tag, opts, children) {
    var e = document.createElement(tag);
    opts = opts || {};
    if (opts.class) e.className = opts.class;
    if (opts.text !== undefined && opts.text !== null) e.textContent = String(opts.text);
    if (opts.attrs) Object.keys(opts.attrs).forEach(function (k) { e.setAttribute(k, String(opts.attrs[k])); });
    if (opts.on) Object.keys(opts.on).forEach(function (k) { e.addEventListener(k, opts.on[k]); });
    (children || []).forEach(function (c) { if (c !== null && c !== undefined) e.append(c); });
    return e;
  }

  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  /** A definition list of [term, value] pairs; empty values are left out. A value is text, a Node,
   *  a list (joined with "; ") or an object (its "key: value" pairs). */
  function defs(pairs) {
    var dl = el("dl");
    pairs.forEach(function (p) {
      var v = p[1];
      if (v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length)) return;
      var dd = el("dd");
      if (v instanceof Node) dd.append(v); else dd.textContent = plain(v);
      dl.append(el("dt", { text: p[0] }), dd);
    });
    return dl;
  }

  // -- text -------------------------------------------------------------------------------

  /** "1 relation", "3 relations", "1,204 entities" (plural("x", n, "entities")). */
  function plural(n, word, many) {
    return n.toLocaleString("en") + " " + (n === 1 ? word : many || word + "s");
  }

  /** At most n characters, an ellipsis marking the cut. */
  function short(text, n) {
    var s = String(text);
    return s.length > n ? s.slice(0, n - 1) + "\u2026" : s;
  }

  /** Any JSON value as readable text: lists joined with "; ", objects as "key: value" pairs. */
  function plain(v) {
    if (v === null || v === undefined) return "";
    if (Array.isArray(v)) return v.map(plain).join("; ");
    if (typeof v === "object") return Object.keys(v).map(function (k) { return k + ": " + plain(v[k]); }).join(", ");
    return String(v);
  }

  /** An attribute name as words: "valid_from" -> "valid from". */
  function words(key) { return String(key).replace(/_/g, " "); }

  /** An http(s) address, or null (javascript:, data: and the rest are never links). */
  function safeUrl(u) {
    try {
      var url = new URL(String(u));
      return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
    } catch (e) { return null; }
  }

  // -- colours ----------------------------------------------------------------------------

  /** "#rrggbb" lighter (amount > 0, towards white) or darker (amount < 0, towards black), as "#rrggbb";
   *  anything else comes back unchanged. shade("#808080", -0.5) === "#404040" */
  function shade(hex, amount) {
    var m = /^#([0-9a-f]{6})$/i.exec(hex || "");
    if (!m) return hex;
    var n = parseInt(m[1], 16);
    function f(c) { return Math.round(amount < 0 ? c * (1 + amount) : c + (255 - c) * amount); }
    return "#" + ((1 << 24) | (f(n >> 16) << 16) | (f((n >> 8) & 255) << 8) | f(n & 255)).toString(16).slice(1);
  }

  // -- names ------------------------------------------------------------------------------

  /** The form names are compared in, as graph.names.name_key: NFKD, case folded, letters and digits only.
   *  nameKey("Fog’ 47") === nameKey("FOG-47") === "fog47" */
  function nameKey(s) {
    return String(s).normalize("NFKD").toLowerCase()
      // full case folding where it differs from lower case
      .replace(/\u00df|\u1e9e/g, "ss").replace(/\u03c2/g, "\u03c3")
      .replace(/[^\p{L}\p{N}]/gu, "");
  }

  // -- as of ------------------------------------------------------------------------------

  /** Whether a fact whose window is [fromDay, toDay] (ISO days, either end null: open) holds on
   *  `day` (an ISO day; null: any day). The window comes from graph.asof.window_iso, never from
   *  the partial dates as written. holdsOn("2021-06-01", null, "2021-05-31") === false */
  function holdsOn(fromDay, toDay, day) {
    if (!day) return true;
    return (!fromDay || fromDay <= day) && (!toDay || day <= toDay);
  }

  /** A stated validity as text: "2021-06 to 2022", "2021-06 to …", or null when none. */
  function validity(from, to) {
    return from || to ? (from || "\u2026") + " to " + (to || "\u2026") : null;
  }

  /** How many facts a view shows by time basis (graph.asof: stated or inferred):
   *  basisCount(9, 33) === "42 facts: 9 with stated dates, 33 inferred from their reports" */
  function basisCount(stated, inferred) {
    return plural(stated + inferred, "fact") + ": " + stated.toLocaleString("en") + " with stated dates, " +
      inferred.toLocaleString("en") + " inferred from their reports";
  }

  /** The index of the last of `days` (sorted ISO days) on or before `day`; 0 when none is. */
  function dayIndex(days, day) {
    var best = 0;
    for (var i = 0; i < days.length && days[i] <= day; i++) best = i;
    return best;
  }

  /** Marks under an as-of slider: where a stated window starts or stops (dark, above) and where a report
   *  observed something (light, below: inferred windows are built around them). days: the slider's days;
   *  stated, reports: the days to mark (ISO days, among days). Fills `strip` (an element the width of
   *  the slider) and returns it. */
  function dayTicks(strip, days, stated, reports) {
    clear(strip);
    var at = Object.create(null);
    days.forEach(function (d, i) { at[d] = i; });
    var last = Math.max(days.length - 1, 1);
    function mark(list, kind, what) {
      (list || []).forEach(function (d) {
        if (!(d in at)) return;
        var t = el("span", { class: "tick " + kind, attrs: { title: what + " " + d } });
        // The range input's thumb is 16px wide: its centre travels from 8px to (width - 8px).
        t.style.left = "calc(8px + (100% - 16px) * " + (at[d] / last) + ")";
        strip.append(t);
      });
    }
    mark(stated, "stated", "stated date:");
    mark(reports, "report", "report:");
    return strip;
  }

  // -- how relations are drawn ---------------------------------------------------------------
  // Time basis by shade (stated: dark; inferred from reports: light), credibility by dashes (the worse
  // half of the scale). Where dashes cost too much to draw (thousands of them), doubtful relations take
  // a warm tint instead, still dark or light by time basis: the two never look alike.

  var LINE = { stated: "#4f5b6a", inferred: "#b4bdc9", doubtStated: "#b07a52", doubtInferred: "#e3c6ad",
               dashes: [7, 5] };

  /** {color, dashes} of a relation. inferred: its time is inferred; doubtful: C.doubtful credibility;
   *  dashed: whether this view may draw dashes. */
  function edgeLook(inferred, doubtful, dashed) {
    if (doubtful && !dashed) return { color: inferred ? LINE.doubtInferred : LINE.doubtStated, dashes: false };
    return { color: inferred ? LINE.inferred : LINE.stated, dashes: doubtful ? LINE.dashes : false };
  }

  /** A legend entry: a short line drawn as `look` ({color, dashes}), then the text. */
  function lineKey(text, look) {
    var stroke = el("span", { class: "stroke" });
    stroke.style.cssText = "display:inline-block;width:28px;margin-right:6px;vertical-align:middle;" +
      "border-top:2px " + (look.dashes ? "dashed" : "solid") + " " + look.color;
    return el("span", { class: "line-key" }, [stroke, text]);
  }

  /** The legend of relation lines: time basis, then credibility (the scale's better and worse half). */
  function lineLegend(credibility, dashed) {
    var g = gradeList(credibility);
    var half = Math.ceil(g.length / 2);
    var range = function (a, b) { return a === b ? String(a) : a + "-" + b; };
    return [
      lineKey("stated dates", edgeLook(false, false, dashed)),
      lineKey("dates inferred from reports", edgeLook(true, false, dashed)),
      lineKey(credibility.name + " " + range(g[0], g[half - 1]), edgeLook(false, false, dashed)),
      lineKey(credibility.name + " " + range(g[half], g[g.length - 1]), edgeLook(false, true, dashed)),
    ];
  }

  // -- grades -----------------------------------------------------------------------------
  // A scale is the registry's Scale.as_dict(): {name, title, description, grades: [{grade, meaning}]},
  // best grade first.

  function gradeList(scale) { return scale ? scale.grades.map(function (g) { return g.grade; }) : []; }

  /** 0 for the best grade, 1 for the next...; -1 for a grade the scale does not have. */
  function rank(scale, grade) {
    if (!scale || grade === null || grade === undefined) return -1;
    var s = String(grade);
    for (var i = 0; i < scale.grades.length; i++) if (String(scale.grades[i].grade) === s) return i;
    return -1;
  }

  /** {grade: rank} for quick tests in loops over many facts: ranks(scale)[2] === 1 for credibility. */
  function ranks(scale) {
    var out = Object.create(null);
    gradeList(scale).forEach(function (g, i) { out[String(g)] = i; });
    return out;
  }

  /** The scale's own grade for a value read from a form or an address (a string), or null. */
  function gradeOf(scale, value) {
    var i = rank(scale, value);
    return i < 0 ? null : scale.grades[i].grade;
  }

  /** Whether `grade` is as good as `threshold` or better (null threshold: any grade), as Scale.at_least. */
  function atLeast(scale, grade, threshold) {
    if (threshold === null || threshold === undefined || threshold === "") return true;
    var g = rank(scale, grade);
    return g >= 0 && g <= rank(scale, threshold);
  }

  function meaning(scale, grade) {
    var i = rank(scale, grade);
    return i < 0 ? "" : scale.grades[i].meaning;
  }

  /** The scale as a range, best to worst grade, as Scale.span. */
  function span(scale) {
    var g = gradeList(scale);
    return g.length ? g[0] + "-" + g[g.length - 1] : "";
  }

  /** "B (usually reliable)", as Scale.label; "?" when there is no grade. */
  function gradeLabel(scale, grade) {
    if (grade === null || grade === undefined || grade === "") return "?";
    var m = meaning(scale, grade);
    return grade + (m ? " (" + m + ")" : "");
  }

  /** "reliability B (usually reliable)"; "reliability ?" when there is no grade. */
  function gradeText(scale, grade) { return scale.name + " " + gradeLabel(scale, grade); }

  /** Whether a grade is in the worse half of its scale (for credibility: drawn as dashed, doubtful lines). */
  function doubtful(scale, grade) {
    return rank(scale, grade) >= Math.ceil(scale.grades.length / 2);
  }

  /** Options of an "at least" <select>: each grade with its meaning. upTo: the last grade offered
   *  (a page cut at a grade offers nothing worse); without it, "any (best-worst)" (value "") comes first and
   *  the worst grade, which keeps everything, is left out. */
  function fillGradeSelect(select, scale, upTo) {
    clear(select);
    var grades = gradeList(scale);
    var last = upTo === null || upTo === undefined ? grades.length - 2 : rank(scale, upTo);
    if (upTo === null || upTo === undefined) select.append(el("option", { text: "any (" + span(scale) + ")", attrs: { value: "" } }));
    for (var i = 0; i <= last; i++) {
      select.append(el("option", { text: grades[i] + " " + scale.grades[i].meaning, attrs: { value: String(grades[i]) } }));
    }
  }

  // -- evidence ---------------------------------------------------------------------------

  /** "publisher · author · published" of a source (who said it, when given, instead of the publisher). */
  function sourceMeta(s, attribution) {
    return [attribution || s.publisher, s.author, s.published ? s.published
      : s.retrieved ? "read " + s.retrieved : null].filter(Boolean).join(" \u00b7 ");
  }

  /** When the evidence saw the fact: "seen 2019 (the evidence says when)" when it states it, else the
   *  report's own date: "seen 2021-12 (when reported)". null when nothing is known. */
  function seenText(observed, stated) {
    if (!observed) return null;
    return "seen " + observed + (stated ? " (the evidence says when)" : " (when reported)");
  }

  /** "2 sources, 1 originator: circular reporting?" — corroboration counts originators, not reports
   *  (graph.attribution). */
  function corroboration(sources, originators) {
    if (!originators || originators < 1) originators = 1;
    var text = plural(sources, "source") + ", " + plural(originators, "originator");
    return sources > originators ? text + ": circular reporting?" : text;
  }

  /** An entity's names, each marked "reported" (a quote about it says it: viz.provenance, computed by
   *  the server or the snapshot writer) or "curator's". names: [name, ...aliases]; reported: the names
   *  a report says. */
  function namesList(names, reported) {
    var said = new Set(reported || []);
    return el("ul", { class: "names" }, names.map(function (n) {
      var rep = said.has(n);
      return el("li", {}, [el("span", { class: "name", text: n }), " ",
        el("span", { class: "provenance " + (rep ? "reported" : "curated"), text: rep ? "reported" : "curator\u2019s",
                     attrs: { title: rep ? "a quote about this entity says this name"
                                         : "no quote about this entity says this name: the curator gave it" } })]);
    }));
  }

  /** The curator's note on an identification that no report makes. */
  function inferredNote(text) {
    return el("p", { class: "inferred-note", text: "Identification inferred by the curator: " + text });
  }

  /** One line for a tooltip: "title, publisher, published — reliability B, credibility 2" (who said it, when
   *  given, instead of the publisher: "Levant, via SOHR"). */
  function sourceLine(s, credibility, attribution) {
    return [s.title || s.id, attribution || s.publisher, s.author, s.published || s.retrieved].filter(Boolean).join(", ") +
      " \u2014 reliability " + (s.reliability || "?") + ", credibility " + (credibility || "?");
  }

  /** A piece of evidence as an <article class="evidence">: source title, who said it ("Levant, according to
   *  local sources, via SOHR"), author and date, both grades with their meanings, the quote, and when it was
   *  seen (marked when the evidence states it). ev: {quote, credibility, source: {id, title, publisher,
   *  author, published, retrieved, reliability, url}, attribution?, observed?, observed_stated?};
   *  grades: {reliability, credibility} scales; links: whether an http(s) URL may be a link (otherwise it
   *  is shown as text). */
  function evidenceBox(ev, grades, links) {
    var s = ev.source || {};
    var box = el("article", { class: "evidence" });
    var url = links && s.url ? safeUrl(s.url) : null;
    var title = url
      ? el("a", { text: s.title || s.id, attrs: { target: "_blank", rel: "noopener noreferrer" } })
      : el("span", { text: s.title || s.id });
    if (url) title.href = url;
    box.append(el("div", { class: "src-title" }, [title]));
    var about = sourceMeta(s, ev.attribution);
    if (about) box.append(el("div", { class: "src-meta", text: about }));
    box.append(el("div", { class: "grades" }, [
      el("span", { class: "grade", text: gradeText(grades.reliability, s.reliability) }),
      // An entity's evidence may leave credibility out: it grades the source alone.
      ev.credibility === undefined || ev.credibility === null ? null
        : el("span", { class: "grade", text: gradeText(grades.credibility, ev.credibility) }),
    ]));
    box.append(el("blockquote", { class: "quote", text: ev.quote }));
    var seen = seenText(ev.observed || s.published || s.retrieved, !!ev.observed_stated);
    if (seen) box.append(el("div", { class: "src-seen" + (ev.observed_stated ? " stated" : ""), text: seen }));
    if (s.url && !url) box.append(el("div", { class: "src-url", text: s.url }));
    return box;
  }

  window.actorgraphCommon = {
    el: el, clear: clear, defs: defs,
    plural: plural, short: short, plain: plain, words: words, safeUrl: safeUrl,
    shade: shade, nameKey: nameKey, holdsOn: holdsOn, validity: validity, basisCount: basisCount,
    dayIndex: dayIndex, dayTicks: dayTicks, edgeLook: edgeLook, lineKey: lineKey, lineLegend: lineLegend,
    gradeList: gradeList, rank: rank, ranks: ranks, gradeOf: gradeOf, atLeast: atLeast, meaning: meaning, span: span,
    gradeLabel: gradeLabel, gradeText: gradeText, doubtful: doubtful, fillGradeSelect: fillGradeSelect,
    sourceMeta: sourceMeta, sourceLine: sourceLine, evidenceBox: evidenceBox, seenText: seenText,
    corroboration: corroboration, namesList: namesList, inferredNote: inferredNote,
  };
})();
