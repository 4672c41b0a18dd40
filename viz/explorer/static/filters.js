// The filters column: as-of day, grades (options built from the registry's scales), neighbours per
// expansion, entity and relation types. Each change updates the state; the page then rebuilds the view.

import { typeInfo } from './graph.js';
import { LIMIT, state } from './state.js';

const C = window.actorgraphCommon;
const { el, clear } = C;
const $ = (id) => document.getElementById(id);

let meta = null;
let scales = null;

function checks(container, names, selected, colorOf) {
  clear(container);
  for (const name of names) {
    const box = el('input', { attrs: { type: 'checkbox', value: name } });
    box.checked = !selected || selected.includes(name);
    const sw = colorOf ? el('span', { class: 'swatch' }) : null;
    if (sw) sw.style.background = colorOf(name);
    container.append(el('label', {}, [box, sw, el('span', { text: name })]));
  }
}

function checked(container, all) {
  const on = [...container.querySelectorAll('input:checked')].map((i) => i.value);
  return on.length === all.length ? null : on;
}

// The as-of controls show state.asof: the slider at the last of its days on or before it.
function syncDay() {
  const dates = meta.dates;
  const any = $('asof-any');
  any.checked = !state.asof;
  any.disabled = !dates.length && !state.asof;
  $('asof').disabled = any.checked || !dates.length;
  if (state.asof) $('asof').value = String(C.dayIndex(dates, state.asof));
  $('asof-date').value = state.asof || '';
  $('asof-label').textContent = state.asof || 'any date';
}

/** The controls show the state (on start, and when a link, Back or Forward changes it). */
export function syncFilters() {
  const etypes = meta.entity_types.map((t) => t.type);
  const rtypes = meta.relation_types.map((t) => t.type);
  checks($('entity-types'), etypes, state.et, (t) => typeInfo[t].color);
  checks($('relation-types'), rtypes, state.rt, null);
  syncDay();
  $('min-reliability').value = state.rel === null ? '' : String(state.rel);
  $('min-credibility').value = state.cred === null ? '' : String(state.cred);
  $('limit').value = String(state.lim);
}

/** Build the controls from /api/meta and call `changed(what)` on every change ('asof', 'grades', ...). */
export function setupFilters(info, grades, changed) {
  meta = info;
  scales = grades;
  const etypes = meta.entity_types.map((t) => t.type);
  const rtypes = meta.relation_types.map((t) => t.type);
  $('entity-types').addEventListener('change', () => { state.et = checked($('entity-types'), etypes); changed('types'); });
  $('relation-types').addEventListener('change', () => { state.rt = checked($('relation-types'), rtypes); changed('types'); });
  for (const b of document.querySelectorAll('[data-all],[data-none]')) {
    b.addEventListener('click', () => {
      const id = b.dataset.all || b.dataset.none;
      $(id).querySelectorAll('input').forEach((i) => { i.checked = !!b.dataset.all; });
      $(id).dispatchEvent(new Event('change'));
    });
  }
  // As of: the slider steps through /api/meta's days (where something starts or stops holding, and the
  // report days, marked under it: stated dates above, reports below); the date field takes any day.
  const dates = meta.dates;
  const slider = $('asof');
  const any = $('asof-any');
  const field = $('asof-date');
  slider.max = String(Math.max(dates.length - 1, 0));
  if (meta.horizon) $('asof-note').textContent = `Relations with stated dates hold between them; ${meta.horizon.description}.`;
  $('asof-min').textContent = dates[0] || '';
  $('asof-max').textContent = dates[dates.length - 1] || '';
  C.dayTicks($('asof-ticks'), dates, meta.stated_dates, meta.report_dates);
  const setDay = (day) => { state.asof = day; syncDay(); changed('asof'); };
  any.addEventListener('change', () => {
    setDay(any.checked ? null : (field.value || dates[Number(slider.value)] || null));
  });
  slider.addEventListener('input', () => { $('asof-label').textContent = dates[Number(slider.value)] || ''; });
  slider.addEventListener('change', () => setDay(dates[Number(slider.value)] || null));
  // A typed day counts once it is whole (a date field's value is "" until then).
  field.addEventListener('change', () => { if (/^\d{4}-\d{2}-\d{2}$/.test(field.value)) setDay(field.value); });
  C.lineLegend(scales.credibility, true).forEach((k) => $('lines').append(k));
  C.fillGradeSelect($('min-reliability'), scales.reliability);
  C.fillGradeSelect($('min-credibility'), scales.credibility);
  $('min-reliability').addEventListener('change', (ev) => { state.rel = C.gradeOf(scales.reliability, ev.target.value); changed('grades'); });
  $('min-credibility').addEventListener('change', (ev) => { state.cred = C.gradeOf(scales.credibility, ev.target.value); changed('grades'); });
  $('limit').addEventListener('change', (ev) => {
    const v = Math.round(Number(ev.target.value));
    state.lim = Number.isFinite(v) ? Math.min(Math.max(v, LIMIT.min), LIMIT.max) : LIMIT.normal;
    ev.target.value = String(state.lim);
    changed('limit');
  });
  syncFilters();
}
