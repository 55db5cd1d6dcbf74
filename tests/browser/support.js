// Helpers for the browser tests: start `tribune serve`, read the SMTP sink, make pictures,
// check pages (labels, contrast), run steps that stop at the first failure.
//
// Not a test file itself (node --test picks `*.test.js` only). first-session.test.js still has
// its own copies of most of these; new test files use this module.
'use strict';

const { it } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const zlib = require('node:zlib');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.TRIBUNE_BIN || path.join(ROOT, 'target', 'debug', 'tribune');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

// The local peers' settings from the environment (scripts/peers/start.sh), or null when they
// are not running — which fails the step under CI=true.
function peers(...names) {
  const values = names.map((n) => process.env[n]);
  if (values.every(Boolean)) return values;
  assert.notEqual(process.env.CI, 'true', `${names.join(', ')} missing: CI must run scripts/peers/start.sh`);
  return null;
}

// SMTP settings for the server when the sink of scripts/peers/start.sh runs.
function smtpEnv() {
  const port = process.env.TRIBUNE_TEST_SMTP_PORT;
  if (!port) return {};
  return {
    TRIBUNE_SMTP_HOST: '127.0.0.1',
    TRIBUNE_SMTP_PORT: port,
    TRIBUNE_SMTP_TLS: 'none',
    TRIBUNE_SMTP_FROM: 'tribune <tribune@tribune.test>',
  };
}

// Starts `tribune serve` on a free port with a fresh data directory; resolves with
// `{ baseUrl, stop }`. Its stderr goes to `log`.
function startServer(log) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tribune-browser-'));
  fs.mkdirSync(path.dirname(log), { recursive: true });
  const fd = fs.openSync(log, 'w');
  const server = spawn(BIN, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', fd],
    // The local peers speak plain http; e-mail goes to their SMTP sink when it runs.
    env: { ...process.env, TRIBUNE_ALLOW_HTTP_NETWORKS: 'true', ...smtpEnv() },
  });
  fs.closeSync(fd);
  const stop = () => {
    if (server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
  process.on('exit', stop); // also on a crash of the test process
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tribune did not report ready within 30 s; see ${log}`)), 30_000);
    server.once('error', (err) => { clearTimeout(timer); reject(err); });
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tribune exited before it was ready (code ${code}, signal ${signal}); see ${log}`));
    });
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      const m = /tribune is ready at (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve({ baseUrl: m[1].replace(/\/$/, ''), stop });
      }
    });
  });
}

// The plain-text body of a message as the SMTP sink kept it (a .eml file), decoded.
function plainTextOf(raw) {
  const m = /Content-Type: text\/plain[^\n]*\r?\nContent-Transfer-Encoding: ([^\r\n]+)\r?\n\r?\n([\s\S]*?)\r?\n--/i.exec(raw);
  if (!m) return '';
  const [, encoding, body] = m;
  switch (encoding.trim().toLowerCase()) {
    case 'quoted-printable':
      return Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_, hex) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8');
    case 'base64':
      return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
    default:
      return Buffer.from(body, 'latin1').toString('utf8');
  }
}

