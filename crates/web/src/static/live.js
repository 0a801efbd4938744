// Airbridge live picture: redraws the page's tables from the server's stream of figures
// (Server-Sent Events, /api/live/stream), without reloading.
'use strict';

(() => {
  const TEXTS = {};
  document.querySelectorAll('#texts dd').forEach((dd) => { TEXTS[dd.dataset.id] = dd.textContent; });
  const t = (id) => TEXTS[id] || id;
  const STATUSES = ['registered', 'eligible', 'ineligible', 'called_forward', 'at_gate', 'processed',
    'manifested', 'boarded', 'departed', 'arrived', 'no_show', 'denied', 'withdrawn'];

  function cell(tag, text, className) {
    const node = document.createElement(tag);
    node.textContent = String(text);
    if (className) node.className = className;
    return node;
  }
  function row(...cells) {
    const tr = document.createElement('tr');
    tr.append(...cells);
    return tr;
  }

  function draw(live) {
    const counts = live.counts || [];
    const nations = Array.from(new Set(counts.map((c) => c.nation))).sort();
    const byCell = new Map();
    const byCategory = new Map();
    for (const c of counts) {
      const k = c.status + '|' + c.nation;
      byCell.set(k, (byCell.get(k) || 0) + c.people);
      byCategory.set(c.category, (byCategory.get(c.category) || 0) + c.people);
    }
    const statusTable = document.getElementById('by-status');
    const head = statusTable.tHead.rows[0];
    head.replaceChildren(head.cells[0], ...nations.map((n) => cell('th', n)));
    statusTable.tBodies[0].replaceChildren(...STATUSES
      .filter((s) => nations.some((n) => byCell.has(s + '|' + n)))
      .map((s) => row(cell('th', t('status.' + s)), ...nations.map((n) => cell('td', byCell.get(s + '|' + n) || 0, 'num')))));
    document.getElementById('by-category').tBodies[0].replaceChildren(...Array.from(byCategory.keys()).sort()
      .map((c) => row(cell('th', t('category.' + c)), cell('td', byCategory.get(c), 'num'))));
    document.getElementById('flights').tBodies[0].replaceChildren(...(live.flights || []).map((f) => {
      const progress = document.createElement('progress');
      progress.max = 100;
      progress.value = f.manifested > 0 ? Math.min(100, Math.floor(Math.max(f.boarded, f.departed) * 100 / f.manifested)) : 0;
      progress.textContent = progress.value + ' %';
      const last = document.createElement('td');
      last.append(progress);
      return row(cell('th', f.flight), cell('td', f.manifested, 'num'), cell('td', f.boarded, 'num'), cell('td', f.departed, 'num'), last);
    }));
    document.getElementById('live-state').textContent = t('livejs.as_of');
    document.getElementById('live-at').textContent = live.at || '';
  }

  const stream = new EventSource('/api/live/stream');
  stream.addEventListener('live', (event) => draw(JSON.parse(event.data)));
  stream.addEventListener('error', () => {
    document.getElementById('live-state').textContent = t('livejs.lost');
  });
})();
