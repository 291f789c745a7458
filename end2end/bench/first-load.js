#!/usr/bin/env node
// The attendee's first load as a phone on a slow network meets it, measured in Chromium.
//
// Starts its own `lectern serve --demo` (a fresh SQLite database, a free port), then for
// the waiting page and the live page (after the presenter presses Start) loads the
// attendee link in a 390×844 phone viewport under CDP network emulation, cold (new
// browser context, empty cache) and warm (a reload in the same context), and reports:
//   - bytes on the wire: the sum of every HTTP response's encoded length (headers and
//     compressed body; WebSocket frames are not counted), and per resource;
//   - time to content: the first contentful paint (the server render);
//   - time to usable: the page is hydrated and its live connection says "Connected",
//     after which a tap on a control reaches the server (checked, not timed: a check-in
//     on the waiting page, a pace vote on the live page, each acknowledged).
//
// Usage (from the repository root, after `scripts/build-site` and `cargo build -p lectern`):
//   node end2end/bench/first-load.js [--lectern target/debug/lectern] [--site target/site]
//        [--runs 3] [--down-kbps 1600] [--up-kbps 750] [--rtt-ms 150] [--cpu 1] [--json out.json]
const { chromium } = require('@playwright/test');
const { spawn } = require('child_process');
const fs = require('fs');
const net = require('net');
const os = require('os');
const path = require('path');

const root = path.join(__dirname, '..', '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(root, 'target');
const lectern = flag('lectern', path.join(targetDir, 'debug', 'lectern'));
const site = flag('site', path.join(targetDir, 'site'));
const runs = Number(flag('runs', 3));
const network = {
  offline: false,
  latency: Number(flag('rtt-ms', 150)),
  downloadThroughput: (Number(flag('down-kbps', 1600)) * 1000) / 8,
  uploadThroughput: (Number(flag('up-kbps', 750)) * 1000) / 8,
};
const cpu = Number(flag('cpu', 1));
const jsonOut = flag('json', null);

const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
    server.on('error', reject);
  });
}

/** Starts Lectern with the demo event and resolves with its links once it serves. */
async function startLectern() {
  const port = await freePort();
  const data = fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-first-load-'));
  const child = spawn(lectern, ['serve', '--demo', '--addr', `127.0.0.1:${port}`, '--site-root', site], {
    env: { ...process.env, DATABASE_URL: `sqlite://${data}/lectern.db?mode=rwc`, RUST_LOG: 'warn' },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let out = '';
  const links = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('lectern did not print the demo links within 30 s')), 30_000);
    child.stdout.on('data', chunk => {
      out += chunk;
      const json = out.match(/\{[\s\S]*?\}/);
      if (json) {
        clearTimeout(timer);
        resolve(JSON.parse(json[0]));
      }
    });
    child.on('exit', code => reject(new Error(`lectern exited (${code}) before it served`)));
  });
  return { child, links, data };
}

/** One load of `url` in `page`: bytes per resource, paint and usable times. */
async function load(page, cdp, url, reload) {
  const responses = new Map();
  const onResponse = e => responses.set(e.requestId, { url: e.response.url, status: e.response.status,
    encoding: e.response.headers['content-encoding'] ?? e.response.headers['Content-Encoding'] ?? '',
    fromCache: e.response.fromDiskCache || e.response.fromPrefetchCache || false });
  const onFinished = e => {
    const r = responses.get(e.requestId);
    if (r) r.bytes = e.encodedDataLength;
  };
  const onCached = e => responses.set(e.requestId, { url: e.request?.url ?? '(memory cache)', status: 200, bytes: 0, fromCache: true });
  cdp.on('Network.responseReceived', onResponse);
  cdp.on('Network.loadingFinished', onFinished);
  cdp.on('Network.requestServedFromCache', onCached);
  if (reload) await page.reload({ waitUntil: 'commit' });
  else await page.goto(url, { waitUntil: 'commit' });
  await page.waitForFunction(() => window.__firstLoad?.usable, null, { timeout: 120_000, polling: 50 });
  await page.waitForLoadState('networkidle').catch(() => {});
  const marks = await page.evaluate(() => {
    const paint = performance.getEntriesByType('paint').find(p => p.name === 'first-contentful-paint');
    return { fcp: paint ? paint.startTime : null, hydrated: window.__firstLoad.hydrated, usable: window.__firstLoad.usable };
  });
  cdp.off('Network.responseReceived', onResponse);
  cdp.off('Network.loadingFinished', onFinished);
  cdp.off('Network.requestServedFromCache', onCached);
  const resources = [...responses.values()].map(r => ({ ...r, bytes: r.bytes ?? 0 }));
  return { ...marks, bytes: resources.reduce((n, r) => n + r.bytes, 0), resources };
}

