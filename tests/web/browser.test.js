// The verification page (web/verify) in a real headless Chromium (Debian's
// /usr/bin/chromium, driven by playwright-core), opened as saved files with
// no network: the genesis loaded once and kept, good and bad presentations
// verified through the page's own inputs, the verdict read from the DOM and a
// screenshot of each verdict written to $LICENCED_WEB_ARTEFACTS; then the
// page's verifier and the C++ verifier over the whole corpus of
// tests/web/corpus.cc, formats v3, v2 and v1 (they must agree on every input,
// and on the detail of every status verdict).
// Then scanning: the page served from a loopback HTTP server (the camera
// needs a secure context), Chromium's fake camera showing a y4m video of the
// QR code (qrencode, byte mode, level L) of the zlib payload of a corpus
// presentation, "Scan QR with camera" pressed, and the verdict read from the
// DOM: VALID for the valid one, the C++ reason for a mutated one. Run by
// run_browser.py.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer} from 'node:http';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {after, before, test} from 'node:test';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {deflateSync} from 'node:zlib';

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
const validV3File = join(corpusDir, 'valid-v3.presentation.json');
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

// The corpus names v1 and v3 cases "v1 ..." and "v3 ..."; the others are v2.
function formatOf(c) {
  return /^v[13] /.test(c.name) ? c.name.slice(0, 2) : 'v2';
}

function presentationJson(c) {
  return JSON.stringify({format: `licenced-presentation/${formatOf(c)}`,
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
      detail: t('detail'), licence: t('f-licence'), type: t('f-type'), issuer: t('f-issuer'),
      status: t('f-status'), height: t('f-height'), format: t('f-format'), disclosed};
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
  assert.match(v.height, /^\d+ \(/);
  assert.match(v.format, /^v2: /);
  assert.equal(v.disclosed.enterprise_name, 'Jinan Quanyong Software Co., Ltd.');
  await screenshot(page, 'VALID');
  assert.deepEqual(page.errors, []);
  await page.close();
});

test('a valid v3 presentation file is VALID, in the state after its block', async () => {
  const page = await openPage();
  const c = byName['v3 valid'];
  await page.clock.setFixedTime(new Date(c.now_ms));
  await page.setInputFiles('#genesis-file', genesisFile);
  await page.waitForFunction(() => /Network /.test(document.getElementById('genesis-status').textContent));
  await page.fill('#challenge', c.challenge);
  await page.selectOption('#max-age', 'none');
  await page.setInputFiles('#presentation-file', validV3File);
  const v = await verdictOf(page);
  assert.equal(v.result, 'VALID', JSON.stringify(v));
  assert.equal(v.detail, c.cpp.detail);
  assert.match(v.detail, /^valid as of block \d+ \(the state after it, under its state certificate\)$/);
  assert.match(v.height, /^(\d+): the state after block \1, state certificate \(/);
  assert.match(v.format, /^v3: .*state certificate/);
  assert.match(v.issuer, /Market Supervision Bureau \(market, clerk\)/);
  assert.equal(v.disclosed.enterprise_name, 'Jinan Quanyong Software Co., Ltd.');
  await screenshot(page, 'VALID-v3');
  // A file naming another version than its content is refused.
  const lying = JSON.parse(readFileSync(validV3File, 'utf8'));
  lying.format = 'licenced-presentation/v2';
  await page.fill('#presentation-text', JSON.stringify(lying));
  await page.evaluate(() => {
    delete document.getElementById('verdict').dataset.result;
  });
  await page.click('#verify');
  const refused = await verdictOf(page);
  assert.equal(refused.result, 'INVALID');
  assert.equal(refused.reason, 'BAD_ENCODING');
  assert.match(refused.detail, /"format" does not match/);
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
    ['v1 issuing signature', 'v1-issuer'],
    ['v3 revoked', 'v3-revoked'],
    ['v3 state certificate case 1', 'v3-certificate']
  ];
  for(const [name, label] of shown) {
    const c = byName[name];
    const v = await pasteAndVerify(page, c);
    assert.equal(v.result, c.cpp.result, `${name}: ${JSON.stringify(v)}`);
    assert.equal(v.reason, c.cpp.reason, name);
    assert.equal(v.result, 'INVALID', name);
    if(c.cpp.reason.startsWith('LICENCE_')) {
      assert.equal(v.detail, c.cpp.detail, name);
    }
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
      out.push({result: r.result, reason: r.reason, detail: r.detail});
    }
    return out;
  }, corpus);
  const disagree = [];
  const reasons = {};
  const byFormat = {v1: {}, v2: {}, v3: {}};
  // The page mirrors the C++ detail of every status verdict word for word.
  const statusVerdict = t => t.cpp.reason === '' || t.cpp.reason.startsWith('LICENCE_');
  corpus.cases.forEach((t, i) => {
    const code = t.cpp.reason || 'VALID';
    reasons[code] = (reasons[code] ?? 0) + 1;
    const f = byFormat[formatOf(t)];
    f[code] = (f[code] ?? 0) + 1;
    if(results[i].result !== t.cpp.result || results[i].reason !== t.cpp.reason ||
      (statusVerdict(t) && results[i].detail !== t.cpp.detail)) {
      disagree.push({name: t.name, cpp: t.cpp, page: results[i]});
    }
  });
  const count = f => Object.values(f).reduce((a, b) => a + b, 0);
  writeFileSync(join(artefacts, 'differential.json'),
    JSON.stringify({cases: corpus.cases.length, reasons, byFormat, disagree}, null, 2));
  console.log(`differential: ${corpus.cases.length} inputs (v1 ${count(byFormat.v1)}, ` +
    `v2 ${count(byFormat.v2)}, v3 ${count(byFormat.v3)}), ${disagree.length} disagreements; ` +
    `C++ reasons ${JSON.stringify(reasons)}; v3 reasons ${JSON.stringify(byFormat.v3)}`);
  assert.ok(corpus.cases.length > 12000);
  // Every reason code of docs/proof-format.md §6 occurs, and VALID.
  const codes = ['VALID', 'BAD_ENCODING', 'WRONG_NETWORK', 'RECORD_MISMATCH', 'ISSUER_NOT_ENTITLED',
    'BAD_ISSUER_SIGNATURE', 'BAD_MERKLE_PATH', 'BAD_HEADER', 'BAD_CERTIFICATE', 'BAD_STATUS_PROOF',
    'STATUS_MISMATCH', 'LICENCE_SUSPENDED', 'LICENCE_REVOKED', 'LICENCE_CANCELLED',
    'LICENCE_EXPIRED', 'LICENCE_NOT_YET_VALID', 'CHALLENGE_MISMATCH', 'BAD_HOLDER_SIGNATURE',
    'DISCLOSURE_MISMATCH', 'STATUS_MISSING', 'STALE_STATUS'];
  assert.deepEqual(codes.filter(c => !reasons[c]), [], JSON.stringify(reasons));
  // Every code a v3 presentation can give (none of the issuing tx's, no
  // commit certificate, always a status).
  const v3codes = codes.filter(c => !['WRONG_NETWORK', 'BAD_ISSUER_SIGNATURE', 'BAD_MERKLE_PATH',
    'BAD_HEADER', 'STATUS_MISSING'].includes(c));
  assert.deepEqual(v3codes.filter(c => !byFormat.v3[c]), [], JSON.stringify(byFormat.v3));
  assert.deepEqual(disagree.slice(0, 10), []);
  await page.close();
});

