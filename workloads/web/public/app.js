// The dashboard: fleet tiles (polled), per-device charts drawn as inline SVG, and a live alert
// feed over Server-Sent Events. No framework and nothing from the internet: the CSP allows only
// this origin. Every value from the API goes in through textContent, never as HTML.
'use strict';

(function () {
  const SVG = 'http://www.w3.org/2000/svg';
  const FLEET_REFRESH_MS = 5000;
  const CHART_REFRESH_MS = 15000;
  const STALE_AFTER_MS = 5 * 60 * 1000;
  const MAX_FEED = 200;

  // fleet: counts over every device from the API (the tiles are one page of at most 500).
  const state = { selected: null, devices: [], fleet: null, alertKeys: new Set() };
  const $ = (id) => document.getElementById(id);

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === 'text') node.textContent = v;
      else if (k === 'class') node.className = v;
      else node.setAttribute(k, v);
    }
    for (const c of children || []) node.appendChild(c);
    return node;
  }

  function svg(tag, attrs) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, String(v));
    return node;
  }

  function fmt(n) {
    if (typeof n !== 'number' || !Number.isFinite(n)) return '–';
    const a = Math.abs(n);
    return a >= 1000 || a === 0 ? n.toFixed(0) : a >= 10 ? n.toFixed(1) : n.toFixed(2);
  }

  function ago(iso) {
    const s = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    if (s < 60) return s + 's ago';
    if (s < 3600) return Math.floor(s / 60) + 'm ago';
    if (s < 86400) return Math.floor(s / 3600) + 'h ago';
    return Math.floor(s / 86400) + 'd ago';
  }

  async function getJson(path) {
    const res = await fetch(path, { headers: { accept: 'application/json' } });
    if (!res.ok) throw new Error(path + ' answered ' + res.status);
    return res.json();
  }

  function statusOf(d) {
    if (d.anomalous) return 'alert';
    if (Date.now() - Date.parse(d.lastSeen) > STALE_AFTER_MS) return 'stale';
    return 'ok';
  }

  function renderFleet() {
    const tiles = $('tiles');
    const devices = state.devices;
    $('fleet-empty').classList.toggle('hidden', devices.length > 0);
    const counts = { ok: 0, alert: 0, stale: 0 };
    const nodes = devices.map((d) => {
      const status = statusOf(d);
      counts[status]++;
      const metrics = Object.entries(d.metrics).slice(0, 4);
      const dl = el(
        'dl',
        {},
        metrics.flatMap(([name, v]) => [el('dt', { text: name }), el('dd', { text: fmt(v) })]),
      );
      const tile = el(
        'button',
        {
          type: 'button',
          role: 'listitem',
          class: 'tile status-' + status + (state.selected === d.deviceId ? ' selected' : ''),
          'data-testid': 'device-tile',
          'data-device-id': d.deviceId,
          'data-status': status,
        },
        [
          el('div', { class: 'tile-head' }, [
            el('span', { text: d.deviceId }),
            el('span', { class: 'tile-status', text: status === 'alert' ? 'ALERT' : status }),
          ]),
          dl,
          el('div', {
            class: 'muted',
            text: 'seen ' + ago(d.lastSeen) + ' · score ' + fmt(d.score),
          }),
        ],
      );
      tile.addEventListener('click', () => select(d.deviceId));
      return tile;
    });
    tiles.replaceChildren(...nodes);
    const fleet = state.fleet;
    // The API's fleet counts cover every device; without them (PostgreSQL unavailable) the
    // header says it counts only the devices shown.
    $('summary').textContent = fleet
      ? fleet.total +
        ' devices · ' +
        (fleet.total - fleet.alerting - fleet.stale) +
        ' ok · ' +
        fleet.alerting +
        ' alerting · ' +
        fleet.stale +
        ' stale' +
        (devices.length < fleet.total ? ' · ' + devices.length + ' shown' : '')
      : devices.length +
        ' devices shown · ' +
        counts.ok +
        ' ok · ' +
        counts.alert +
        ' alerting · ' +
        counts.stale +
        ' stale';
  }

  async function refreshFleet() {
    try {
      const body = await getJson('/api/devices');
      // Alerting devices first, then by id: tiles keep their place between refreshes.
      state.devices = body.devices.sort(
        (a, b) => Number(b.anomalous) - Number(a.anomalous) || (a.deviceId < b.deviceId ? -1 : 1),
      );
      state.fleet = body.fleet;
      $('fleet-source').textContent = 'from ' + body.source;
      renderFleet();
      if (!state.selected && body.devices.length > 0) select(body.devices[0].deviceId);
    } catch (err) {
      $('fleet-source').textContent = 'refresh failed: ' + err.message;
    }
  }

  function chart(metric, points) {
    const W = 600;
    const H = 160;
    const L = 44;
    const R = 8;
    const T = 8;
    const B = 20;
    const root = svg('svg', { viewBox: '0 0 ' + W + ' ' + H, role: 'img' });
    root.appendChild(svg('title')).textContent = metric + ' per minute: mean with min–max band';
    const t0 = Date.parse(points[0].minute);
    const t1 = Math.max(Date.parse(points[points.length - 1].minute), t0 + 60000);
    let lo = Math.min(...points.map((p) => p.min));
    let hi = Math.max(...points.map((p) => p.max));
    if (hi === lo) {
      hi += 1;
      lo -= 1;
    }
    const x = (t) => L + ((Date.parse(t) - t0) / (t1 - t0)) * (W - L - R);
    const y = (v) => T + (1 - (v - lo) / (hi - lo)) * (H - T - B);
    for (const v of [lo, (lo + hi) / 2, hi]) {
      root.appendChild(svg('line', { class: 'grid', x1: L, x2: W - R, y1: y(v), y2: y(v) }));
      const label = svg('text', { class: 'axis', x: L - 4, y: y(v) + 3, 'text-anchor': 'end' });
      label.textContent = fmt(v);
      root.appendChild(label);
    }
    const band = points
      .map((p) => x(p.minute) + ',' + y(p.max))
      .concat(
        points
          .slice()
          .reverse()
          .map((p) => x(p.minute) + ',' + y(p.min)),
      );
    root.appendChild(svg('polygon', { class: 'band', points: band.join(' ') }));
    root.appendChild(
      svg('polyline', {
        class: 'mean',
        points: points.map((p) => x(p.minute) + ',' + y(p.mean)).join(' '),
      }),
    );
    const last = points[points.length - 1];
    root.appendChild(svg('circle', { class: 'dot', cx: x(last.minute), cy: y(last.mean), r: 3 }));
    for (const [t, anchor] of [
      [points[0].minute, 'start'],
      [last.minute, 'end'],
    ]) {
      const label = svg('text', { class: 'axis', x: x(t), y: H - 4, 'text-anchor': anchor });
      label.textContent = new Date(t).toLocaleTimeString([], {
        hour: '2-digit',
        minute: '2-digit',
      });
      root.appendChild(label);
    }
    return el('div', { class: 'chart', 'data-testid': 'chart', 'data-metric': metric }, [
      el('h3', {}, [
        el('span', { text: metric }),
        el('span', { class: 'muted', text: 'last ' + fmt(last.last) }),
      ]),
      root,
    ]);
  }

  async function refreshCharts() {
    const id = state.selected;
    if (!id) return;
    try {
      const body = await getJson('/api/devices/' + encodeURIComponent(id) + '/history');
      if (state.selected !== id) return;
      const metrics = Object.keys(body.series).sort();
      $('detail-range').textContent = 'last hour, per minute';
      $('charts').replaceChildren(
        ...(metrics.length > 0
          ? metrics.map((m) => chart(m, body.series[m]))
          : [el('p', { class: 'muted', text: 'No aggregates in the last hour.' })]),
      );
    } catch (err) {
      $('detail-range').textContent = 'history failed: ' + err.message;
    }
  }

  function select(deviceId) {
    state.selected = deviceId;
    $('detail-title').textContent = deviceId;
    renderFleet();
    void refreshCharts();
  }

  function alertItem(a, fresh) {
    return el(
      'li',
      {
        class: 'sev-' + a.severity + ' state-' + a.state + (fresh ? ' fresh' : ''),
        'data-testid': 'alert',
        'data-alert-id': a.alertId,
        'data-state': a.state,
        'data-device-id': a.deviceId,
      },
      [
        el('div', { class: 'line1' }, [
          el('span', { text: a.deviceId + ' · ' + a.metric }),
          el('span', { class: 'state', text: a.state + ' · ' + a.severity }),
        ]),
        el('div', { class: 'msg', text: a.message }),
        el('div', {
          class: 'muted',
          text: new Date(a.ts).toLocaleString() + ' · value ' + fmt(a.value) + ' · ' + a.rule,
        }),
      ],
    );
  }

  function addAlert(a, fresh) {
    const key = a.alertId + '/' + a.state;
    if (state.alertKeys.has(key)) return;
    state.alertKeys.add(key);
    const feed = $('alert-feed');
    const item = alertItem(a, fresh);
    if (fresh) feed.prepend(item);
    else feed.appendChild(item);
    while (feed.children.length > MAX_FEED) feed.lastElementChild.remove();
    $('alerts-empty').classList.toggle('hidden', feed.children.length > 0);
    $('alert-count').textContent = feed.children.length + ' shown';
  }

  async function loadAlerts() {
    try {
      const since = new Date(Date.now() - 24 * 3600 * 1000).toISOString();
      const body = await getJson('/api/alerts?since=' + encodeURIComponent(since) + '&limit=100');
      for (const a of body.alerts) addAlert(a, false);
    } catch (err) {
      $('alert-count').textContent = 'load failed: ' + err.message;
    }
  }

  function connectStream() {
    const conn = $('conn');
    // EventSource reconnects by itself and sends Last-Event-ID, so nothing is missed.
    const es = new EventSource('/api/stream');
    es.addEventListener('open', () => {
      conn.textContent = 'live';
      conn.className = 'badge badge-live';
    });
    es.addEventListener('error', () => {
      conn.textContent = 'reconnecting…';
      conn.className = 'badge badge-wait';
    });
    es.addEventListener('alert', (e) => {
      const a = JSON.parse(e.data);
      addAlert(a, true);
      // The device's tile turns red at once rather than at the next poll.
      const d = state.devices.find((x) => x.deviceId === a.deviceId);
      if (d) {
        d.anomalous = a.state === 'open';
        renderFleet();
      }
    });
  }

  connectStream();
  void loadAlerts();
  void refreshFleet();
  setInterval(refreshFleet, FLEET_REFRESH_MS);
  setInterval(refreshCharts, CHART_REFRESH_MS);
})();
