// The inbox (issue #11), in real headless Chromium, on the local Bluesky network: a fan answers
// the brand's post (one message with a script, an image tag and a link whose text lies about
// its address) and mentions it elsewhere; the brand's account is connected in tribune and the
// messages arrive in « Boîte de réception ». Without a mouse: j moves, x ticks, e marks done;
// Enter opens the question, r goes to the reply, the reply is sent by the embedded worker and
// read back from the PDS. Nothing a stranger wrote runs, and links show their real domain. The
// team plugs its chat in (a webhook on 127.0.0.1) and hears of the wave of angry replies.
//
// Needs the local peers (scripts/peers/start.sh: Bluesky PDS) in the environment; without them
// every step is skipped, except with CI=true where that fails. Screenshots go to
// target/screenshots-inbox/.
'use strict';

const { describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const path = require('node:path');
const { chromium } = require('playwright-core');
const {
  ROOT, BIN, CHROMIUM, peers, startServer, eventually, gradientPng,
  assertEveryVisibleInputIsLabelled, assertContrast, assertNoHorizontalOverflow, scenario, watch,
} = require('./support');

const SHOTS = path.join(ROOT, 'target', 'screenshots-inbox');
const SERVER_LOG = path.join(ROOT, 'target', 'browser-test-inbox-server.log');
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const OWNER = { name: 'Camille Martin', email: `camille-${RUN}@example.test`, password: 'correct horse battery' };
const BRAND = `fournil${RUN}.test`;
const FAN = `fan${RUN}.test`;
const QUESTION = 'Bonjour, la galette est-elle à la frangipane ? Je passe samedi.';
const HOSTILE = 'Promo <script>window.__pwned=1</script><img src=x onerror="window.__pwned=2"> https://bsky.app/profile/fournil';
const MENTION_WORDS = 'la meilleure boulangerie du quartier';
const ANSWER = 'Bonjour ! Oui, frangipane maison, à samedi.';
const PHOTO_ALT = 'Une part de galette, vue de dessus';
const BRAND_POST = 'La galette des rois est arrivée au fournil !';

let server;
let browser;
let page;
let workspacePath;
let bsky; // { pds, control, brand: {did, jwt, password}, fan: {did, jwt} }
let questionUri;
const problems = [];
const dialogs = [];
// Every address outside tribune the browser asked for: a stranger's server must learn nothing.
const elsewhere = [];
let watcher;
// The team's chat: an incoming webhook on 127.0.0.1 that keeps what tribune posts to it.
const chat = { server: null, url: '', bodies: [] };

const { step, shot } = scenario({ shots: SHOTS, serverLog: SERVER_LOG, currentPage: () => page });
const waitForPath = (want) => page.waitForURL((url) => (typeof want === 'string' ? url.pathname === want : want.test(url.pathname)));
const text = async (locator) => (await locator.innerText()).trim();
// The text of the item the keyboard is on, or '' before the first move.
const current = async () => ((await page.locator('li.inbox-item.current').count()) ? text(page.locator('li.inbox-item.current')) : '');

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

async function account(handle) {
  const created = await xrpc('com.atproto.server.createAccount', null, {
    body: { handle, email: `${handle}@example.com`, password: 'main-password' },
  });
  await eventually(`the AppView knows ${handle}`, async () => {
    await fetch(`${bsky.control}/process-all`, { method: 'POST' });
    const res = await fetch(`${bsky.pds}/xrpc/app.bsky.actor.getProfile?actor=${handle}`, { headers: { authorization: `Bearer ${created.accessJwt}` } });
    return res.ok;
  }, { timeoutMs: 20_000, everyMs: 200 });
  return { did: created.did, jwt: created.accessJwt };
}

async function post(who, record) {
  return xrpc('com.atproto.repo.createRecord', null, {
    jwt: who.jwt,
    body: { repo: who.did, collection: 'app.bsky.feed.post', record: { $type: 'app.bsky.feed.post', createdAt: new Date().toISOString(), ...record } },
  });
}

describe('Inbox: Bluesky replies and mentions triaged with the keyboard, answered from tribune', () => {
  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    assert.ok(fs.existsSync(BIN), `${BIN} is missing: run cargo build -p tribune`);
    server = await startServer(SERVER_LOG);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--no-first-run', '--lang=fr-FR',
      ],
    });
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: 'fr-FR', viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watcher = watch(page, problems);
    page.on('request', (req) => {
      if (new URL(req.url()).origin !== server.baseUrl) elsewhere.push(req.url());
    });
    page.on('dialog', async (dialog) => {
      dialogs.push(dialog.message());
      await dialog.dismiss();
    });
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.stop();
    if (chat.server) chat.server.close();
  });

  step('on the local network: the brand posts, a fan answers twice and mentions it elsewhere', async () => {
    const found = peers('TRIBUNE_TEST_BSKY_PDS', 'TRIBUNE_TEST_BSKY_CONTROL');
    assert.ok(found, 'the Bluesky network is needed: run scripts/peers/start.sh and source target/peers/env');
    const [pds, control] = found;
    bsky = { pds, control };
    bsky.brand = await account(BRAND);
    bsky.brand.password = (await xrpc('com.atproto.server.createAppPassword', null, { jwt: bsky.brand.jwt, body: { name: 'tribune' } })).password;
    bsky.fan = await account(FAN);
    // Posted in the Bluesky app, not through tribune: the inbox reads it from the network.
    const original = await post(bsky.brand, { text: BRAND_POST });
    await fetch(`${control}/process-all`, { method: 'POST' });
    const reply = { root: { uri: original.uri, cid: original.cid }, parent: { uri: original.uri, cid: original.cid } };
    // The question comes with a photo, uploaded to the fan's PDS as Bluesky apps do.
    const uploaded = await fetch(`${pds}/xrpc/com.atproto.repo.uploadBlob`, {
      method: 'POST',
      headers: { authorization: `Bearer ${bsky.fan.jwt}`, 'content-type': 'image/png' },
      body: gradientPng(96, 64),
    });
    assert.ok(uploaded.ok, `uploadBlob: HTTP ${uploaded.status}`);
    const { blob } = await uploaded.json();
    const asked = await post(bsky.fan, {
      text: QUESTION,
      reply,
      embed: { $type: 'app.bsky.embed.images', images: [{ alt: PHOTO_ALT, image: blob }] },
    });
    questionUri = asked.uri;
    // The link's text says bsky.app; the link goes elsewhere, and a second facet is a script.
    const lie = HOSTILE.indexOf('https://bsky.app');
    const bytes = (s) => Buffer.byteLength(s, 'utf8');
    await post(bsky.fan, {
      text: HOSTILE,
      reply,
      facets: [
        { index: { byteStart: bytes(HOSTILE.slice(0, lie)), byteEnd: bytes(HOSTILE) }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'https://phish.example/login' }] },
        { index: { byteStart: 0, byteEnd: 5 }, features: [{ $type: 'app.bsky.richtext.facet#link', uri: 'javascript:window.__pwned=3' }] },
      ],
    });
    const mention = `@${BRAND} est ${MENTION_WORDS}`;
    await post(bsky.fan, {
      text: mention,
      facets: [{ index: { byteStart: 0, byteEnd: bytes(`@${BRAND}`) }, features: [{ $type: 'app.bsky.richtext.facet#mention', did: bsky.brand.did }] }],
    });
    await fetch(`${control}/process-all`, { method: 'POST' });
  });

  step('the owner sets up tribune and connects the brand\'s Bluesky account', async () => {
    await page.goto('/');
    await waitForPath('/setup');
    await page.getByLabel('Nom', { exact: true }).fill(OWNER.name);
    await page.getByLabel('Adresse e-mail').fill(OWNER.email);
    await page.getByLabel('Mot de passe').fill(OWNER.password);
    await page.getByRole('button', { name: 'Créer mon compte' }).click();
    await waitForPath('/workspaces');
    await page.getByLabel('Nom du client ou de l’espace').fill('Boulangerie Dupain');
    await page.getByRole('button', { name: 'Créer l’espace' }).click();
    await waitForPath(/^\/w\/[^/]+$/);
    workspacePath = new URL(page.url()).pathname;
    await page.goto(`${workspacePath}/channels`);
    const card = page.getByRole('region', { name: 'Bluesky' });
    await card.getByLabel('Identifiant (handle ou e-mail)').fill(BRAND);
    await card.getByLabel('Mot de passe d’application').fill(bsky.brand.password);
    await card.getByText('Serveur personnalisé (PDS)').click();
    await card.getByLabel('Adresse du serveur (PDS)').fill(bsky.pds);
    await card.getByRole('button', { name: 'Connecter' }).click();
    await waitForPath(`${workspacePath}/channels`);
    assert.equal(await text(page.getByRole('status')), 'Canal connecté.');
  });

  step('the three messages arrive in the inbox, classified, nothing of theirs runs', async () => {
    await page.getByRole('navigation', { name: /espace/i }).getByRole('link', { name: 'Boîte de réception' }).click();
    await waitForPath(`${workspacePath}/inbox`);
    await eventually('the messages are fetched', async () => {
      await page.reload();
      return (await page.locator('li.inbox-item').count()) === 3;
    }, { timeoutMs: 90_000, everyMs: 1_000 });
    const list = await text(page.locator('.inbox-list'));
    assert.match(list, /frangipane/);
    assert.match(list, new RegExp(MENTION_WORDS));
    assert.match(list, /Commentaire/);
    assert.match(list, /Mention/);
    assert.ok(list.includes('<script>window.__pwned=1</script>'), 'the script is shown as text');
    assert.equal(await page.evaluate(() => window.__pwned), undefined, 'no script of theirs ran');
    assert.equal(await page.locator('.inbox-list script, .inbox-list img').count(), 0);
    await assertEveryVisibleInputIsLabelled(page);
    await assertContrast(page);
    await assertNoHorizontalOverflow(page);
    await shot('01-inbox-fr');
  });

  step('the lying link shows its real address and nothing runs on the message\'s page', async () => {
    await page.locator('li.inbox-item').filter({ hasText: 'Promo' }).getByRole('link').first().click();
    await waitForPath(/\/inbox\/\d+$/);
    const link = page.getByRole('link', { name: 'phish.example' });
    assert.equal(await link.getAttribute('href'), 'https://phish.example/login');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer ugc');
    assert.equal(await page.locator('a[href^="javascript:"]').count(), 0);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await shot('02-hostile-message-fr');
    await page.goBack();
  });

  step('without a mouse: j, x and e mark the mention done', async () => {
    await waitForPath(`${workspacePath}/inbox`);
    await page.locator('h1').click(); // focus on the page, not in a field
    // j moves down the list, newest first, until the mention is the current item.
    for (let i = 0; i < 3 && !new RegExp(MENTION_WORDS).test(await current()); i += 1) {
      await page.keyboard.press('j');
    }
    assert.match(await text(page.locator('li.inbox-item.current')), new RegExp(MENTION_WORDS));
    await page.keyboard.press('x');
    assert.ok(await page.locator('li.inbox-item.current input[name=item]').isChecked());
    await page.keyboard.press('e');
    await page.getByText('Boîte de réception mise à jour.').waitFor();
    assert.equal(await page.locator('li.inbox-item').count(), 2, 'the done mention leaves the new items');
    await page.goto(`${workspacePath}/inbox?status=done`);
    assert.match(await text(page.locator('.inbox-list')), new RegExp(MENTION_WORDS));
    await page.goto(`${workspacePath}/inbox`);
  });

  step('Enter opens the question, r goes to the reply, and the answer is sent through Bluesky', async () => {
    await page.locator('h1').click();
    for (let i = 0; i < 2 && !/frangipane/.test(await current()); i += 1) {
      await page.keyboard.press('j');
    }
    assert.match(await text(page.locator('li.inbox-item.current')), /frangipane/);
    await page.keyboard.press('Enter');
    await waitForPath(/\/inbox\/\d+$/);
    assert.match(await text(page.locator('article.inbox-current')), /frangipane/);
    // The brand's post the question answers, read from the network (once, after the fetch).
    await eventually('the original post is read from Bluesky', async () => {
      await page.reload();
      return (await page.locator('section.inbox-original').count()) === 1;
    }, { timeoutMs: 30_000, everyMs: 1_000 });
    const original = page.getByRole('region', { name: 'La publication à l’origine de la conversation' });
    assert.match(await text(original), new RegExp(BRAND_POST));
    assert.ok((await text(original)).includes(BRAND), 'with its author');
    // The fan's photo: announced, not loaded until asked for.
    const pictures = page.locator('section.inbox-images');
    assert.match(await text(pictures), /Une image/);
    assert.match(await text(pictures), /Non chargées/);
    assert.equal(await page.locator('main img').count(), 0, 'no picture loads by itself');
    await assertContrast(page);
    await shot('03-question-original-fr');
    // Asked for, it is fetched by tribune: the browser only talks to tribune. The picture lives
    // on Bluesky's image service, out of reach here, so tribune answers 502 and the
    // description shows in its place.
    watcher.expect(1);
    await pictures.getByRole('link', { name: 'Afficher les images' }).click();
    await page.waitForURL(/images=1/);
    const img = page.locator('section.inbox-images img');
    assert.equal(await img.getAttribute('alt'), PHOTO_ALT);
    assert.match(await img.getAttribute('src'), /^\/w\/[^/]+\/inbox\/\d+\/images\/0$/);
    assert.equal(await img.getAttribute('referrerpolicy'), 'no-referrer');
    await eventually('the picture was asked of tribune', async () => img.evaluate((el) => el.complete));
    assert.deepEqual(elsewhere, [], 'the browser asked nothing of another server');
    await page.locator('h1').click();
    await page.keyboard.press('r');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'reply');
    await page.keyboard.type(ANSWER);
    await page.getByRole('button', { name: 'Envoyer la réponse' }).click();
    await page.getByText('Réponse en file').waitFor();
    await eventually('the reply is sent', async () => {
      await page.reload();
      return /envoyée/.test(await text(page.locator('main')));
    }, { timeoutMs: 30_000, everyMs: 1_000 });
    await assertEveryVisibleInputIsLabelled(page);
    await assertContrast(page);
    await shot('03b-answered-fr');
    const listed = await xrpc('com.atproto.repo.listRecords', { repo: bsky.brand.did, collection: 'app.bsky.feed.post', limit: '100' });
    const answers = listed.records.filter((r) => r.value.text === ANSWER);
    assert.equal(answers.length, 1, 'answered once');
    assert.equal(answers[0].value.reply.parent.uri, questionUri);
  });

  step('a moderation rule written on its page, tried on the last 30 days, acts on nothing', async () => {
    await page.goto(`${workspacePath}/inbox`);
    await page.getByRole('link', { name: 'Règles de modération' }).click();
    await waitForPath(`${workspacePath}/rules`);
    const form = page.locator('#new-rule');
    await form.getByLabel('Nom', { exact: true }).fill('Promotions');
    await form.getByLabel('Recherche', { exact: true }).fill('promo*');
    await form.getByLabel('Ajouter des étiquettes (séparées par des virgules)').fill('promo');
    await form.getByLabel('Sur le réseau').selectOption({ label: 'Masquer' });
    await form.getByRole('button', { name: 'Ajouter la règle' }).click();
    await waitForPath(`${workspacePath}/rules`);
    assert.equal(await text(page.getByRole('status')), 'Règle enregistrée.');
    const rule = page.locator('li.rule').filter({ hasText: 'Promotions' });
    assert.match(await text(rule), /étiquette «\spromo\s» → sur le réseau\s: Masquer/);
    await assertEveryVisibleInputIsLabelled(page);
    await assertContrast(page);
    await assertNoHorizontalOverflow(page);
    await shot('04-rules-fr');
    await rule.getByRole('link', { name: 'L’essayer sur les 30 derniers jours' }).click();
    await waitForPath(/\/rules\/\d+\/dry-run$/);
    assert.match(await text(page.getByRole('status')), /aurait agi\s: 1, sur 3 lus/);
    const listed = await text(page.locator('.inbox-list'));
    assert.ok(listed.includes('<script>window.__pwned=1</script>'), 'the promo, shown as text');
    assert.doesNotMatch(listed, /frangipane/);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await assertContrast(page);
    await shot('05-rule-dry-run-fr');
    // A dry run does nothing: the promo has no label and is still new.
    await page.goto(`${workspacePath}/inbox?label=promo&status=all`);
    assert.equal(await page.locator('li.inbox-item').count(), 0);
  });

  step('a response-time target set on its page gives each waiting message a deadline', async () => {
    await page.goto(`${workspacePath}/inbox`);
    await page.getByRole('link', { name: 'Délai de réponse' }).click();
    await waitForPath(`${workspacePath}/response-time`);
    assert.match(await text(page.locator('main')), /Europe\/Paris/);
    await page.getByLabel('Fixer un délai de réponse').check();
    await page.getByLabel('Heures', { exact: true }).fill('2');
    await page.getByLabel('Minutes', { exact: true }).fill('0');
    // Open every day, all day: the deadline is two hours from now whatever the day.
    for (const day of ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi', 'samedi', 'dimanche']) {
      await page.getByLabel(`Ouvert le ${day}`).check();
      await page.getByLabel(`Ouverture le ${day} à`).fill('00:00');
      await page.getByLabel(new RegExp(`^Fermeture le ${day} à`)).fill('00:00');
    }
    await assertEveryVisibleInputIsLabelled(page);
    await assertContrast(page);
    await shot('06-response-time-fr');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForPath(`${workspacePath}/response-time`);
    assert.match(await text(page.getByRole('status')), /Délai de réponse enregistré/);
    await page.goto(`${workspacePath}/inbox?status=all`);
    const list = await text(page.locator('.inbox-list'));
    assert.match(list, /À répondre avant le/, 'the waiting messages show their deadline');
    await page.getByLabel('Délai de réponse').selectOption('near');
    await page.getByRole('button', { name: 'Filtrer' }).click();
    await page.waitForURL(/sla=near/);
    assert.equal(await page.locator('li.inbox-item').count(), 0, 'nothing is near its deadline yet');
    await page.goto(`${workspacePath}/inbox?status=all`);
    await assertContrast(page); // done items included
    await shot('07-inbox-clocks-fr');
  });

  step('the person behind a message: all they wrote, tagged by the team', async () => {
    await page.goto(`${workspacePath}/inbox?status=all`);
    await page.locator('li.inbox-item').filter({ hasText: 'Promo' }).getByRole('link').first().click();
    await waitForPath(/\/inbox\/\d+$/);
    await page.getByRole('link', { name: 'Tout ce que cette personne a écrit' }).click();
    await waitForPath(/\/inbox\/\d+\/author$/);
    const written = await text(page.locator('.inbox-list'));
    assert.match(written, /frangipane/, 'their question on the same post');
    assert.match(written, new RegExp(MENTION_WORDS), 'and their mention elsewhere');
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    await page.getByLabel('Étiquettes (séparées par des virgules)').fill('fan, client');
    await page.getByLabel('Note', { exact: true }).fill('Vient chaque samedi.');
    await page.getByRole('button', { name: 'Enregistrer' }).click();
    await waitForPath(/\/author$/);
    assert.equal(await text(page.getByRole('status')), 'Enregistré.');
    assert.match(await text(page.locator('main ul.chips').first()), /client\s*fan/);
    // The same person elsewhere: an account nobody wrote from is refused next to the field.
    const elsewhereCard = page.getByRole('region', { name: 'La même personne ailleurs' });
    assert.match(await text(elsewhereCard), /Liée à aucun autre compte/);
    await elsewhereCard.getByLabel('Réseau', { exact: true }).selectOption('bluesky');
    await elsewhereCard.getByLabel('Son identifiant sur ce réseau').fill('inconnue.test');
    watcher.expect(1);
    await elsewhereCard.getByRole('button', { name: 'Lier ce compte' }).click();
    await page.getByText('Personne avec cet identifiant').waitFor();
    assert.equal(await elsewhereCard.getByLabel('Son identifiant sur ce réseau').inputValue(), 'inconnue.test');
    await assertEveryVisibleInputIsLabelled(page);
    await assertContrast(page);
    await assertNoHorizontalOverflow(page);
    await shot('08-contact-fr');
  });

  step('the team plugs its chat in: a test message arrives, the address stays secret', async () => {
    chat.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        chat.bodies.push({ path: req.url, json: JSON.parse(body) });
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
    await new Promise((resolve) => chat.server.listen(0, '127.0.0.1', resolve));
    chat.url = `http://127.0.0.1:${chat.server.address().port}/hooks/T0K3N${RUN}`;
    await page.goto(`${workspacePath}/inbox`);
    await page.getByRole('link', { name: 'Alertes de bad buzz' }).click();
    await waitForPath(`${workspacePath}/inbox/alerts`);
    assert.match(await text(page.locator('main')), /Aucun webhook/);
    await page.getByLabel('Adresse du webhook').fill(chat.url);
    await page.getByRole('button', { name: 'Enregistrer et envoyer un test' }).click();
    await waitForPath(`${workspacePath}/inbox/alerts`);
    assert.match(await text(page.getByRole('status')), /message de test est en route/);
    await eventually('the test message reaches the chat', async () => chat.bodies.length === 1, { timeoutMs: 30_000, everyMs: 500 });
    assert.equal(chat.bodies[0].json.event, 'buzz.test');
    assert.equal(chat.bodies[0].path, `/hooks/T0K3N${RUN}`);
    await eventually('the page says it was delivered', async () => {
      await page.reload();
      return /Dernier message remis le/.test(await text(page.locator('main')));
    }, { timeoutMs: 10_000, everyMs: 500 });
    assert.doesNotMatch(await page.content(), /T0K3N/, 'the address holds a secret: never shown');
    await assertEveryVisibleInputIsLabelled(page);
    await assertContrast(page);
    await assertNoHorizontalOverflow(page);
    await shot('09-buzz-settings-fr');
  });

  step('a wave of angry replies raises the bad-buzz alert; one click pauses publishing', async () => {
    const original = await post(bsky.brand, { text: 'Nouvelle recette de galette !' });
    // The local AppView indexes each account's repository on its own: a reply it reads before
    // the post it answers gets no notification (on the network, the post comes first by far).
    await fetch(`${bsky.control}/process-all`, { method: 'POST' });
    const reply = { root: { uri: original.uri, cid: original.cid }, parent: { uri: original.uri, cid: original.cid } };
    for (let i = 0; i < 12; i += 1) {
      await post(bsky.fan, { text: `Scandaleux, intoxication alimentaire, honte à vous, arnaque ${i}`, reply });
    }
    await fetch(`${bsky.control}/process-all`, { method: 'POST' });
    // Fetched within 20 s, checked every minute by the scheduler.
    await eventually('the alert is raised', async () => {
      await page.goto(`${workspacePath}/inbox`);
      return (await page.locator('section.buzz-alert').count()) === 1;
    }, { timeoutMs: 150_000, everyMs: 3_000 });
    const banner = page.locator('section.buzz-alert');
    assert.match(await text(banner), /Vague de messages négatifs/);
    await assertContrast(page);
    await shot('10-buzz-banner-fr');
    await banner.getByRole('link', { name: 'Les voir' }).click();
    await waitForPath(/\/inbox\/alerts\/\d+$/);
    // The alert opens from the tenth; the rest of the wave joins its page as it is fetched.
    await eventually('the whole wave is on the alert page', async () => {
      await page.reload();
      return ((await text(page.locator('.inbox-list'))).match(/intoxication alimentaire/g) || []).length === 12;
    }, { timeoutMs: 60_000, everyMs: 2_000 });
    await assertContrast(page);
    await shot('11-buzz-alert-fr');
    await page.getByRole('button', { name: 'Mettre la publication en pause' }).click();
    await waitForPath(`${workspacePath}/posts`);
    await page.goto(`${workspacePath}/inbox`);
    assert.match(await text(page.locator('section.buzz-alert')), /La publication est en pause/);
    // The chat heard of it: counts and the link in its text, the messages only as data.
    await eventually('the alert reaches the chat', async () => chat.bodies.some((b) => b.json.event === 'buzz.alert'), { timeoutMs: 30_000, everyMs: 500 });
    const told = chat.bodies.find((b) => b.json.event === 'buzz.alert').json;
    assert.match(told.text, /messages négatifs ou toxiques/);
    assert.match(told.text, /\/inbox\/alerts\/\d+/);
    assert.doesNotMatch(told.text, /intoxication/);
    assert.ok(told.items.some((i) => /intoxication alimentaire/.test(i.text)));
  });

  step('on a phone: the inbox fits the screen', async () => {
    await page.setViewportSize({ width: 390, height: 844 });
    await page.goto(`${workspacePath}/inbox?status=all`);
    await assertNoHorizontalOverflow(page);
    await shot('12-inbox-mobile-fr');
    await page.goto(`${workspacePath}/rules`);
    await assertNoHorizontalOverflow(page);
    await shot('13-rules-mobile-fr');
    await page.setViewportSize({ width: 1280, height: 800 });
  });

  step('no console errors, script errors, dialogs or failed requests', async () => {
    assert.deepEqual(dialogs, []);
    assert.deepEqual(elsewhere, []);
    assert.deepEqual(problems, []);
  });
});
