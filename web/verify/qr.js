// A QR code reader for the verification page (index.html): one camera frame
// (RGBA ImageData, or a luminance array) in, the bytes of the code out, or
// null when the frame holds no readable code. Written for this page, with no
// dependency, because the page works offline and as saved files and because
// the browser's BarcodeDetector is absent on desktop Linux (and returns text,
// not bytes, where it exists).
//
// The steps follow ISO/IEC 18004: a local-mean threshold; the three finder
// patterns found by their 1:1:3:1:1 runs; the version from their distance
// (and from the version information from version 7 on); the bottom-right
// alignment pattern; a perspective transform from module to image
// coordinates; the format information (BCH, nearest valid word); unmasking;
// codewords read in zig-zag order and de-interleaved into their blocks;
// Reed-Solomon correction over GF(256) of every block, which must verify
// (syndromes zero after correction) or nothing is returned; then the
// numeric, alphanumeric and byte segments. ECI, Kanji and structured-append
// segments are refused with an Error, since licencectl never makes them.
// Pure functions; a classic script (globalThis.LicencedQr) so that saved
// files work.
(() => {
'use strict';

// ---- GF(256), polynomial x^8 + x^4 + x^3 + x^2 + 1 ----
const EXP = new Uint8Array(512);
const LOG = new Uint8Array(256);
{
  let x = 1;
  for(let i = 0; i < 255; i++) {
    EXP[i] = x;
    LOG[x] = i;
    x <<= 1;
    if(x & 0x100) {
      x ^= 0x11d;
    }
  }
  for(let i = 255; i < 512; i++) {
    EXP[i] = EXP[i - 255];
  }
}
const mul = (a, b) => (a === 0 || b === 0) ? 0 : EXP[LOG[a] + LOG[b]];
const div = (a, b) => a === 0 ? 0 : EXP[LOG[a] + 255 - LOG[b]];

// Evaluates p (p[0] the constant term) at x.
function evalLow(p, x) {
  let y = 0;
  for(let i = p.length - 1; i >= 0; i--) {
    y = mul(y, x) ^ p[i];
  }
  return y;
}

function syndromes(block, n) {
  const s = new Uint8Array(n);
  let any = false;
  for(let i = 0; i < n; i++) {
    const a = EXP[i];
    let y = 0;
    for(let j = 0; j < block.length; j++) {
      y = mul(y, a) ^ block[j];
    }
    s[i] = y;
    any ||= y !== 0;
  }
  return any ? s : null;
}

// Corrects `block` (data then ecc codewords, first codeword the highest
// power) in place with up to `maxErrors` errors; false if it cannot, or if
// the corrected block is not a codeword.
function rsCorrect(block, ecc, maxErrors) {
  const s = syndromes(block, ecc);
  if(!s) {
    return true;
  }
  // Berlekamp-Massey: the error locator c(x), constant term first.
  let c = [1];
  let b = [1];
  let l = 0;
  let m = 1;
  let bd = 1;
  for(let n = 0; n < ecc; n++) {
    let d = s[n];
    for(let i = 1; i <= l; i++) {
      d ^= mul(c[i] ?? 0, s[n - i]);
    }
    if(d === 0) {
      m++;
      continue;
    }
    const f = div(d, bd);
    const next = c.slice();
    while(next.length < b.length + m) {
      next.push(0);
    }
    for(let i = 0; i < b.length; i++) {
      next[i + m] ^= mul(f, b[i]);
    }
    if(2 * l <= n) {
      b = c;
      l = n + 1 - l;
      bd = d;
      m = 1;
    } else {
      m++;
    }
    c = next;
  }
  while(c.length > l + 1) {
    if(c[c.length - 1] !== 0) {
      return false;
    }
    c.pop();
  }
  if(l === 0 || l > maxErrors) {
    return false;
  }
  // Chien search over the block's positions; Forney for the magnitudes.
  const len = block.length;
  const omega = new Uint8Array(ecc);
  for(let i = 0; i < ecc; i++) {
    let v = 0;
    for(let j = 0; j <= i && j < c.length; j++) {
      v ^= mul(c[j], s[i - j]);
    }
    omega[i] = v;
  }
  let found = 0;
  for(let j = 0; j < len; j++) {
    const power = len - 1 - j;
    const xinv = EXP[(255 - power) % 255];
    if(evalLow(c, xinv) !== 0) {
      continue;
    }
    let deriv = 0;
    for(let i = 1; i < c.length; i += 2) {
      deriv ^= mul(c[i], i === 1 ? 1 : EXP[(LOG[xinv] * (i - 1)) % 255]);
    }
    if(deriv === 0) {
      return false;
    }
    const magnitude = mul(EXP[power], div(evalLow(omega, xinv), deriv));
    block[j] ^= magnitude;
    found++;
  }
  if(found !== l) {
    return false;
  }
  return syndromes(block, ecc) === null;
}

// ---- The symbol: versions, blocks, function patterns ----
// Per version 1..40 (index 0 unused): ecc codewords per block and block
// counts, for the levels L, M, Q, H (ISO/IEC 18004 table 9).
const ECC_PER_BLOCK = [
  [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28, 28, 28, 30, 30,
    26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26, 26, 28, 28, 28,
    28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
  [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30, 28, 30, 30, 30,
    30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28, 30, 24, 30, 30,
    30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30]
];
const BLOCKS = [
  [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8, 8, 9, 9, 10, 12, 12, 12, 13, 14, 15,
    16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
  [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16, 17, 17, 18, 20, 21, 23, 25,
    26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
  [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20, 23, 23, 25, 27, 29, 34, 34,
    35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
  [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25, 25, 34, 30, 32, 35, 37, 40,
    42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81]
];
const LEVELS = ['L', 'M', 'Q', 'H'];
// The format information's two bits for L, M, Q, H.
const LEVEL_BITS = [1, 0, 3, 2];

function alignmentCentres(version) {
  if(version === 1) {
    return [];
  }
  const n = Math.floor(version / 7) + 2;
  const size = 17 + 4 * version;
  const step = version === 32 ? 26 : Math.ceil((4 * version + 4) / (2 * n - 2)) * 2;
  const out = [6];
  for(let i = 0, pos = size - 7; i < n - 1; i++, pos -= step) {
    out.splice(1, 0, pos);
  }
  return out;
}

// 1 where a module belongs to a function pattern (not data), row by row.
function functionMask(version) {
  const size = 17 + 4 * version;
  const f = new Uint8Array(size * size);
  const fill = (x0, y0, w, h) => {
    for(let y = Math.max(0, y0); y < Math.min(size, y0 + h); y++) {
      for(let x = Math.max(0, x0); x < Math.min(size, x0 + w); x++) {
        f[y * size + x] = 1;
      }
    }
  };
  fill(0, 0, 9, 9);  // finder, separator, format information
  fill(size - 8, 0, 8, 9);
  fill(0, size - 8, 9, 8);
  fill(6, 0, 1, size);  // timing patterns
  fill(0, 6, size, 1);
  const centres = alignmentCentres(version);
  for(const cy of centres) {
    for(const cx of centres) {
      const corner = (cx === 6 && cy === 6) || (cx === 6 && cy === size - 7) ||
        (cx === size - 7 && cy === 6);
      if(!corner) {
        fill(cx - 2, cy - 2, 5, 5);
      }
    }
  }
  if(version >= 7) {
    fill(size - 11, 0, 3, 6);
    fill(0, size - 11, 6, 3);
  }
  return f;
}

// The data modules as [x, y] in the order of the bit stream.
function dataModuleOrder(version) {
  const size = 17 + 4 * version;
  const f = functionMask(version);
  const out = [];
  for(let right = size - 1; right >= 1; right -= 2) {
    if(right === 6) {
      right = 5;
    }
    const upward = ((right + 1) & 2) === 0;
    for(let v = 0; v < size; v++) {
      const y = upward ? size - 1 - v : v;
      for(let j = 0; j < 2; j++) {
        const x = right - j;
        if(!f[y * size + x]) {
          out.push([x, y]);
        }
      }
    }
  }
  return out;
}

// The blocks of a version and level: [{data, ecc}] in interleaving order.
function blockLayout(version, level) {
  const total = Math.floor(dataModuleOrder(version).length / 8);
  const n = BLOCKS[level][version];
  const ecc = ECC_PER_BLOCK[level][version];
  const short = Math.floor(total / n);
  const longCount = total % n;
  const out = [];
  for(let i = 0; i < n; i++) {
    out.push({data: short - ecc + (i >= n - longCount ? 1 : 0), ecc});
  }
  return out;
}

// Codewords that guard against mis-decoding in the smallest symbols (p in
// ISO/IEC 18004 table 9): they reduce the errors a block may correct.
function misdecodeGuard(version, level) {
  const table = {1: [3, 2, 1, 1], 2: [2, 0, 0, 0], 3: [1, 0, 0, 0]};
  return table[version]?.[level] ?? 0;
}

function maskBit(mask, x, y) {
  switch(mask) {
  case 0: return (x + y) % 2 === 0;
  case 1: return y % 2 === 0;
  case 2: return x % 3 === 0;
  case 3: return (x + y) % 3 === 0;
  case 4: return (Math.floor(x / 3) + Math.floor(y / 2)) % 2 === 0;
  case 5: return (x * y) % 2 + (x * y) % 3 === 0;
  case 6: return ((x * y) % 2 + (x * y) % 3) % 2 === 0;
  default: return ((x + y) % 2 + (x * y) % 3) % 2 === 0;
  }
}

const popcount = v => {
  let n = 0;
  for(; v; v &= v - 1) {
    n++;
  }
  return n;
};

// The 32 format words and the 34 version words, as encoded in the symbol.
const FORMAT_WORDS = [];
for(let data = 0; data < 32; data++) {
  let r = data;
  for(let i = 0; i < 10; i++) {
    r = (r << 1) ^ ((r >> 9) * 0x537);
  }
  FORMAT_WORDS.push({word: ((data << 10) | r) ^ 0x5412, data});
}
const VERSION_WORDS = [];
for(let v = 7; v <= 40; v++) {
  let r = v;
  for(let i = 0; i < 12; i++) {
    r = (r << 1) ^ ((r >> 11) * 0x1f25);
  }
  VERSION_WORDS.push({word: (v << 12) | r, data: v});
}

// The valid word nearest to any of `reads`, if within 3 bits.
function nearest(words, reads) {
  let best = null;
  let bestDistance = 4;
  for(const read of reads) {
    for(const w of words) {
      const d = popcount(read ^ w.word);
      if(d < bestDistance) {
        bestDistance = d;
        best = w.data;
      }
    }
  }
  return best;
}

// `dark(x, y)` gives a module; the format information as {level, mask} or null.
function readFormat(size, dark) {
  let a = 0;
  let b = 0;
  for(let i = 0; i <= 5; i++) {
    a |= dark(8, i) << i;
  }
  a |= dark(8, 7) << 6;
  a |= dark(8, 8) << 7;
  a |= dark(7, 8) << 8;
  for(let i = 9; i < 15; i++) {
    a |= dark(14 - i, 8) << i;
  }
  for(let i = 0; i < 8; i++) {
    b |= dark(size - 1 - i, 8) << i;
  }
  for(let i = 8; i < 15; i++) {
    b |= dark(8, size - 15 + i) << i;
  }
  const data = nearest(FORMAT_WORDS, [a, b]);
  if(data === null) {
    return null;
  }
  return {level: LEVEL_BITS.indexOf(data >> 3), mask: data & 7};
}

function readVersion(size, dark) {
  let a = 0;
  let b = 0;
  for(let i = 0; i < 18; i++) {
    a |= dark(size - 11 + i % 3, Math.floor(i / 3)) << i;
    b |= dark(Math.floor(i / 3), size - 11 + i % 3) << i;
  }
  return nearest(VERSION_WORDS, [a, b]);
}

// ---- The bit stream ----
const ALNUM = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

class Bits {
  constructor(bytes) {
    this.bytes = bytes;
    this.pos = 0;
  }
  left() {
    return this.bytes.length * 8 - this.pos;
  }
  read(n) {
    let v = 0;
    for(let i = 0; i < n; i++, this.pos++) {
      v = (v << 1) | ((this.bytes[this.pos >> 3] >> (7 - (this.pos & 7))) & 1);
    }
    return v;
  }
}

// The segments' content as bytes, or null if the stream is malformed.
function parseSegments(data, version) {
  const bits = new Bits(data);
  const out = [];
  const group = version <= 9 ? 0 : version <= 26 ? 1 : 2;
  while(bits.left() >= 4) {
    const mode = bits.read(4);
    if(mode === 0) {
      break;
    }
    if(mode === 1) {
      const count = bits.read([10, 12, 14][group]);
      for(let n = count; n > 0; n -= 3) {
        const digits = Math.min(n, 3);
        const need = [0, 4, 7, 10][digits];
        if(bits.left() < need) {
          return null;
        }
        const v = bits.read(need);
        if(v >= 10 ** digits) {
          return null;
        }
        for(const ch of String(v).padStart(digits, '0')) {
          out.push(ch.charCodeAt(0));
        }
      }
    } else if(mode === 2) {
      const count = bits.read([9, 11, 13][group]);
      for(let n = count; n > 0; n -= 2) {
        if(n >= 2) {
          if(bits.left() < 11) {
            return null;
          }
          const v = bits.read(11);
          if(v >= 45 * 45) {
            return null;
          }
          out.push(ALNUM.charCodeAt(Math.floor(v / 45)), ALNUM.charCodeAt(v % 45));
        } else {
          if(bits.left() < 6) {
            return null;
          }
          const v = bits.read(6);
          if(v >= 45) {
            return null;
          }
          out.push(ALNUM.charCodeAt(v));
        }
      }
    } else if(mode === 4) {
      const count = bits.read([8, 16, 16][group]);
      if(bits.left() < 8 * count) {
        return null;
      }
      for(let i = 0; i < count; i++) {
        out.push(bits.read(8));
      }
    } else if(mode === 7) {
      throw new Error('the QR code uses an ECI segment (a character set designation), ' +
        'which licence presentations never do');
    } else if(mode === 8) {
      throw new Error('the QR code holds Kanji text, not a licence presentation');
    } else if(mode === 3) {
      throw new Error('the QR code is one of several (structured append); scan a single-code presentation');
    } else {
      return null;
    }
  }
  return Uint8Array.from(out);
}

// Decodes a module matrix (dark(x, y) for 0 <= x, y < size): the bytes, or
// null if it is not a readable symbol.
function decodeModules(size, dark) {
  const version = (size - 17) / 4;
  if(!Number.isInteger(version) || version < 1 || version > 40) {
    return null;
  }
  const format = readFormat(size, dark);
  if(!format) {
    return null;
  }
  const order = dataModuleOrder(version);
  const stream = new Uint8Array(order.length >> 3);
  for(let i = 0; i < stream.length * 8; i++) {
    const [x, y] = order[i];
    if(dark(x, y) !== (maskBit(format.mask, x, y) ? 1 : 0)) {
      stream[i >> 3] |= 0x80 >> (i & 7);
    }
  }
  const layout = blockLayout(version, format.level);
  const blocks = layout.map(b => new Uint8Array(b.data + b.ecc));
  let k = 0;
  const maxData = Math.max(...layout.map(b => b.data));
  for(let i = 0; i < maxData; i++) {
    layout.forEach((b, j) => {
      if(i < b.data) {
        blocks[j][i] = stream[k++];
      }
    });
  }
  const ecc = layout[0].ecc;
  for(let i = 0; i < ecc; i++) {
    layout.forEach((b, j) => {
      blocks[j][b.data + i] = stream[k++];
    });
  }
  const maxErrors = Math.floor((ecc - misdecodeGuard(version, format.level)) / 2);
  const data = [];
  for(let j = 0; j < blocks.length; j++) {
    if(!rsCorrect(blocks[j], ecc, maxErrors)) {
      return null;
    }
    data.push(...blocks[j].subarray(0, layout[j].data));
  }
  return parseSegments(Uint8Array.from(data), version);
}

// ---- The image ----
// Luminance from RGBA.
function luminance(rgba, w, h) {
  const out = new Uint8Array(w * h);
  for(let i = 0, j = 0; i < out.length; i++, j += 4) {
    out[i] = (rgba[j] * 77 + rgba[j + 1] * 150 + rgba[j + 2] * 29) >> 8;
  }
  return out;
}

// The image as dark (1) and light (0): darker than the mean of a square
// window around the pixel (about an eighth of the image's smaller side), so
// uneven light and shadows do not matter. Keeps the luminance and the
// threshold for reading modules.
class Image {
  constructor(lum, w, h) {
    this.lum = lum;
    this.w = w;
    this.h = h;
    const sum = new Float64Array((w + 1) * (h + 1));
    for(let y = 0; y < h; y++) {
      let row = 0;
      for(let x = 0; x < w; x++) {
        row += lum[y * w + x];
        sum[(y + 1) * (w + 1) + x + 1] = sum[y * (w + 1) + x + 1] + row;
      }
    }
    const r = Math.max(8, Math.floor(Math.min(w, h) / 16));
    this.bin = new Uint8Array(w * h);
    this.threshold = new Float32Array(w * h);
    for(let y = 0; y < h; y++) {
      const y0 = Math.max(0, y - r);
      const y1 = Math.min(h, y + r + 1);
      for(let x = 0; x < w; x++) {
        const x0 = Math.max(0, x - r);
        const x1 = Math.min(w, x + r + 1);
        const total = sum[y1 * (w + 1) + x1] - sum[y0 * (w + 1) + x1] - sum[y1 * (w + 1) + x0] +
          sum[y0 * (w + 1) + x0];
        const t = total / ((x1 - x0) * (y1 - y0)) * 0.9 - 2;
        this.threshold[y * w + x] = t;
        this.bin[y * w + x] = lum[y * w + x] < t ? 1 : 0;
      }
    }
  }
  at(x, y) {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    if(xi < 0 || yi < 0 || xi >= this.w || yi >= this.h) {
      return 0;
    }
    return this.bin[yi * this.w + xi];
  }
  // A module centred at (x, y), the unit vectors of the grid (ax, ay) and
  // (bx, by) there: the mean of five points of its middle against the
  // threshold, so that noise in one pixel does not flip it.
  module(x, y, ax, ay, bx, by) {
    const xi = Math.floor(x);
    const yi = Math.floor(y);
    if(xi < 0 || yi < 0 || xi >= this.w || yi >= this.h) {
      return 0;
    }
    let total = 2 * this.lum[yi * this.w + xi];
    let n = 2;
    for(const [dx, dy] of [[ax, ay], [-ax, -ay], [bx, by], [-bx, -by]]) {
      const px = Math.floor(x + dx / 4);
      const py = Math.floor(y + dy / 4);
      if(px >= 0 && py >= 0 && px < this.w && py < this.h) {
        total += this.lum[py * this.w + px];
        n++;
      }
    }
    return total / n < this.threshold[yi * this.w + xi] ? 1 : 0;
  }
}

// From (x, y) along (dx, dy): the lengths of the dark run there, then of the
// light run and the dark run after it; null at the image's edge or past
// maxRun pixels in a run.
function runsFrom(img, x, y, dx, dy, maxRun) {
  const counts = [0, 0, 0];
  let state = 0;
  for(let t = 0; ; t++) {
    const px = x + dx * t;
    const py = y + dy * t;
    if(px < 0 || py < 0 || px >= img.w || py >= img.h) {
      return null;
    }
    const want = state === 1 ? 0 : 1;
    if(img.at(px, py) === want) {
      if(++counts[state] > maxRun) {
        return null;
      }
    } else {
      if(state === 0 && t === 0) {
        return null;
      }
      if(++state === 3) {
        return counts;
      }
      counts[state] = 1;
    }
  }
}

function isFinderRatio(c) {
  const total = c[0] + c[1] + c[2] + c[3] + c[4];
  if(total < 7) {
    return false;
  }
  const m = total / 7;
  const tol = m * 0.6;
  return Math.abs(c[0] - m) < tol && Math.abs(c[1] - m) < tol && Math.abs(c[3] - m) < tol &&
    Math.abs(c[4] - m) < tol && Math.abs(c[2] - 3 * m) < 3 * tol;
}

// The 1:1:3:1:1 pattern through (x, y) along (dx, dy): {offset, total} with
// the offset of the centre from (x, y) in steps, or null.
function crossCheck(img, x, y, dx, dy, maxRun) {
  const f = runsFrom(img, x, y, dx, dy, maxRun);
  const b = f && runsFrom(img, x, y, -dx, -dy, maxRun);
  if(!b) {
    return null;
  }
  const c = [b[2], b[1], f[0] + b[0] - 1, f[1], f[2]];
  if(!isFinderRatio(c)) {
    return null;
  }
  // Light beyond the outer ring on both sides: the separator or quiet zone.
  const m = (c[0] + c[1] + c[2] + c[3] + c[4]) / 7;
  const fa = f[0] + f[1] + f[2] + m / 2;
  const ba = b[0] + b[1] + b[2] + m / 2;
  if(img.at(x + dx * fa, y + dy * fa) || img.at(x - dx * ba, y - dy * ba)) {
    return null;
  }
  return {offset: (f[0] - b[0]) / 2, total: c.reduce((s, v) => s + v, 0)};
}

// Finder pattern candidates: {x, y, size (module, pixels), count}.
function findFinders(img) {
  const found = [];
  const runs = [];
  for(let y = 0; y < img.h; y++) {
    runs.length = 0;
    let start = 0;
    for(let x = 1; x <= img.w; x++) {
      if(x === img.w || img.bin[y * img.w + x] !== img.bin[y * img.w + start]) {
        runs.push(start, x - start, img.bin[y * img.w + start]);
        start = x;
      }
    }
    for(let i = 0; i + 14 < runs.length; i += 3) {
      if(runs[i + 2] !== 1) {
        continue;
      }
      const c = [runs[i + 1], runs[i + 4], runs[i + 7], runs[i + 10], runs[i + 13]];
      if(!isFinderRatio(c)) {
        continue;
      }
      const total = c[0] + c[1] + c[2] + c[3] + c[4];
      if((i > 0 && runs[i - 2] < total / 14) || (i + 15 < runs.length && runs[i + 16] < total / 14)) {
        continue;
      }
      let cx = runs[i + 6] + c[2] / 2;
      const v = crossCheck(img, Math.floor(cx) + 0.5, y + 0.5, 0, 1, total);
      if(!v || v.total < total * 0.5 || v.total > total * 2) {
        continue;
      }
      const cy = y + 0.5 + v.offset;
      const hz = crossCheck(img, Math.floor(cx) + 0.5, cy, 1, 0, total * 2);
      if(!hz) {
        continue;
      }
      cx = Math.floor(cx) + 0.5 + hz.offset;
      const d = crossCheck(img, cx, cy, Math.SQRT1_2, Math.SQRT1_2, total * 2);
      const e = crossCheck(img, cx, cy, Math.SQRT1_2, -Math.SQRT1_2, total * 2);
      if(!d && !e) {
        continue;
      }
      const size = (hz.total + v.total) / 14;
      const same = found.find(p => Math.abs(p.x - cx) < Math.max(3, size * 2) &&
        Math.abs(p.y - cy) < Math.max(3, size * 2) && p.size < size * 1.6 && size < p.size * 1.6);
      if(same) {
        same.x = (same.x * same.count + cx) / (same.count + 1);
        same.y = (same.y * same.count + cy) / (same.count + 1);
        same.size = (same.size * same.count + size) / (same.count + 1);
        same.count++;
      } else {
        found.push({x: cx, y: cy, size, count: 1});
      }
    }
  }
  return found;
}

const dist = (a, b) => Math.hypot(a.x - b.x, a.y - b.y);

// Triples of finders that may be one symbol's, best first, as {tl, tr, bl}.
function finderTriples(finders) {
  let cands = finders.filter(f => f.count >= 2);
  if(cands.length < 3) {
    cands = finders.slice();
  }
  cands.sort((a, b) => b.count - a.count);
  cands = cands.slice(0, 12);
  const out = [];
  for(let i = 0; i < cands.length; i++) {
    for(let j = i + 1; j < cands.length; j++) {
      for(let k = j + 1; k < cands.length; k++) {
        const p = [cands[i], cands[j], cands[k]];
        const sizes = p.map(f => f.size);
        if(Math.max(...sizes) > 1.7 * Math.min(...sizes)) {
          continue;
        }
        // The top-left finder is opposite the longest side.
        const d = [dist(p[1], p[2]), dist(p[0], p[2]), dist(p[0], p[1])];
        const t = d.indexOf(Math.max(...d));
        const tl = p[t];
        let [a, c] = p.filter((_, n) => n !== t);
        const la = dist(tl, a);
        const lc = dist(tl, c);
        const ms = (sizes[0] + sizes[1] + sizes[2]) / 3;
        if(Math.max(la, lc) > 1.6 * Math.min(la, lc) || Math.min(la, lc) < 10 * ms ||
          Math.max(la, lc) > 200 * ms) {
          continue;
        }
        const cross = (a.x - tl.x) * (c.y - tl.y) - (a.y - tl.y) * (c.x - tl.x);
        const cos = ((a.x - tl.x) * (c.x - tl.x) + (a.y - tl.y) * (c.y - tl.y)) / (la * lc);
        if(Math.abs(cos) > 0.4) {
          continue;
        }
        if(cross < 0) {
          [a, c] = [c, a];
        }
        const spread = Math.max(...sizes) / Math.min(...sizes);
        out.push({tl, tr: a, bl: c,
          score: Math.abs(cos) + Math.abs(Math.log(la / lc)) / 2 + Math.log(spread) / 2});
      }
    }
  }
  return out.sort((x, y) => x.score - y.score);
}

// The distance in pixels from a finder's centre to its outer edge along the
// unit vector (dx, dy): 3.5 modules.
function finderReach(img, p, dx, dy) {
  const r = runsFrom(img, p.x, p.y, dx, dy, p.size * 6);
  if(!r) {
    return null;
  }
  return r[0] + r[1] + r[2] - 0.5;
}

// Modules per pixel along the line between two finders, from both ends.
function moduleSizeBetween(img, p, q) {
  const d = dist(p, q);
  const ux = (q.x - p.x) / d;
  const uy = (q.y - p.y) / d;
  const parts = [finderReach(img, p, ux, uy), finderReach(img, p, -ux, -uy),
    finderReach(img, q, ux, uy), finderReach(img, q, -ux, -uy)].filter(v => v !== null &&
    v > 0.6 * 3.5 * Math.min(p.size, q.size) && v < 1.6 * 3.5 * Math.max(p.size, q.size));
  if(parts.length === 0) {
    return (p.size + q.size) / 2;
  }
  return parts.reduce((s, v) => s + v, 0) / parts.length / 3.5;
}

// The homography from module space to the image fitted (least squares, and
// exactly for four points) to the pairs [[u, v], [x, y]], as a function of
// (u, v); null if degenerate.
function fitHomography(pairs) {
  // Scaled to about 1 for a well-conditioned system.
  const su = Math.max(...pairs.map(p => Math.max(Math.abs(p[0][0]), Math.abs(p[0][1]))), 1);
  const sx = Math.max(...pairs.map(p => Math.max(Math.abs(p[1][0]), Math.abs(p[1][1]))), 1);
  const a = Array.from({length: 8}, () => new Float64Array(9));
  const add = (row, rhs) => {
    for(let i = 0; i < 8; i++) {
      for(let j = 0; j < 8; j++) {
        a[i][j] += row[i] * row[j];
      }
      a[i][8] += row[i] * rhs;
    }
  };
  for(const [[u0, v0], [x0, y0]] of pairs) {
    const u = u0 / su;
    const v = v0 / su;
    const x = x0 / sx;
    const y = y0 / sx;
    add([u, v, 1, 0, 0, 0, -u * x, -v * x], x);
    add([0, 0, 0, u, v, 1, -u * y, -v * y], y);
  }
  for(let col = 0; col < 8; col++) {
    let piv = col;
    for(let r = col + 1; r < 8; r++) {
      if(Math.abs(a[r][col]) > Math.abs(a[piv][col])) {
        piv = r;
      }
    }
    if(Math.abs(a[piv][col]) < 1e-12) {
      return null;
    }
    [a[col], a[piv]] = [a[piv], a[col]];
    for(let r = 0; r < 8; r++) {
      if(r !== col) {
        const f = a[r][col] / a[col][col];
        for(let c = col; c < 9; c++) {
          a[r][c] -= f * a[col][c];
        }
      }
    }
  }
  const h = a.map((row, i) => row[8] / row[i]);
  return (u0, v0) => {
    const u = u0 / su;
    const v = v0 / su;
    const z = h[6] * u + h[7] * v + 1;
    return [sx * (h[0] * u + h[1] * v + h[2]) / z, sx * (h[3] * u + h[4] * v + h[5]) / z];
  };
}

// The bottom-right alignment pattern near module-space (u, v) under `map`:
// its image centre, or null. Matches the 5x5 pattern at candidate centres
// around the estimate and keeps the best.
function findAlignment(img, map, u, v, radius) {
  const [ex, ey] = map(u, v);
  const [px, py] = map(u + 1, v);
  const [qx, qy] = map(u, v + 1);
  const ax = px - ex;
  const ay = py - ey;
  const bx = qx - ex;
  const by = qy - ey;
  const ms = Math.sqrt(Math.abs(ax * by - ay * bx));
  const step = Math.max(0.5, ms / 3);
  const reach = radius * ms;
  let best = null;
  let bestScore = -1;
  for(let oy = -reach; oy <= reach; oy += step) {
    for(let ox = -reach; ox <= reach; ox += step) {
      const cx = ex + ox;
      const cy = ey + oy;
      let score = 0;
      for(let j = -2; j <= 2; j++) {
        for(let i = -2; i <= 2; i++) {
          const want = Math.max(Math.abs(i), Math.abs(j)) === 1 ? 0 : 1;
          if(img.at(cx + i * ax + j * bx, cy + i * ay + j * by) === want) {
            score++;
          }
        }
      }
      const closer = best && Math.hypot(ox, oy) < Math.hypot(best[0] - ex, best[1] - ey);
      if(score > bestScore || (score === bestScore && closer)) {
        bestScore = score;
        best = [cx, cy];
      }
    }
  }
  if(bestScore < 23) {
    return null;
  }
  // The middle of the centre module's dark run, across and down, twice.
  let [cx, cy] = best;
  for(let round = 0; round < 2; round++) {
    for(const [dx, dy] of [[1, 0], [0, 1]]) {
      const f = runsFrom(img, cx, cy, dx, dy, ms * 3);
      const b = runsFrom(img, cx, cy, -dx, -dy, ms * 3);
      if(f && b && f[0] + b[0] - 1 < ms * 2) {
        cx += dx * (f[0] - b[0]) / 2;
        cy += dy * (f[0] - b[0]) / 2;
      }
    }
  }
  return [cx, cy];
}

// The module size at finder p along the unit vector (dx, dy), from its
// 7-module width there.
function moduleSizeAt(img, p, dx, dy) {
  const a = finderReach(img, p, dx, dy);
  const b = finderReach(img, p, -dx, -dy);
  const ok = v => v !== null && v > 0.6 * 3.5 * p.size && v < 1.6 * 3.5 * p.size;
  return ok(a) && ok(b) ? (a + b) / 7 : p.size;
}

// Where the bottom-right finder would be, three ways: the right edge as long
// as the left one times the ratio of the module sizes at the top-right and
// top-left finders, the bottom edge likewise, and their mean; so that a
// symbol seen at an angle is not taken for a parallelogram.
function bottomRights(img, t) {
  const lx = dist(t.tl, t.tr);
  const ly = dist(t.tl, t.bl);
  const ux = [(t.tr.x - t.tl.x) / lx, (t.tr.y - t.tl.y) / lx];
  const uy = [(t.bl.x - t.tl.x) / ly, (t.bl.y - t.tl.y) / ly];
  const down = moduleSizeAt(img, t.tr, ...uy) / moduleSizeAt(img, t.tl, ...uy);
  const right = moduleSizeAt(img, t.bl, ...ux) / moduleSizeAt(img, t.tl, ...ux);
  const a = [t.tr.x + uy[0] * ly * down, t.tr.y + uy[1] * ly * down];
  const b = [t.bl.x + ux[0] * lx * right, t.bl.y + ux[1] * lx * right];
  return [[(a[0] + b[0]) / 2, (a[1] + b[1]) / 2], a, b];
}

// The candidate grids of a triple at a given size, most likely first. From
// version 2, the alignment patterns are looked for nearest the top-left
// first, each where the grid fitted to what was found so far predicts it,
// so that the grid follows a symbol seen at an angle; then the grids from the
// three estimates of the fourth corner alone.
function* gridMaps(img, t, size) {
  const version = (size - 17) / 4;
  const c = size - 3.5;
  const finders = [[[3.5, 3.5], [t.tl.x, t.tl.y]], [[c, 3.5], [t.tr.x, t.tr.y]],
    [[3.5, c], [t.bl.x, t.bl.y]]];
  const firsts = bottomRights(img, t).map(br => fitHomography([...finders, [[c, c], br]]));
  if(version >= 2 && firsts[0]) {
    const centres = alignmentCentres(version);
    const todo = [];
    for(const y of centres) {
      for(const x of centres) {
        if(!((x === 6 && y === 6) || (x === 6 && y === size - 7) || (x === size - 7 && y === 6))) {
          todo.push([x + 0.5, y + 0.5]);
        }
      }
    }
    todo.sort((p, q) => Math.max(...p) - Math.max(...q) || (p[0] + p[1]) - (q[0] + q[1]));
    const pairs = finders.slice();
    let map = firsts[0];
    for(const [u, v] of todo) {
      for(const radius of pairs.length === 3 ? [3, 6, 10] : [3]) {
        const found = findAlignment(img, map, u, v, radius);
        if(found) {
          pairs.push([[u, v], found]);
          map = fitHomography(pairs) ?? map;
          break;
        }
      }
    }
    if(pairs.length > 3) {
      yield map;
    }
  }
  for(const first of firsts) {
    if(first) {
      yield first;
    }
  }
  if(version === 1) {
    // No alignment pattern: try the fourth corner within two modules of its
    // estimate.
    const [br] = bottomRights(img, t);
    const ax = (t.tr.x - t.tl.x) / 14;
    const ay = (t.tr.y - t.tl.y) / 14;
    const bx = (t.bl.x - t.tl.x) / 14;
    const by = (t.bl.y - t.tl.y) / 14;
    for(let j = -2; j <= 2; j += 0.5) {
      for(let i = -2; i <= 2; i += 0.5) {
        const map = fitHomography([...finders, [[c, c], [br[0] + i * ax + j * bx, br[1] + i * ay + j * by]]]);
        if(map) {
          yield map;
        }
      }
    }
  }
}

function sampleGrid(img, map, size) {
  const m = new Uint8Array(size * size);
  for(let y = 0; y < size; y++) {
    for(let x = 0; x < size; x++) {
      const [px, py] = map(x + 0.5, y + 0.5);
      const [qx, qy] = map(x + 1.5, y + 0.5);
      const [rx, ry] = map(x + 0.5, y + 1.5);
      m[y * size + x] = img.module(px, py, qx - px, qy - py, rx - px, ry - py);
    }
  }
  return m;
}

function decodeTriple(img, t) {
  const mx = moduleSizeBetween(img, t.tl, t.tr);
  const my = moduleSizeBetween(img, t.tl, t.bl);
  const est = (dist(t.tl, t.tr) / mx + dist(t.tl, t.bl) / my) / 2 + 7;
  const base = Math.round((est - 17) / 4) * 4 + 17;
  const sizes = [];
  for(const s of [base, base + 4, base - 4, base + 8, base - 8]) {
    if(s >= 21 && s <= 177) {
      sizes.push(s);
    }
  }
  const tried = new Set();
  const attempt = size => {
    if(tried.has(size)) {
      return null;
    }
    tried.add(size);
    for(const map of gridMaps(img, t, size)) {
      const m = sampleGrid(img, map, size);
      // A mirrored symbol reads as its transpose.
      const bytes = decodeModules(size, (x, y) => m[y * size + x]) ??
        decodeModules(size, (x, y) => m[x * size + y]);
      if(bytes) {
        return bytes;
      }
    }
    return null;
  };
  for(const size of sizes) {
    if(size >= 41) {
      // From version 7 the version information names the size; it sits
      // next to the finders, where even a grid of the wrong size is right.
      const map = gridMaps(img, t, size).next().value;
      if(map) {
        const m = sampleGrid(img, map, size);
        const v = readVersion(size, (x, y) => m[y * size + x]) ??
          readVersion(size, (x, y) => m[x * size + y]);
        if(v !== null) {
          const r = attempt(17 + 4 * v);
          if(r) {
            return r;
          }
        }
      }
    }
    const r = attempt(size);
    if(r) {
      return r;
    }
  }
  return null;
}

// The bytes of the QR code in a luminance image, or null.
function decodeLuminance(lum, w, h) {
  const img = new Image(lum, w, h);
  const triples = finderTriples(findFinders(img));
  for(const t of triples.slice(0, 8)) {
    const r = decodeTriple(img, t);
    if(r) {
      return r;
    }
  }
  return null;
}

// The bytes of the QR code in an ImageData ({data: RGBA, width, height}), or null.
function decode(image) {
  return decodeLuminance(luminance(image.data, image.width, image.height), image.width, image.height);
}

globalThis.LicencedQr = {
  decode, decodeLuminance, decodeModules,
  // For the tests: the layout of a symbol.
  internal: {dataModuleOrder, blockLayout, functionMask, rsCorrect, LEVELS}
};
})();
