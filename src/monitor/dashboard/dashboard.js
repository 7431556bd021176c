// The monitor's dashboard: polls /dashboard/data and redraws the table and the two charts. No library,
// nothing from another origin (the page's Content-Security-Policy forbids it). Server ids and URLs are
// the operator's input: they are only ever written as text (textContent), never as markup.
const svgNs = 'http://www.w3.org/2000/svg';
const palette = ['#2f6fdf', '#e0702a', '#2a9d5b', '#b83fb0', '#c9a227', '#1fa3b5', '#d64545', '#6b5bd6'];
const chart = { width: 600, height: 220, left: 44, right: 10, top: 10, bottom: 24 };
/** The token, if the monitor wants one, comes in the URL's fragment (#token=…): never sent to a server. */
const token = new URLSearchParams(location.hash.slice(1)).get('token');
const colors = new Map();

function colorOf(id) {
  if (!colors.has(id)) colors.set(id, palette[colors.size % palette.length]);
  return colors.get(id);
}

function element(tag, text, className) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function svg(tag, attributes, text) {
  const node = document.createElementNS(svgNs, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function fixed(value, digits) {
  return value === null || value === undefined ? '–' : value.toFixed(digits);
}

function ago(iso, now) {
  if (iso === null) return 'never';
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  return seconds < 60 ? `${seconds.toFixed(1)} s ago` : `${Math.round(seconds / 60)} min ago`;
}

function renderTable(servers, now) {
  const body = document.querySelector('#servers tbody');
  const rows = servers.map((server) => {
    const row = element('tr');
    row.dataset.id = server.id;
    row.dataset.state = server.state;
    const name = element('td');
    const swatch = element('span', undefined, 'swatch');
    swatch.style.backgroundColor = colorOf(server.id);
    name.append(swatch, server.id);
    const state = element('td');
    state.append(element('span', server.state, `state state-${server.state}`));
    row.append(
      name,
      state,
      element(
        'td',
        `${fixed(server.load, 2)}${server.loadSource === 'latency' ? ' (latency)' : ''}`,
        'number',
      ),
      element('td', server.inFlight === null ? '–' : String(server.inFlight), 'number'),
      element('td', server.capacity === null ? '–' : String(server.capacity), 'number'),
      element('td', server.served === null ? '–' : String(server.served), 'number'),
      element('td', server.latencyMs === null ? '–' : `${fixed(server.latencyMs, 1)} ms`, 'number'),
      element('td', ago(server.lastCheckedAt, now)),
      element('td', server.url, 'url'),
    );
    return row;
  });
  body.replaceChildren(...rows);
}

/** A "nice" upper bound for the y axis: 1, 2 or 5 times a power of ten, at least `minimum`. */
function niceMax(value, minimum) {
  const target = Math.max(value, minimum);
  const power = 10 ** Math.floor(Math.log10(target));
  return [1, 2, 5, 10].map((step) => step * power).find((bound) => bound >= target);
}

/** Draws one line per server: `points(server)` gives its [time, value] pairs (value null: a gap). */
function renderChart(id, history, points, minimumMax, from, to) {
  const node = document.getElementById(id);
  const series = history.map((server) => ({ id: server.id, points: points(server) }));
  const values = series.flatMap((line) => line.points.map(([, value]) => value ?? 0));
  const top = niceMax(Math.max(0, ...values), minimumMax);
  const plotWidth = chart.width - chart.left - chart.right;
  const plotHeight = chart.height - chart.top - chart.bottom;
  const x = (at) => chart.left + ((at - from) / Math.max(1, to - from)) * plotWidth;
  const y = (value) => chart.top + plotHeight - (value / top) * plotHeight;
  const children = [];
  for (const fraction of [0, 0.5, 1]) {
    const level = chart.top + plotHeight * (1 - fraction);
    children.push(
      svg('line', { class: 'grid', x1: chart.left, x2: chart.width - chart.right, y1: level, y2: level }),
    );
    const label = Number((top * fraction).toPrecision(3));
    children.push(
      svg('text', { class: 'axis', x: chart.left - 6, y: level + 4, 'text-anchor': 'end' }, label),
    );
  }
  const minutes = (to - from) / 60_000;
  const span =
    minutes >= 1 ? `${minutes.toFixed(minutes >= 10 ? 0 : 1)} min ago` : `${Math.round(minutes * 60)} s ago`;
  children.push(svg('text', { class: 'axis', x: chart.left, y: chart.height - 6 }, span));
  children.push(
    svg(
      'text',
      { class: 'axis', x: chart.width - chart.right, y: chart.height - 6, 'text-anchor': 'end' },
      'now',
    ),
  );
  for (const line of series) {
    // A null value (no report, or the server down) breaks the line rather than drawing a false zero.
    let run = [];
    const flush = () => {
      if (run.length > 1) {
        children.push(
          svg('polyline', { points: run.join(' '), stroke: colorOf(line.id), 'data-server': line.id }),
        );
      }
      run = [];
    };
    for (const [at, value] of line.points) {
      if (value === null) flush();
      else run.push(`${x(at).toFixed(1)},${y(value).toFixed(1)}`);
    }
    flush();
  }
  node.replaceChildren(...children);
}

function loadPoints(server) {
  return server.at.map((at, index) => [at, server.state[index] === 'down' ? null : server.load[index]]);
}

/** Calls finished per second between two rounds, from the difference of the servers' `served` counters. */
function callPoints(server) {
  return server.at.map((at, index) => {
    const calls = server.calls[index];
    const seconds = index > 0 ? (at - server.at[index - 1]) / 1000 : 0;
    return [at, calls === null || seconds <= 0 ? null : calls / seconds];
  });
}

function renderLegend(servers) {
  const items = servers.map((server) => {
    const item = element('li');
    const swatch = element('span', undefined, 'swatch');
    swatch.style.backgroundColor = colorOf(server.id);
    item.append(swatch, server.id);
    return item;
  });
  document.getElementById('legend').replaceChildren(...items);
}

function render(data) {
  const now = Date.now();
  const alive = data.servers.filter((server) => server.state !== 'down').length;
  document.getElementById('summary').textContent =
    `${alive} of ${data.servers.length} servers alive · status of ${new Date(data.generatedAt).toLocaleTimeString()}`;
  renderTable(data.servers, now);
  const times = data.history.flatMap((server) => server.at);
  const to = times.length > 0 ? Math.max(...times) : now;
  const from = times.length > 0 ? Math.min(...times) : now - 60_000;
  renderChart('load-chart', data.history, loadPoints, 1, from, to);
  renderChart('calls-chart', data.history, callPoints, 10, from, to);
  renderLegend(data.servers);
}

function showProblem(text) {
  const problem = document.getElementById('problem');
  problem.hidden = text === undefined;
  problem.textContent = text ?? '';
}

async function poll() {
  let delayMs = 1000;
  try {
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    const response = await fetch('/dashboard/data', { headers, cache: 'no-store' });
    if (response.status === 401)
      throw new Error('the monitor wants a token: open this page as …/#token=YOUR_TOKEN');
    if (!response.ok) throw new Error(`the monitor answered HTTP ${response.status}`);
    const data = await response.json();
    render(data);
    showProblem(undefined);
    delayMs = Math.min(Math.max(data.intervalMs, 250), 5000);
  } catch (error) {
    showProblem(`Not updated: ${error instanceof Error ? error.message : String(error)}`);
  }
  setTimeout(poll, delayMs);
}

poll();
