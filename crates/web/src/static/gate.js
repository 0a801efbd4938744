// Airbridge gate page: check passes with or without network.
//
// The gate's expected list is kept in IndexedDB, encrypted with AES-GCM under a key derived by
// PBKDF2-SHA256 from a PIN the officer sets when loading the list. The key lives only in this
// page's memory: a reloaded page asks for the PIN again. Actions taken while the server cannot
// be reached are queued (encrypted too) with a random id and the device's time, and sent to
// /api/gate/sync when it answers again; the server settles them and raises flags.
//
// Pass codes are read exactly as crates/field/src/code.rs reads them, and hashed as it does
// (SHA-256 of "airbridge-pass:" and the canonical code), so a code is found in the list by its
// hash: the list holds no codes.
'use strict';

(() => {
  const root = document.getElementById('gate');
  if (!root) return;
  const GATE = root.dataset.gate;
  const CSRF = document.querySelector('meta[name="csrf-token"]').content;
  const ITERATIONS = 310000;
  const SYNC_EVERY_MS = 4000;
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();
  const $ = (id) => document.getElementById(id);

  // --- words --------------------------------------------------------------------------------
  const TEXTS = {};
  document.querySelectorAll('#texts dd').forEach((dd) => { TEXTS[dd.dataset.id] = dd.textContent; });
  function t(id, values) {
    let text = TEXTS[id] || id;
    for (const [name, value] of Object.entries(values || {})) {
      text = text.split('{' + name + '}').join(String(value));
    }
    return text;
  }

  // --- state --------------------------------------------------------------------------------
  let key = null; // the AES-GCM key, in memory only
  let list = null; // {gate, at, cases: [{pass, code_hash, members}]}
  let queue = []; // [{body}] actions not yet accepted by the server
  let reachable = navigator.onLine; // whether the server answered the last request
  let syncing = false;
  let current = null; // the case on screen: {entry, hash, byName}

  // --- pass codes (the rules of crates/field/src/code.rs) -----------------------------------
  const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  function symbolValue(symbol) {
    let upper = /^[a-z]$/.test(symbol) ? symbol.toUpperCase() : symbol;
    const point = symbol.codePointAt(0);
    if (upper === 'I' || upper === 'L') upper = '1';
    else if (upper === 'O') upper = '0';
    else if (point >= 0x06f0 && point <= 0x06f9) upper = String(point - 0x06f0);
    else if (point >= 0x0660 && point <= 0x0669) upper = String(point - 0x0660);
    return ALPHABET.indexOf(upper);
  }
  function parseCode(text) {
    let rest = text.trim();
    if (rest.startsWith('AIRBRIDGE:') || rest.startsWith('airbridge:')) rest = rest.slice(10);
    const symbols = Array.from(rest).filter((c) => !(c === '-' || c === ' ' || c === '\u00a0' || (c >= '\u2010' && c <= '\u2015')));
    if (symbols.length !== 11) return { error: t('gatejs.code_length', { n: symbols.length }) };
    const values = [];
    for (const symbol of symbols) {
      const value = symbolValue(symbol);
      if (value < 0) return { error: t('gatejs.code_symbol', { c: symbol }) };
      values.push(value);
    }
    let sum = 0;
    for (let i = 0; i < 10; i++) sum += (i + 1) * values[i];
    if (sum % 31 !== values[10]) return { error: t('gatejs.code_check') };
    return { code: values.map((v) => ALPHABET[v]).join('') };
  }
  async function codeHash(canonical) {
    const digest = await crypto.subtle.digest('SHA-256', encoder.encode('airbridge-pass:' + canonical));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // --- the vault: IndexedDB, every record encrypted -----------------------------------------
  function database() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open('airbridge-gate', 1);
      request.onupgradeneeded = () => request.result.createObjectStore('vault');
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function vaultGet(name) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const request = db.transaction('vault').objectStore('vault').get(GATE + '|' + name);
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }
  async function vaultPut(entries) {
    const db = await database();
    return new Promise((resolve, reject) => {
      const tx = db.transaction('vault', 'readwrite');
      for (const [name, value] of entries) {
        if (value === undefined) tx.objectStore('vault').delete(GATE + '|' + name);
        else tx.objectStore('vault').put(value, GATE + '|' + name);
      }
      tx.oncomplete = () => resolve();
      tx.onerror = () => reject(tx.error);
    });
  }
  async function deriveKey(pin, salt) {
    const material = await crypto.subtle.importKey('raw', encoder.encode(pin), 'PBKDF2', false, ['deriveKey']);
    return crypto.subtle.deriveKey(
      { name: 'PBKDF2', hash: 'SHA-256', salt, iterations: ITERATIONS },
      material,
      { name: 'AES-GCM', length: 256 },
      false,
      ['encrypt', 'decrypt'],
    );
  }
  async function seal(value) {
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const data = await crypto.subtle.encrypt(
      { name: 'AES-GCM', iv, additionalData: encoder.encode(GATE) },
      key,
      encoder.encode(JSON.stringify(value)),
    );
    return { iv, data };
  }
  async function unseal(box) {
    const plain = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: box.iv, additionalData: encoder.encode(GATE) },
      key,
      box.data,
    );
    return JSON.parse(decoder.decode(plain));
  }
  async function persist() {
    await vaultPut([['list', await seal(list)], ['queue', await seal(queue)]]);
  }

  // --- the server ---------------------------------------------------------------------------
  async function post(path, body) {
    return fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', 'x-csrf-token': CSRF },
      body: JSON.stringify(body),
    });
  }
  async function loadList() {
    try {
      const response = await fetch('/api/gate/expected?gate=' + encodeURIComponent(GATE), { credentials: 'same-origin' });
      reachable = true;
      if (!response.ok) return false;
      list = await response.json();
      markQueuedAsUsed();
      return true;
    } catch (_) {
      reachable = false;
      return false;
    } finally {
      renderStatus();
    }
  }

  // --- screens ------------------------------------------------------------------------------
  function show(section) {
    for (const id of ['pin-set', 'pin-ask', 'work']) $(id).hidden = id !== section;
  }
  function say(text, kind) {
    const box = $('message');
    box.textContent = text;
    box.hidden = !text;
    box.className = 'notice' + (kind === 'error' ? ' error' : kind === 'ok' ? ' ok' : '');
  }
  function renderStatus() {
    const waiting = queue.length;
    const parts = [reachable ? t('gatejs.online') : t('gatejs.offline')];
    parts.push(waiting === 0 ? t('gatejs.synced') : waiting === 1 ? t('gatejs.waiting_one') : t('gatejs.waiting_many', { n: waiting }));
    const net = $('net');
    net.textContent = parts.join(' · ');
    net.dataset.waiting = String(waiting);
    net.dataset.reachable = String(reachable);
    net.className = 'notice' + (reachable ? ' ok' : '');
    if (list) $('list-info').textContent = t('gatejs.list_info', { n: list.cases.length, at: list.at });
  }
  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'text') node.textContent = value;
      else node.setAttribute(name, value === true ? '' : value);
    }
    for (const child of children) if (child) node.append(child);
    return node;
  }

  // --- the list -----------------------------------------------------------------------------
  function findByHash(hash) {
    return list && list.cases.find((entry) => entry.code_hash === hash);
  }
  // Actions still queued used their pass on this phone: a second showing is refused here too.
  function markQueuedAsUsed() {
    for (const item of queue) {
      const entry = item.body.code_hash && findByHash(item.body.code_hash);
      if (entry && entry.pass.state !== 'used') {
        entry.pass.state = 'used';
        entry.pass.used_gate = GATE;
        entry.pass.used_at = new Date(item.body.at_ms).toISOString();
      }
      if (entry) applyLocally(entry, item.body);
    }
  }
  function applyLocally(entry, body) {
    const status = { admit: 'at_gate', process: 'processed', deny: 'denied' }[body.action];
    for (const member of entry.members) {
      if (body.members.includes(member.id)) member.status = status;
      const named = body.names.find(([id]) => id === member.id);
      if (named) member.name = named[1];
    }
  }
  function localRefusal(entry) {
    const pass = entry.pass;
    const now = Date.now();
    if (pass.state === 'used' && pass.used_gate && pass.used_gate !== GATE) {
      return t('gatejs.used', { gate: pass.used_gate, at: pass.used_at || '' });
    }
    if (pass.state === 'revoked') return t('gatejs.unknown');
    if (now < Date.parse(pass.valid_from)) return t('gatejs.not_yet', { from: pass.valid_from });
    if (now >= Date.parse(pass.valid_until)) return t('gatejs.expired', { until: pass.valid_until });
    return null;
  }

  // --- checking a code ----------------------------------------------------------------------
  async function checkCode(text) {
    say('');
    $('case').hidden = true;
    const parsed = parseCode(text);
    if (parsed.error) {
      say(parsed.error, 'error');
      return;
    }
    const hash = await codeHash(parsed.code);
    let entry = findByHash(hash);
    if (!entry && (await loadList())) {
      await persist();
      entry = findByHash(hash);
    }
    if (!entry) {
      say(t('gatejs.unknown'), 'error');
      probe(hash);
      return;
    }
    const refusal = localRefusal(entry);
    if (refusal) {
      say(refusal, 'error');
      probe(hash);
      return;
    }
    if (entry.pass.state === 'used') say(t('gatejs.used_here', { at: entry.pass.used_at || '' }));
    showCase(entry, hash, false);
  }

  // A code refused here is told to the server too when it answers, so that the refusal is
  // recorded (and its exact reason shown): an admission of nobody, which the server records
  // only as a refusal.
  async function probe(hash) {
    try {
      const response = await post('/api/gate/check-in', {
        code_hash: hash, op_id: crypto.randomUUID(), at_ms: Date.now(), action: 'admit',
        members: [], gate: GATE, offline: false,
      });
      reachable = true;
      const answer = await response.json().catch(() => ({}));
      if (answer.refusal && answer.message) say(answer.message, 'error');
    } catch (_) {
      reachable = false;
    }
    renderStatus();
  }

  function memberRow(member) {
    const id = 'member-' + member.id;
    const named = member.name || '';
    const who = element('div', { class: 'who' },
      element('label', { for: id, class: 'name' },
        element('bdi', { dir: 'auto', lang: /[\u0600-\u06ff]/.test(named) ? 'ps' : null, text: named || '[' + (member.placeholder || '?') + ']' })),
      member.latin ? element('div', { class: 'latin', text: member.latin }) : null,
      element('div', {},
        element('span', { text: t('relation.' + (member.relation || 'none')) }), ' · ',
        element('span', { class: 'status', 'data-status': member.status, text: t('status.' + member.status) })),
      member.father ? element('div', {}, t('gatejs.father') + ': ', element('bdi', { dir: 'auto', text: member.father })) : null,
      member.birth ? element('div', { text: t('gatejs.born') + ' ' + member.birth }) : null,
      member.documents && member.documents.length ? element('div', { text: t('gatejs.documents') + ': ' + member.documents.join(', ') }) : null,
    );
    if (!member.name) {
      who.append(element('label', { for: 'name-' + member.id, text: t('gatejs.name_here') }),
        element('input', { id: 'name-' + member.id, 'data-member': member.id, dir: 'auto', autocomplete: 'off' }));
    }
    return element('div', { class: 'member' },
      element('input', { type: 'checkbox', id, 'data-member': member.id, checked: true }), who);
  }

  function showCase(entry, hash, byName) {
    current = { entry, hash, byName };
    const pass = entry.pass;
    const card = $('case');
    card.replaceChildren(...[
      element('h2', { text: t('gatejs.case', { case: 'C' + pass.case }) + ' · ' + t('gatejs.people', { n: entry.members.length }) }),
      element('p', { text: t('gatejs.window', { from: pass.valid_from, until: pass.valid_until }) }),
      byName ? element('p', { class: 'notice', text: t('gatejs.no_pass') }) : null,
      ...entry.members.map(memberRow),
      element('div', { class: 'actions' },
        element('button', { type: 'button', class: 'admit', id: 'admit', text: t('gatejs.admit') }),
        element('button', { type: 'button', id: 'process', text: t('gatejs.process') })),
      element('label', { for: 'reason', text: t('gatejs.reason') }),
      element('textarea', { id: 'reason', rows: '2' }),
      element('button', { type: 'button', class: 'deny', id: 'deny', text: t('gatejs.deny') }),
    ].filter(Boolean));
    const first = card.hidden;
    card.hidden = false;
    $('admit').addEventListener('click', () => act('admit'));
    $('process').addEventListener('click', () => act('process'));
    $('deny').addEventListener('click', () => act('deny'));
    if (first) card.scrollIntoView({ block: 'start' });
  }

  async function act(action) {
    if (!current) return;
    const { entry, hash, byName } = current;
    const members = Array.from(document.querySelectorAll('#case input[type=checkbox]:checked'), (box) => Number(box.dataset.member));
    if (members.length === 0) return say(t('gatejs.tick'), 'error');
    const reason = $('reason').value.trim();
    if (action === 'deny' && !reason) return say(t('gatejs.reason_needed'), 'error');
    const names = Array.from(document.querySelectorAll('#case input[data-member]:not([type=checkbox])'))
      .filter((input) => input.value.trim())
      .map((input) => [Number(input.dataset.member), input.value.trim()]);
    const body = {
      code_hash: byName ? undefined : hash,
      case: byName ? entry.pass.case : undefined,
      op_id: crypto.randomUUID(),
      at_ms: Date.now(),
      action,
      members,
      reason: action === 'deny' ? reason : undefined,
      names,
      seen_versions: entry.members.map((m) => [m.id, m.version]),
      gate: GATE,
      offline: false,
    };
    say(t('gatejs.loading'));
    let response = null;
    try {
      response = await post('/api/gate/check-in', body);
      reachable = true;
    } catch (_) {
      reachable = false;
    }
    if (response === null || response.status >= 500 || response.status === 401 || response.status === 403) {
      // The server cannot take it now: keep it, and act on the phone's list.
      queue.push({ body: { ...body, offline: true } });
      markUsed(entry, body);
      await persist();
      renderStatus();
      showCase(entry, hash, byName);
      say(response && response.status < 500 ? t('gatejs.session') : t('gatejs.queued'), 'ok');
      return;
    }
    const answer = await response.json().catch(() => ({}));
    if (response.ok) {
      markUsed(entry, body);
      await persist();
      renderStatus();
      showCase(entry, hash, byName);
      const done = { admit: 'gatejs.admitted', process: 'gatejs.processed', deny: 'gatejs.denied' }[action];
      say(answer.outcome === 'duplicate' ? t('gatejs.duplicate') : t(done, { n: members.length }), 'ok');
      showFlags(answer.flags || []);
    } else if (response.status === 429) {
      say(t('gatejs.too_many', { s: answer.retry_after || 60 }), 'error');
    } else {
      say(answer.message || (answer.error && answer.error.message) || String(response.status), 'error');
    }
  }

  function markUsed(entry, body) {
    if (body.code_hash && entry.pass.state !== 'used') {
      entry.pass.state = 'used';
      entry.pass.used_gate = GATE;
      entry.pass.used_at = new Date(body.at_ms).toISOString();
    }
    applyLocally(entry, body);
  }

  function showFlags(flags) {
    if (!flags.length) return;
    const box = $('flags');
    box.hidden = false;
    box.append(element('h2', { text: t('gatejs.flags') }), element('ul', {}, ...flags.map((f) => element('li', { text: String(f) }))));
  }

  // --- sync ---------------------------------------------------------------------------------
  async function sync() {
    if (syncing || !key || queue.length === 0) return;
    syncing = true;
    try {
      const response = await post('/api/gate/sync', { events: queue.map((item) => item.body) });
      reachable = true;
      if (response.status === 401 || response.status === 403) {
        say(t('gatejs.session'), 'error');
        return;
      }
      if (!response.ok) return;
      const { results } = await response.json();
      const settled = new Set();
      const flags = [];
      for (const result of results) {
        if (result.status === 429 || result.status >= 500) continue;
        settled.add(result.op_id);
        if (result.status === 200) flags.push(...(result.flags || []));
        else say(t('gatejs.sync_problem', { message: result.message || (result.error && result.error.message) || result.status }), 'error');
      }
      queue = queue.filter((item) => !settled.has(item.body.op_id));
      await loadList();
      await persist();
      showFlags(flags);
    } catch (_) {
      reachable = false;
    } finally {
      syncing = false;
      renderStatus();
    }
  }

  // --- name search over the list ------------------------------------------------------------
  function fold(text) {
    return text.normalize('NFKD').replace(/\p{M}/gu, '').replace(/[\u064a\u0649]/g, '\u06cc')
      .replace(/\u0643/g, '\u06a9').replace(/\u0640/g, '').replace(/\u0629/g, '\u0647').toLowerCase();
  }
  function search(text) {
    const results = $('results');
    results.replaceChildren();
    const words = fold(text).split(/\s+/).filter(Boolean);
    if (!list || words.length === 0) return;
    const found = list.cases.filter((entry) => entry.members.some((member) => {
      const keys = (member.search || []).concat([member.name || '', member.latin || '']).map(fold)
        .flatMap((k) => k.split(/\s+/));
      return words.every((word) => keys.some((k) => k.startsWith(word)));
    })).slice(0, 20);
    if (found.length === 0) {
      results.append(element('p', { text: t('gatejs.no_results') }));
      return;
    }
    for (const entry of found) {
      const button = element('button', { type: 'button' },
        element('strong', { text: 'C' + entry.pass.case + ' · ' }),
        ...entry.members.flatMap((m, i) => [i ? ', ' : '', element('bdi', { dir: 'auto', text: m.name || '[' + (m.placeholder || '?') + ']' })]));
      button.addEventListener('click', () => {
        results.replaceChildren();
        say('');
        const refusal = localRefusal(entry);
        if (refusal) say(refusal, 'error');
        showCase(entry, null, true);
      });
      results.append(button);
    }
  }

  // --- the camera ---------------------------------------------------------------------------
  async function scan() {
    const video = $('camera');
    let stream = null;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const detector = new BarcodeDetector({ formats: ['qr_code'] });
      for (let tries = 0; tries < 240; tries++) {
        const codes = await detector.detect(video);
        if (codes.length) {
          $('code').value = codes[0].rawValue;
          await checkCode(codes[0].rawValue);
          return;
        }
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    } catch (_) {
      say(t('gatejs.scan_failed'), 'error');
    } finally {
      if (stream) stream.getTracks().forEach((track) => track.stop());
      video.hidden = true;
    }
  }

  // --- start --------------------------------------------------------------------------------
  async function unlocked() {
    show('work');
    renderStatus();
    $('code').focus();
    if (await loadList()) await persist();
    sync();
  }

  $('pin-set-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const pin = $('pin-new').value;
    if (pin.length < 6) return alertIn('pin-set', t('gatejs.pin_short'));
    alertIn('pin-set', t('gatejs.loading'));
    const salt = crypto.getRandomValues(new Uint8Array(16));
    key = await deriveKey(pin, salt);
    $('pin-new').value = '';
    if (!(await loadList())) {
      key = null;
      return alertIn('pin-set', t('gatejs.need_network'));
    }
    queue = [];
    await vaultPut([['salt', salt]]);
    await persist();
    alertIn('pin-set', '');
    unlocked();
  });

  $('pin-ask-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    alertIn('pin-ask', t('gatejs.loading'));
    const salt = await vaultGet('salt');
    key = await deriveKey($('pin').value, salt);
    $('pin').value = '';
    try {
      list = await unseal(await vaultGet('list'));
      const boxed = await vaultGet('queue');
      queue = boxed ? await unseal(boxed) : [];
    } catch (_) {
      key = null;
      list = null;
      return alertIn('pin-ask', t('gatejs.pin_wrong'));
    }
    alertIn('pin-ask', '');
    unlocked();
  });

  $('forget').addEventListener('click', async () => {
    if (!window.confirm(t('gatejs.forget_confirm'))) return;
    await vaultPut([['salt', undefined], ['list', undefined], ['queue', undefined]]);
    key = null;
    list = null;
    queue = [];
    show('pin-set');
  });

  function alertIn(section, text) {
    let box = document.querySelector('#' + section + ' .notice');
    if (!box) {
      box = element('p', { class: 'notice error', role: 'alert' });
      $(section).append(box);
    }
    box.textContent = text;
    box.hidden = !text;
  }

  $('code-form').addEventListener('submit', (event) => {
    event.preventDefault();
    checkCode($('code').value);
  });
  $('search').addEventListener('input', () => search($('search').value));
  $('search-form').addEventListener('submit', (event) => event.preventDefault());
  $('refresh').addEventListener('click', async () => {
    if (await loadList()) await persist();
    await sync();
  });
  if ('BarcodeDetector' in window && navigator.mediaDevices && navigator.mediaDevices.getUserMedia) {
    $('scan').hidden = false;
    $('scan').addEventListener('click', scan);
  }
  window.addEventListener('online', sync);
  window.addEventListener('offline', () => { reachable = false; renderStatus(); });
  setInterval(sync, SYNC_EVERY_MS);

  if ('serviceWorker' in navigator) {
    navigator.serviceWorker.register('/gate-sw.js', { scope: '/gate' }).catch(() => {});
  }
  vaultGet('salt').then((salt) => {
    show(salt ? 'pin-ask' : 'pin-set');
    renderStatus();
    (salt ? $('pin') : $('pin-new')).focus();
  }, () => show('pin-set'));
})();
