// Issue #10's chain, in real headless Chromium, on the local Bluesky network:
// compose with a French typo and an image without alt text -> fix both -> submit -> the client
// approves from the e-mailed link (read from the SMTP sink) in a browser with no session, seeing
// the image and its alt text -> the calendar shows the post scheduled -> the embedded worker
// publishes it -> the record on the PDS (read over XRPC) has the corrected text, the image blob
// and the alt text.
//
// Needs the local peers (scripts/peers/start.sh: Bluesky PDS, SMTP sink) in the environment
// (`. target/peers/env`); without them every step is skipped, except with CI=true where that
// fails. Run through scripts/browser-test.sh, or directly: node --test tests/browser/
// Screenshots go to target/screenshots-bluesky-chain/ (its own directory: first-session's
// empties target/screenshots/ when it starts).
'use strict';

const { describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { chromium } = require('playwright-core');
const {
  ROOT, BIN, CHROMIUM, peers, startServer, mailTo, eventually, gradientPng,
  assertEveryVisibleInputIsLabelled, assertContrast, assertNoHorizontalOverflow, scenario, watch,
} = require('./support');

const SHOTS = path.join(ROOT, 'target', 'screenshots-bluesky-chain');
const SERVER_LOG = path.join(ROOT, 'target', 'browser-test-bluesky-chain-server.log');
const DESKTOP = { width: 1280, height: 800 };
const MOBILE = { width: 390, height: 844 };

// Each run has its own people and account: the SMTP sink and the PDS outlive a run.
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const OWNER = { name: 'Camille Martin', email: `camille-${RUN}@example.test`, password: 'correct horse battery' };
const CLIENT = { name: 'Claire Dupain', email: `cliente-${RUN}@boulangerie.test`, password: 'la galette du client' };
const WORKSPACE = 'Boulangerie Dupain';
const HANDLE = `dupain${RUN}.test`;
// The typo the spell check must catch, and the text once fixed (no typography note either:
// a narrow no-break space before the exclamation mark).
const TYPO_TEXT = 'Notre vitrine de Noël est prete, venez la voir\u202f!';
const FIXED_TEXT = 'Notre vitrine de Noël est prête, venez la voir\u202f!';
const ALT = 'La vitrine de la boulangerie décorée de guirlandes dorées et de galettes';

let server;
let baseUrl;
let browser;
let context;
let page;
let workspacePath;
let bsky; // { pds, control, did, password }
let postPath;
let dueLocal; // { date: 'YYYY-MM-DD', time: 'HH:MM' } in the workspace's zone
const problems = [];

const { step, shot } = scenario({ shots: SHOTS, serverLog: SERVER_LOG, currentPage: () => page });
const text = async (locator) => (await locator.innerText()).trim();
const pathname = () => new URL(page.url()).pathname;
const waitForPath = (want) => page.waitForURL((url) => (typeof want === 'string' ? url.pathname === want : want.test(url.pathname)));
const fresh = () => browser.newContext({ baseURL: baseUrl, locale: 'fr-FR', viewport: DESKTOP, colorScheme: 'light' });

async function xrpc(method, params, { jwt, body } = {}) {
  const url = new URL(`${bsky.pds}/xrpc/${method}`);
  for (const [k, v] of Object.entries(params || {})) url.searchParams.set(k, v);
  const res = await fetch(url, {
    method: body ? 'POST' : 'GET',
    headers: { ...(jwt ? { authorization: `Bearer ${jwt}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const answer = await res.json().catch(() => ({}));
  assert.ok(res.ok, `${method}: HTTP ${res.status} ${JSON.stringify(answer)}`);
  return answer;
}

// The wall-clock date and time of `when` in `zone`, as the composer's fields take them.
function wallClock(when, zone) {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-GB', {
    timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(when).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, time: `${parts.hour}:${parts.minute}` };
}

describe('Bluesky chain: compose, fix, client approval by e-mail, calendar, published with its image and alt text', () => {
  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    assert.ok(fs.existsSync(BIN), `${BIN} is missing: run cargo build -p tribune`);
    assert.ok(fs.existsSync(CHROMIUM), `${CHROMIUM} is missing: run scripts/browser-test.sh`);
    server = await startServer(SERVER_LOG);
    baseUrl = server.baseUrl;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run', '--lang=fr-FR',
      ],
    });
    context = await fresh();
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
    watch(page, problems);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.stop();
  });

  step('the owner sets up tribune and a workspace in French', async () => {
    await page.goto('/');
    await waitForPath('/setup');
    await page.getByLabel('Nom', { exact: true }).fill(OWNER.name);
    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill(OWNER.password);
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await waitForPath('/workspaces');
    await page.getByLabel('Nom du client ou de l’espace').fill(WORKSPACE);
    await page.getByRole('button', { name: 'Créer l’espace' }).click();
    await waitForPath(/^\/w\/[^/]+$/);
    workspacePath = pathname();
    assert.equal(await text(page.getByRole('status')), 'Espace créé.');
  });

  step('connect a Bluesky account of the local network with an app password', async () => {
    const found = peers('TRIBUNE_TEST_BSKY_PDS', 'TRIBUNE_TEST_BSKY_CONTROL', 'TRIBUNE_TEST_SMTP_PORT', 'TRIBUNE_TEST_SMTP_DIR');
    assert.ok(found, 'the Bluesky network and the SMTP sink are needed: run scripts/peers/start.sh and source target/peers/env');
    const [pds, control] = found;
    bsky = { pds, control };
    // The account and its app password are made on the PDS, as a brand's manager would on Bluesky.
    const account = await xrpc('com.atproto.server.createAccount', null, {
      body: { handle: HANDLE, email: `${HANDLE}@example.com`, password: 'main-password' },
    });
    bsky.did = account.did;
    bsky.password = (await xrpc('com.atproto.server.createAppPassword', null, { jwt: account.accessJwt, body: { name: 'tribune' } })).password;
    // The AppView learns of new accounts in the background; tribune reads the profile there.
    await eventually('the AppView knows the new account', async () => {
      await fetch(`${control}/process-all`, { method: 'POST' });
      const res = await fetch(`${pds}/xrpc/app.bsky.actor.getProfile?actor=${HANDLE}`, { headers: { authorization: `Bearer ${account.accessJwt}` } });
      return res.ok;
    }, { timeoutMs: 20_000, everyMs: 200 });

    await page.goto(`${workspacePath}/channels`);
    const card = page.getByRole('region', { name: 'Bluesky' });
    await card.getByLabel('Identifiant (handle ou e-mail)').fill(HANDLE);
    await card.getByLabel('Mot de passe d’application').fill(bsky.password);
    await card.getByText('Serveur personnalisé (PDS)').click();
    await card.getByLabel('Adresse du serveur (PDS)').fill(pds);
    await card.getByRole('button', { name: 'Connecter' }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.equal(await text(page.getByRole('status')), 'Canal connecté.');
    const channel = page.locator('ul.channels > li').filter({ hasText: HANDLE });
    assert.equal(await channel.count(), 1);
    assert.match(await channel.innerText(), /Actif/);
    await shot('01-bluesky-connected-fr');
  });

  step('invite the client, who joins from the e-mailed invitation; every post now needs their approval', async () => {
    await page.goto(`${workspacePath}/members`);
    await page.getByLabel('Adresse e-mail').fill(CLIENT.email);
    await page.getByLabel('Rôle', { exact: true }).selectOption('client');
    await page.getByRole('button', { name: 'Créer l’invitation' }).click();
    await page.getByLabel('Lien d’invitation').waitFor();
    const { link: invitation } = await mailTo(CLIENT.email, `${baseUrl}/invite/`);
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
    await page.reload();
    assert.match(await page.locator('main').innerText(), new RegExp(CLIENT.name));

    await page.goto(`${workspacePath}/settings`);
    await page.getByLabel('Le client, pour chaque publication').check();
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForPath(`${workspacePath}/settings`);
    assert.equal(await text(page.getByRole('status')), 'Modifications enregistrées.');
  });

  step('compose for Bluesky: a spelling note and a missing alt text, both shown', async () => {
    await page.goto(`${workspacePath}/posts/new`);
    const pick = page.locator('li.channel-pick').filter({ hasText: HANDLE });
    await pick.locator('input[name=channel]').check();
    await page.getByLabel('Texte', { exact: true }).fill(TYPO_TEXT);
    const spelling = page.locator('#notes li', { hasText: 'Orthographe' });
    await spelling.waitFor({ state: 'visible' });
    assert.match(await spelling.innerText(), /«\sprete\s».*vouliez-vous dire.*prête/);
    // A picture made here, uploaded from the composer without alt text.
    await page.getByLabel('Envoyer un nouveau fichier').setInputFiles({ name: 'vitrine-noel.png', mimeType: 'image/png', buffer: gradientPng(480, 320) });
    await page.getByRole('button', { name: 'Envoyer et joindre' }).click();
    const picked = page.locator('li.media-pick').filter({ has: page.locator('input[name=media]:checked') });
    await picked.waitFor({ state: 'visible' });
    assert.equal(await picked.count(), 1);
    assert.equal(await page.getByLabel('Texte', { exact: true }).inputValue(), TYPO_TEXT, 'the text survives the upload');
    await picked.locator('[data-alt-warning]').waitFor({ state: 'visible' });
    await pick.locator('ul.problems li.warning', { hasText: 'texte alternatif' }).waitFor();
    assert.equal(await spelling.count(), 1, 'the spelling note is still there');
    await assertEveryVisibleInputIsLabelled(page);
    await shot('02-composer-typo-and-alt-missing-fr');
  });

  step('fix both: the notes go away; submit it, dated, for the client’s approval', async () => {
    await page.getByLabel('Texte', { exact: true }).fill(FIXED_TEXT);
    const picked = page.locator('li.media-pick').filter({ has: page.locator('input[name=media]:checked') });
    await picked.getByLabel('Texte alternatif').fill(ALT);
    await picked.locator('[data-alt-warning]').waitFor({ state: 'hidden' });
    await page.waitForFunction(() => document.querySelectorAll('#notes li').length === 0);
    await page.waitForFunction(() => ![...document.querySelectorAll('ul.problems li')].some((li) => /texte alternatif/.test(li.textContent)));
    // Dated a little ahead, in the workspace's zone (the composer says which), so the calendar
    // shows it scheduled before the worker publishes it.
    const zone = /\(([^)]+)\)/.exec(await page.getByText('Les heures sont celles du fuseau').innerText())[1];
    const due = new Date(Math.ceil((Date.now() + 60_000) / 60_000) * 60_000);
    dueLocal = { ...wallClock(due, zone), at: due };
    // Each change sends the live check; submitting while one is on its way would abort it (a
    // failed request): wait for the check of the final form, and for none to be left.
    const isCheck = (req) => req.url().endsWith('/compose/check');
    let checking = 0;
    const started = (req) => { if (isCheck(req)) checking += 1; };
    const ended = (req) => { if (isCheck(req)) checking -= 1; };
    page.on('request', started);
    page.on('requestfinished', ended);
    page.on('requestfailed', ended);
    const finalCheck = page.waitForResponse((res) => isCheck(res.request())
      && (res.request().postData() || '').includes(`time=${encodeURIComponent(dueLocal.time)}`));
    await page.getByLabel('À une date et une heure').check();
    await page.getByLabel('Date', { exact: true }).fill(dueLocal.date);
    await page.getByLabel('Heure', { exact: true }).fill(dueLocal.time);
    await finalCheck;
    await eventually('no live check on its way', async () => checking === 0, { timeoutMs: 10_000, everyMs: 50 });
    for (const [event, fn] of [['request', started], ['requestfinished', ended], ['requestfailed', ended]]) page.off(event, fn);
    assert.equal(await page.locator('ul.problems li').count(), 0, 'no problem with the date either');
    await shot('03-composer-fixed-fr');
    await page.getByRole('button', { name: 'Soumettre à validation' }).click();
    await waitForPath(/\/posts\/\d+$/);
    postPath = pathname();
    assert.equal(await text(page.getByRole('status')), 'Publication soumise à validation.');
    assert.match(await page.locator('.page-head').innerText(), /En attente de validation/);
    assert.match(await page.locator('main').innerText(), /Le client a reçu cette publication par e-mail/);
  });

  step('the client opens the e-mailed link with no session: the post with its image and alt text; approves once', async () => {
    const { link, body } = await mailTo(CLIENT.email, `${baseUrl}/a/`);
    assert.ok(body.replace(/\s+/g, ' ').includes('Notre vitrine de Noël est prête, venez la voir'), `the e-mail holds the post as corrected: ${body}`);
    const outside = await fresh();
    const owner = page;
    try {
      page = await outside.newPage();
      watch(page, problems);
      await page.goto(link);
      assert.equal(await text(page.getByRole('heading', { level: 1 })), 'Valider une publication');
      assert.equal(await page.locator('header .account').count(), 0, 'nobody is logged in');
      assert.match(await page.locator('main').innerText(), new RegExp(FIXED_TEXT));
      // The image, served under the link's token, described by its alt text.
      const image = page.getByRole('img', { name: ALT });
      await image.waitFor({ state: 'visible' });
      assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the picture loads without a session');
      const src = await image.getAttribute('src');
      assert.ok(src.startsWith(`${new URL(link).pathname}/media/`), src);
      assert.match(await page.locator('ul.post-media figcaption').innerText(), new RegExp(`Texte alternatif.*${ALT}`));
      await assertEveryVisibleInputIsLabelled(page);
      await shot('04-approval-link-with-image-fr');
      await assertContrast(page);
      await page.setViewportSize(MOBILE);
      await assertNoHorizontalOverflow(page);
      await shot('04b-approval-link-with-image-mobile-fr');
      await page.setViewportSize(DESKTOP);

      await page.getByRole('button', { name: 'Valider', exact: true }).click();
      await page.waitForURL((url) => url.pathname === new URL(link).pathname && url.search === '?done=approved');
      assert.match(await text(page.getByRole('status')), /la publication est validée et programmée/);
      await shot('05-approval-done-fr');
      // The picture's address works no more once the link has decided.
      const gone = await fetch(new URL(src, baseUrl));
      assert.equal(gone.status, 404);
    } finally {
      page = owner;
      await outside.close();
    }
  });

  step('the calendar shows it scheduled at its time', async () => {
    assert.ok(Date.now() < dueLocal.at.getTime(), 'the approval came before the post’s time; the step is meaningless otherwise');
    await page.goto(`${workspacePath}/calendar?month=${dueLocal.date.slice(0, 7)}`);
    const entry = page.locator(`td[data-date="${dueLocal.date}"] li.cal-post`).filter({ hasText: 'Notre vitrine de Noël' });
    assert.equal(await entry.count(), 1);
    assert.match(await entry.getAttribute('class'), /status-scheduled/);
    assert.equal(await text(entry.locator('.time')), dueLocal.time);
    assert.match(await entry.textContent(), /Programmée/);
    await shot('06-calendar-scheduled-fr');
  });

  step('the embedded worker publishes it to the local Bluesky network at its time', async () => {
    await page.goto(postPath);
    assert.match(await page.locator('ol.history').innerText(), new RegExp(`${CLIENT.name} l’a validée`));
    // The team sees the image and its alt text on the post's page too.
    const image = page.getByRole('img', { name: ALT });
    await image.waitFor({ state: 'visible' });
    assert.ok(await image.evaluate((img) => img.complete && img.naturalWidth > 0), 'the thumbnail loads');
    await eventually('the post is published', async () => {
      await page.reload();
      const head = await page.locator('.page-head').innerText();
      assert.doesNotMatch(head, /En échec/, await page.locator('main').innerText());
      return /Publiée/.test(head);
    }, { timeoutMs: dueLocal.at.getTime() - Date.now() + 60_000, everyMs: 1_000 });
    assert.ok(Date.now() >= dueLocal.at.getTime(), 'not published before its time');
    assert.equal(await page.getByRole('link', { name: 'Voir en ligne' }).count(), 1);
    await shot('07-post-published-fr');
    await page.goto(`${workspacePath}/calendar?month=${dueLocal.date.slice(0, 7)}`);
    const entry = page.locator(`td[data-date="${dueLocal.date}"] li.cal-post`).filter({ hasText: 'Notre vitrine de Noël' });
    assert.match(await entry.getAttribute('class'), /status-published/);
    await shot('08-calendar-published-fr');
  });

  step('on the PDS: one record, the corrected text, the image blob with its alt text', async () => {
    const online = await page.goto(postPath).then(() => page.getByRole('link', { name: 'Voir en ligne' }).getAttribute('href'));
    const rkey = online.split('/').pop();
    const listed = await xrpc('com.atproto.repo.listRecords', { repo: bsky.did, collection: 'app.bsky.feed.post', limit: '100' });
    assert.equal(listed.records.length, 1, `published once: ${JSON.stringify(listed.records)}`);
    const { value: record, uri } = await xrpc('com.atproto.repo.getRecord', { repo: bsky.did, collection: 'app.bsky.feed.post', rkey });
    assert.equal(uri, listed.records[0].uri, 'the link tribune shows is the record on the network');
    assert.equal(record.text, FIXED_TEXT);
    // Published at its time: not before, and within the worker's poll interval and a margin.
    const lateness = Date.parse(record.createdAt) - dueLocal.at.getTime();
    assert.ok(lateness >= 0 && lateness < 15_000, `published ${lateness} ms after its time`);
    assert.equal(record.embed.$type, 'app.bsky.embed.images', JSON.stringify(record));
    assert.equal(record.embed.images.length, 1);
    const [image] = record.embed.images;
    assert.equal(image.alt, ALT);
    assert.equal(image.image.$type, 'blob');
    assert.match(image.image.mimeType, /^image\/(jpeg|png)$/);
    assert.deepEqual(image.aspectRatio, { width: 480, height: 320 });
    // The blob is on the PDS, and is a picture of that size.
    const blob = await fetch(`${bsky.pds}/xrpc/com.atproto.sync.getBlob?did=${encodeURIComponent(bsky.did)}&cid=${image.image.ref.$link}`);
    assert.equal(blob.status, 200);
    const bytes = Buffer.from(await blob.arrayBuffer());
    assert.equal(bytes.length, image.image.size);
    assert.ok(bytes.length > 0);
  });

  step('no console errors, script errors or failed requests', async () => {
    assert.deepEqual(problems, []);
  });
});
