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

  // The one name matcher (graph.names), ported for the pages: fold, the cross-script skeleton, the
  // phonetic key, the similarity and the scores, written to give what Python gives (tests/test_viz_browser.py
  // checks it on the variants table, tests/names_cases.py). Comments say where JavaScript needs care.
  var ARABIC = { "\u0671": "\u0627", "\u0649": "\u064a", "\u0629": "\u0647", "\u0621": "", "\u0640": "",
    "\u06cc": "\u064a", "\u06a9": "\u0643" };
  for (var d = 0; d < 10; d++) { ARABIC[String.fromCharCode(0x660 + d)] = String(d); ARABIC[String.fromCharCode(0x6f0 + d)] = String(d); }
  var ARABIC_RE = /[\u0671\u0649\u0629\u0621\u0640\u06cc\u06a9\u0660-\u0669\u06f0-\u06f9]/g;
  function arabic(s) { return s.replace(ARABIC_RE, function (c) { return ARABIC[c]; }); }
  // Python's [^\W\d_] (a letter, or a number that is no decimal digit) and \w, spelled out with \p{}.
  var ARTICLE = /(?<![\p{L}\p{Nl}\p{No}])(?:[aeui]l|([aeu])(sh|th|dh|[tdrzsn]))[-\u2010\u2011\s]+(?=[\p{L}\p{N}_])/gu;
  var LATIN_RULES = [
    [/ph/g, "f"], [/dj/g, "j"], [/ou|oo/g, "u"], [/ck|q/g, "k"], [/ei|ey|ai/g, "ay"], [/(?<=[a-z0-9])[ae]h$/, "a"],
    [/e/g, "i"], [/o/g, "u"], [/([a-z])\1+/g, "$1"], [/(?<=[aiu])h$/, ""],
  ];
  var CONSONANTS = {};
  ("\u0628b \u067eb \u062at \u062bt \u0637t \u062cj \u0686j \u062dh \u0647h \u062ek \u0643k \u0642k \u06afg \u063ag " +
   "\u062fd \u0630d \u0636d \u0631r \u0632z \u0638z \u0698z \u0633s \u0634s \u0635s \u0641f \u06a4f \u0644l \u0645m " +
   "\u0646n bb dd ff hh jj kk ll mm nn rr ss tt zz pb vf qk ck gj \u0263g").split(" ").forEach(function (p) {
    CONSONANTS[p[0]] = p.slice(1);
  });
  CONSONANTS.x = "ks";
  for (d = 0; d < 10; d++) CONSONANTS[String(d)] = String(d);
  var DIGRAPH = { s: "s", k: "k", t: "t", d: "d", g: "\u0263", c: "s", p: "f" };  // ɣ: ghayn, not jim

  function plainText(s) {
    // Python's casefold where it differs from lower case, as nameKey.
    return arabic(arabic(String(s).normalize("NFKC")).normalize("NFKD").replace(/\p{Mn}/gu, "").toLowerCase()
      .replace(/\u00df|\u1e9e/g, "ss").replace(/\u03c2/g, "\u03c3"));
  }

  function latin(w) {
    if (!/^[a-z0-9]+$/.test(w)) return w;
    LATIN_RULES.forEach(function (r) { w = w.replace(r[0], r[1]); });
    return w;
  }

  /** The words of a name as graph.names._words: folded, articles gone, transliteration evened out. */
  function nameWords(text) {
    var s = plainText(text).replace(/['\u2019\u2018\u02bf\u02be\u02bc`\u00b4]/g, "");
    s = s.replace(ARTICLE, function (m, vowel, consonant, offset, whole) {
      if (vowel === undefined) return "";
      return whole.substr(offset + m.length, consonant.length) === consonant ? "" : m;
    });
    var words = s.replace(/[^\p{L}\p{N}]+/gu, " ").split(" ").filter(Boolean);
    var out = [];
    words.forEach(function (w, i) {
      if ((w === "al" || w === "el" || w === "ul" || w === "il") && i + 1 < words.length) return;
      if (w.indexOf("\u0627\u0644") === 0 && w.length > 3) w = w.slice(2);
      out.push(latin(w));
    });
    return out;
  }

  /** graph.names.fold: fold("Abou Kamal") === "abu kamal", fold("Al-Bukamal") === "bukamal" */
  function fold(text) { return nameWords(text).join(" "); }

  function squeeze(s) { return s.replace(/(.)\1+/gu, "$1"); }
  function digraphs(w) { return w.replace(/([sktdgcp])h/g, function (m, c) { return DIGRAPH[c]; }); }
  function skeletonWord(w) {
    var out = Array.from(digraphs(w)).map(function (c) { return CONSONANTS[c] || ""; }).join("");
    return out.length > 1 && out[out.length - 1] === "h" ? out.slice(0, -1) : out;
  }

  /** graph.names.skeleton: skeleton("البوكمال") === skeleton("Abou Kamal") === "bkml" */
  function skeleton(text) { return squeeze(nameWords(text).map(skeletonWord).join("")); }

  function phoneticOf(words) {
    return squeeze(words.map(function (w) { return digraphs(w).replace(/[aeiouwy]+/g, "a"); }).join(""));
  }

  /** graph.names.match_keys, as a sorted list: ["f:bukamal", "p:bakamal", "s:bkml"] for "Al-Bukamal". */
  function matchKeys(text) {
    var words = nameWords(text);
    if (!words.length) return [];
    var keys = ["f:" + words.join(" "), "p:" + phoneticOf(words)];
    var whole = squeeze(words.map(skeletonWord).join(""));
    if (whole) keys.push("s:" + whole);
    words.forEach(function (w, i) {  // an article written onto the word (Albukamal)
      if (w.length > 4 && (w.slice(0, 2) === "al" || w.slice(0, 2) === "il") && /^[a-z0-9]+$/.test(w)) {
        var rest = words.slice(0, i).concat([w.slice(2)], words.slice(i + 1));
        var short = squeeze(rest.map(skeletonWord).join(""));
        if (short.length >= 3) keys.push("s:" + short);
      }
    });
    return Array.from(new Set(keys)).sort();
  }

  function wordSkeletons(text) {
    return Array.from(new Set(nameWords(text).map(function (w) { return squeeze(skeletonWord(w)); })))
      .filter(function (w) { return w.length >= 3; });
  }

  // rapidfuzz's ratio, token_sort_ratio and token_set_ratio (the Indel similarity, 0-100).
  function lcs(a, b) {
    a = Array.from(a); b = Array.from(b);
    var prev = new Array(b.length + 1).fill(0), cur;
    for (var i = 1; i <= a.length; i++) {
      cur = [0];
      for (var j = 1; j <= b.length; j++) cur[j] = a[i - 1] === b[j - 1] ? prev[j - 1] + 1 : Math.max(prev[j], cur[j - 1]);
      prev = cur;
    }
    return prev[b.length];
  }
  function len(s) { return Array.from(s).length; }
  function ratio(a, b) {
    var n = len(a) + len(b);
    return n ? 100 * (2 * lcs(a, b)) / n : 100;
  }
  function tokens(s) { return Array.from(new Set(s.split(/\s+/).filter(Boolean))).sort(); }
  function tokenSortRatio(a, b) { return ratio(tokens(a).join(" "), tokens(b).join(" ")); }
  function tokenSetRatio(a, b) {
    var ta = tokens(a), tb = tokens(b);
    if (!ta.length || !tb.length) return 0;
    var sect = ta.filter(function (t) { return tb.indexOf(t) >= 0; });
    var ab = ta.filter(function (t) { return sect.indexOf(t) < 0; }), ba = tb.filter(function (t) { return sect.indexOf(t) < 0; });
    if (sect.length && (!ab.length || !ba.length)) return 100;
    var abj = ab.join(" "), baj = ba.join(" "), sectLen = len(sect.join(" "));
    var sep = sectLen ? 1 : 0;
    var sectAb = sectLen + sep + len(abj), sectBa = sectLen + sep + len(baj);
    var dist = len(abj) + len(baj) - 2 * lcs(abj, baj);
    var result = sectAb + sectBa ? 100 * (1 - dist / (sectAb + sectBa)) : 0;
    if (!sectLen) return result;
    var abRatio = 100 * (1 - (sep + len(abj)) / (sectLen + sectAb));
    var baRatio = 100 * (1 - (sep + len(baj)) / (sectLen + sectBa));
    return Math.max(result, abRatio, baRatio);
  }

  /** graph.names.similarity: a is what was asked, b a known name (both folded). */
  function similarity(a, b) {
    var score = Math.max(ratio(a, b), tokenSortRatio(a, b));
    if (4 <= len(a) && len(a) <= len(b)) score = Math.max(score, 0.85 * tokenSetRatio(a, b));
    return score;
  }

  function grams(folded) {  // graph.names._grams: the trigrams of " folded ", by code point
    var p = Array.from(" " + folded + " "), out = [];
    for (var i = 0; i + 3 <= p.length; i++) out.push(p[i] + p[i + 1] + p[i + 2]);
    return Array.from(new Set(out));
  }

  function roundHalfEven(x) {  // Python's round()
    var r = Math.round(x);
    return Math.abs(x % 1) === 0.5 && r % 2 ? r - 1 : r;
  }
  function digits(folded) { return (folded.match(/\p{Nd}+/gu) || []).join(" "); }  // of the folded form, as Python

  var SCORES = { alias: 100, folded: 95, phonetic: 90, skeleton: 85 };
  var REASONS = ["alias", "folded", "phonetic", "skeleton", "fuzzy"];

  /** graph.names.NameIndex for a page: entries [{id, name, type, names: [spellings]}]. candidates(text, limit)
   *  gives what NameIndex.candidates gives ({index, id, name, matched, score, reason}), every spelling
   *  compared (a page holds few enough); [] for a name with nothing to match. */
  function nameMatcher(entries) {
    var spellings = [];  // {e: entry index, text, exact, folded, keys, words, digits, grams}
    var byExact = {}, forms = {}, gramForms = {};  // gramForms: how many distinct folded forms hold a trigram
    entries.forEach(function (entry, e) {
      var seen = {};
      [entry.name].concat(entry.names || [], [entry.id]).forEach(function (text) {
        var exact = nameKey(text);
        if (!exact || seen[exact]) return;
        seen[exact] = true;
        var s = { e: e, text: text, exact: exact, folded: fold(text), keys: matchKeys(text), words: wordSkeletons(text) };
        s.digits = digits(s.folded);
        s.grams = grams(s.folded);
        if (!forms[s.folded]) {
          forms[s.folded] = true;
          s.grams.forEach(function (g) { gramForms[g] = (gramForms[g] || 0) + 1; });
        }
        spellings.push(s);
        (byExact[exact] = byExact[exact] || []).push(s);
      });
    });
    function candidates(text, limit) {
      if (!nameWords(text).length || String(text).length > 1000) return [];
      var best = {}, asked = { keys: matchKeys(text), words: wordSkeletons(text), folded: fold(text) };
      asked.digits = digits(asked.folded);
      var mine = grams(asked.folded), need = Math.max(1, Math.floor(mine.length * 0.4));
      mine.sort(function (a, b) { return (gramForms[a] || 0) - (gramForms[b] || 0) || (a < b ? -1 : a > b ? 1 : 0); });
      asked.block = {};
      mine.slice(0, mine.length - need + 1).forEach(function (g) { asked.block[g] = true; });
      function offer(s, score, reason) {
        if (reason !== "alias" && s.digits !== asked.digits) score = Math.min(score, 60);
        var id = entries[s.e].id, old = best[s.e];
        if (!old || score > old.score || (score === old.score && old.matched === id && s.text !== id)) {
          best[s.e] = { index: s.e, id: id, name: entries[s.e].name, matched: s.text, score: score, reason: reason };
        }
      }
      (byExact[nameKey(text)] || []).forEach(function (s) { offer(s, 100, "alias"); });
      spellings.forEach(function (s) {
        asked.keys.forEach(function (k) {
          if (s.keys.indexOf(k) < 0) return;
          var reason = { f: "folded", p: "phonetic", s: "skeleton" }[k[0]];
          offer(s, SCORES[reason] - (reason === "skeleton" ? 10 * Math.max(0, 6 - k.length) : 0), reason);
        });
        var common = asked.words.filter(function (w) { return s.words.indexOf(w) >= 0; }).length;
        if (common) offer(s, roundHalfEven(70 * common / asked.words.length), "skeleton");
        // Fuzzy scores only in the block, as graph.names.NameIndex._block: forms with one of the rarest grams.
        var sim = s.grams.some(function (g) { return asked.block[g]; }) ? similarity(asked.folded, s.folded) : 0;
        if (sim >= 60) offer(s, Math.min(84, roundHalfEven(sim)), "fuzzy");
      });
      return Object.keys(best).map(function (k) { return best[k]; }).sort(function (a, b) {
        return b.score - a.score || (a.id !== text) - (b.id !== text) ||
          REASONS.indexOf(a.reason) - REASONS.indexOf(b.reason) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) ||
          (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
      }).slice(0, limit || 10);
    }
    return { candidates: candidates };
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

  // -- how entities are drawn: compact symbols, and which labels show at this zoom -------------

  // Shapes that vis-network draws with the label inside (a wide filled box that covers its neighbours)
  // are drawn as a compact rounded bar with the label beneath, like every other shape. The numbers are
  // viz/look.py's (COMPACT, COMPACT_RATIO, COMPACT_SCALE): the layout keeps room for exactly this.
  var COMPACT = { box: 1, ellipse: 1, circle: 1, database: 1, text: 1 };
  var COMPACT_RATIO = 1.6;
  var COMPACT_SCALE = 0.7;
  var symbols = Object.create(null);

  /** Half the width and height of a node of this shape and size, as drawn: halfExtent("box", 10) -> [11.2, 7]. */
  function halfExtent(shape, size) {
    return COMPACT[shape] ? [size * COMPACT_SCALE * COMPACT_RATIO, size * COMPACT_SCALE] : [size, size];
  }

  /** Half the width and height of a node as vis-network draws it, from its own options (shape, size: what
   *  nodeLook returned, so a compact symbol's size is already scaled): drawnExtent("image", 7) -> [11.2, 7]. */
  function drawnExtent(shape, size) {
    return shape === "image" ? [size * COMPACT_RATIO, size] : [size, size];
  }

  /** vis-network node options for an entity type t ({color, shape}) drawn at `size`: {shape, size, ...}. */
  function nodeLook(t, size) {
    if (!COMPACT[t.shape]) return { shape: t.shape, size: size };
    var c = /^#[0-9a-f]{6}$/i.test(t.color || "") ? t.color : "#9aa5b1";
    if (!symbols[c]) {
      var svg = '<svg xmlns="http://www.w3.org/2000/svg" width="32" height="20" viewBox="0 0 32 20">' +
        '<rect x="1" y="1" width="30" height="18" rx="6" fill="' + c + '" stroke="' + shade(c, -0.3) + '" stroke-width="2"/></svg>';
      symbols[c] = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(svg);
    }
    return { shape: "image", image: symbols[c], size: size * COMPACT_SCALE,
             shapeProperties: { useImageSize: false, useBorderWithImage: false } };
  }

  var measureCtx = null;
  /** The width in px of `text` drawn in `font` (a CSS font shorthand). */
  function textWidth(text, font) {
    if (!measureCtx) measureCtx = document.createElement("canvas").getContext("2d");
    measureCtx.font = font;
    return measureCtx.measureText(text).width;
  }

  /** Which node labels to draw at the current zoom, as sigma.js's label grid does: the most important
   *  first, each only where it collides with no label already drawn and no node's shape, at its size on
   *  screen (`px`) when zoomed in, shrinking with the drawing when zoomed out, never below minPx (11). A label left out gets font size 0 (vis-network then leaves
   *  it out of the node's bounding box too). Returns the ids labelled.
   *  opts: network, dataset (the vis.DataSet of nodes), items ([{id, px, hw, hh, text}], most important
   *  first; hw, hh: half the shape's extent in drawing units), face (font family), hidden(id), limit (most
   *  labels), minScale (below it, no label at all), bottom (px at the foot kept free: a status line over the
   *  canvas), state (an object kept between calls). */
  function labelGrid(opts) {
    var network = opts.network, items = opts.items, st = opts.state;
    st.font = st.font || Object.create(null); // id -> font size given to vis-network (0: hidden)
    st.width = st.width || Object.create(null); // id -> label width at its px
    st.widthKey = st.widthKey || Object.create(null); // id -> the px, face and text it was measured for
    var scale = network.getScale();
    var box = network.body.container;
    var W = box.clientWidth, H = box.clientHeight;
    var centre = network.getViewPosition();
    var ids = [];
    for (var i = 0; i < items.length; i++) if (!opts.hidden(items[i].id)) ids.push(items[i]);
    var pos = network.getPositions(ids.map(function (it) { return it.id; }));
    var CELL = 64;
    var cells = new Map();
    var PAD = 1;
    var hitBy = null;
    function key(cx, cy) { return cx * 100003 + cy; }
    function hits(r) {
      for (var cx = Math.floor(r[0] / CELL); cx <= Math.floor(r[2] / CELL); cx++) {
        for (var cy = Math.floor(r[1] / CELL); cy <= Math.floor(r[3] / CELL); cy++) {
          var list = cells.get(key(cx, cy));
          if (!list) continue;
          for (var k = 0; k < list.length; k++) {
            var o = list[k];
            if (o[4] !== r[4] && r[0] < o[2] && o[0] < r[2] && r[1] < o[3] && o[1] < r[3]) { hitBy = o; return true; }
          }
        }
      }
      return false;
    }
    function put(r) {
      for (var cx = Math.floor(r[0] / CELL); cx <= Math.floor(r[2] / CELL); cx++) {
        for (var cy = Math.floor(r[1] / CELL); cy <= Math.floor(r[3] / CELL); cy++) {
          var kk = key(cx, cy);
          if (!cells.has(kk)) cells.set(kk, []);
          cells.get(kk).push(r);
        }
      }
    }
    var onScreen = [];
    ids.forEach(function (it) {
      var p = pos[it.id];
      if (!p) return;
      var sx = (p.x - centre.x) * scale + W / 2, sy = (p.y - centre.y) * scale + H / 2;
      var hw = it.hw * scale, hh = it.hh * scale;
      if (sx + hw < -200 || sx - hw > W + 200 || sy + hh < -50 || sy - hh > H + 50) return;
      var shape = [sx - hw - PAD, sy - hh - PAD, sx + hw + PAD, sy + hh + PAD, it.id];
      put(shape);
      onScreen.push([it, sx, sy, hh]);
    });
    var want = Object.create(null);
    var count = 0;
    if (scale >= (opts.minScale || 0)) {
      for (var q = 0; q < onScreen.length && count < (opts.limit || Infinity); q++) {
        var it = onScreen[q][0], sx = onScreen[q][1], sy = onScreen[q][2], hh = onScreen[q][3];
        var lines = String(it.text).split("\n");
        // Measured again when the label's size or text changed (importance moves its px).
        var wk = it.px + "px " + opts.face + "\u0000" + it.text;
        if (st.widthKey[it.id] !== wk) {
          st.widthKey[it.id] = wk;
          st.width[it.id] = Math.max.apply(null, lines.map(function (t) { return textWidth(t, it.px + "px " + opts.face); }));
        }
        // vis-network's bounding box of a labelled node: the rectangle around its shape and its label.
        // Zoomed out, a label shrinks with the drawing (the layout kept room for it at 1:1), down to minPx.
        var px = Math.max(Math.min(it.px, it.px * scale), Math.min(it.px, opts.minPx || 11.1));
        var half = Math.max(st.width[it.id] * px / it.px / 2, it.hw * scale) + PAD;
        var r = [sx - half, sy - hh - PAD, sx + half, sy + hh + lines.length * px * 1.1 + 2 * PAD, it.id];
        if (r[0] < 0 || r[2] > W || r[3] > H - (opts.bottom || 0) || hits(r)) { if (st.why) st.why[it.id] = [r, hitBy]; continue; }
        put(r);
        want[it.id] = Math.round(px / scale * 1000) / 1000;
        count++;
      }
    }
    var upd = [];
    items.forEach(function (it) {
      var f = want[it.id] || 0;
      if (st.font[it.id] !== f) { st.font[it.id] = f; upd.push({ id: it.id, font: { size: f } }); }
    });
    if (upd.length) opts.dataset.update(upd);
    return Object.keys(want);
  }

  /** A colour for community k (0: the largest): ten distinct hues, then grey. */
  var COMMUNITY = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
                   "#9c755f", "#86bcb6"];
  function communityColour(k) { return k >= 0 && k < COMMUNITY.length ? COMMUNITY[k] : "#bab0ac"; }

  window.actorgraphCommon = {
    halfExtent: halfExtent, drawnExtent: drawnExtent, nodeLook: nodeLook, textWidth: textWidth, labelGrid: labelGrid,
    communityColour: communityColour, communities: COMMUNITY.length,
    el: el, clear: clear, defs: defs,
    plural: plural, short: short, plain: plain, words: words, safeUrl: safeUrl,
    shade: shade, nameKey: nameKey, fold: fold, skeleton: skeleton, matchKeys: matchKeys, similarity: similarity,
    nameMatcher: nameMatcher, holdsOn: holdsOn, validity: validity, basisCount: basisCount,
    dayIndex: dayIndex, dayTicks: dayTicks, edgeLook: edgeLook, lineKey: lineKey, lineLegend: lineLegend,
    gradeList: gradeList, rank: rank, ranks: ranks, gradeOf: gradeOf, atLeast: atLeast, meaning: meaning, span: span,
    gradeLabel: gradeLabel, gradeText: gradeText, doubtful: doubtful, fillGradeSelect: fillGradeSelect,
    sourceMeta: sourceMeta, sourceLine: sourceLine, evidenceBox: evidenceBox, seenText: seenText,
    corroboration: corroboration, namesList: namesList, inferredNote: inferredNote,
  };
})();