test('with no camera API, Scan says what to do instead', async () => {
  const page = await context.newPage();
  await page.addInitScript(() => {
    Object.defineProperty(Navigator.prototype, 'mediaDevices', {get: () => undefined});
  });
  await page.goto(pageUrl);
  await page.waitForSelector('body[data-ready="true"]');
  await page.click('#scan');
  const status = await page.textContent('#scan-status');
  assert.match(status, /opened as a file: open the page from a node/);
  assert.match(status, /save the QR payload as a file/);
  await page.close();
});

// ---- Scanning with Chromium's fake camera ----
const webDir = join(here, '..', '..', 'web');
const types = {html: 'text/html', js: 'text/javascript', css: 'text/css'};

// The page's files on 127.0.0.1 (loopback only), as a node serves them.
async function serveWeb() {
  const server = createServer((req, res) => {
    const path = new URL(req.url, 'http://127.0.0.1').pathname;
    const m = /^\/verify\/([a-z]+\.(html|js|css))$/.exec(path);
    if(!m) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {'content-type': `${types[m[2]]}; charset=utf-8`});
    res.end(readFileSync(join(webDir, 'verify', m[1])));
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  return server;
}

// The module matrix (rows of 0/1) of `payload`: byte mode, level L, as
// licencectl's `proof present --qr` makes it (libqrencode).
function qrMatrix(payload) {
  const text = execFileSync('qrencode', ['-8', '-l', 'L', '-t', 'ASCII', '-m', '0', '-o', '-'],
    {input: payload}).toString();
  return text.split('\n').filter(l => l.length > 0).map(l => [...l].filter((_, i) => i % 2 === 0).map(ch => ch === '#' ? 1 : 0));
}

// A y4m video (4:2:0) of the code on a grey card, `frames` identical frames:
// a header line, then per frame "FRAME" and the Y, U and V planes.
function y4m(m, {w = 1280, h = 720, scale = 3.5, frames = 2} = {}) {
  const n = m.length;
  const x0 = (w - n * scale) / 2;
  const y0 = (h - n * scale) / 2;
  const luma = Buffer.alloc(w * h);
  for(let y = 0; y < h; y++) {
    for(let x = 0; x < w; x++) {
      const c = Math.floor((x + 0.5 - x0) / scale);
      const r = Math.floor((y + 0.5 - y0) / scale);
      const onCard = x > x0 - 8 * scale && x < x0 + (n + 8) * scale && y > y0 - 8 * scale && y < y0 + (n + 8) * scale;
      const dark = r >= 0 && c >= 0 && r < n && c < n && m[r][c];
      luma[y * w + x] = dark ? 28 : onCard ? 225 : 120;
    }
  }
  const chroma = Buffer.alloc((w / 2) * (h / 2) * 2, 128);
  const parts = [Buffer.from(`YUV4MPEG2 W${w} H${h} F10:1 Ip A1:1 C420jpeg\n`)];
  for(let i = 0; i < frames; i++) {
    parts.push(Buffer.from('FRAME\n'), luma, chroma);
  }
  return Buffer.concat(parts);
}

async function scanVerdict(c, shot) {
  const payload = deflateSync(Buffer.from(c.presentation, 'base64'), {level: 9});
  const m = qrMatrix(payload);
  const dir = mkdtempSync(join(tmpdir(), 'licenced-scan-'));
  const video = join(dir, 'camera.y4m');
  writeFileSync(video, y4m(m));
  const server = await serveWeb();
  const origin = `http://127.0.0.1:${server.address().port}`;
  const camera = await chromium.launch({executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--use-fake-ui-for-media-stream', '--use-fake-device-for-media-stream',
      `--use-file-for-fake-video-capture=${video}`]});
  const elsewhere = [];
  try {
    const ctx = await camera.newContext({viewport: {width: 900, height: 1100}});
    // Nothing but the loopback server that serves the page.
    await ctx.route('**/*', route => {
      const url = route.request().url();
      if(url.startsWith(origin + '/')) {
        return route.continue();
      }
      elsewhere.push(url);
      return route.abort();
    });
    const page = await ctx.newPage();
    const errors = [];
    page.on('pageerror', e => errors.push(e.message));
    page.on('console', msg => msg.type() === 'error' && errors.push(msg.text()));
    await page.goto(`${origin}/verify/index.html`);
    await page.waitForSelector('body[data-ready="true"]');
    await page.clock.setFixedTime(new Date(c.now_ms));
    await page.setInputFiles('#genesis-file', genesisFile);
    await page.waitForFunction(() => /Network /.test(document.getElementById('genesis-status').textContent));
    await page.fill('#challenge', c.challenge);
    await page.selectOption('#max-age', 'none');
    const started = Date.now();
    await page.click('#scan');
    const v = await verdictOf(page);
    const ms = Date.now() - started;
    const status = await page.textContent('#scan-status');
    const cameraOff = await page.evaluate(() => document.getElementById('scan-video').srcObject === null &&
      document.getElementById('scan-video').hidden);
    await screenshot(page, shot);
    console.log(`scan ${c.name}: QR version ${(m.length - 17) / 4}, ${payload.length} bytes, ` +
      `${v.result}${v.reason ? ' ' + v.reason : ''} in ${ms} ms`);
    assert.deepEqual(errors, []);
    return {v, status, cameraOff, payload};
  } finally {
    await camera.close();
    server.close();
    rmSync(dir, {recursive: true, force: true});
    assert.deepEqual(elsewhere, [], 'the page tried to reach the network');
  }
}

test('scanning the QR code of a valid presentation with the camera gives VALID', async () => {
  const c = byName.valid;
  const {v, status, cameraOff, payload} = await scanVerdict(c, 'SCAN-VALID');
  assert.equal(v.result, 'VALID', JSON.stringify(v));
  assert.equal(v.disclosed.enterprise_name, 'Jinan Quanyong Software Co., Ltd.');
  assert.equal(status, `Read a QR code of ${payload.length} bytes from the camera.`);
  assert.ok(cameraOff, 'the camera is stopped once the code is read');
});

test('scanning the QR code of a mutated presentation gives the C++ verdict', async () => {
  const c = byName['byte 700 ^ 1'];
  const {v, cameraOff} = await scanVerdict(c, `SCAN-INVALID-${c.cpp.reason}`);
  assert.equal(v.result, 'INVALID');
  assert.equal(v.result, c.cpp.result);
  assert.equal(v.reason, c.cpp.reason);
  assert.ok(cameraOff);
});
