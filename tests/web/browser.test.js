// The verification page (web/verify) in a real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), opened as saved files with
// no network: the genesis loaded once and kept, good and bad presentations
// verified through the page's own inputs, the verdict read from the DOM and a
// screenshot of each verdict written to $LICENCED_WEB_ARTEFACTS; then the
// page's verifier and the C++ verifier over the whole corpus of
// tests/web/corpus.cc, formats v2 and v1 (they must agree on every input). Run by run_browser.py.
import assert from 'node:assert/strict';
import {mkdirSync, readFileSync, writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';

import {chromium} from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const corpusDir = process.env.LICENCED_WEB_CORPUS;
const artefacts = process.env.LICENCED_WEB_ARTEFACTS ?? join(here, 'artefacts');
if(!corpusDir) {
  throw new Error('LICENCED_WEB_CORPUS is not set: run tests/web/run_browser.py');
}
mkdirSync(artefacts, {recursive: true});
const pageUrl = pathToFileURL(join(here, '..', '..', 'web', 'verify', 'index.html')).href;
const corpus = JSON.parse(readFileSync(join(corpusDir, 'corpus.json'), 'utf8'));
const validFile = join(corpusDir, 'valid.presentation.json');
const genesisFile = join(corpusDir, 'genesis.json');
const byName = Object.fromEntries(corpus.cases.map(c => [c.name, c]));

let browser;
let context;
const offline = [];

before(async () => {
  browser = await chromium.launch({executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--allow-file-access-from-files']});
  context = await browser.newContext({viewport: {width: 900, height: 1100}});
  // No network at all: any request other than the page's own files fails the test.
  await context.route('**/*', route => {
    const url = route.request().url();
    if(url.startsWith('file://')) {
      return route.continue();
    }
    offline.push(url);
    return route.abort();
  });
});

after(async () => {
  await browser?.close();
  assert.deepEqual(offline, [], 'the page tried to reach the network');
});

async function openPage() {
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', e => errors.push(e.message));
  page.on('console', m => m.type() === 'error' && errors.push(m.text()));
  await page.goto(pageUrl);
  await page.waitForSelector('body[data-ready="true"]');
  page.errors = errors;
  return page;
}

function presentationJson(c) {
  const v1 = c.name.startsWith('v1 ');
  return JSON.stringify({format: `licenced-presentation/${v1 ? 'v1' : 'v2'}`,
    presentation: c.presentation});
}

async function verdictOf(page) {
  await page.waitForSelector('#verdict[data-result]');
  return page.evaluate(() => {
    const t = id => document.getElementById(id).textContent;
    const v = document.getElementById('verdict');
    const disclosed = {};
    for(const tr of document.querySelectorAll('#disclosed tr')) {
      disclosed[tr.cells[0].textContent] = tr.cells[1].textContent;
    }
    return {result: v.dataset.result, reason: v.dataset.reason, text: v.textContent,
      licence: t('f-licence'), type: t('f-type'), issuer: t('f-issuer'), status: t('f-status'),
      height: t('f-height'), disclosed};
  });
}

async function pasteAndVerify(page, c, {challenge = c.challenge, maxAge = 'none'} = {}) {
  await page.clock.setFixedTime(new Date(c.now_ms));
  await page.fill('#challenge', challenge);
  await page.selectOption('#max-age', maxAge);
  await page.evaluate(() => {
    delete document.getElementById('verdict').dataset.result;
  });
  await page.fill('#presentation-text', presentationJson(c));
  await page.click('#verify');
  return verdictOf(page);
}

async function screenshot(page, name) {
  await page.locator('#result').scrollIntoViewIfNeeded();
  await page.screenshot({path: join(artefacts, `${name}.png`), fullPage: true});
}

test('the genesis is loaded once and kept; a valid presentation file is VALID', async () => {
  const page = await openPage();
  await page.clock.setFixedTime(new Date(byName.valid.now_ms));
  assert.match(await page.textContent('#genesis-status'), /No genesis/);
  await page.setInputFiles('#genesis-file', genesisFile);
  await page.waitForFunction(() => /Network /.test(document.getElementById('genesis-status').textContent));
  await page.reload();
  await page.waitForSelector('body[data-ready="true"]');
  assert.match(await page.textContent('#genesis-status'), /Network licenced-local: 4 validators/);
  await page.fill('#challenge', byName.valid.challenge);
  await page.selectOption('#max-age', 'none');
  await page.setInputFiles('#presentation-file', validFile);
  const v = await verdictOf(page);
  assert.equal(v.result, 'VALID', JSON.stringify(v));
  assert.match(v.type, /\(BL\)/);
  assert.match(v.issuer, /Market Supervision Bureau \(market, clerk\)/);
  assert.equal(v.status, 'valid');
  assert.match(v.height, /^\d+ /);
  assert.equal(v.disclosed.enterprise_name, 'Jinan Quanyong Software Co., Ltd.');
  await screenshot(page, 'VALID');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the page generates a fresh challenge, and a presentation for another is INVALID', async () => {
  const page = await openPage();
  await page.click('#challenge-new');
  const generated = await page.inputValue('#challenge');
  assert.match(generated, /^v-[0-9a-f]{24}$/);
  await page.click('#challenge-new');
  assert.notEqual(await page.inputValue('#challenge'), generated);
  const v = await pasteAndVerify(page, byName.valid, {challenge: generated});
  assert.equal(v.result, 'INVALID');
  assert.equal(v.reason, 'CHALLENGE_MISMATCH');
  await screenshot(page, 'INVALID-CHALLENGE_MISMATCH');
  await page.close();
});

test('bad presentations show INVALID or STATUS_UNKNOWN with their reason code', async () => {
  const page = await openPage();
  const shown = [
    ['byte 700 ^ 1', 'mutated'],
    ['revoked', 'revoked'],
    ['suspended', 'suspended'],
    ['expired', 'expired'],
    ['wrong disclosed value', 'disclosure'],
    ['signed by another key', 'thief'],
    ['certificate case 1', 'certificate'],
    ['v1 issuing signature', 'v1-issuer']
  ];
  for(const [name, label] of shown) {
    const c = byName[name];
    const v = await pasteAndVerify(page, c);
    assert.equal(v.result, c.cpp.result, `${name}: ${JSON.stringify(v)}`);
    assert.equal(v.reason, c.cpp.reason, name);
    assert.equal(v.result, 'INVALID', name);
    await screenshot(page, `INVALID-${c.cpp.reason}-${label}`);
  }
  const stale = byName['stale status'];
  const v = await pasteAndVerify(page, stale, {maxAge: '600000'});
  assert.equal(v.result, 'STATUS_UNKNOWN');
  assert.equal(v.reason, 'STALE_STATUS');
  await screenshot(page, 'STATUS_UNKNOWN-STALE_STATUS');
  const missing = await pasteAndVerify(page, byName['v1 without status evidence']);
  assert.equal(missing.result, 'STATUS_UNKNOWN');
  assert.equal(missing.reason, 'STATUS_MISSING');
  await screenshot(page, 'STATUS_UNKNOWN-STATUS_MISSING');
  // Not a presentation at all: a clear refusal, nothing VALID.
  await page.fill('#presentation-text', '{"format": "something-else"}');
  await page.click('#verify');
  const junk = await verdictOf(page);
  assert.equal(junk.result, 'INVALID');
  assert.equal(junk.reason, 'BAD_ENCODING');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('the page and the C++ verifier agree on every input of the corpus', async () => {
  const page = await openPage();
  const results = await page.evaluate(async c => {
    const V = globalThis.LicencedVerifier;
    const geneses = Object.fromEntries(Object.entries(c.geneses).map(
      ([k, g]) => [k, V.parseGenesis(JSON.stringify(g))]));
    const out = [];
    for(const t of c.cases) {
      const bytes = Uint8Array.from(atob(t.presentation), ch => ch.charCodeAt(0));
      const r = await V.verifyPresentation(bytes, geneses[t.genesis],
        {challenge: t.challenge, now_ms: t.now_ms, max_age_ms: t.max_age_ms});
      out.push({result: r.result, reason: r.reason});
    }
    return out;
  }, corpus);
  const disagree = [];
  const reasons = {};
  corpus.cases.forEach((t, i) => {
    reasons[t.cpp.reason || 'VALID'] = (reasons[t.cpp.reason || 'VALID'] ?? 0) + 1;
    if(results[i].result !== t.cpp.result || results[i].reason !== t.cpp.reason) {
      disagree.push({name: t.name, cpp: t.cpp, page: results[i]});
    }
  });
  writeFileSync(join(artefacts, 'differential.json'),
    JSON.stringify({cases: corpus.cases.length, reasons, disagree}, null, 2));
  console.log(`differential: ${corpus.cases.length} inputs, ${disagree.length} disagreements; ` +
    `C++ reasons ${JSON.stringify(reasons)}`);
  assert.ok(corpus.cases.length > 8000);
  // Every reason code of docs/proof-format.md §6 occurs, and VALID.
  const codes = ['VALID', 'BAD_ENCODING', 'WRONG_NETWORK', 'RECORD_MISMATCH', 'ISSUER_NOT_ENTITLED',
    'BAD_ISSUER_SIGNATURE', 'BAD_MERKLE_PATH', 'BAD_HEADER', 'BAD_CERTIFICATE', 'BAD_STATUS_PROOF',
    'STATUS_MISMATCH', 'LICENCE_SUSPENDED', 'LICENCE_REVOKED', 'LICENCE_CANCELLED',
    'LICENCE_EXPIRED', 'LICENCE_NOT_YET_VALID', 'CHALLENGE_MISMATCH', 'BAD_HOLDER_SIGNATURE',
    'DISCLOSURE_MISMATCH', 'STATUS_MISSING', 'STALE_STATUS'];
  assert.deepEqual(codes.filter(c => !reasons[c]), [], JSON.stringify(reasons));
  assert.deepEqual(disagree.slice(0, 10), []);
  await page.close();
});
