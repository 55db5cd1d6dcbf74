// A person's first session with tribune, in real headless Chromium:
// first-run setup -> log in -> create a workspace in French -> switch to
// English -> log out. Screenshots are written to target/screenshots/.
//
// Run through scripts/browser-test.sh (it installs chromium, npm deps and
// builds the binary), or directly: node --test tests/browser/
//
// Environment:
//   TRIBUNE_BIN  path to the tribune binary (default target/debug/tribune)
//   CHROMIUM     path to the chromium binary (default /usr/bin/chromium)
'use strict';

const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const { chromium } = require('playwright-core');
// axe-core (pinned in package.json) checks contrast in the page itself.
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

const ROOT = path.resolve(__dirname, '..', '..');
const BIN = process.env.TRIBUNE_BIN || path.join(ROOT, 'target', 'debug', 'tribune');
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(ROOT, 'target', 'screenshots');
const SERVER_LOG = path.join(ROOT, 'target', 'browser-test-server.log');
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

const OWNER = {
  name: 'Camille Martin',
  email: 'camille@example.test',
  password: 'correct horse battery',
};
const WORKSPACE = 'Boulangerie Dupain';

let dataDir;
let server;
let baseUrl;
let browser;
let context;
let page;
let workspacePath; // e.g. /w/123, set when the workspace is created
let failed = false;
const problems = []; // console errors, page errors, failed requests
let expectedErrors = 0; // requests we make fail on purpose (wrong password)