// Waits (20 s at most) for a message to `to` in the sink holding a link that starts with
// `prefix`, and returns `{ link, body }` (the newest such message's).
async function mailTo(to, prefix) {
  const dir = process.env.TRIBUNE_TEST_SMTP_DIR;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const found = fs.readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f), 'latin1'))
      .filter((raw) => raw.split(/\r?\n/).some((line) => line.toLowerCase() === `x-sink-rcpt-to: ${to}`))
      .map(plainTextOf)
      .map((body) => ({ body, link: body.split(/\s+/).find((word) => word.startsWith(prefix)) }))
      .filter((m) => m.link);
    if (found.length > 0) return found[found.length - 1];
    assert.ok(Date.now() < deadline, `no message to ${to} with a link starting ${prefix} in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

// Polls `check` (an async function returning a truthy value when done) every `everyMs` until
// `timeoutMs`; returns the value, or fails with `what`.
async function eventually(what, check, { timeoutMs = 30_000, everyMs = 500 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    assert.ok(Date.now() < deadline, `${what} (waited ${timeoutMs / 1000} s)`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

// A PNG made in the test: a colour gradient, stored without compression tricks.
function gradientPng(width, height) {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc32 = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const head = Buffer.alloc(8);
    head.writeUInt32BE(data.length, 0);
    head.write(type, 4, 'ascii');
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
    return Buffer.concat([head, data, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const rows = [];
  for (let y = 0; y < height; y += 1) {
    const row = Buffer.alloc(1 + width * 3);
    for (let x = 0; x < width; x += 1) {
      row[1 + x * 3] = (x * 255) / width;
      row[2 + x * 3] = (y * 255) / height;
      row[3 + x * 3] = 160;
    }
    rows.push(row);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', zlib.deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

const pathnameOf = (page) => new URL(page.url()).pathname;

// Every visible form control has a label a person (and a screen reader) can find it by.
async function assertEveryVisibleInputIsLabelled(page) {
  const unlabelled = await page.locator('input:visible, select:visible, textarea:visible').evaluateAll((els) =>
    els
      .filter((el) => !(el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim()))
        && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], `inputs without a label on ${pathnameOf(page)}`);
}

// Every text and control meets WCAG AA contrast (axe-core's `color-contrast` rule), in the
// light and the dark color scheme.
async function assertContrast(page) {
  try {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
      const failures = await page.evaluate(async () => {
        const result = await window.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } });
        return result.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.any.map((a) => a.message).join('; ')}`));
      });
      assert.deepEqual(failures, [], `contrast below WCAG AA on ${pathnameOf(page)} in the ${scheme} scheme`);
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

// No horizontal scrolling: nothing wider than the viewport (boxes that scroll themselves apart).
async function assertNoHorizontalOverflow(page) {
  const { scrollWidth, innerWidth } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
  }));
  assert.ok(scrollWidth <= innerWidth, `page is ${scrollWidth}px wide in a ${innerWidth}px viewport on ${pathnameOf(page)}`);
}

// Steps of one scenario: once one fails, the later ones are skipped (they depend on it), and
// a screenshot of the failure is taken. `shot(name)` screenshots the current page.
function scenario({ shots, serverLog, currentPage }) {
  let failed = false;
  const shot = async (name) => {
    const file = path.join(shots, `${name}.png`);
    await currentPage().screenshot({ path: file, fullPage: true });
    return file;
  };
  const step = (name, fn) => {
    it(name, async (t) => {
      if (failed) {
        t.skip('an earlier step failed');
        return;
      }
      try {
        await fn();
      } catch (err) {
        failed = true;
        try {
          const file = await shot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`);
          t.diagnostic(`screenshot of the failure: ${path.relative(ROOT, file)}`);
        } catch { /* the page may be gone */ }
        t.diagnostic(`server log: ${path.relative(ROOT, serverLog)}`);
        throw err;
      }
    });
  };
  return { step, shot };
}

// Watches a page for console errors, script errors, failed requests and HTTP errors, leaving
// out those the test causes on purpose (`expect(n)` before the request).
function watch(page, problems) {
  let expected = 0;
  page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) problems.push(`console error: ${msg.text()}`);
  });
  page.on('requestfailed', (req) => {
    // The favicon's request is cancelled when a click navigates away while it loads.
    if (req.failure()?.errorText === 'net::ERR_ABORTED' && new URL(req.url()).pathname === '/static/favicon.svg') return;
    problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
  });
  page.on('response', (res) => {
    if (res.status() >= 400) {
      if (expected > 0) expected -= 1;
      else problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
    }
  });
  return { expect: (n) => { expected += n; } };
}

module.exports = {
  ROOT,
  BIN,
  CHROMIUM,
  peers,
  startServer,
  mailTo,
  eventually,
  gradientPng,
  assertEveryVisibleInputIsLabelled,
  assertContrast,
  assertNoHorizontalOverflow,
  scenario,
  watch,
};
