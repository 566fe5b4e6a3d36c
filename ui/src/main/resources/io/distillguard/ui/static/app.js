// The analyst dashboard. Every string that can come from traffic (prompts, answers, user agents, account names,
// attributes, reasons) reaches the page through text nodes or textContent only; markup is never built from data.
// Links are built here from fixed prefixes and encoded ids, never taken from data.
'use strict';

const main = document.getElementById('main');
let session = null;
const charts = [];

// ---- DOM helpers ----

/** Creates an element; children are nodes or strings (strings become text nodes). */
function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.className = v;
    else if (k === 'text') el.textContent = String(v);
    else if (k === 'href') el.setAttribute('href', safeHref(v));
    else if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'width') el.style.width = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.appendChild(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
  return el;
}

/** Only our own routes and API downloads; anything else (javascript:, data:, other origins) is refused. */
function safeHref(v) {
  const s = String(v);
  return s.startsWith('#/') || s.startsWith('/ui/api/cases/') ? s : '#/';
}

const enc = encodeURIComponent;
const accountLink = (id) => h('a', { href: '#/accounts/' + enc(id), class: 'acct' }, id);
const clusterLink = (id) => h('a', { href: '#/clusters/' + enc(id) }, id);
const badge = (s) => h('span', { class: 'badge ' + String(s).replace(/[^a-z]/g, '') }, s);
const fmtTime = (t) => (t ? String(t).replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');
const fmtNum = (n) => (n === null || n === undefined ? '–' : Number(n).toLocaleString('en-US'));
const fmtScore = (n) => (n === null || n === undefined ? '–' : Number(n).toFixed(3));

function clear() {
  while (charts.length) charts.pop().destroy();
  main.replaceChildren();
}

function card(title, ...body) {
  return h('section', { class: 'card' }, title ? h('h2', {}, title) : null, ...body);
}

function table(headers, rows, opts = {}) {
  const thead = h('tr', {}, headers.map((x) => {
    const th = h('th', { class: (x.num ? 'num ' : '') + (x.sort ? 'sortable ' : '') + (x.sorted || '') }, x.label);
    if (x.sort) th.addEventListener('click', () => x.onSort(x.sort));
    if (x.sort) th.setAttribute('data-sort', x.sort);
    return th;
  }));
  const body = rows.length ? rows : [h('tr', {}, h('td', { colspan: headers.length, class: 'muted' },
    opts.empty || 'Nothing here.'))];
  return h('table', { id: opts.id || null }, h('thead', {}, thead), h('tbody', {}, body));
}

// ---- API ----

async function api(path, opts = {}) {
  const init = { credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (opts.body !== undefined) {
    init.method = opts.method || 'POST';
    init.headers['Content-Type'] = 'application/json';
    init.headers['X-CSRF-Token'] = session ? session.csrf : '';
    init.body = JSON.stringify(opts.body);
  }
  const r = await fetch(path, init);
  if (r.status === 401) {
    window.location.assign('/ui/login');
    throw new Error('not signed in');
  }
  const data = await r.json().catch(() => ({}));
  if (!r.ok) throw new Error((data.error && data.error.message) || ('HTTP ' + r.status));
  return data;
}

function showError(e) {
  main.appendChild(h('p', { class: 'error', role: 'alert' }, String(e.message || e)));
}

function chart(canvas, config) {
  if (!window.Chart) return;
  config.options = Object.assign({ responsive: true, maintainAspectRatio: false, animation: false }, config.options);
  charts.push(new window.Chart(canvas, config));
}

const LEVEL_COLORS = { none: '#2e7d32', watch: '#b7950b', throttle: '#d35400', degrade: '#8e44ad', block: '#c0392b' };
const STATUS_COLORS = { active: '#2e7d32', watch: '#b7950b', throttled: '#d35400', degraded: '#8e44ad',
  blocked: '#c0392b' };

// ---- pages ----

async function overview() {
  const o = await api('/ui/api/overview');
  clear();
  main.appendChild(h('h1', {}, 'Overview'));
  const t = o.totals;
  main.appendChild(h('div', { class: 'cards', id: 'kpis' },
    [['Accounts', t.accounts], ['Exchanges', t.exchanges], ['Restricted accounts', t.restricted],
      ['Open alerts', t.open_alerts], ['Clusters', t.clusters === null ? 'off' : t.clusters]].map(([k, v]) =>
      h('div', { class: 'card kpi' }, h('div', { class: 'v' }, typeof v === 'number' ? fmtNum(v) : v),
        h('div', { class: 'k' }, k)))));
  main.appendChild(h('p', { class: 'muted' }, 'Window: ' + fmtTime(o.window_start) + ' to ' + fmtTime(o.window_end)
    + ' (event time of the newest exchange), ' + (o.bucket_seconds / 60) + '-minute buckets.'));
  const traffic = h('canvas', { id: 'chart-traffic', 'aria-label': 'traffic' });
  const alerts = h('canvas', { id: 'chart-alerts', 'aria-label': 'alerts over time' });
  const levels = h('canvas', { id: 'chart-levels', 'aria-label': 'accounts by level' });
  const statuses = h('canvas', { id: 'chart-status', 'aria-label': 'accounts by status' });
  main.appendChild(h('div', { class: 'grid' },
    card('Traffic', h('div', { class: 'chart-box' }, traffic)),
    card('Alerts over time', h('div', { class: 'chart-box' }, alerts)),
    card('Accounts by risk level', h('div', { class: 'chart-box' }, levels)),
    card('Accounts by status', h('div', { class: 'chart-box' }, statuses))));
  const labels = o.traffic.map((b) => fmtTime(b.t).slice(11, 16));
  chart(traffic, { type: 'line', data: { labels, datasets: [
    { label: 'exchanges', data: o.traffic.map((b) => b.count), borderColor: '#1f4e79', pointRadius: 0 },
    { label: 'rejected by the gateway', data: o.traffic.map((b) => b.rejected), borderColor: '#c0392b',
      pointRadius: 0 }] } });
  chart(alerts, { type: 'bar', data: { labels, datasets: [
    { label: 'escalations', data: o.alerts.map((b) => b.count), backgroundColor: '#d35400' },
    { label: 'to block', data: o.alerts.map((b) => b.blocks), backgroundColor: '#c0392b' }] } });
  const lv = Object.keys(o.by_level);
  chart(levels, { type: 'doughnut', data: { labels: lv, datasets: [{ data: lv.map((k) => o.by_level[k]),
    backgroundColor: lv.map((k) => LEVEL_COLORS[k]) }] } });
  const st = Object.keys(o.by_status);
  chart(statuses, { type: 'bar', data: { labels: st, datasets: [{ label: 'accounts', data: st.map((k) =>
    o.by_status[k]), backgroundColor: st.map((k) => STATUS_COLORS[k]) }] }, options: { plugins: { legend:
    { display: false } } } });
  main.appendChild(h('div', { class: 'grid' },
    card('Highest risk', table([{ label: 'Account' }, { label: 'Name' }, { label: 'Status' },
      { label: 'Score', num: true }], o.top_accounts.map((a) => h('tr', {}, h('td', {}, accountLink(a.id)),
      h('td', {}, a.name || ''), h('td', {}, badge(a.status)), h('td', { class: 'num' }, fmtScore(a.score)))),
      { id: 'top-accounts' })),
    card('Active clusters', o.totals.clusters === null ? h('p', { class: 'muted' }, 'Linkage is off.')
      : table([{ label: 'Cluster' }, { label: 'Members', num: true }, { label: 'Level' },
        { label: 'Score', num: true }], o.clusters.map((c) => h('tr', {}, h('td', {}, clusterLink(c.id)),
        h('td', { class: 'num' }, fmtNum(c.size)), h('td', {}, badge(c.level)),
        h('td', { class: 'num' }, fmtScore(c.score)))), { empty: 'No clusters yet.' }))));
}

async function accounts(query) {
  const q = new URLSearchParams(query);
  if (!q.get('sort')) q.set('sort', 'score');
  if (!q.get('dir')) q.set('dir', 'desc');
  const data = await api('/ui/api/accounts?' + q.toString());
  clear();
  main.appendChild(h('h1', {}, 'Accounts'));
  const go = (changes) => {
    const n = new URLSearchParams(q);
    for (const [k, v] of Object.entries(changes)) { if (v === '' || v === null) n.delete(k); else n.set(k, v); }
    window.location.hash = '#/accounts?' + n.toString();
  };
  const select = (name, options) => {
    const s = h('select', { name, id: 'filter-' + name }, h('option', { value: '' }, 'any'),
      options.map((o) => h('option', { value: o }, o)));
    s.value = q.get(name) || '';
    return h('label', {}, name, s);
  };
  const search = h('input', { type: 'search', name: 'q', id: 'filter-q', placeholder: 'id or name' });
  search.value = q.get('q') || '';
  const form = h('form', { class: 'filters', id: 'account-filters' },
    h('label', {}, 'search', search),
    select('status', ['active', 'watch', 'throttled', 'degraded', 'blocked']),
    select('level', ['none', 'watch', 'throttle', 'degrade', 'block']),
    select('tier', data.facets.tiers || []),
    select('country', data.facets.countries || []),
    select('cluster', ['any', 'none', ...(data.facets.clusters || [])]),
    h('button', { type: 'submit' }, 'Apply'));
  form.addEventListener('submit', (ev) => {
    ev.preventDefault();
    const f = new FormData(form);
    go({ q: f.get('q'), status: f.get('status'), level: f.get('level'), tier: f.get('tier'),
      country: f.get('country'), cluster: f.get('cluster'), page: '1' });
  });
  main.appendChild(form);
  const sortBy = (key) => go({ sort: key, dir: q.get('sort') === key && q.get('dir') === 'desc' ? 'asc' : 'desc',
    page: '1' });
  const col = (label, sort, num) => ({ label, sort, num, onSort: sortBy,
    sorted: q.get('sort') === sort ? 'sorted-' + q.get('dir') : '' });
  main.appendChild(table([col('Account', 'id'), col('Name', 'name'), col('Status', 'status'),
    { label: 'Level' }, col('Score', 'score', true), col('Tier', 'tier'), col('Country', 'country'),
    { label: 'Cluster' }, col('Exchanges', 'exchanges', true), col('Last seen', 'last_seen')],
  data.data.map((a) => h('tr', { 'data-account': a.id }, h('td', {}, accountLink(a.id)), h('td', {}, a.name || ''),
    h('td', {}, badge(a.status)), h('td', {}, badge(a.level)), h('td', { class: 'num' }, fmtScore(a.score)),
    h('td', {}, a.tier), h('td', {}, a.country || ''), h('td', {}, a.cluster_id ? clusterLink(a.cluster_id) : ''),
    h('td', { class: 'num' }, fmtNum(a.exchanges)), h('td', {}, fmtTime(a.last_seen)))),
  { id: 'accounts-table', empty: 'No account matches.' }));
  const page = data.page;
  main.appendChild(h('div', { class: 'pager' },
    h('button', { class: 'secondary', id: 'page-prev', disabled: page <= 1, onclick: () => go({ page: page - 1 }) },
      '‹ Previous'),
    h('span', { id: 'page-info' }, 'Page ' + page + ' of ' + data.pages + ' · ' + fmtNum(data.total) + ' accounts'),
    h('button', { class: 'secondary', id: 'page-next', disabled: page >= data.pages,
      onclick: () => go({ page: page + 1 }) }, 'Next ›')));
}

async function account(id) {
  const a = await api('/ui/api/accounts/' + enc(id));
  clear();
  const acc = a.account;
  main.appendChild(h('h1', { id: 'account-title' }, 'Account ', h('span', { class: 'mono' }, acc.id), ' ',
    badge(acc.status)));
  main.appendChild(h('p', { class: 'muted' }, 'Name: ', h('span', { id: 'account-name' }, acc.name || '–'),
    ' · tier ' + acc.tier + ' · created ' + fmtTime(acc.created_at),
    acc.cluster_id ? h('span', {}, ' · cluster ', clusterLink(acc.cluster_id)) : ''));
  const attrs = Object.entries(acc.attributes || {});
  if (attrs.length) {
    main.appendChild(h('p', { class: 'muted', id: 'account-attributes' }, 'Attributes: ',
      attrs.map(([k, v], i) => h('span', {}, (i ? '; ' : '') + k + '=' + v))));
  }
  // Actions: status override and case file.
  const status = h('select', { id: 'status-select' }, ['active', 'watch', 'throttled', 'degraded', 'blocked']
    .map((s) => h('option', { value: s }, s)));
  status.value = acc.status;
  const reason = h('input', { id: 'status-reason', placeholder: 'reason (goes into the audit log)', size: 40 });
  const msg = h('span', { id: 'action-message', class: 'muted', role: 'status' });
  const setBtn = h('button', { id: 'status-apply', onclick: async () => {
    try {
      await api('/ui/api/admin/v1/accounts/' + enc(acc.id) + '/status', { body: { status: status.value,
        reason: reason.value } });
      msg.textContent = 'Status set to ' + status.value + '.';
      await account(id);
    } catch (e) { msg.textContent = e.message; }
  } }, 'Set status');
  const caseBtn = h('button', { id: 'export-case', class: 'secondary', onclick: () => exportCase({ account: acc.id },
    caseBox) }, 'Export case file');
  const caseBox = h('div', { id: 'case-result' });
  main.appendChild(card('Actions', h('div', { class: 'actions' }, status, reason, setBtn, caseBtn, msg), caseBox));

  const r = a.risk;
  const maxC = Math.max(0.001, ...r.reasons.map((x) => x.contribution));
  main.appendChild(h('div', { class: 'grid' },
    card('Risk', h('div', { class: 'row' }, h('span', { class: 'kpi' }, h('span', { class: 'v', id: 'risk-score' },
      fmtScore(r.score))), badge(r.level), h('span', { class: 'muted' }, fmtNum(r.evidence) + ' exchanges scored ('
      + r.source + ')')),
    table([{ label: 'Signal' }, { label: 'Value', num: true }, { label: 'Contribution', num: true }, { label: '' },
      { label: 'Why' }], r.reasons.map((x) => h('tr', {}, h('td', {}, x.signal), h('td', { class: 'num' },
      fmtScore(x.value)), h('td', { class: 'num' }, fmtScore(x.contribution)),
    h('td', {}, h('div', { class: 'bar', width: Math.round(100 * Math.max(0, x.contribution) / maxC) + 'px' })),
    h('td', {}, x.explanation))), { id: 'reasons', empty: 'No reasons yet.' })),
    card('Risk score over time', h('div', { class: 'chart-box' }, h('canvas', { id: 'chart-history' })),
      h('p', { class: 'muted' }, a.history.length + ' points (one per material change), event time.'))));
  const hist = document.getElementById('chart-history');
  const th = a.thresholds || {};
  chart(hist, { type: 'line', data: { labels: a.history.map((p) => fmtTime(p.t).slice(5, 16)), datasets: [
    { label: 'score', data: a.history.map((p) => p.score), borderColor: '#1f4e79', pointRadius: 1, stepped: true },
    ...Object.keys(th).map((k) => ({ label: k, data: a.history.map(() => th[k]), borderColor: LEVEL_COLORS[k],
      borderDash: [4, 4], pointRadius: 0, borderWidth: 1 }))] },
  options: { scales: { y: { min: 0, max: 1 } } } });

  const c = a.counts;
  main.appendChild(card('Traffic', h('p', {}, fmtNum(c.exchanges) + ' exchanges (' + fmtNum(c.rejected)
    + ' rejected), ' + fmtNum(c.prompt_tokens) + ' prompt and ' + fmtNum(c.completion_tokens)
    + ' completion tokens; first ' + fmtTime(c.first_seen) + ', last ' + fmtTime(c.last_seen) + '.')));
  main.appendChild(card('Top prompt templates (numbers and quotes replaced; ' + a.templates_window
    + ' most recent exchanges)', table([{ label: 'Count', num: true }, { label: 'Template' }, { label: 'Example' }],
    a.templates.map((t) => h('tr', {}, h('td', { class: 'num' }, fmtNum(t.count)), h('td', {},
      h('pre', { class: 'text' }, t.shape)), h('td', {}, h('pre', { class: 'text' }, t.example)))),
    { id: 'templates' })));
  main.appendChild(card('Sample exchanges (newest first)', h('div', { id: 'samples' }, a.samples.map((e) =>
    h('div', { class: 'card sample' }, h('p', { class: 'muted' }, fmtTime(e.t) + ' · ' + e.endpoint + ' · '
      + (e.model || '') + ' · HTTP ' + e.status + ' · ' + (e.client_ip || '') + ' · UA: ',
    h('span', { class: 'ua' }, e.user_agent || '')),
    h('pre', { class: 'text prompt' }, e.prompt || ''), h('pre', { class: 'text response' }, e.response || ''))))));
  main.appendChild(h('div', { class: 'grid' },
    card('Timeline of actions', h('ul', { class: 'timeline', id: 'timeline' }, a.timeline.map((t) => h('li', {},
      h('span', { class: 'muted' }, fmtTime(t.t) + ' '), h('b', {}, t.action), ' by ' + t.actor,
      t.details ? h('div', { class: 'muted' }, Object.entries(t.details).map(([k, v]) => k + '=' + v).join('; '))
        : null)))),
    card('Linked accounts', linked(a.linked)),
    card('Watermark probe results', probes(a.probes)),
    card('Case files', caseList(a.cases))));
}

function probes(list) {
  if (!list || !list.length) {
    return h('p', { class: 'muted', id: 'probes' }, 'No probe result names this account (probe outputs are read '
      + 'from the data directory\'s probes/ folder).');
  }
  return h('div', { id: 'probes' }, list.map((p) => h('div', {}, h('p', {}, h('b', {}, p.title), ' · '
    + fmtTime(p.generated_at)), h('p', { class: 'verdict' }, p.verdict),
  table([{ label: 'Key' }, { label: 'Events', num: true }, { label: 'Hits', num: true }, { label: 'z', num: true },
    { label: 'log10 p (adjusted)', num: true }], (p.matching_keys || []).map((k) => h('tr', {}, h('td', {}, k.key),
    h('td', { class: 'num' }, fmtNum(k.events)), h('td', { class: 'num' }, fmtNum(k.hits)),
    h('td', { class: 'num' }, fmtScore(k.z)), h('td', { class: 'num' }, fmtScore(k.log10_p_adjusted))))))));
}

function linked(l) {
  const parts = [];
  if (l.cluster_id) {
    parts.push(h('p', {}, 'Cluster ', clusterLink(l.cluster_id), ' (' + (l.cluster_size || '?') + ' members, level ',
      badge(l.cluster_level || '?'), ')'));
    parts.push(h('p', {}, l.cluster_members.map((m, i) => h('span', {}, i ? ', ' : '', accountLink(m)))));
  } else {
    parts.push(h('p', { class: 'muted' }, 'Not in a cluster.'));
  }
  for (const s of l.shared) {
    parts.push(h('p', {}, 'Same ' + s.attribute + ' (', h('span', { class: 'mono' }, s.value), '): ',
      s.accounts.map((m, i) => h('span', {}, i ? ', ' : '', accountLink(m)))));
  }
  return h('div', { id: 'linked' }, parts);
}

function caseList(cases) {
  return h('ul', { id: 'case-list' }, cases.length ? cases.map((c) => h('li', {}, fmtTime(c.created_at) + ' by '
    + c.actor + ' · ', h('a', { href: c.files['bundle.zip'], download: '' }, 'bundle'), ' · ',
  h('a', { href: c.files['case.pdf'], download: '' }, 'PDF'), ' · ', h('a', { href: c.files['case.json'],
    download: '' }, 'JSON'), h('div', { class: 'muted mono' }, 'sha256 ' + c.sha256 + ' · audit #' + c.audit_seq)))
    : [h('li', { class: 'muted' }, 'None yet.')]);
}

async function exportCase(subject, box) {
  box.replaceChildren(h('p', { class: 'muted' }, 'Writing the case file…'));
  try {
    const c = await api('/ui/api/cases', { body: subject });
    box.replaceChildren(h('div', { class: 'notice', id: 'case-written' }, 'Case file ', h('b', {}, c.id),
      ' written; bundle hash ', h('span', { class: 'mono', id: 'case-hash' }, c.sha256), ' recorded in the audit log (#'
      + c.audit_seq + '). ', h('a', { href: c.files['bundle.zip'], download: '', id: 'case-zip' }, 'Download bundle'),
      ' · ', h('a', { href: c.files['case.pdf'], download: '', id: 'case-pdf' }, 'PDF'), ' · ',
      h('a', { href: c.files['case.json'], download: '' }, 'JSON')));
  } catch (e) {
    box.replaceChildren(h('p', { class: 'error' }, e.message));
  }
}

async function alerts(query) {
  const q = new URLSearchParams(query);
  const state = q.get('state') || 'open';
  const data = await api('/ui/api/alerts?state=' + enc(state));
  clear();
  main.appendChild(h('h1', {}, 'Review queue'));
  main.appendChild(h('p', {}, h('a', { href: '#/alerts?state=open' }, 'Open (' + data.open_count + ')'), ' · ',
    h('a', { href: '#/alerts?state=all' }, 'All alerts'), h('span', { class: 'muted' },
      ' — approve keeps the automatic action, revert restores the status before it, escalate goes one step '
      + 'further; every decision is audited.')));
  const rows = data.data.map((a) => {
    const note = h('input', { class: 'note', placeholder: 'note', size: 18 });
    const out = h('span', { class: 'muted', role: 'status' });
    const act = (decision) => async () => {
      try {
        const r = await api('/ui/api/alerts/' + a.id + '/review', { body: { decision, note: note.value } });
        out.textContent = decision + ' recorded; account now ' + r.account_status;
        await alerts(query);
      } catch (e) { out.textContent = e.message; }
    };
    return h('tr', { 'data-alert': a.id }, h('td', { class: 'num' }, '#' + a.id), h('td', {}, accountLink(a.account_id)),
      h('td', {}, fmtTime(a.at)), h('td', {}, badge(a.from), ' → ', badge(a.to)),
      h('td', { class: 'num' }, fmtScore(a.score)),
      h('td', {}, a.reasons.slice(0, 2).map((r) => h('div', {}, h('b', {}, r.signal + ': '), r.explanation))),
      h('td', {}, badge(a.account_status || '?'), ' ', h('span', { class: 'state' }, a.state)),
      h('td', {}, h('div', { class: 'actions' },
        h('button', { class: 'secondary', 'data-action': 'approve', onclick: act('approve') }, 'Approve'),
        h('button', { class: 'secondary', 'data-action': 'revert', onclick: act('revert') }, 'Revert'),
        h('button', { class: 'danger', 'data-action': 'escalate', onclick: act('escalate') }, 'Escalate'),
        note, h('button', { class: 'secondary', 'data-action': 'annotate', onclick: act('annotate') }, 'Annotate'),
        out)));
  });
  main.appendChild(table([{ label: 'Alert', num: true }, { label: 'Account' }, { label: 'At' },
    { label: 'Escalation' }, { label: 'Score', num: true }, { label: 'Top reasons' }, { label: 'Now' },
    { label: 'Decision' }], rows, { id: 'alerts-table', empty: 'The queue is empty.' }));
}

async function clusters() {
  clear();
  main.appendChild(h('h1', {}, 'Clusters'));
  if (!session.linkage) {
    main.appendChild(h('p', { class: 'muted' }, 'Cross-account linkage is off in this gateway.'));
    return;
  }
  const data = await api('/ui/api/admin/v1/clusters?limit=200');
  main.appendChild(table([{ label: 'Cluster' }, { label: 'Members', num: true }, { label: 'Level' },
    { label: 'Score', num: true }, { label: 'Formed' }, { label: 'Top reasons' }],
  (data.data || []).map((c) => h('tr', {}, h('td', {}, clusterLink(c.id)), h('td', { class: 'num' }, fmtNum(c.size)),
    h('td', {}, badge(c.level), c.ruled ? ' (ruled)' : ''), h('td', { class: 'num' }, fmtScore(c.score)),
    h('td', {}, fmtTime(c.formed_at)), h('td', {}, (c.top_reasons || []).map((r) => h('div', {}, r))))),
  { id: 'clusters-table', empty: 'No clusters yet: linkage recomputes every interval.' }));
}

async function cluster(id) {
  const c = await api('/ui/api/admin/v1/clusters/' + enc(id) + '?edges=300');
  clear();
  main.appendChild(h('h1', { id: 'cluster-title' }, 'Cluster ', h('span', { class: 'mono' }, c.id), ' ',
    badge(c.level)));
  main.appendChild(h('p', { class: 'muted' }, c.size + ' members · score ' + fmtScore(c.score) + ' · formed '
    + fmtTime(c.formed_at) + (c.ruled ? ' · ruled by an analyst' : '')));
  const status = h('select', { id: 'cluster-status' }, ['active', 'watch', 'throttled', 'degraded', 'blocked']
    .map((s) => h('option', { value: s }, s)));
  status.value = c.status;
  const reason = h('input', { id: 'cluster-reason', placeholder: 'reason (audited)', size: 40 });
  const msg = h('span', { class: 'muted', role: 'status' });
  const box = h('div', { id: 'case-result' });
  main.appendChild(card('Actions', h('div', { class: 'actions' }, status, reason, h('button', { onclick: async () => {
    try {
      await api('/ui/api/admin/v1/clusters/' + enc(c.id) + '/status', { body: { status: status.value,
        reason: reason.value } });
      await cluster(id);
    } catch (e) { msg.textContent = e.message; }
  } }, 'Rule on the whole cluster'), h('button', { class: 'secondary', id: 'export-case',
    onclick: () => exportCase({ cluster: c.id }, box) }, 'Export case file'), msg), box));
  main.appendChild(card('Member graph (edges: evidence; red: confident)', graph(c.members, c.edges)));
  const f = c.features || {};
  main.appendChild(h('div', { class: 'grid' },
    card('Aggregated features', table([{ label: 'Feature' }, { label: 'Value', num: true }],
      Object.entries(f).map(([k, v]) => h('tr', {}, h('td', {}, k), h('td', { class: 'num' }, String(v)))))),
    card('Why (cluster-level signals)', table([{ label: 'Signal' }, { label: 'Contribution', num: true },
      { label: 'Explanation' }], ((c.risk && c.risk.reasons) || []).map((r) => h('tr', {}, h('td', {}, r.signal),
      h('td', { class: 'num' }, fmtScore(r.contribution)), h('td', {}, r.explanation)))))));
  main.appendChild(card('Evidence edges', table([{ label: 'Account' }, { label: 'Account' },
    { label: 'Weight', num: true }, { label: 'Families' }, { label: 'Evidence' }], (c.edges || []).map((e) =>
    h('tr', {}, h('td', {}, accountLink(e.a)), h('td', {}, accountLink(e.b)), h('td', { class: 'num' },
      fmtScore(e.weight)), h('td', {}, (e.families || []).join(', ')), h('td', {}, (e.evidence || []).map((x) =>
      h('div', {}, h('b', {}, x.kind + ' ' + fmtScore(x.contribution) + ': '), x.reason))))),
  { id: 'edges-table' })));
  main.appendChild(card('Members', h('p', {}, (c.members || []).map((m, i) => h('span', {}, i ? ', ' : '',
    accountLink(m))))));
}

/** Members on a circle, edges between them; an SVG built node by node (labels are text nodes). */
function graph(members, edges) {
  const NS = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(NS, 'svg');
  svg.setAttribute('class', 'graph');
  svg.setAttribute('id', 'member-graph');
  svg.setAttribute('viewBox', '0 0 900 460');
  const shown = (members || []).slice(0, 120);
  const pos = new Map();
  const n = Math.max(1, shown.length);
  shown.forEach((m, i) => {
    const a = (2 * Math.PI * i) / n;
    pos.set(m, [450 + 190 * Math.cos(a), 230 + 190 * Math.sin(a)]);
  });
  for (const e of edges || []) {
    if (!pos.has(e.a) || !pos.has(e.b)) continue;
    const l = document.createElementNS(NS, 'line');
    const [x1, y1] = pos.get(e.a);
    const [x2, y2] = pos.get(e.b);
    l.setAttribute('x1', x1); l.setAttribute('y1', y1); l.setAttribute('x2', x2); l.setAttribute('y2', y2);
    l.setAttribute('stroke-width', String(Math.max(0.5, Math.min(6, e.weight * 2))));
    if (e.confident) l.setAttribute('class', 'confident');
    svg.appendChild(l);
  }
  for (const [m, [x, y]] of pos) {
    const g = document.createElementNS(NS, 'a');
    g.setAttribute('href', '#/accounts/' + enc(m));
    const c = document.createElementNS(NS, 'circle');
    c.setAttribute('cx', x); c.setAttribute('cy', y); c.setAttribute('r', 7);
    const t = document.createElementNS(NS, 'title');
    t.textContent = m;
    c.appendChild(t);
    g.appendChild(c);
    if (n <= 40) {
      const label = document.createElementNS(NS, 'text');
      label.setAttribute('x', x + 9); label.setAttribute('y', y + 3);
      label.textContent = m;
      g.appendChild(label);
    }
    svg.appendChild(g);
  }
  const wrap = h('div', {});
  wrap.appendChild(svg);
  if ((members || []).length > shown.length) {
    wrap.appendChild(h('p', { class: 'muted' }, 'Showing ' + shown.length + ' of ' + members.length + ' members.'));
  }
  return wrap;
}

async function settings() {
  const p = await api('/ui/api/policy');
  clear();
  main.appendChild(h('h1', {}, 'Policy in force'));
  main.appendChild(h('p', { class: 'muted' }, 'Read-only: set in the gateway configuration and the detection model '
    + 'file, applied at start.'));
  const kv = (obj) => table([{ label: 'Setting' }, { label: 'Value' }], Object.entries(obj).map(([k, v]) =>
    h('tr', {}, h('td', {}, k), h('td', {}, v !== null && typeof v === 'object' ? (Array.isArray(v)
      ? v.map((x) => typeof x === 'object' ? JSON.stringify(x) : String(x)).join(', ') || '–' : kvInline(v))
      : String(v)))));
  const kvInline = (o) => Object.entries(o).map(([k, v]) => k + ' ' + (typeof v === 'number'
    ? Number(v.toFixed ? v.toFixed(3) : v) : JSON.stringify(v))).join(' · ');
  main.appendChild(h('div', { class: 'grid', id: 'policy' },
    card('Detection', kv(p.detection)), card('Limits per tier', kv(p.limits)),
    card('Linkage', kv(p.linkage)), card('Alerts', kv(p.alerts)), card('Exchange log', kv(p.exchange_log))));
}

// ---- routing ----

async function route() {
  const hash = window.location.hash || '#/overview';
  const [path, query] = hash.slice(1).split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  document.querySelectorAll('header nav a').forEach((a) =>
    a.classList.toggle('active', a.getAttribute('data-nav') === parts[0]));
  try {
    if (parts[0] === 'accounts' && parts[1]) await account(parts[1]);
    else if (parts[0] === 'accounts') await accounts(query || '');
    else if (parts[0] === 'alerts') await alerts(query || '');
    else if (parts[0] === 'clusters' && parts[1]) await cluster(parts[1]);
    else if (parts[0] === 'clusters') await clusters();
    else if (parts[0] === 'settings') await settings();
    else await overview();
    main.setAttribute('data-page', parts[0] || 'overview');
  } catch (e) {
    clear();
    showError(e);
  }
}

async function start() {
  session = await api('/ui/api/session');
  document.getElementById('who').textContent = session.actor;
  document.getElementById('logout-csrf').value = session.csrf;
  window.addEventListener('hashchange', route);
  await route();
}

start().catch(showError);
