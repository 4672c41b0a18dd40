// The search box: suggestions from GET /api/search as one types, picked with the mouse or the keys.

import { apiJSON, toast } from './api.js';
import { typeBadge } from './details.js';

const { el, clear } = window.actorgraphCommon;
const $ = (id) => document.getElementById(id);

/** Wire the search box; `choose(id)` puts the picked entity on the view. */
export function setupSearch(choose) {
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

  function pick(i) {
    const s = options[i];
    if (!s) return;
    closeSuggestions();
    search.value = '';
    choose(s.id);
  }

  function renderSuggestions(found, q) {
    clear(list);
    options = found;
    if (!found.length) list.append(el('li', { class: 'none', text: `No entity matches “${q}”` }));
    found.forEach((s, i) => {
      const li = el('li', { attrs: { role: 'option', id: `opt-${i}`, 'aria-selected': 'false', 'data-id': s.id } }, [
        el('span', { class: 'name', text: s.name }),
        // <bdi>: an Arabic alias keeps its quotes around it.
        s.matched ? el('span', { class: 'alias' }, ['also “', el('bdi', { text: s.matched }), '”']) : null,
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
}
