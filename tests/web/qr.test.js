// The page's QR reader (web/verify/qr.js) in Node, on codes made by
// libqrencode (Debian's qrencode CLI, the library licencectl's `proof present
// --qr` uses, in byte mode): every version 1-40 at every level L/M/Q/H read
// from the module matrix; then drawn as images, turned by 90, 180 and 270
// degrees, scaled, seen in perspective, under uneven light and with noise;
// damaged codes that Reed-Solomon can correct read back exactly, and codes
// damaged past what it can correct, blank frames and noise give null, never
// other bytes. Every random choice comes from a fixed seed. Run by
// run_browser.py, or alone: `node --test tests/web/qr.test.js`.
import assert from 'node:assert/strict';
import {execFileSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {test} from 'node:test';
import {fileURLToPath} from 'node:url';
import vm from 'node:vm';

const here = dirname(fileURLToPath(import.meta.url));
vm.runInThisContext(readFileSync(join(here, '..', '..', 'web', 'verify', 'qr.js'), 'utf8'));
const Q = globalThis.LicencedQr;
const LEVELS = ['L', 'M', 'Q', 'H'];

// A small deterministic generator (mulberry32), so failures replay.
function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomBytes(rand, n) {
  return Uint8Array.from({length: n}, () => Math.floor(rand() * 256));
}

// The module matrix (rows of 0/1) of `payload` in byte mode at `level`, of
// version `version` exactly (qrencode's -v is the smallest it may use).
function encode(payload, level, version) {
  const text = execFileSync('qrencode', ['-8', '-l', level, '-v', String(version), '-t', 'ASCII',
    '-m', '0', '-o', '-'], {input: payload}).toString();
  const rows = text.split('\n').filter(l => l.length > 0).map(l => {
    const r = [];
    for(let i = 0; i < l.length; i += 2) {
      r.push(l[i] === '#' ? 1 : 0);
    }
    return r;
  });
  assert.equal(rows.length, 17 + 4 * version, `${level} ${version}: qrencode chose another version`);
  return rows;
}

// The largest byte-mode payload of a version and level.
function capacity(version, level) {
  const data = Q.internal.blockLayout(version, LEVELS.indexOf(level)).reduce((s, b) => s + b.data, 0);
  return Math.floor((data * 8 - 4 - (version < 10 ? 8 : 16)) / 8);
}

// Solves for the homography taking the points `from` to `to` (4 each).
function homography(from, to) {
  const a = [];
  from.forEach(([u, v], i) => {
    const [x, y] = to[i];
    a.push([u, v, 1, 0, 0, 0, -u * x, -v * x, x], [0, 0, 0, u, v, 1, -u * y, -v * y, y]);
  });
  for(let c = 0; c < 8; c++) {
    const p = a.slice(c).reduce((best, row, i) => Math.abs(row[c]) > Math.abs(a[best][c]) ? c + i : best, c);
    [a[c], a[p]] = [a[p], a[c]];
    for(let r = 0; r < 8; r++) {
      if(r !== c) {
        const f = a[r][c] / a[c][c];
        a[r] = a[r].map((v, k) => v - f * a[c][k]);
      }
    }
  }
  const h = a.map((row, i) => row[8] / row[i]);
  return (u, v) => {
    const z = h[6] * u + h[7] * v + 1;
    return [(h[0] * u + h[1] * v + h[2]) / z, (h[3] * u + h[4] * v + h[5]) / z];
  };
}

// A greyscale picture of `m` (4-module quiet zone): the symbol's corners
// (top-left, top-right, bottom-right, bottom-left of the code itself) at the
// image points `corners`, 2x2 supersampled, with light falling off towards
// one side and noise of amplitude `noise`.
function draw(m, {w, h, corners, noise = 0, shade = 0, seed = 1}) {
  const n = m.length;
  const toModule = homography(corners, [[0, 0], [n, 0], [n, n], [0, n]]);
  const rand = rng(seed);
  const lum = new Uint8Array(w * h);
  for(let y = 0; y < h; y++) {
    for(let x = 0; x < w; x++) {
      let dark = 0;
      for(const [sx, sy] of [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]) {
        const [u, v] = toModule(x + sx, y + sy);
        const c = Math.floor(u);
        const r = Math.floor(v);
        dark += r >= 0 && c >= 0 && r < n && c < n && m[r][c] ? 1 : 0;
      }
      const light = 220 - shade * x / w;
      let g = light - (light - 35) * dark / 4;
      g += noise * (rand() + rand() + rand() - 1.5);
      lum[y * w + x] = Math.max(0, Math.min(255, Math.round(g)));
    }
  }
  return {lum, w, h};
}

// Corners for a symbol of `n` modules at `scale` pixels a module, turned by
// `turn` quarter turns, offset by the quiet zone, in an image of its own size.
function placed(n, scale, turn, skew = 0) {
  const side = (n + 8) * scale;
  const lo = 4 * scale;
  const hi = side - 4 * scale;
  // Perspective: the far edge shorter by `skew` of its length.
  const s = skew * (hi - lo) / 2;
  let c = [[lo, lo + s], [hi, lo], [hi, hi], [lo, hi - s]];
  for(let i = 0; i < turn; i++) {
    c = [c[3], c[0], c[1], c[2]];
  }
  return {w: Math.ceil(side), h: Math.ceil(side), corners: c};
}

function decodeImage(img) {
  return Q.decodeLuminance(img.lum, img.w, img.h);
}

const same = (a, b) => a !== null && Buffer.from(a).equals(Buffer.from(b));

test('every version 1-40 at every level reads back from its module matrix', () => {
  const rand = rng(40);
  let read = 0;
  for(const level of LEVELS) {
    for(let v = 1; v <= 40; v++) {
      const payload = randomBytes(rand, capacity(v, level) - Math.floor(rand() * 3));
      const m = encode(payload, level, v);
      assert.ok(same(Q.decodeModules(m.length, (x, y) => m[y][x]), payload), `${level} ${v}`);
      read++;
    }
  }
  console.log(`matrices: ${read} of 160 (versions 1-40 x L, M, Q, H) read exactly`);
});

test('images: versions 1, 10, 25, 40, turned, scaled, in perspective, with noise', () => {
  const rand = rng(7);
  const counts = {};
  const failed = [];
  for(const v of [1, 10, 25, 40]) {
    for(const level of LEVELS) {
      const payload = randomBytes(rand, capacity(v, level));
      const m = encode(payload, level, v);
      const n = m.length;
      const cases = [
        ['upright', placed(n, 4, 0)],
        ['90', placed(n, 4, 1)],
        ['180', placed(n, 4, 2)],
        ['270', placed(n, 3, 3)],
        ['scale 2.5', placed(n, 2.5, 0)],
        ['scale 7', placed(n, v === 40 ? 5 : 7, 1)],
        ['perspective', placed(n, 4, 0, 0.15)],
        ['perspective 180', placed(n, 4, 2, 0.12)],
        ['noise and shade', {...placed(n, 4, 1), noise: 40, shade: 80}]
      ];
      for(const [name, opts] of cases) {
        const r = decodeImage(draw(m, {...opts, seed: v}));
        const key = `v${v} ${level}`;
        if(same(r, payload)) {
          counts[name] = (counts[name] ?? 0) + 1;
        } else {
          assert.equal(r, null, `${key} ${name}: other bytes`);
          failed.push(`${key} ${name}`);
        }
      }
    }
  }
  console.log(`images read, of 16 each (v1/10/25/40 x L/M/Q/H): ${JSON.stringify(counts)}`);
  assert.deepEqual(failed, []);
});

// Damages `errors` codewords of every block of a matrix (each in one module
// of each of its 8 bits... here in all 8 modules: the byte's bits inverted).
function damage(m, version, level, errors, rand) {
  const order = Q.internal.dataModuleOrder(version);
  const layout = Q.internal.blockLayout(version, LEVELS.indexOf(level));
  // Where each block's codewords are in the interleaved stream.
  const where = layout.map(() => []);
  let k = 0;
  const maxData = Math.max(...layout.map(b => b.data));
  for(let i = 0; i < maxData; i++) {
    layout.forEach((b, j) => i < b.data && where[j].push(k++));
  }
  for(let i = 0; i < layout[0].ecc; i++) {
    layout.forEach((b, j) => where[j].push(k++));
  }
  const out = m.map(r => r.slice());
  for(const cws of where) {
    const pick = cws.slice();
    for(let e = 0; e < errors(cws.length); e++) {
      const cw = pick.splice(Math.floor(rand() * pick.length), 1)[0];
      const flip = 1 + Math.floor(rand() * 255);
      for(let b = 0; b < 8; b++) {
        if(flip & (0x80 >> b)) {
          const [x, y] = order[cw * 8 + b];
          out[y][x] ^= 1;
        }
      }
    }
  }
  return out;
}

test('damaged codes: correctable ones read exactly, the rest give null', () => {
  const rand = rng(99);
  let corrected = 0;
  let refused = 0;
  for(const v of [1, 5, 10, 25, 40]) {
    for(const level of LEVELS) {
      const payload = randomBytes(rand, capacity(v, level));
      const m = encode(payload, level, v);
      const ecc = Q.internal.blockLayout(v, LEVELS.indexOf(level))[0].ecc;
      const guard = v === 1 ? [3, 2, 1, 1] : v === 2 ? [2, 0, 0, 0] : v === 3 ? [1, 0, 0, 0] : [0, 0, 0, 0];
      const t = Math.floor((ecc - guard[LEVELS.indexOf(level)]) / 2);
      const ok = damage(m, v, level, () => t, rand);
      const img = draw(ok, placed(m.length, 4, 1));
      assert.ok(same(decodeImage(img), payload), `v${v} ${level}: ${t} errors a block`);
      corrected++;
      // Past correction: twice what the block can correct (never other bytes).
      const tooMany = damage(m, v, level, () => 2 * t + 1, rand);
      assert.equal(decodeImage(draw(tooMany, placed(m.length, 4, 0))), null, `v${v} ${level}: too damaged`);
      refused++;
    }
  }
  console.log(`damage: ${corrected} codes with the most correctable errors in every block read exactly; ` +
    `${refused} with more refused`);
});

test('blank, uniform noise and a picture of finders alone give null', () => {
  const rand = rng(5);
  const blank = {lum: new Uint8Array(640 * 480).fill(200), w: 640, h: 480};
  assert.equal(decodeImage(blank), null);
  const noise = {lum: randomBytes(rand, 640 * 480), w: 640, h: 480};
  assert.equal(decodeImage(noise), null);
  // The three finders and timing patterns of a version 3 code, data all light.
  const m = encode(new Uint8Array(10), 'L', 3);
  const f = Q.internal.functionMask(3);
  const bare = m.map((r, y) => r.map((d, x) => f[y * 29 + x] ? d : 0));
  assert.equal(decodeImage(draw(bare, placed(29, 5, 0))), null);
  // RGBA input, as from a canvas.
  const img = draw(encode(Uint8Array.of(1, 2, 3), 'M', 2), placed(25, 5, 0));
  const rgba = new Uint8ClampedArray(img.w * img.h * 4);
  img.lum.forEach((g, i) => rgba.set([g, g, g, 255], 4 * i));
  assert.deepEqual([...Q.decode({data: rgba, width: img.w, height: img.h})], [1, 2, 3]);
});

test('numeric and alphanumeric segments read as their text; ECI is refused clearly', () => {
  for(const [text, args] of [['0123456789012345', []], ['HELLO LICENCE 42 $%*+-./:', []]]) {
    const out = execFileSync('qrencode', [...args, '-l', 'M', '-t', 'ASCII', '-m', '0', '-o', '-', text]).toString();
    const m = out.split('\n').filter(l => l).map(l => [...l].filter((_, i) => i % 2 === 0).map(c => c === '#' ? 1 : 0));
    const r = Q.decodeModules(m.length, (x, y) => m[y][x]);
    assert.equal(Buffer.from(r).toString('latin1'), text);
  }
  // An ECI designator (mode 0111, assignment 26 = UTF-8) then a byte segment,
  // as a version 1-M symbol built here.
  const eci = makeSymbol([[0b0111, 4], [26, 8], [0b0100, 4], [1, 8], [0x41, 8], [0, 4]], 1, 'M');
  assert.throws(() => Q.decodeModules(21, (x, y) => eci[y][x]), /ECI/);
});

// A symbol of our own making for a bit stream qrencode does not write:
// qrencode's matrix of the same version, level and mask with its data
// modules rewritten (data, padding, Reed-Solomon ecc computed here).
function makeSymbol(fields, version, level) {
  const layout = Q.internal.blockLayout(version, LEVELS.indexOf(level));
  assert.equal(layout.length, 1);
  const bits = [];
  for(const [v, n] of fields) {
    for(let i = n - 1; i >= 0; i--) {
      bits.push((v >> i) & 1);
    }
  }
  const data = [];
  for(let i = 0; i < layout[0].data; i++) {
    data.push(i * 8 < bits.length ? parseInt(bits.slice(i * 8, i * 8 + 8).join('').padEnd(8, '0'), 2) :
      [0xec, 0x11][(i - Math.ceil(bits.length / 8)) % 2]);
  }
  // The ecc: the remainder of data(x) x^ecc by the generator with roots a^0..a^(ecc-1).
  const exp = [];
  const log = [];
  for(let i = 0, x = 1; i < 255; i++, x = (x << 1) ^ (x & 0x80 ? 0x11d : 0)) {
    exp[i] = x;
    log[x] = i;
  }
  const gmul = (a, b) => a && b ? exp[(log[a] + log[b]) % 255] : 0;
  let gen = [1];
  for(let i = 0; i < layout[0].ecc; i++) {
    const next = new Array(gen.length + 1).fill(0);
    gen.forEach((c, j) => {
      next[j] ^= c;
      next[j + 1] ^= gmul(c, exp[i]);
    });
    gen = next;
  }
  const rem = data.concat(new Array(layout[0].ecc).fill(0));
  for(let i = 0; i < data.length; i++) {
    const f = rem[i];
    gen.forEach((c, j) => {
      rem[i + j] ^= gmul(c, f);
    });
  }
  const codewords = data.concat(rem.slice(data.length));
  // Start from a qrencode symbol and find its mask by comparing its data
  // modules with its own (known) stream, then write ours under that mask.
  const base = encode(Uint8Array.of(0x41), level, version);
  const order = Q.internal.dataModuleOrder(version);
  const baseBytes = Q.decodeModules(base.length, (x, y) => base[y][x]);
  assert.deepEqual([...baseBytes], [0x41]);
  const masks = [(x, y) => (x + y) % 2 === 0, (x, y) => y % 2 === 0, x => x % 3 === 0,
    (x, y) => (x + y) % 3 === 0, (x, y) => (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0,
    (x, y) => (x * y) % 2 + (x * y) % 3 === 0, (x, y) => ((x * y) % 2 + (x * y) % 3) % 2 === 0,
    (x, y) => ((x + y) % 2 + (x * y) % 3) % 2 === 0];
  for(const mask of masks) {
    const out = base.map(r => r.slice());
    codewords.forEach((cw, i) => {
      for(let b = 0; b < 8; b++) {
        const [x, y] = order[i * 8 + b];
        out[y][x] = ((cw >> (7 - b)) & 1) ^ (mask(x, y) ? 1 : 0);
      }
    });
    try {
      if(Q.decodeModules(out.length, (x, y) => out[y][x]) !== null) {
        return out;
      }
    } catch(e) {
      return out;
    }
  }
  throw new Error('no mask of the base symbol fits');
}
