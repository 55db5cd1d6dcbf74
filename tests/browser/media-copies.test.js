// Network-sized copies in the media library, as a person makes one in French: upload a
// landscape picture with its alt text, open « Faire une copie pour un réseau », choose the
// story shape and a point left of centre, and find the copy in the library with the
// original's alt text, its shape in its name and its size. Screenshots in
// target/screenshots-media-copies/.
'use strict';

const { describe, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { chromium } = require('playwright-core');
const {
  ROOT, BIN, CHROMIUM, startServer, gradientPng,
  assertEveryVisibleInputIsLabelled, assertContrast, assertNoHorizontalOverflow, scenario, watch,
} = require('./support');

const SHOTS = path.join(ROOT, 'target', 'screenshots-media-copies');
const SERVER_LOG = path.join(ROOT, 'target', 'browser-test-media-copies-server.log');
const RUN = `${process.pid.toString(36)}${Date.now().toString(36).slice(-5)}`;
const OWNER = { name: 'Camille Martin', email: `camille-${RUN}@example.test`, password: 'correct horse battery' };
const ALT = 'Le fournil de la boulangerie au petit matin';

let server;
let browser;
let page;
let mediaPath;
const problems = [];

const { step, shot } = scenario({ shots: SHOTS, serverLog: SERVER_LOG, currentPage: () => page });
const waitForPath = (want) => page.waitForURL((url) => (typeof want === 'string' ? url.pathname === want : want.test(url.pathname)));

describe('Media library: a network-sized copy of an image', () => {
  before(async () => {
    fs.rmSync(SHOTS, { recursive: true, force: true });
    fs.mkdirSync(SHOTS, { recursive: true });
    assert.ok(fs.existsSync(BIN), `${BIN} is missing: run cargo build -p tribune`);
    server = await startServer(SERVER_LOG);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--lang=fr-FR'],
    });
    const context = await browser.newContext({ baseURL: server.baseUrl, locale: 'fr-FR', viewport: { width: 1280, height: 800 } });
    context.setDefaultTimeout(15_000);
    page = await context.newPage();
    watch(page, problems);
  });

  after(async () => {
    if (browser) await browser.close();
    if (server) server.stop();
  });

  step('the owner sets up tribune and a workspace', async () => {
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
    mediaPath = `${new URL(page.url()).pathname}/media`;
  });

  step('a landscape picture is uploaded with its alt text', async () => {
    await page.goto(mediaPath);
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tribune-media-')), 'fournil.png');
    fs.writeFileSync(file, gradientPng(1200, 800));
    await page.locator('#file').setInputFiles(file);
    await page.locator('#alt').fill(ALT);
    await page.getByRole('button', { name: 'Envoyer' }).click();
    await page.getByText('Fichier ajouté à la médiathèque.').waitFor();
    assert.equal(await page.locator('li.media-item').count(), 1);
  });

  step('a story copy is made around a point left of centre', async () => {
    const item = page.locator('li.media-item').first();
    await item.getByText('Faire une copie pour un réseau').click();
    await shot('01-copy-form');
    await assertEveryVisibleInputIsLabelled(page);
    await item.getByLabel('Story 9:16 (1080 × 1920)').check();
    await item.getByLabel('Depuis la gauche (%)').fill('30');
    await item.getByRole('button', { name: 'Faire la copie' }).click();
    await page.getByText('Copie ajoutée à la médiathèque.').waitFor();
    const copy = page.locator('li.media-item', { hasText: 'fournil (Story 9:16).png' });
    await copy.waitFor();
    // 800 high: the story box is 450 × 800, under 1080 × 1920, so not enlarged.
    assert.match(await copy.innerText(), /450 × 800/);
    assert.equal(await copy.locator('textarea[name=alt]').inputValue(), ALT);
    assert.equal(await page.locator('li.media-item').count(), 2);
    await copy.scrollIntoViewIfNeeded();
    await shot('02-library-with-copy');
    await assertContrast(page);
    await assertNoHorizontalOverflow(page);
    assert.deepEqual(problems, []);
  });

  step('a point outside the picture is refused with the reason, and nothing is added', async () => {
    const item = page.locator('li.media-item', { hasText: 'fournil.png' });
    await item.getByText('Faire une copie pour un réseau').click();
    await item.getByLabel('Depuis le haut (%)').evaluate((input) => { input.removeAttribute('max'); });
    await item.getByLabel('Depuis le haut (%)').fill('140');
    await item.getByRole('button', { name: 'Faire la copie' }).click();
    await page.getByText('Indiquez le centre du recadrage par deux nombres de 0 à 100.').waitFor();
    await shot('03-refused');
    await page.goto(mediaPath);
    assert.equal(await page.locator('li.media-item').count(), 2);
  });
});