// Starts `tribune serve` on a free port and resolves with its base URL,
// parsed from the single line it prints on stdout.
function startServer() {
  dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tribune-browser-'));
  fs.mkdirSync(path.dirname(SERVER_LOG), { recursive: true });
  const log = fs.openSync(SERVER_LOG, 'w');
  server = spawn(BIN, ['--data-dir', dataDir, 'serve', '--listen', '127.0.0.1:0'], {
    stdio: ['ignore', 'pipe', log],
    // The local peers (scripts/peers/start.sh) speak plain http; e-mail goes to their SMTP
    // sink when it runs.
    env: { ...process.env, TRIBUNE_ALLOW_HTTP_NETWORKS: 'true', ...smtpEnv() },
  });
  fs.closeSync(log);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tribune did not report ready within 30 s; see ${SERVER_LOG}`)), 30_000);
    server.once('error', (err) => { clearTimeout(timer); reject(err); });
    server.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`tribune exited before it was ready (code ${code}, signal ${signal}); see ${SERVER_LOG}`));
    });
    readline.createInterface({ input: server.stdout }).on('line', (line) => {
      const m = /tribune is ready at (http:\/\/\S+)/.exec(line);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    });
  });
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
// `prefix`, and returns that link (the newest such message's).
async function linkMailedTo(to, prefix) {
  const dir = process.env.TRIBUNE_TEST_SMTP_DIR;
  const deadline = Date.now() + 20_000;
  for (;;) {
    const links = fs.readdirSync(dir)
      .filter((f) => f.endsWith('.eml'))
      .sort()
      .map((f) => fs.readFileSync(path.join(dir, f), 'latin1'))
      .filter((raw) => raw.split(/\r?\n/).some((line) => line.toLowerCase() === `x-sink-rcpt-to: ${to}`))
      .map(plainTextOf)
      .map((body) => body.split(/\s+/).find((word) => word.startsWith(prefix)))
      .filter(Boolean);
    if (links.length > 0) return links[links.length - 1];
    assert.ok(Date.now() < deadline, `no message to ${to} with a link starting ${prefix} in ${dir}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function stopServer() {
  if (server && server.exitCode === null && server.signalCode === null) server.kill('SIGTERM');
  server = undefined;
}
process.on('exit', stopServer); // also on a crash of the test process

async function shot(name) {
  const file = path.join(SHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

// A test step; once a step fails, the later ones are skipped (they depend
// on it). A `todo` step checks a known, reported problem: its failure is
// reported but does not fail the run nor skip the later steps.
function step(name, fn, { todo } = {}) {
  it(name, { todo }, async (t) => {
    if (failed) {
      t.skip('an earlier step failed');
      return;
    }
    try {
      await fn();
    } catch (err) {
      if (todo) throw err;
      failed = true;
      try {
        const file = await shot(`FAILED-${name.replace(/[^a-z0-9]+/gi, '-')}`);
        t.diagnostic(`screenshot of the failure: ${path.relative(ROOT, file)}`);
      } catch { /* the page may be gone */ }
      t.diagnostic(`server log: ${path.relative(ROOT, SERVER_LOG)}`);
      throw err;
    }
  });
}

const pathname = () => new URL(page.url()).pathname;

// The current TOTP code (RFC 6238: HMAC-SHA1, 30 s, 6 digits) for a base32 key.
function totpCode(base32) {
  const crypto = require('node:crypto');
  let bits = '';
  for (const c of base32.replace(/=+$/, '')) bits += 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567'.indexOf(c).toString(2).padStart(5, '0');
  const key = Buffer.from(bits.match(/.{8}/g).map((b) => parseInt(b, 2)));
  const counter = Buffer.alloc(8);
  counter.writeBigUInt64BE(BigInt(Math.floor(Date.now() / 30_000)));
  const mac = crypto.createHmac('sha1', key).update(counter).digest();
  const offset = mac[mac.length - 1] & 15;
  return String((mac.readUInt32BE(offset) & 0x7fffffff) % 1_000_000).padStart(6, '0');
}

const basic = (user, password) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

// A WordPress application password of the test's own, so revoking it breaks nothing else.
async function wpApplicationPassword([site, user, password]) {
  const res = await fetch(`${site}/wp-json/wp/v2/users/me/application-passwords`, {
    method: 'POST',
    headers: { authorization: basic(user, password), 'content-type': 'application/json' },
    body: JSON.stringify({ name: `tribune-browser-${Date.now()}` }),
  });
  assert.equal(res.status, 201, `creating an application password: HTTP ${res.status}`);
  return res.json();
}
let wpPassword;

// The local peers' settings from the environment (scripts/peers/start.sh), or null when they
// are not running — which fails the step under CI=true.
function peers(...names) {
  const values = names.map((n) => process.env[n]);
  if (values.every(Boolean)) return values;
  assert.notEqual(process.env.CI, 'true', `${names.join(', ')} missing: CI must run scripts/peers/start.sh`);
  return null;
}

// A small PNG made in the test: a colour gradient, stored without compression tricks.
function gradientPng(width, height) {
  const zlib = require('node:zlib');
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

// Waits until the page is at the given path (string or RegExp), ignoring the
// query string (flash messages travel in it, e.g. /workspaces?flash=...).
async function waitForPath(want) {
  const matches = (url) => (typeof want === 'string' ? url.pathname === want : want.test(url.pathname));
  await page.waitForURL(matches);
}
const text = async (locator) => (await locator.innerText()).trim();
const htmlLang = () => page.locator('html').getAttribute('lang');

// Waits for the page to be in the given language (works across the
// navigation triggered by the language buttons).
async function waitForLang(code) {
  await page.locator(`html[lang="${code}"]`).waitFor({ state: 'attached' });
}

// Every visible form control must have a label a person (and a screen
// reader) can find it by.
async function assertEveryVisibleInputIsLabelled() {
  const unlabelled = await page.locator('input:visible, select:visible, textarea:visible').evaluateAll((els) =>
    els
      .filter((el) => !(el.labels && el.labels.length > 0 && [...el.labels].some((l) => l.textContent.trim()))
        && !el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby'))
      .map((el) => el.outerHTML));
  assert.deepEqual(unlabelled, [], `inputs without a label on ${pathname()}`);
}

// The first Tab from the top of the page lands on the skip link, which
// becomes visible and leads to the main content. Call it on a freshly
// loaded page where nothing has been focused yet.
async function assertSkipLinkFirst(label) {
  assert.equal(await page.evaluate(() => document.activeElement === document.body), true,
    `nothing should have the focus yet on ${pathname()}`);
  await page.keyboard.press('Tab');
  const focused = page.locator(':focus');
  assert.equal(await text(focused), label, `first Tab on ${pathname()} should reach the skip link`);
  assert.equal(await focused.getAttribute('href'), '#main');
  const box = await focused.boundingBox();
  assert.ok(box && box.x >= 0 && box.y >= 0, 'the focused skip link is on screen');
  assert.equal(await page.locator('main#main').count(), 1, 'the skip link target exists');
  await focused.blur();
}

// Nothing inside a card sticks out of the card's content box.
async function assertCardsContainTheirContent() {
  const outside = await page.locator('main .card').evaluateAll((cards) => cards.flatMap((card) => {
    const box = card.getBoundingClientRect();
    const right = box.right - parseFloat(getComputedStyle(card).paddingRight) - parseFloat(getComputedStyle(card).borderRightWidth);
    return [...card.querySelectorAll('*')]
      .filter((el) => el.getClientRects().length > 0 && el.getBoundingClientRect().right > right + 1)
      .map((el) => `<${el.localName}> "${el.textContent.trim().slice(0, 40)}" ends at ${Math.round(el.getBoundingClientRect().right)}px, card content ends at ${Math.round(right)}px`);
  }));
  assert.deepEqual(outside, [], `content sticks out of its card on ${pathname()}`);
}

// Every text and control on the page meets WCAG AA contrast (axe-core's `color-contrast`
// rule), in the light and the dark color scheme. axe is evaluated through the DevTools
// protocol, which the page's CSP (script-src 'self') does not apply to.
async function assertContrast() {
  try {
    for (const scheme of ['light', 'dark']) {
      await page.emulateMedia({ colorScheme: scheme });
      if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(AXE_SOURCE);
      const failures = await page.evaluate(async () => {
        const result = await window.axe.run(document, { runOnly: { type: 'rule', values: ['color-contrast'] } });
        return result.violations.flatMap((v) => v.nodes.map((n) => `${n.target.join(' ')}: ${n.any.map((a) => a.message).join('; ')}`));
      });
      assert.deepEqual(failures, [], `contrast below WCAG AA on ${pathname()} in the ${scheme} scheme`);
    }
  } finally {
    await page.emulateMedia({ colorScheme: 'light' });
  }
}

// The workspace switcher is on screen, whole (it must not be pushed off a phone's width).
async function assertSwitcherOnScreen() {
  const summary = page.locator('header details.switcher summary');
  await summary.waitFor({ state: 'visible' });
  const box = await summary.boundingBox();
  const width = page.viewportSize().width;
  assert.ok(box && box.x >= 0 && box.x + box.width <= width && box.y >= 0,
    `the workspace switcher is off screen on ${pathname()}: ${JSON.stringify(box)} in ${width}px`);
}

// Runs fn with a phone-sized viewport, then goes back to the desktop one.
async function onPhone(fn) {
  await page.setViewportSize(MOBILE);
  try {
    await fn();
  } finally {
    await page.setViewportSize(DESKTOP);
  }
}

// No horizontal scrolling: nothing wider than the viewport.
async function assertNoHorizontalOverflow() {
  const { scrollWidth, innerWidth, culprits } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    // Visible elements past the right edge, except those inside a scrolling
    // box (e.g. the workspace nav), which do not widen the page.
    culprits: [...document.body.querySelectorAll('*')]
      .filter((el) => el.checkVisibility() && el.getBoundingClientRect().right > window.innerWidth + 0.5)
      .filter((el) => {
        for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
          if (getComputedStyle(p).overflowX !== 'visible') return false;
        }
        return true;
      })
      .map((el) => `<${el.localName}${el.className ? ` class="${el.className}"` : ''}> "${el.textContent.trim().slice(0, 30)}" ends at ${el.getBoundingClientRect().right.toFixed(1)}px`),
  }));
  assert.ok(scrollWidth <= innerWidth,
    `page is ${scrollWidth}px wide in a ${innerWidth}px viewport on ${pathname()}; sticking out: ${culprits.join('; ')}`);
}

describe('first session', () => {
  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    assert.ok(fs.existsSync(BIN), `${BIN} is missing: run cargo build -p tribune`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/browser-test.sh`);
    baseUrl = await startServer();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run',
        '--lang=fr-FR',
      ],
    });
    context = await browser.newContext({
      baseURL: baseUrl,
      locale: 'fr-FR',
      viewport: DESKTOP,
      colorScheme: 'light',
    });
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    page.on('pageerror', (err) => problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      // HTTP errors are checked below, with the expected ones left out.
      if (msg.type() === 'error' && !msg.text().startsWith('Failed to load resource')) {
        problems.push(`console error: ${msg.text()}`);
      }
    });
    page.on('requestfailed', (req) => {
      // The favicon's request is cancelled by the browser when a click navigates away while it
      // loads: not a failure of the page.
      if (req.failure()?.errorText === 'net::ERR_ABORTED' && new URL(req.url()).pathname === '/static/favicon.svg') return;
      problems.push(`request failed: ${req.method()} ${req.url()} ${req.failure()?.errorText}`);
    });
    page.on('response', (res) => {
      if (res.status() >= 400) {
        if (expectedErrors > 0) expectedErrors -= 1;
        else problems.push(`HTTP ${res.status()}: ${res.request().method()} ${res.url()}`);
      }
    });
  });

  after(async () => {
    if (browser) await browser.close();
    stopServer();
    if (dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
  });

  step('first run: / leads to the setup page, in French', async () => {
    await page.goto('/');
    await waitForPath('/setup');
    assert.equal(await htmlLang(), 'fr');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Bienvenue sur tribune');
    await assertEveryVisibleInputIsLabelled();
    await shot('01-setup-fr');
    await assertContrast();
    await assertSkipLinkFirst('Aller au contenu');
  });

  step('setup creates the owner account and logs in', async () => {
    await page.getByLabel('Nom', { exact: true }).fill(OWNER.name);
    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill(OWNER.password);
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await waitForPath('/workspaces');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Vos espaces clients');
    assert.match(await text(page.getByRole('status')), /^Bienvenue/);
    assert.equal(await text(page.locator('header .account')), OWNER.name);
  });

  step('log out, then log in again (wrong password first)', async () => {
    await page.getByRole('button', { name: 'Se déconnecter' }).click();
    await waitForPath('/login');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Connexion');
    await assertEveryVisibleInputIsLabelled();
    await shot('02-login-fr');
    await assertContrast();

    expectedErrors = 1; // the rejected login may answer with a 4xx status
    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill('not the password');
    await page.getByRole('button', { name: 'Se connecter' }).click();
    assert.equal(await text(page.getByRole('alert')), 'E-mail ou mot de passe incorrect.');
    assert.equal(pathname(), '/login');
    expectedErrors = 0;

    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill(OWNER.password);
    await page.getByRole('button', { name: 'Se connecter' }).click();
    await waitForPath('/workspaces');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Vos espaces clients');
  });

  step('the workspaces page is labelled and keyboard-friendly', async () => {
    assert.match(await page.locator('.empty').innerText(), /Aucun espace/);
    assert.equal(await text(page.getByRole('heading', { level: 2 })), 'Nouvel espace');
    await assertEveryVisibleInputIsLabelled();
    assert.equal(await page.getByLabel('Français').isChecked(), true);
    assert.equal(await page.getByLabel('Anglais').isChecked(), false);
    await shot('03-workspaces-fr');
    await assertContrast();
    await assertSkipLinkFirst('Aller au contenu');
  });

  step('create a workspace in French', async () => {
    await page.getByLabel('Nom du client ou de l’espace').fill(WORKSPACE);
    await page.getByRole('button', { name: 'Créer l’espace' }).click();
    await waitForPath(/^\/w\/[^/]+$/);
    workspacePath = pathname();
    assert.equal(await text(page.getByRole('status')), 'Espace créé.');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), WORKSPACE);
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    assert.equal(await nav.getByRole('link', { name: 'Vue d’ensemble' }).getAttribute('aria-current'), 'page');
    // Languages of the workspace: French only.
    assert.equal(await text(page.locator('dt:has-text("Langues de publication") + dd')), 'Français');
    // The owner is listed as a member.
    assert.match(await page.locator('ul.plain').innerText(), new RegExp(OWNER.name));
    await shot('04-overview-fr');
    // The next steps, until done: nothing connected, nobody invited, nothing published.
    const steps = page.getByRole('region', { name: 'Pour bien démarrer' });
    for (const name of ['Connecter un canal', 'Inviter le client', 'Publier la charte de bonne conduite']) {
      await steps.getByRole('link', { name }).waitFor({ state: 'visible' });
    }
    await assertContrast();
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await shot('04b-overview-dark-fr');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }

    // The workspace switcher in the top bar lists it as the current one.
    const switcher = page.locator('header details.switcher');
    assert.match(await switcher.locator('summary').innerText(), new RegExp(WORKSPACE));
    await switcher.locator('summary').click();
    const current = switcher.getByRole('link', { name: new RegExp(WORKSPACE) });
    await current.waitFor({ state: 'visible' });
    assert.equal(await current.getAttribute('aria-current'), 'page');
    await shot('05-switcher-fr');
    await switcher.locator('summary').click(); // close it again
  });

  step('the overview on a phone, in French', async () => {
    await onPhone(async () => {
      await shot('06-overview-mobile-fr');
      await page.getByRole('heading', { level: 1, name: WORKSPACE }).waitFor({ state: 'visible' });
      await page.getByRole('button', { name: 'Se déconnecter' }).waitFor({ state: 'visible' });
      await assertSwitcherOnScreen();
      await assertContrast();
      await page.emulateMedia({ colorScheme: 'dark' });
      try {
        await shot('06b-overview-mobile-dark-fr');
      } finally {
        await page.emulateMedia({ colorScheme: 'light' });
      }
    });
  });

  step('on a phone, nothing sticks out of the page or of a card, in French', async () => {
    await onPhone(async () => {
      await assertNoHorizontalOverflow();
      await assertCardsContainTheirContent();
    });
  });

  step('fill in the brand profile and publish the guidelines', async () => {
    await page.getByRole('link', { name: 'Réglages' }).click();
    await waitForPath(`${workspacePath}/settings`);
    await assertEveryVisibleInputIsLabelled();
    await page.getByLabel('Ton de la marque').fill('Chaleureux, on tutoie, un emoji par post au plus.');
    await page.getByLabel('Mots à éviter').fill('pas cher\nlow cost');
    await page.getByLabel('Charte de bonne conduite', { exact: true }).fill('Soyez **courtois** !\n\n- Les insultes sont masquées.\n- Voir https://exemple.fr/faq?q=1');
    await page.getByLabel('Publier la charte sur une page publique').check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForPath(`${workspacePath}/settings`);
    assert.equal(await text(page.getByRole('status')), 'Modifications enregistrées.');
    await shot('11-settings-fr');
    await assertContrast();
    await page.getByRole('link', { name: 'Vue d’ensemble' }).click();
    await waitForPath(workspacePath);
    await page.getByRole('link', { name: 'Page publique' }).click();
    await waitForPath(/^\/g\//);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Charte de bonne conduite');
    assert.match(await page.locator('article').innerText(), /Les insultes sont masquées\./);
    assert.equal(await text(page.locator('article strong')), 'courtois');
    assert.match(await page.locator('article').innerText(), /courtois\u202f!/);
    assert.equal(await htmlLang(), 'fr');
    assert.equal(await page.title(), `Charte de bonne conduite · ${WORKSPACE}`);
    await shot('12-guidelines-fr');
    await assertContrast();
  });

  step('invite a client: the link to send is shown once', async () => {
    await page.goto(baseUrl + workspacePath + '/members');
    await page.getByLabel('Adresse e-mail').fill('cliente@boulangerie.test');
    await page.getByLabel('Rôle', { exact: true }).selectOption('client');
    await page.getByRole('button', { name: 'Créer l’invitation' }).click();
    const link = await page.getByLabel('Lien d’invitation').inputValue();
    assert.match(link, /\/invite\/[A-Za-z0-9_-]{20,}$/);
    assert.match(await page.locator('main').innerText(), /cliente@boulangerie\.test/);
    await shot('13-members-fr');
    await assertContrast();
    // The invitation's expiry: a date in French, the full date on hover.
    const expiry = page.locator('main time').first();
    assert.match(await expiry.innerText(), /^\d{1,2}\u00a0(janv\.|févr\.|mars|avr\.|mai|juin|juil\.|août|sept\.|oct\.|nov\.|déc\.)\u00a02\d{3} à \d{1,2}\u00a0h\u00a0\d{2}$/);
    assert.match(await expiry.getAttribute('datetime'), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}[+-]\d{2}:\d{2}$/);
  });

  step('revoking an invitation asks first and says the link will stop working', async () => {
    await page.goto(baseUrl + workspacePath + '/members');
    await page.getByLabel('Adresse e-mail').fill('stagiaire@boulangerie.test');
    await page.getByLabel('Rôle', { exact: true }).selectOption('contributor');
    await page.getByRole('button', { name: 'Créer l’invitation' }).click();
    await page.getByLabel('Lien d’invitation').waitFor({ state: 'visible' });
    const item = page.locator('main li', { hasText: 'stagiaire@boulangerie.test' });
    const box = item.locator('details.confirm');
    await box.locator('summary').click();
    assert.match(await box.innerText(), /Le lien envoyé à cette adresse ne fonctionnera plus/);
    // Without the box ticked, the browser does not send the form: nothing is revoked.
    const submit = box.getByRole('button', { name: 'Annuler l’invitation' });
    await submit.click();
    assert.equal(pathname(), workspacePath + '/members');
    assert.equal(await item.count(), 1, 'still pending without the box');
    await box.getByLabel('J’ai compris').check();
    await shot('13b-invitation-revoke-fr');
    await assertContrast();
    await submit.click();
    await page.getByRole('status').filter({ hasText: 'Invitation annulée.' }).waitFor({ state: 'visible' });
    assert.equal(await page.locator('main li', { hasText: 'stagiaire@boulangerie.test' }).count(), 0);
    assert.equal(await page.locator('main li', { hasText: 'cliente@boulangerie.test' }).count(), 1, 'the client’s invitation stays');
  });

  step('connect a WordPress site and a Mastodon account (local peers), in French', async () => {
    const wp = peers('TRIBUNE_TEST_WP_URL', 'TRIBUNE_TEST_WP_USER', 'TRIBUNE_TEST_WP_APP_PASSWORD');
    const masto = peers('TRIBUNE_TEST_MASTODON_URL', 'TRIBUNE_TEST_MASTODON_TOKEN');
    if (!wp || !masto) return;
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    await nav.getByRole('link', { name: 'Canaux' }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Canaux');
    assert.match(await page.locator('main').innerText(), /Aucun canal connecté/);
    await assertEveryVisibleInputIsLabelled();

    // A wrong application password: the network's refusal is shown, nothing is connected.
    const wpCard = page.getByRole('region', { name: 'WordPress' });
    await wpCard.getByLabel('Adresse du site').fill(wp[0]);
    await wpCard.getByLabel('Identifiant', { exact: true }).fill(wp[1]);
    await wpCard.getByLabel('Mot de passe d’application').fill('wrong password here');
    expectedErrors += 1; // the 422 page itself
    await wpCard.getByRole('button', { name: 'Connecter' }).click();
    await page.getByRole('alert').waitFor({ state: 'visible' });
    assert.match(await text(page.getByRole('alert')), /Le réseau a refusé ces identifiants\./);
    await shot('18-channels-refused-fr');

    // What was typed is still there, except the password.
    assert.equal(await wpCard.getByLabel('Adresse du site').inputValue(), wp[0]);
    assert.equal(await wpCard.getByLabel('Identifiant', { exact: true }).inputValue(), wp[1]);
    assert.equal(await wpCard.getByLabel('Mot de passe d’application').inputValue(), '');
    wpPassword = await wpApplicationPassword(wp);
    await wpCard.getByLabel('Mot de passe d’application').fill(wpPassword.password);
    await wpCard.getByRole('button', { name: 'Connecter' }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.equal(await text(page.getByRole('status')), 'Canal connecté.');

    // Mastodon with a token (OAuth needs a real instance's consent page).
    const mastoCard = page.getByRole('region', { name: 'Mastodon' });
    await mastoCard.getByText('J’ai déjà un jeton d’accès').click();
    await mastoCard.locator('#masto-token-instance').fill(masto[0]);
    await mastoCard.getByLabel('Jeton d’accès').fill(masto[1]);
    await mastoCard.getByRole('button', { name: 'Connecter', exact: true }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.equal(await text(page.getByRole('status')), 'Canal connecté.');

    const channels = page.locator('ul.channels > li');
    assert.equal(await channels.count(), 2);
    const wpChannel = channels.filter({ hasText: 'WordPress' });
    assert.match(await wpChannel.innerText(), /Actif/);
    assert.match(await wpChannel.innerText(), /File de modération/);
    const mastoChannel = channels.filter({ hasText: 'Mastodon' });
    assert.match(await mastoChannel.innerText(), /Répondre/);
    assert.doesNotMatch(await mastoChannel.innerText(), /Masquer un commentaire/);
    await shot('19-channels-fr');
    await assertContrast();
    await onPhone(async () => {
      await shot('20-channels-mobile-fr');
      await assertNoHorizontalOverflow();
      await assertCardsContainTheirContent();
    });
  });

  step('compose a post: live counters, a French typography hint and a spelling note, then publish it to both channels', async () => {
    if (!peers('TRIBUNE_TEST_WP_URL', 'TRIBUNE_TEST_MASTODON_URL')) return;
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    await nav.getByRole('link', { name: 'Publications' }).click();
    await waitForPath(`${workspacePath}/posts`);
    await page.getByRole('link', { name: 'Nouvelle publication' }).click();
    await waitForPath(`${workspacePath}/posts/new`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Nouvelle publication');
    await assertEveryVisibleInputIsLabelled();
    const picks = page.locator('li.channel-pick');
    assert.equal(await picks.count(), 2);
    for (const box of await page.locator('input[name=channel]').all()) await box.check();
    await page.getByLabel('Titre').fill('Nouveautés de décembre');
    // Two French typos: a misspelt word, and no space before the exclamation mark.
    await page.getByLabel('Texte', { exact: true }).fill('La galette des rois arrive bientot!');
    const hint = page.locator('#notes li', { hasText: 'Typographie' });
    await hint.waitFor({ state: 'visible' });
    // The spelling note names the word and suggests the right one, in the excerpt too.
    const spelling = page.locator('#notes li', { hasText: 'Orthographe' });
    await spelling.waitFor({ state: 'visible' });
    assert.match(await spelling.innerText(), /«\sbientot\s».*vouliez-vous dire bientôt/);
    assert.match(await spelling.innerText(), /→ .*arrive bientôt!/);
    // Mastodon counts against its limit; WordPress has none.
    const counter = picks.filter({ hasText: 'localhost:3900' }).locator('output.counter');
    await page.waitForFunction(() => [...document.querySelectorAll('output.counter')].some((o) => o.textContent.includes('/')));
    assert.match(await counter.innerText(), /^35 \/ 500$/);
    await shot('21-composer-hint-fr');
    await assertContrast();
    // Fixed: the hint goes away.
    await page.getByLabel('Texte', { exact: true }).fill('La galette des rois arrive bientôt\u202f!');
    await page.waitForFunction(() => document.querySelectorAll('#notes li').length === 0);
    await page.getByRole('button', { name: 'Programmer' }).click();
    await waitForPath(/\/posts\/\d+$/);
    assert.equal(await text(page.getByRole('status')), 'Publication programmée.');
    // The embedded worker publishes it to both channels.
    for (let i = 0; i < 60; i += 1) {
      if (/Publiée/.test(await page.locator('.page-head').innerText())) break;
      await page.waitForTimeout(500);
      await page.reload();
    }
    assert.match(await page.locator('.page-head').innerText(), /Publiée/);
    assert.equal(await page.getByRole('link', { name: 'Voir en ligne' }).count(), 2);
    await shot('22-post-published-fr');
    await assertContrast();
    await nav.getByRole('link', { name: 'Calendrier' }).click();
    await waitForPath(`${workspacePath}/calendar`);
    assert.match(await page.locator('table.calendar').innerText(), /La galette des rois/);
    await shot('23-calendar-fr');
    await assertContrast();
    await onPhone(async () => {
      await shot('24-calendar-mobile-fr');
    });
    // Coloured by category instead of status: a light yellow category gets its dark ring, the
    // legend names it and "no category", and the page keeps its contrast in both schemes.
    await page.goto(baseUrl + workspacePath + '/categories');
    await page.locator('#new-category').getByLabel('Nom').fill('Promo');
    await page.locator('#new-category').getByLabel('Couleur').fill('#ffeb3b');
    await page.getByRole('button', { name: 'Créer la catégorie' }).click();
    await waitForPath(/\/categories/);
    await page.goto(baseUrl + workspacePath + '/calendar');
    await page.getByLabel('Couleurs par').selectOption('category');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/colour=category/);
    const legend = page.getByRole('list', { name: 'Légende' });
    assert.match(await legend.innerText(), /Promo/);
    assert.match(await legend.innerText(), /Sans catégorie/);
    assert.equal(await page.locator('table.calendar li.cal-post.by-category').count() > 0, true);
    await shot('24b-calendar-by-category-fr');
    await assertContrast();
    await nav.getByRole('link', { name: 'Canaux' }).click();
    await waitForPath(`${workspacePath}/channels`);
  });

  step('attach an image in the composer: a warning until its alt text is filled, then published to Mastodon with its image and alt text', async () => {
    const masto = peers('TRIBUNE_TEST_MASTODON_URL', 'TRIBUNE_TEST_MASTODON_TOKEN');
    if (!masto) return;
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    await nav.getByRole('link', { name: 'Publications' }).click();
    await waitForPath(`${workspacePath}/posts`);
    await page.getByRole('link', { name: 'Nouvelle publication' }).click();
    await waitForPath(`${workspacePath}/posts/new`);
    const mastoPick = page.locator('li.channel-pick').filter({ hasText: 'localhost:3900' });
    await mastoPick.locator('input[name=channel]').check();
    const nonce = `vitrine-${Date.now()}`;
    const textArea = page.getByLabel('Texte', { exact: true });
    await textArea.fill(`La vitrine de Noël est prête\u202f! ${nonce}`);
    // A picture made here, uploaded from the composer: the script sends it in the background
    // and the picker comes back with it ticked, the text untouched.
    await page.getByLabel('Envoyer un nouveau fichier').setInputFiles({ name: 'vitrine.png', mimeType: 'image/png', buffer: gradientPng(96, 64) });
    await page.getByRole('button', { name: 'Envoyer et joindre' }).click();
    const picked = page.locator('li.media-pick').filter({ has: page.locator('input[name=media]:checked') });
    await picked.waitFor({ state: 'visible' });
    assert.equal(await picked.count(), 1);
    const item = page.locator(`li.media-pick[data-media="${await picked.getAttribute('data-media')}"]`);
    assert.equal(pathname(), `${workspacePath}/posts/new`);
    assert.equal(await textArea.inputValue(), `La vitrine de Noël est prête\u202f! ${nonce}`);
    assert.ok(await item.locator('img.thumb').evaluate((img) => img.complete && img.naturalWidth > 0), 'the thumbnail is shown');
    // No alt text: a warning under the image and on the channel, which does not block.
    const altWarning = item.locator('[data-alt-warning]');
    await altWarning.waitFor({ state: 'visible' });
    await mastoPick.locator('ul.problems li.warning', { hasText: 'texte alternatif' }).waitFor();
    await assertEveryVisibleInputIsLabelled();
    await shot('22b-composer-media-alt-missing-fr');
    await assertContrast();
    // The checkbox is reached with the keyboard and unticks with the space bar, then back.
    const box = item.locator('input[name=media]');
    await box.focus();
    await page.keyboard.press('Space');
    assert.equal(await box.isChecked(), false);
    await page.keyboard.press('Space');
    assert.equal(await box.isChecked(), true);
    const alt = 'La vitrine décorée de guirlandes dorées';
    await item.getByLabel('Texte alternatif').fill(alt);
    await altWarning.waitFor({ state: 'hidden' });
    await page.waitForFunction(() => ![...document.querySelectorAll('ul.problems li')].some((li) => /texte alternatif/.test(li.textContent)));
    await shot('22c-composer-media-alt-filled-fr');
    await onPhone(async () => {
      await shot('22d-composer-media-mobile-fr');
      await assertNoHorizontalOverflow();
    });
    await page.getByRole('button', { name: 'Programmer' }).click();
    await waitForPath(/\/posts\/\d+$/);
    assert.equal(await text(page.getByRole('status')), 'Publication programmée.');
    for (let i = 0; i < 60; i += 1) {
      if (/Publiée/.test(await page.locator('.page-head').innerText())) break;
      await page.waitForTimeout(500);
      await page.reload();
    }
    assert.match(await page.locator('.page-head').innerText(), /Publiée/);
    // The status on the Mastodon peer carries the image with its alt text.
    const online = await page.getByRole('link', { name: 'Voir en ligne' }).getAttribute('href');
    const statusId = online.split('/').pop();
    const res = await fetch(`${masto[0]}/api/v1/statuses/${statusId}`, { headers: { Authorization: `Bearer ${masto[1]}` } });
    assert.equal(res.status, 200);
    const status = await res.json();
    assert.match(status.content, new RegExp(nonce));
    assert.equal(status.media_attachments.length, 1, JSON.stringify(status.media_attachments));
    assert.equal(status.media_attachments[0].type, 'image');
    assert.equal(status.media_attachments[0].description, alt);
    // The media library lists it, described.
    await nav.getByRole('link', { name: 'Médias' }).click();
    await waitForPath(`${workspacePath}/media`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Médiathèque');
    assert.match(await page.locator('ul.media-library').innerText(), /vitrine\.png/);
    assert.equal(await page.locator('ul.media-library').getByLabel('Texte alternatif').first().inputValue(), alt);
    await assertEveryVisibleInputIsLabelled();
    await shot('22e-media-library-fr');
    await assertContrast();
    await nav.getByRole('link', { name: 'Canaux' }).click();
    await waitForPath(`${workspacePath}/channels`);
  });

  step('import posts from a CSV file: row errors first, then only the valid rows; subscribe to the iCal feed', async () => {
    if (!peers('TRIBUNE_TEST_WP_URL', 'TRIBUNE_TEST_MASTODON_URL')) return;
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    await nav.getByRole('link', { name: 'Publications' }).click();
    await waitForPath(`${workspacePath}/posts`);
    await page.getByRole('link', { name: 'Importer (CSV)' }).click();
    await waitForPath(`${workspacePath}/posts/import`);
    await assertEveryVisibleInputIsLabelled();
    // A date inside the iCal feed's window (it reaches a year ahead), as a French spreadsheet writes it.
    const soon = new Date(Date.now() + 3 * 86400e3);
    const day = `${String(soon.getDate()).padStart(2, '0')}/${String(soon.getMonth() + 1).padStart(2, '0')}/${soon.getFullYear()}`;
    const csv = 'canaux;texte;date;heure\n'
      + `mastodon;Atelier brioche samedi\u202f!;${day};10h00\n`
      + 'instagram;Un canal qui n’existe pas;13/12/2099;10h00\n'
      + 'mastodon | wordpress;Un brouillon sans date;;\n';
    await page.getByLabel('Fichier CSV').setInputFiles({ name: 'posts.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    // A file with errors is shown again with them: a 422, expected.
    expectedErrors += 1;
    await page.getByRole('button', { name: 'Vérifier et importer' }).click();
    await page.locator('table.import-rows').waitFor();
    const report = await page.locator('table.import-rows').innerText();
    assert.match(report, /Aucun canal de cet espace ne s’appelle «\u00a0instagram\u00a0»/);
    await shot('28-csv-import-errors-fr');
    await assertContrast();
    await page.getByRole('button', { name: 'Importer les 2 lignes valides' }).click();
    await waitForPath(`${workspacePath}/posts`);
    assert.equal(await text(page.getByRole('status')), 'Les publications ont été importées.');
    assert.match(await page.locator('ul.posts').innerText(), /Atelier brioche samedi/);
    assert.match(await page.locator('ul.posts').innerText(), /Un brouillon sans date/);
    await nav.getByRole('link', { name: 'Calendrier' }).click();
    await waitForPath(`${workspacePath}/calendar`);
    await page.getByRole('button', { name: 'Créer mon adresse iCal' }).click();
    const address = await page.getByLabel('Adresse iCal').inputValue();
    assert.match(address, /\/ical\/[A-Za-z0-9_-]{43}\.ics$/);
    await shot('29-ical-address-fr');
    const feed = await (await fetch(address.replace(/^https?:\/\/[^/]+/, baseUrl))).text();
    assert.match(feed, /BEGIN:VCALENDAR/);
    assert.match(feed, /Atelier brioche samedi/);
    await page.getByRole('link', { name: 'Retour à l’agenda' }).click();
    await waitForPath(`${workspacePath}/calendar`);
  });

  step('shorten a link in the composer, save the draft, and find the link on the Links page', async () => {
    if (!peers('TRIBUNE_TEST_WP_URL', 'TRIBUNE_TEST_MASTODON_URL')) return;
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    await page.goto(baseUrl + workspacePath + '/posts/new');
    for (const box of await page.locator('input[name=channel]').all()) await box.check();
    const textArea = page.getByLabel('Texte', { exact: true });
    await textArea.fill('Le programme de janvier : https://boulangerie-dupain.example/janvier?menu=1.');
    await page.getByLabel('Campagne (utm_campaign)').fill('Épiphanie');
    await page.getByRole('button', { name: 'Raccourcir les liens' }).click();
    // The script asks the server and puts the new text in the editor, without a page load.
    await page.waitForFunction(() => /\/l\/[0-9A-Za-z]{7}/.test(document.getElementById('text').value));
    assert.equal(pathname(), `${workspacePath}/posts/new`);
    const escaped = baseUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    assert.match(await textArea.inputValue(), new RegExp(`^Le programme de janvier : ${escaped}/l/[0-9A-Za-z]{7}\\.$`));
    await shot('23b-composer-shortened-fr');
    await page.getByRole('button', { name: 'Enregistrer le brouillon' }).click();
    await waitForPath(/\/posts\/\d+$/);
    await nav.getByRole('link', { name: 'Liens' }).click();
    await waitForPath(`${workspacePath}/links`);
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Liens');
    const rows = page.locator('table.links tbody tr');
    assert.equal(await rows.count(), 1);
    const row = await rows.first().innerText();
    assert.match(row, /boulangerie-dupain\.example\/janvier\?menu=1/);
    assert.match(row, /utm_campaign=Épiphanie/);
    assert.match(row, /utm_medium=social/);
    await assertEveryVisibleInputIsLabelled();
    await shot('23c-links-fr');
    await assertContrast();
    await onPhone(async () => {
      await assertNoHorizontalOverflow();
      await shot('23d-links-mobile-fr');
    });
    await nav.getByRole('link', { name: 'Canaux' }).click();
    await waitForPath(`${workspacePath}/channels`);
  });

  step('under client approval, the client approves from the e-mail link without logging in', async () => {
    const masto = peers('TRIBUNE_TEST_MASTODON_URL');
    const sink = peers('TRIBUNE_TEST_SMTP_PORT', 'TRIBUNE_TEST_SMTP_DIR');
    if (!masto || !sink) return;
    const CLIENT = { name: 'Claire Dupain', email: 'cliente@boulangerie.test', password: 'la galette du client' };
    const fresh = () => browser.newContext({ baseURL: baseUrl, locale: 'fr-FR', viewport: DESKTOP, colorScheme: 'light' });

    // The client accepts the invitation mailed earlier, in a browser of their own.
    const invitation = await linkMailedTo(CLIENT.email, `${baseUrl}/invite/`);
    const joining = await fresh();
    try {
      const client = await joining.newPage();
      await client.goto(invitation);
      await client.getByLabel('Nom', { exact: true }).fill(CLIENT.name);
      await client.getByLabel('Mot de passe').fill(CLIENT.password);
      await client.getByRole('button', { name: 'Créer mon compte et rejoindre' }).click();
      await client.waitForURL((url) => /^\/w\/\d+$/.test(url.pathname));
    } finally {
      await joining.close();
    }

    // Every post is now approved by the client.
    await page.goto(baseUrl + workspacePath + '/settings');
    await page.getByLabel('Le client, pour chaque publication').check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForPath(`${workspacePath}/settings`);
    assert.equal(await text(page.getByRole('status')), 'Modifications enregistrées.');

    // The owner writes a post for tomorrow and submits it.
    await page.goto(baseUrl + workspacePath + '/posts/new');
    const picks = page.locator('li.channel-pick');
    await picks.filter({ hasText: 'localhost:3900' }).locator('input[name=channel]').check();
    const words = 'Atelier galettes samedi matin, inscriptions en boutique.';
    await page.getByLabel('Texte', { exact: true }).fill(words);
    await page.getByLabel('À une date et une heure').check();
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    await page.getByLabel('Date', { exact: true }).fill(tomorrow);
    await page.getByLabel('Heure', { exact: true }).fill('10:00');
    await page.getByRole('button', { name: 'Soumettre à validation' }).click();
    await waitForPath(/\/posts\/\d+$/);
    const postPath = pathname();
    assert.equal(await text(page.getByRole('status')), 'Publication soumise à validation.');
    assert.match(await page.locator('.page-head').innerText(), /En attente de validation/);
    assert.match(await page.locator('main').innerText(), /Le client a reçu cette publication par e-mail/);

    // The client's e-mail holds a password-free link; opened in a browser with no session.
    const link = await linkMailedTo(CLIENT.email, `${baseUrl}/a/`);
    const outside = await fresh();
    const owner = page;
    try {
      page = await outside.newPage();
      await page.goto(link);
      assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Valider une publication');
      assert.match(await page.locator('main').innerText(), new RegExp(words));
      assert.match(await page.locator('main').innerText(), /Ce lien ne sert qu’une fois/);
      assert.equal(await page.locator('header .account').count(), 0, 'nobody is logged in');
      await assertEveryVisibleInputIsLabelled();
      await shot('24a-approval-link-fr');
      await assertContrast();
      await onPhone(async () => {
        await assertNoHorizontalOverflow();
        await shot('24b-approval-link-mobile-fr');
      });
      // Opening it decided nothing.
      assert.match(await owner.reload().then(() => owner.locator('.page-head').innerText()), /En attente de validation/);
      await page.getByRole('button', { name: 'Valider', exact: true }).click();
      await page.waitForURL((url) => url.pathname === new URL(link).pathname && url.search === '?done=approved');
      assert.match(await text(page.getByRole('status')), /la publication est validée et programmée/);
      await shot('24c-approval-done-fr');
      // The link works once.
      await page.goto(link);
      assert.match(await text(page.getByRole('alert')), /Ce lien a déjà servi/);
    } finally {
      page = owner;
      await outside.close();
    }

    // The owner sees it scheduled, approved by the client in its history.
    await page.goto(baseUrl + postPath);
    assert.match(await page.locator('.page-head').innerText(), /Programmée/);
    assert.match(await page.locator('ol.history').innerText(), new RegExp(`${CLIENT.name} l’a validée`));
    await shot('24d-post-approved-fr');
    // Back to the usual rule: the owner's own posts need nobody's approval.
    await page.goto(baseUrl + workspacePath + '/settings');
    await page.getByLabel('Personne (les publications des contributeurs sont validées par l’équipe)').check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForPath(`${workspacePath}/settings`);
    assert.equal(await text(page.getByRole('status')), 'Modifications enregistrées.');
    // The next step starts from the channels page.
    await page.goto(baseUrl + workspacePath + '/channels');
  });

  step('a revoked password turns the channel red, with a banner, until it is reconnected', async () => {
    const wp = peers('TRIBUNE_TEST_WP_URL', 'TRIBUNE_TEST_WP_USER', 'TRIBUNE_TEST_WP_APP_PASSWORD');
    if (!wp) return;
    // The site's owner revokes tribune's application password in WordPress.
    const revoked = await fetch(`${wp[0]}/wp-json/wp/v2/users/me/application-passwords/${wpPassword.uuid}`, {
      method: 'DELETE',
      headers: { authorization: basic(wp[1], wp[2]) },
    });
    assert.ok(revoked.ok, `revoking the application password: HTTP ${revoked.status}`);
    const wpChannel = page.locator('ul.channels > li').filter({ hasText: 'WordPress' });
    await wpChannel.getByRole('button', { name: 'Vérifier maintenant' }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.match(await text(page.getByRole('status').first()), /Identifiants refusés par le réseau/);
    assert.match(await text(page.locator('p.banner')), /Un canal ne fonctionne plus/);
    assert.match(await wpChannel.innerText(), /Refusé/);
    assert.match(await wpChannel.innerText(), /Dernière vérification le .* refusé/);
    assert.match(await page.getByRole('region', { name: 'Alertes' }).innerText(), /Identifiants refusés par le réseau/);
    await shot('22-channel-broken-fr');
    await assertContrast();
    // The banner follows the manager on every page of the workspace.
    await page.getByRole('navigation', { name: 'Navigation de l’espace' }).getByRole('link', { name: 'Vue d’ensemble' }).click();
    await waitForPath(workspacePath);
    assert.match(await text(page.locator('p.banner')), /Un canal ne fonctionne plus/);
    await page.locator('p.banner').getByRole('link', { name: 'Reconnecter' }).click();
    await waitForPath(`${workspacePath}/channels`);

    // Reconnect from the card: the site and user are filled in, only the password is asked.
    wpPassword = await wpApplicationPassword(wp);
    const reconnect = wpChannel.locator('details.reconnect');
    await reconnect.getByLabel('Mot de passe d’application').fill(wpPassword.password);
    await reconnect.getByRole('button', { name: 'Reconnecter' }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.equal(await text(page.getByRole('status')), 'Canal connecté.');
    assert.equal(await page.locator('p.banner').count(), 0);
    assert.equal(await page.locator('ul.channels > li').count(), 2, 'the same channel, not a new one');
    assert.match(await wpChannel.innerText(), /Actif/);

    // Disconnecting says what is lost and needs the box ticked (looked at, not sent).
    const mastoChannel = page.locator('ul.channels > li').filter({ hasText: 'Mastodon' });
    await mastoChannel.getByText('Déconnecter', { exact: true }).click();
    const confirm = mastoChannel.locator('details.confirm');
    assert.match(await confirm.innerText(), /Les identifiants de ce canal seront effacés/);
    assert.equal(await confirm.getByLabel('J’ai compris').getAttribute('required'), '');
    await shot('23-channel-disconnect-confirm-fr');
    await mastoChannel.getByText('Déconnecter', { exact: true }).click();
  });

  step('the queue of a channel: weekly slots, the best-time map, then add to queue from the composer', async () => {
    if (!peers('TRIBUNE_TEST_MASTODON_URL')) return;
    const mastoChannel = page.locator('ul.channels > li').filter({ hasText: 'Mastodon' });
    await mastoChannel.getByRole('link', { name: 'File d’attente' }).click();
    await waitForPath(/\/channels\/\d+\/queue$/);
    const queuePath = pathname();
    assert.match(await text(page.getByRole('heading', { level: 1 })), /^File d’attente de /);
    assert.match(await page.locator('main').innerText(), /Pas encore de créneau/);
    await assertEveryVisibleInputIsLabelled();
    // The heat map is a table a screen reader can read: a caption, days as row headers, values.
    const heat = page.locator('table.heatmap');
    assert.match(await text(heat.locator('caption')), /Note de chaque heure de la semaine/);
    assert.equal(await heat.locator('tbody th[scope=row]').count(), 7);
    assert.equal(await heat.locator('tbody td').count(), 7 * 24);

    await page.getByLabel('Jour', { exact: true }).selectOption('2');
    await page.getByLabel('Heure', { exact: true }).fill('09:30');
    await page.getByRole('button', { name: 'Ajouter le créneau' }).click();
    await waitForPath(queuePath);
    assert.equal(await text(page.getByRole('status')), 'Créneau ajouté.');
    await page.getByRole('button', { name: 'Ajouter les créneaux suggérés' }).click();
    await waitForPath(queuePath);
    assert.equal(await page.locator('ul.queue-slots > li').count(), 6);
    assert.ok(await page.locator('ol.queue-upcoming li.open').count() > 0);
    await shot('25-queue-fr');
    await assertContrast();
    await onPhone(async () => {
      await shot('26-queue-mobile-fr');
      await assertNoHorizontalOverflow();
    });

    // Add to queue from the composer: the post takes the channel's next free slot.
    const nav = page.getByRole('navigation', { name: 'Navigation de l’espace' });
    await nav.getByRole('link', { name: 'Publications' }).click();
    await page.getByRole('link', { name: 'Nouvelle publication' }).click();
    await waitForPath(`${workspacePath}/posts/new`);
    await page.locator('li.channel-pick').filter({ hasText: 'localhost:3900' }).locator('input[name=channel]').check();
    await page.getByLabel('Texte', { exact: true }).fill('Les galettes se réservent dès maintenant\u202f!');
    await page.getByRole('button', { name: 'Ajouter à la file d’attente' }).click();
    await waitForPath(/\/posts\/\d+$/);
    assert.equal(await text(page.getByRole('status')), 'Publication ajoutée à la file d’attente.');
    assert.match(await page.locator('.page-head').innerText(), /Programmée/);
    await page.goto(`${baseUrl}${queuePath}`);
    assert.match(await page.locator('ol.queue-upcoming li.filled').first().innerText(), /Les galettes se réservent/);
    await shot('27-queue-filled-fr');
    await nav.getByRole('link', { name: 'Canaux' }).click();
    await waitForPath(`${workspacePath}/channels`);
  });

  step('turn on two-factor authentication: a QR code to scan', async () => {
    await page.getByRole('link', { name: OWNER.name }).click();
    await waitForPath('/account');
    await page.getByRole('button', { name: 'Activer la double authentification' }).click();
    await page.getByRole('img', { name: /QR code/ }).waitFor({ state: 'visible' });
    assert.match(await page.getByLabel('Clé', { exact: true }).inputValue(), /^[A-Z2-7]{16,}$/);
    await shot('14-account-totp-fr');
    await assertContrast();
  });

  step('confirm two-factor: ten recovery codes, then an API token, each shown once', async () => {
    const key = await page.getByLabel('Clé', { exact: true }).inputValue();
    await page.reload(); // Post/Redirect/Get: a reload shows the same key
    assert.equal(await page.getByLabel('Clé', { exact: true }).inputValue(), key);
    await page.getByLabel('Code à 6 chiffres').fill(totpCode(key));
    await page.getByRole('button', { name: 'Confirmer et activer' }).click();
    await waitForPath('/account');
    const codes = (await page.locator('pre#recovery-codes').innerText()).trim().split('\n');
    assert.equal(codes.length, 10);
    for (const code of codes) assert.match(code, /^[0-9a-z]{4}-[0-9a-z]{4}-[0-9a-z]{4}$/);
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: baseUrl });
    const copy = page.getByRole('button', { name: 'Copier' });
    await copy.click();
    await page.getByRole('button', { name: 'Copié' }).waitFor({ state: 'visible' });
    assert.equal((await page.evaluate(() => navigator.clipboard.readText())).trim(), codes.join('\n'));
    assert.match(await page.locator('main').innerText(), /10 codes de secours restants/);
    await shot('24-account-recovery-codes-fr');
    await page.reload();
    assert.equal(await page.locator('pre#recovery-codes').count(), 0, 'shown once');

    await page.getByLabel('Nom du jeton').fill('Intégration');
    await page.getByRole('button', { name: 'Créer un jeton' }).click();
    await waitForPath('/account');
    assert.match(await page.locator('#new-token').inputValue(), /^trb_[A-Za-z0-9_-]{40,}$/);
    await shot('25-account-token-fr');
    await page.reload();
    assert.equal(await page.locator('#new-token').count(), 0, 'shown once');
    assert.equal(await page.getByRole('cell', { name: 'Intégration' }).count(), 1, 'one token, not two');
    await page.goto(baseUrl + workspacePath);
  });

  step('the instance owner reaches the administration, in French', async () => {
    await page.getByRole('link', { name: 'Administration', exact: true }).click();
    await waitForPath('/admin');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Administration');
    assert.match(await page.locator('main').innerText(), new RegExp(OWNER.email.replace('.', '\\.')));
    await assertEveryVisibleInputIsLabelled();
    await shot('26-admin-fr');
    await assertContrast();
    await onPhone(async () => {
      await page.getByRole('button', { name: 'Se déconnecter' }).waitFor({ state: 'visible' });
      await page.getByRole('link', { name: 'Administration', exact: true }).waitFor({ state: 'visible' });
      await assertNoHorizontalOverflow();
      await shot('27-admin-phone-fr');
    });
    await page.goto(baseUrl + workspacePath);
  });

  step('the administration: SMTP settings saved on the page, the password never shown back', async () => {
    await page.goto(baseUrl + '/admin');
    const mail = page.getByRole('region', { name: 'E-mail' });
    await mail.getByLabel('Serveur SMTP').fill('smtp.boulangerie.test');
    await mail.getByLabel('Chiffrement').selectOption('starttls');
    await mail.getByLabel('Port').fill('');
    await mail.getByLabel('Expéditeur').fill('Boulangerie <contact@boulangerie.test>');
    await mail.getByLabel('Mot de passe', { exact: true }).fill('mot-de-passe-smtp');
    await mail.getByRole('button', { name: 'Enregistrer les réglages SMTP' }).click();
    await page.getByRole('status').filter({ hasText: 'Réglages SMTP enregistrés.' }).waitFor({ state: 'visible' });
    assert.equal(await mail.getByLabel('Serveur SMTP').inputValue(), 'smtp.boulangerie.test');
    assert.equal(await mail.getByLabel('Port').inputValue(), '587', 'the mode’s usual port');
    assert.equal(await mail.getByLabel('Mot de passe', { exact: true }).inputValue(), '', 'never shown back');
    assert.match(await mail.innerText(), /Un mot de passe est enregistré/);
    assert.doesNotMatch(await page.content(), /mot-de-passe-smtp/);
    assert.match(await page.locator('main').innerText(), /a modifié les réglages SMTP/);
    if (process.env.TRIBUNE_TEST_SMTP_PORT) {
      // The server was started with TRIBUNE_SMTP_*: the environment wins, and the page says so.
      assert.match(await mail.innerText(), /Inutilisés/);
      assert.match(await mail.innerText(), /viennent du fichier de configuration ou de l’environnement/);
    }
    await assertEveryVisibleInputIsLabelled();
    await shot('26b-admin-smtp-fr');
    await assertContrast();
    await page.goto(baseUrl + workspacePath);
  });

  step('switch the interface to English', async () => {
    assert.equal(await page.getByRole('button', { name: 'FR', exact: true }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('button', { name: 'EN', exact: true }).click();
    await waitForLang('en');
    assert.equal(pathname(), workspacePath, 'stays on the same page');
    assert.equal(await page.getByRole('button', { name: 'EN', exact: true }).getAttribute('aria-pressed'), 'true');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), WORKSPACE);
    const nav = page.getByRole('navigation', { name: 'Workspace navigation' });
    assert.equal(await text(nav.getByRole('link', { name: 'Overview' })), 'Overview');
    assert.equal(await text(nav.getByRole('link', { name: 'Members', exact: true })), 'Members');
    assert.equal(await page.getByRole('heading', { level: 2, name: 'Brand profile' }).count(), 1);
    assert.equal(await text(page.locator('dt:has-text("Publishing languages") + dd')), 'French');
    await page.getByRole('button', { name: 'Log out' }).waitFor({ state: 'visible' });
    await shot('07-overview-en');
    // The same page for people whose system is in dark mode.
    await page.emulateMedia({ colorScheme: 'dark' });
    try {
      await shot('08-overview-dark-en');
    } finally {
      await page.emulateMedia({ colorScheme: 'light' });
    }
  });

  step('settings, members and account pages in English', async () => {
    for (const [where, heading, name] of [
      [`${workspacePath}/settings`, 'Workspace settings', '15-settings-en'],
      [`${workspacePath}/members`, 'Members', '16-members-en'],
      [`${workspacePath}/channels`, 'Channels', '21-channels-en'],
      ['/account', 'My account', '17-account-en'],
    ]) {
      await page.goto(baseUrl + where);
      await waitForLang('en');
      assert.equal(await text(page.getByRole('heading', { level: 1 })), heading);
      await assertEveryVisibleInputIsLabelled();
      await shot(name);
      await assertContrast();
    }
    await page.goto(baseUrl + workspacePath);
  });

  step('the overview fits a phone screen, in English', async () => {
    await onPhone(async () => {
      await page.getByRole('button', { name: 'Log out' }).waitFor({ state: 'visible' });
      await shot('09-overview-mobile-en');
      await assertNoHorizontalOverflow();
      await assertSwitcherOnScreen();
    });
  });

  step('log out: back to the login page, still in English', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await waitForPath('/login');
    assert.equal(await htmlLang(), 'en');
    assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Log in');
    await page.getByLabel('E-mail address').waitFor({ state: 'visible' });
    await page.getByLabel('Password').waitFor({ state: 'visible' });
    await shot('10-login-en');
    await assertContrast();
  });

  step('after logout, protected pages redirect to the login page', async () => {
    for (const p of [workspacePath, '/workspaces']) {
      await page.goto(p);
      await waitForPath('/login');
      assert.equal(pathname(), '/login', `${p} should redirect to /login`);
      assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Log in');
    }
  });

  step('no console errors, script errors or failed requests', async () => {
    assert.deepEqual(problems, []);
  });
});