// Runs in the page before anything else: notes when hydration ends and the socket connects.
function watchUsable() {
  window.__firstLoad = {};
  const check = () => {
    const state = window.__firstLoad;
    const now = performance.now();
    if (!state.hydrated && document.body?.hasAttribute('data-hydrated')) state.hydrated = now;
    const link = document.querySelector('[data-testid="link-state"]');
    if (state.hydrated && !state.usable && link && link.textContent === 'Connected') state.usable = now;
  };
  new MutationObserver(check).observe(document, { subtree: true, childList: true, attributes: true, characterData: true });
}

async function phone(browser) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 3,
    isMobile: true, hasTouch: true });
  await context.addInitScript(watchUsable);
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', network);
  if (cpu > 1) await cdp.send('Emulation.setCPUThrottlingRate', { rate: cpu });
  return { context, page, cdp };
}

/** Proves the loaded page's controls work: the server acknowledges a tap. */
async function tapWorks(page, phase) {
  if (phase === 'waiting') {
    await page.getByLabel('City or country').fill('Lagos');
    await page.getByRole('button', { name: 'Check in' }).click();
    await page.getByTestId('checked-in').waitFor({ timeout: 30_000 });
  } else {
    await page.getByTestId('pace-slower').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="pace-slower"]')?.getAttribute('aria-pressed') === 'true');
  }
}

async function startEvent(browser, presenterLink) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(presenterLink);
  await page.locator('body[data-hydrated]').waitFor({ timeout: 60_000 });
  await page.getByTestId('link-state').filter({ hasText: 'Connected' }).waitFor();
  await page.getByRole('button', { name: 'Start the tutorial' }).click();
  await page.getByText(/Live since/).waitFor();
  await context.close();
}

const kib = n => (n / 1024).toFixed(1);
const ms = n => (n == null ? '—' : `${Math.round(n)}`);
const median = xs => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

(async () => {
  const { child, links, data } = await startLectern();
  const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
  const results = [];
  try {
    for (const phase of ['waiting', 'live']) {
      if (phase === 'live') await startEvent(browser, links.presenter);
      for (let run = 0; run < runs; run++) {
        const { context, page, cdp } = await phone(browser);
        const cold = await load(page, cdp, links.attendee, false);
        await tapWorks(page, phase);
        const warm = await load(page, cdp, links.attendee, true);
        results.push({ phase, run, cold, warm });
        console.log(`${phase} run ${run + 1}: cold ${kib(cold.bytes)} KiB, content ${ms(cold.fcp)} ms, usable ${ms(cold.usable)} ms · warm ${kib(warm.bytes)} KiB, usable ${ms(warm.usable)} ms`);
        await context.close();
      }
    }
  } finally {
    await browser.close();
    child.kill('SIGTERM');
    fs.rmSync(data, { recursive: true, force: true });
  }

  const c = `${network.downloadThroughput * 8 / 1000} kbit/s down, ${network.uploadThroughput * 8 / 1000} kbit/s up, ${network.latency} ms` + (cpu > 1 ? `, CPU ×${cpu} slower` : '');
  console.log(`\nAttendee page, 390×844 phone, ${c}; median of ${runs} runs`);
  console.log('| phase | cold bytes | content (FCP) | usable | warm bytes | warm usable |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const phase of ['waiting', 'live']) {
    const rs = results.filter(r => r.phase === phase);
    console.log(`| ${phase} | ${kib(median(rs.map(r => r.cold.bytes)))} KiB | ${ms(median(rs.map(r => r.cold.fcp)))} ms | ${ms(median(rs.map(r => r.cold.usable)))} ms | ${kib(median(rs.map(r => r.warm.bytes)))} KiB | ${ms(median(rs.map(r => r.warm.usable)))} ms |`);
  }
  console.log('\nWhere the cold bytes go (first run of the waiting page):');
  for (const r of results[0].cold.resources.sort((a, b) => b.bytes - a.bytes)) {
    console.log(`  ${kib(r.bytes).padStart(8)} KiB  ${r.status} ${r.encoding || 'identity'}  ${r.url.replace(/^https?:\/\/[^/]+/, '')}`);
  }
  if (jsonOut) fs.writeFileSync(jsonOut, JSON.stringify({ network, cpu, runs, results }, null, 2));
})().catch(e => {
  console.error(e);
  process.exit(1);
});
