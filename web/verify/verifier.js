// The offline verifier of licenced presentations, for browsers: the checks of
// docs/proof-format.md §6 on presentations of formats v3, v2 and v1, in the same order
// and with the same reason codes as the C++ verifier (proof/verify.cc), using
// WebCrypto for Ed25519 and SHA-256. Pure: no network, no storage; the page
// (index.html, page.js) and the tests (tests/web) call
// LicencedVerifier.verifyPresentation. A classic script, not a module, so the
// page also works as saved files opened from disk (file://).

(() => {
'use strict';

const enc = new TextEncoder();
const utf8 = new TextDecoder('utf-8', {fatal: true});
const lossy = new TextDecoder('utf-8');

const MAGIC_PRESENTATION_V1 = 'licenced/proof/presentation/v1';
const MAGIC_PRESENTATION_V2 = 'licenced/proof/presentation/v2';
const MAGIC_PRESENTATION_V3 = 'licenced/proof/presentation/v3';
const MAGIC_BUNDLE_V1 = 'licenced/proof/bundle/v1';
const MAGIC_BUNDLE_V2 = 'licenced/proof/bundle/v2';
const MAGIC_BUNDLE_V3 = 'licenced/proof/bundle/v3';
const TAG_PRESENTATION = {1: 'licenced/proof/presentation/v1', 2: 'licenced/proof/presentation/v2',
  3: 'licenced/proof/presentation/v3'};
const TAG_TX = 'licenced/tx/v1';
const MAX_TX_BYTES = 256 * 1024;
const MAX_AUDIT_PATH = 64;
const MAX_CERT_BYTES = 64 * 1024;
const MAX_STATE_PROOF_BYTES = 16 * 1024;
const TAG_COMMIT = 'licenced/pbft/commit/v1';
const TAG_CHECKPOINT = 'licenced/pbft/checkpoint/v1';  // state votes (v3)
const LICENCE_ROOT_OID = '1.2.156.3005.2';
const CREDIT_ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const MAX_RECORD_BYTES = 64 * 1024;
const MAX_STATUS_VALUE_BYTES = 4 * 1024;
const MAX_CHALLENGE_BYTES = 512;
const MAX_DISCLOSURES = 64;
const MAX_FIELD_BYTES = 256;
const MAX_VALUE_BYTES = 4096;
const MAX_CERT_SIGNATURES = 1024;
const MAX_RECORD_DEPTH = 8;
const STATUS_NAMES = {1: 'valid', 2: 'suspended', 3: 'revoked', 4: 'cancelled', 5: 'expired'};

// Frozen key dictionary of the compact record form (docs/proof-format.md §3.2).
const RECORD_KEYS = [
  'case_id', 'commitments', 'holder_code', 'holder_code_type', 'holder_key', 'identifier',
  'issue_date', 'issued_at_ms', 'issued_by', 'issued_height', 'issuer_code', 'issuer_name',
  'issuer_org', 'issuing_tx', 'jurisdiction', 'licence_name', 'number', 'public_fields',
  'replaces', 'serial', 'type_code', 'valid_from', 'valid_from_ms', 'valid_until',
  'valid_until_ms', 'version', 'address', 'bank', 'birth_place', 'birth_time',
  'business_scope', 'child_name', 'employees', 'enterprise_name', 'enterprise_type',
  'father_id', 'father_name', 'finance_officer_id', 'finance_officer_name', 'guardian',
  'guardian_id', 'guardian_name', 'household_address_code', 'legal_rep_id', 'legal_rep_name',
  'mother_id', 'mother_name', 'region_code', 'registered_capital', 'resident_id', 'seals',
  'sex', 'shareholders', 'trade_name', 'weight_g', 'name'
];

class Bad extends Error {}

// ---- bytes ----

function hex(bytes) {
  return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join('');
}

function fromHex(text) {
  if(typeof text !== 'string' || text.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(text)) {
    return null;
  }
  const out = new Uint8Array(text.length / 2);
  for(let i = 0; i < out.length; ++i) {
    out[i] = parseInt(text.substr(2 * i, 2), 16);
  }
  return out;
}

function concat(...parts) {
  const n = parts.reduce((s, p) => s + p.length, 0);
  const out = new Uint8Array(n);
  let at = 0;
  for(const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

function equal(a, b) {
  if(a.length !== b.length) {
    return false;
  }
  for(let i = 0; i < a.length; ++i) {
    if(a[i] !== b[i]) {
      return false;
    }
  }
  return true;
}

// Bytewise order (std::string operator<).
function less(a, b) {
  const n = Math.min(a.length, b.length);
  for(let i = 0; i < n; ++i) {
    if(a[i] !== b[i]) {
      return a[i] < b[i];
    }
  }
  return a.length < b.length;
}

function u32(n) {
  return new Uint8Array([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
}

function u64(v) {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(v));
  return out;
}

function str(bytes) {  // u32 length || bytes
  return concat(u32(bytes.length), bytes);
}

function isWellFormedUtf8(bytes) {
  try {
    utf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

// A Reader with the C++ Reader's semantics: reads past the end set !ok.
class Reader {
  constructor(data) {
    this.data = data;
    this.pos = 0;
    this.ok = true;
  }
  need(n) {
    if(!this.ok || this.data.length - this.pos < n) {
      this.ok = false;
      return false;
    }
    return true;
  }
  u8() {
    return this.need(1) ? this.data[this.pos++] : 0;
  }
  u16() {
    const hi = this.u8();
    return (hi << 8) | this.u8();
  }
  u32() {
    if(!this.need(4)) {
      return 0;
    }
    const v = new DataView(this.data.buffer, this.data.byteOffset + this.pos, 4).getUint32(0);
    this.pos += 4;
    return v;
  }
  u64() {
    if(!this.need(8)) {
      return 0n;
    }
    const v = new DataView(this.data.buffer, this.data.byteOffset + this.pos, 8).getBigUint64(0);
    this.pos += 8;
    return v;
  }
  fixed(n) {
    if(!this.need(n)) {
      return new Uint8Array(n);
    }
    const v = this.data.slice(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  var() {
    const n = this.u32();
    if(!this.need(n)) {
      return new Uint8Array(0);
    }
    return this.fixed(n);
  }
  finish(what) {
    if(!this.ok) {
      throw new Bad(`${what}: truncated or malformed encoding`);
    }
    if(this.pos !== this.data.length) {
      throw new Bad(`${what}: ${this.data.length - this.pos} unexpected trailing bytes`);
    }
  }
}

// ---- crypto (WebCrypto) ----

async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

const keyCache = new Map();
async function importKey(pub) {
  const k = hex(pub);
  if(!keyCache.has(k)) {
    keyCache.set(k, crypto.subtle.importKey('raw', pub, {name: 'Ed25519'}, false, ['verify']));
  }
  return keyCache.get(k);
}

// libsodium's crypto_sign_verify_detached also refuses what WebCrypto may
// accept: a public key or R of small order (the 8-torsion points, with either
// sign bit, and their non-canonical encodings p and p+1), and a public key
// whose y is not reduced (>= p). WebCrypto already refuses S >= L.
const SMALL_ORDER = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'
].map(fromHex);

function hasSmallOrder(p) {
  return SMALL_ORDER.some(b => b.every((x, i) => x === (i === 31 ? p[31] & 0x7f : p[i])));
}

function isCanonicalPoint(p) {
  if((p[31] & 0x7f) !== 0x7f) {
    return true;
  }
  for(let i = 30; i >= 1; --i) {
    if(p[i] !== 0xff) {
      return true;
    }
  }
  return p[0] < 0xed;
}

// Pure Ed25519 over SigningBytes(tag, body) = u32 len(tag) || tag || body.
async function verifySig(pub, tag, body, sig) {
  if(hasSmallOrder(sig.subarray(0, 32)) || !isCanonicalPoint(pub) || hasSmallOrder(pub)) {
    return false;
  }
  try {
    const key = await importKey(pub);
    return await crypto.subtle.verify({name: 'Ed25519'}, key, sig, concat(str(enc.encode(tag)), body));
  } catch {
    return false;
  }
}

// ---- genesis ----

// The parts of genesis.json the checks use. Throws on a file that is not a genesis.
function parseGenesis(text) {
  const g = JSON.parse(text);
  const key = (h, where) => {
    const b = fromHex(h);
    if(!b || b.length !== 32) {
      throw new Error(`genesis: ${where}: expected 64 hex characters`);
    }
    return b;
  };
  if(!g || typeof g.network_id !== 'string' || !Array.isArray(g.validators) ||
    !Array.isArray(g.organisations) || !Array.isArray(g.licence_types)) {
    throw new Error('not a genesis file (network_id, organisations, validators, licence_types)');
  }
  return {
    network_id: g.network_id,
    validators: g.validators.map((v, i) => key(v.public_key, `validators[${i}].public_key`)),
    orgs: g.organisations.map((o, i) => ({
      id: o.id,
      name: o.name,
      credit_code: o.credit_code ?? '',
      admin_keys: (o.admin_keys ?? []).map((k, j) => key(k, `organisations[${i}].admin_keys[${j}]`))
    })),
    types: g.licence_types.map(t => ({code: t.code, name: t.name, issuer_orgs: t.issuer_orgs ?? []}))
  };
}

function creditCheckChar(first17) {
  const weights = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
  let sum = 0;
  for(let i = 0; i < 17; ++i) {
    const v = CREDIT_ALPHABET.indexOf(first17[i]);
    if(v < 0) {
      return null;
    }
    sum += v * weights[i];
  }
  return CREDIT_ALPHABET[(31 - sum % 31) % 31];
}

// The org's credit code: its genesis credit_code, or the one the chaincode derives.
async function orgCreditCode(org) {
  if(org.credit_code) {
    return org.credit_code;
  }
  const h = await sha256(enc.encode('licenced/org-code/' + org.id));
  let code = '';
  for(let i = 0; i < 9; ++i) {
    code += CREDIT_ALPHABET[h[i] % 31];
  }
  const s = '11' + '370100' + code;
  return s + creditCheckChar(s);
}

// ---- licence identifiers (ISO/IEC 7064 MOD 37,36) ----

function mod3736(data) {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
  if(data.length === 0) {
    return null;
  }
  let p = 36;
  for(const c of data) {
    const v = alphabet.indexOf(c);
    if(v < 0) {
      return null;
    }
    let s = (p + v) % 36;
    if(s === 0) {
      s = 36;
    }
    p = (2 * s) % 37;
  }
  return alphabet[(37 - p) % 36];
}

function parseLicenceIdentifier(id) {
  const root = LICENCE_ROOT_OID + '.';
  if(!id.startsWith(root)) {
    throw new Bad(`licence identifier '${id}': must start with ${root}`);
  }
  const parts = id.slice(root.length).split('.');
  if(parts.length !== 5) {
    throw new Bad(`licence identifier '${id}': expected <type>.<issuer>.<serial>.<version>.<check>`);
  }
  if(!/^[0-9]{3}$/.test(parts[3]) || parts[3] === '000') {
    throw new Bad(`licence identifier '${id}': version must be 3 digits 001-999`);
  }
  if(parts[4].length !== 1) {
    throw new Bad(`licence identifier '${id}': check must be one character`);
  }
  const check = mod3736(parts[0] + parts[1] + parts[2] + parts[3]);
  if(check === null || parts[4] !== check) {
    throw new Bad(`licence identifier '${id}': wrong check character`);
  }
  return {type_code: parts[0], issuer_code: parts[1]};
}

// ---- compact records (docs/proof-format.md §3.2) ----

function getUvarint(r) {
  let v = 0n;
  for(let i = 0; i < 10; ++i) {
    if(r.pos >= r.data.length) {
      return null;
    }
    const b = r.data[r.pos++];
    if(i === 9 && b > 1) {
      return null;
    }
    v |= BigInt(b & 0x7f) << BigInt(7 * i);
    if((b & 0x80) === 0) {
      if(i > 0 && b === 0) {
        return null;
      }
      return v;
    }
  }
  return null;
}

function putUvarint(out, v) {
  v = BigInt(v);
  while(v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
}

const HEX64 = /^[0-9a-f]{64}$/;

function jsonString(out, bytes) {
  out.push(0x22);
  for(const c of bytes) {
    const esc = {0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r',
      0x09: '\\t'}[c];
    if(esc) {
      for(const ch of esc) {
        out.push(ch.charCodeAt(0));
      }
    } else if(c < 0x20) {
      for(const ch of '\\u00' + c.toString(16).padStart(2, '0')) {
        out.push(ch.charCodeAt(0));
      }
    } else {
      out.push(c);
    }
  }
  out.push(0x22);
}

const KEY_BYTES = RECORD_KEYS.map(k => enc.encode(k));

function dictCode(keyBytes) {
  for(let i = 0; i < KEY_BYTES.length; ++i) {
    if(equal(KEY_BYTES[i], keyBytes)) {
      return i + 1;
    }
  }
  return 0;
}

// The exact JSON bytes of a compact record, and its top-level identifier.
function expandRecord(compact) {
  const r = {data: compact, pos: 0};
  const out = [];
  let identifier = '';
  let lastString = null;
  const bad = what => new Bad('compact record: ' + what);
  const room = () => {
    if(out.length > MAX_RECORD_BYTES) {
      throw bad('expands to more than 64 KiB');
    }
  };
  const uv = () => {
    const v = getUvarint(r);
    if(v === null) {
      throw bad('truncated or non-minimal LEB128 integer');
    }
    return v;
  };
  const text = () => {
    const len = uv();
    if(len > BigInt(r.data.length - r.pos)) {
      throw bad('truncated string');
    }
    const s = r.data.slice(r.pos, r.pos + Number(len));
    r.pos += Number(len);
    if(!isWellFormedUtf8(s)) {
      throw bad('a string or key is not well-formed UTF-8');
    }
    return s;
  };
  const pushText = s => {
    for(const ch of s) {
      out.push(ch.charCodeAt(0));
    }
  };
  const value = (depth, top) => {
    room();
    if(r.pos >= r.data.length) {
      throw bad('truncated value');
    }
    const tag = r.data[r.pos++];
    switch(tag) {
      case 0x00: pushText('null'); return;
      case 0x01: pushText('false'); return;
      case 0x02: pushText('true'); return;
      case 0x03: pushText(uv().toString()); return;
      case 0x04: {
        const m = uv();
        if(m === 0n || m > (1n << 63n)) {
          throw bad('negative integer magnitude out of range');
        }
        pushText('-' + m.toString());
        return;
      }
      case 0x05: {
        const s = text();
        if(HEX64.test(lossy.decode(s)) && s.length === 64) {
          throw bad('a 64-character lower-case hex string must use tag 0x06');
        }
        jsonString(out, s);
        lastString = s;
        return;
      }
      case 0x06: {
        if(r.data.length - r.pos < 32) {
          throw bad('truncated hex32');
        }
        pushText('"' + hex(r.data.slice(r.pos, r.pos + 32)) + '"');
        r.pos += 32;
        lastString = null;
        return;
      }
      case 0x07:
      case 0x08: {
        if(depth + 1 > MAX_RECORD_DEPTH) {
          throw bad('nested too deeply');
        }
        const n = uv();
        if(n > BigInt(r.data.length - r.pos)) {
          throw bad('count larger than the input');
        }
        out.push(tag === 0x07 ? 0x5b : 0x7b);
        let prev = null;
        for(let i = 0n; i < n; ++i) {
          if(i > 0n) {
            out.push(0x2c);
          }
          if(tag === 0x07) {
            value(depth + 1, false);
            continue;
          }
          const code = uv();
          let key;
          if(code === 0n) {
            key = text();
            if(dictCode(key) !== 0) {
              throw bad('a dictionary key written as text');
            }
          } else if(code <= BigInt(KEY_BYTES.length)) {
            key = KEY_BYTES[Number(code) - 1];
          } else {
            throw bad('unknown dictionary key code');
          }
          if(i > 0n && !less(prev, key)) {
            throw bad('object keys must be strictly ascending (bytewise)');
          }
          prev = key;
          jsonString(out, key);
          out.push(0x3a);
          lastString = null;
          value(depth + 1, false);
          if(top && equal(key, KEY_BYTES[5]) && lastString !== null && out[out.length - 1] === 0x22) {
            identifier = lossy.decode(lastString);
          }
        }
        out.push(tag === 0x07 ? 0x5d : 0x7d);
        lastString = null;
        room();
        return;
      }
      default:
        throw bad(`unknown value tag ${tag}`);
    }
  };
  if(r.pos >= r.data.length || r.data[0] !== 0x08) {
    throw bad('the top level must be an object');
  }
  value(0, true);
  if(r.pos !== r.data.length) {
    throw bad('trailing bytes');
  }
  return {json: Uint8Array.from(out), identifier};
}

// Whether raw JSON bytes have a compact form (then form 0 is refused).
function hasCompactForm(bytes) {
  if(bytes.length > MAX_RECORD_BYTES) {
    return false;
  }
  let j;
  try {
    j = JSON.parse(utf8.decode(bytes));
  } catch {
    return false;
  }
  if(!j || typeof j !== 'object' || Array.isArray(j)) {
    return false;
  }
  const out = [];
  const encodeValue = (v, depth) => {
    if(v === null) {
      out.push(0);
    } else if(v === false || v === true) {
      out.push(v ? 2 : 1);
    } else if(typeof v === 'number') {
      if(!Number.isSafeInteger(v)) {
        throw new Bad('no compact form');
      }
      if(v >= 0) {
        out.push(3);
        putUvarint(out, v);
      } else {
        out.push(4);
        putUvarint(out, -v);
      }
    } else if(typeof v === 'string') {
      if(HEX64.test(v)) {
        out.push(6, ...fromHex(v));
      } else {
        const b = enc.encode(v);
        out.push(5);
        putUvarint(out, b.length);
        out.push(...b);
      }
    } else {
      if(depth + 1 > MAX_RECORD_DEPTH) {
        throw new Bad('no compact form');
      }
      const arr = Array.isArray(v);
      out.push(arr ? 7 : 8);
      if(arr) {
        putUvarint(out, v.length);
        v.forEach(e => encodeValue(e, depth + 1));
      } else {
        const keys = Object.keys(v).map(k => enc.encode(k)).sort((a, b) => less(a, b) ? -1 : 1);
        putUvarint(out, keys.length);
        for(const k of keys) {
          const code = dictCode(k);
          putUvarint(out, code);
          if(code === 0) {
            putUvarint(out, k.length);
            out.push(...k);
          }
          encodeValue(v[utf8.decode(k)], depth + 1);
        }
      }
    }
  };
  try {
    encodeValue(j, 0);
    return equal(expandRecord(Uint8Array.from(out)).json, bytes);
  } catch {
    return false;
  }
}

// ---- bundles v2 and v3, and presentations ----

// u16 count || count x (u16 replica || raw64 signature), ids strictly ascending.
function readSignatures(r) {
  const count = r.u16();
  if(!r.ok) {
    throw new Bad('truncated certificate');
  }
  if(count > MAX_CERT_SIGNATURES) {
    throw new Bad('certificate has too many signatures');
  }
  const signatures = [];
  for(let i = 0; i < count; ++i) {
    const id = r.u16();
    const sig = r.fixed(64);
    if(!r.ok) {
      throw new Bad('truncated certificate');
    }
    if(i > 0 && id <= signatures[signatures.length - 1].id) {
      throw new Bad('certificate replica ids must be strictly ascending');
    }
    signatures.push({id, sig});
  }
  return signatures;
}

// §3.2 and §3.3, after the magic: v2 carries the commit certificate's view
// and signatures, v3 the state root after block H and its state votes.
function decodeCompactBundle(r, format) {
  const form = r.u8();
  const rec = r.var();
  if(!r.ok) {
    throw new Bad('truncated record');
  }
  if(rec.length > MAX_RECORD_BYTES) {
    throw new Bad('record exceeds its size limit');
  }
  const b = {};
  if(form === 1) {
    const e = expandRecord(rec);
    b.record = e.json;
    b.licence_id = e.identifier;
  } else if(form === 0) {
    if(hasCompactForm(rec)) {
      throw new Bad('a raw record that has a compact form');
    }
    b.record = rec;
    b.licence_id = '';
    try {
      const j = JSON.parse(utf8.decode(rec));
      if(j && typeof j === 'object' && !Array.isArray(j) && typeof j.identifier === 'string') {
        b.licence_id = j.identifier;
      }
    } catch { /* no identifier */ }
  } else {
    throw new Bad('record form must be 0 (raw) or 1 (compact)');
  }
  const id = enc.encode(b.licence_id);
  if(id.length === 0 || id.length > 200 || id.some(c => c < 0x21 || c > 0x7e)) {
    throw new Bad('licence id empty, longer than 200 bytes or not printable ASCII');
  }
  const headerBytes = r.fixed(116);
  const header = decodeHeader(headerBytes);
  let cert = null;
  let state = null;
  if(format === 3) {
    const state_root = r.fixed(32);
    state = {state_root, signatures: readSignatures(r)};
  } else {
    const view = r.u64();
    cert = {view, height: null, block_hash: null, signatures: readSignatures(r)};
  }
  const value = r.var();
  const depth = r.u16();
  if(!r.ok) {
    throw new Bad('truncated status evidence');
  }
  if(value.length > MAX_STATUS_VALUE_BYTES) {
    throw new Bad('status value exceeds its size limit');
  }
  if(depth > 256) {
    throw new Bad('state proof depth above 256');
  }
  const bitmap = r.fixed(Math.ceil(depth / 8));
  let present = 0;
  for(const byte of bitmap) {
    for(let k = 0; k < 8; ++k) {
      present += (byte >> k) & 1;
    }
  }
  const raw = [];
  for(let i = 0; i < present && r.ok; ++i) {
    raw.push(r.fixed(32));
  }
  if(!r.ok) {
    throw new Bad('truncated state proof');
  }
  if(depth % 8 !== 0 && (bitmap[bitmap.length - 1] & (0xff >> (depth % 8))) !== 0) {
    throw new Bad('state proof: bitmap has bits set beyond its depth');
  }
  const siblings = [];
  let next = 0;
  for(let i = 0; i < depth; ++i) {
    if((bitmap[i >> 3] & (0x80 >> (i % 8))) === 0) {
      siblings.push(null);
      continue;
    }
    const s = raw[next++];
    if(s.every(x => x === 0)) {
      throw new Bad('state proof: explicit empty sibling (must be in the bitmap)');
    }
    siblings.push(s);
  }
  b.format = format;
  b.status = {header, headerBytes, cert, state, value, siblings, leaf: null};
  return b;
}

// The §2 certificate encoding, canonical (its re-encoding is the same bytes).
function decodeCertificate(raw) {
  const r = new Reader(raw);
  const view = r.u64();
  const height = r.u64();
  const block_hash = r.fixed(32);
  const count = r.u32();
  if(!r.ok) {
    throw new Bad('truncated commit certificate');
  }
  if(count > Math.floor((raw.length - r.pos) / 68)) {
    throw new Bad('commit certificate: signature count too large');
  }
  const signatures = [];
  for(let i = 0; i < count; ++i) {
    const id = r.u32();
    const sig = r.fixed(64);
    if(signatures.length && id <= signatures[signatures.length - 1].id) {
      throw new Bad('commit certificate: signer ids not strictly ascending');
    }
    signatures.push({id, sig});
  }
  r.finish('commit certificate');
  return {view, height, block_hash, signatures};
}

function readCertificate(r) {
  const raw = r.var();
  if(!r.ok) {
    throw new Bad('truncated certificate');
  }
  if(raw.length > MAX_CERT_BYTES) {
    throw new Bad('certificate too large');
  }
  return decodeCertificate(raw);
}

function readHeader(r) {
  const bytes = r.fixed(116);
  if(!r.ok) {
    throw new Bad('truncated header');
  }
  return {header: decodeHeader(bytes), headerBytes: bytes};
}

// The §2 state proof encoding.
function decodeStateProof(data) {
  const r = new Reader(data);
  const depth = r.u16();
  if(!r.ok || depth > 256) {
    throw new Bad('state proof: depth missing or above 256');
  }
  const bitmap = r.fixed(Math.ceil(depth / 8));
  if(!r.ok) {
    throw new Bad('state proof: truncated bitmap');
  }
  if(depth % 8 !== 0 && (bitmap[bitmap.length - 1] & (0xff >> (depth % 8))) !== 0) {
    throw new Bad('state proof: bitmap has bits set beyond its depth');
  }
  const siblings = [];
  for(let i = 0; i < depth; ++i) {
    if((bitmap[i >> 3] & (0x80 >> (i % 8))) === 0) {
      siblings.push(null);
      continue;
    }
    const h = r.fixed(32);
    if(r.ok && h.every(x => x === 0)) {
      throw new Bad('state proof: explicit empty sibling (must be in the bitmap)');
    }
    siblings.push(h);
  }
  const terminal = r.u8();
  let leaf = null;
  if(terminal === 1) {
    leaf = {key_hash: r.fixed(32), value_hash: r.fixed(32)};
  } else if(terminal !== 0) {
    throw new Bad(`state proof: unknown terminal kind ${terminal}`);
  }
  r.finish('state proof');
  return {siblings, leaf, terminal};
}

function decodeBundleV1(r) {
  const b = {format: 1};
  const id = r.var();
  b.licence_id = lossy.decode(id);
  let tooLong = id.length > 200;
  if(id.some(c => c < 0x21 || c > 0x7e)) {
    throw new Bad('licence id must be printable ASCII');
  }
  b.record = r.var();
  tooLong ||= b.record.length > MAX_RECORD_BYTES;
  const tx = r.var();
  tooLong ||= tx.length > MAX_TX_BYTES;
  const index = r.u64();
  const tree_size = r.u64();
  const n = r.u32();
  if(!r.ok) {
    throw new Bad('truncated');
  }
  if(tooLong) {
    throw new Bad('a field exceeds its size limit');
  }
  if(n > MAX_AUDIT_PATH) {
    throw new Bad('audit path too long');
  }
  const path = [];
  for(let i = 0; i < n; ++i) {
    path.push(r.fixed(32));
  }
  const h = readHeader(r);
  const cert = readCertificate(r);
  b.issuance = {tx, index, tree_size, path, header: h.header, headerBytes: h.headerBytes, cert};
  const has = r.u8();
  if(!r.ok) {
    throw new Bad('truncated');
  }
  if(has > 1) {
    throw new Bad('status presence flag must be 0 or 1');
  }
  b.status = null;
  if(has === 1) {
    const sh = readHeader(r);
    const scert = readCertificate(r);
    const value = r.var();
    const proof = r.var();
    if(!r.ok) {
      throw new Bad('truncated status evidence');
    }
    if(value.length > MAX_STATUS_VALUE_BYTES || proof.length > MAX_STATE_PROOF_BYTES) {
      throw new Bad('a status field exceeds its size limit');
    }
    const sp = decodeStateProof(proof);
    b.status = {header: sh.header, headerBytes: sh.headerBytes, cert: scert, value,
      siblings: sp.siblings, leaf: sp.leaf, explicit: true};
  }
  return b;
}

function decodeTransaction(data) {
  if(data.length > MAX_TX_BYTES) {
    throw new Bad('transaction too large');
  }
  const r = new Reader(data);
  const tx = {network_id: r.var(), chaincode: r.var(), method: r.var(), args: r.var(),
    submitter: r.fixed(32), nonce: r.u64(), signature: r.fixed(64)};
  r.finish('transaction');
  tx.body = data.slice(0, data.length - 64);
  return tx;
}

// RFC 9162 §2.1.3.2 inclusion of leaf `leafHash` at index of treeSize.
async function verifyInclusion(leafHash, index, treeSize, path, root) {
  if(index >= treeSize) {
    return 'inclusion proof: leaf index is not below the tree size';
  }
  let fn = index;
  let sn = treeSize - 1n;
  let r = leafHash;
  const node = (a, b) => sha256(concat(new Uint8Array([1]), a, b));
  for(const p of path) {
    if(sn === 0n) {
      return 'inclusion proof: path is longer than the tree';
    }
    if((fn & 1n) === 1n || fn === sn) {
      r = await node(p, r);
      if((fn & 1n) === 0n) {
        while((fn & 1n) === 0n && fn !== 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await node(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if(sn !== 0n) {
    return 'inclusion proof: path is shorter than the tree';
  }
  return equal(r, root) ? null : 'inclusion proof: computed root does not match';
}

// The smallest tree size with the same audit-path shape (docs/proof-format.md §3.1),
// by the same search as proof::CanonicalTreeSize.
function canonicalTreeSize(index, treeSize, pathLen) {
  const shape = size => {
    const out = [];
    let fn = index;
    let sn = size - 1n;
    for(let i = 0; i < pathLen; ++i) {
      if(sn === 0n) {
        return null;
      }
      if((fn & 1n) === 1n || fn === sn) {
        out.push(1);
        if((fn & 1n) === 0n) {
          while((fn & 1n) === 0n && fn !== 0n) {
            fn >>= 1n;
            sn >>= 1n;
          }
        }
      } else {
        out.push(0);
      }
      fn >>= 1n;
      sn >>= 1n;
    }
    return sn === 0n ? out.join('') : null;
  };
  if(index >= treeSize) {
    return treeSize;
  }
  const want = shape(treeSize);
  if(want === null) {
    return treeSize;
  }
  let n = treeSize;
  let lo = index + 1n;
  while(lo < n) {
    const mid = lo + (n - lo) / 2n;
    if(shape(mid) === want) {
      n = mid;
    } else {
      lo = mid + 1n;
    }
  }
  return n;
}

function decodeHeader(bytes) {
  const r = new Reader(bytes);
  const h = {height: r.u64(), prev_hash: r.fixed(32), timestamp_ms: r.u64(), tx_root: r.fixed(32),
    state_root: r.fixed(32), proposer: r.u32()};
  return h;
}

// Decodes the canonical presentation bytes (docs/proof-format.md §4).
function decodePresentation(data) {
  const r = new Reader(data);
  const magic = lossy.decode(r.var());
  const formats = {[MAGIC_PRESENTATION_V1]: 1, [MAGIC_PRESENTATION_V2]: 2,
    [MAGIC_PRESENTATION_V3]: 3};
  if(!r.ok || !Object.hasOwn(formats, magic)) {
    throw new Bad('not a licenced/proof/presentation/v1, v2 or v3');
  }
  const format = formats[magic];
  const bundle = r.var();
  const challenge = r.var();
  const created_at_ms = r.u64();
  const n = r.u32();
  if(!r.ok) {
    throw new Bad('truncated presentation');
  }
  if(bundle.length > 1024 * 1024) {
    throw new Bad('bundle too large');
  }
  if(challenge.length > MAX_CHALLENGE_BYTES) {
    throw new Bad('challenge too long');
  }
  if(n > MAX_DISCLOSURES) {
    throw new Bad('too many disclosures');
  }
  const disclosures = [];
  for(let i = 0; i < n; ++i) {
    const field = r.var();
    const value = r.var();
    const salt = r.var();
    if(!r.ok) {
      throw new Bad('truncated disclosure');
    }
    disclosures.push({field, value, salt});
  }
  const bodyEnd = r.pos;
  const signature = r.fixed(64);
  r.finish('presentation');
  for(let i = 0; i < disclosures.length; ++i) {
    const d = disclosures[i];
    if(d.field.length === 0 || d.field.length > MAX_FIELD_BYTES) {
      throw new Bad('disclosed field name empty or too long');
    }
    if(d.value.length > MAX_VALUE_BYTES) {
      throw new Bad('disclosed value too long');
    }
    if(d.salt.length > 64) {
      throw new Bad('salt too long');
    }
    if(i > 0 && !less(disclosures[i - 1].field, d.field)) {
      throw new Bad('disclosures must be strictly ascending by field name');
    }
  }
  const br = new Reader(bundle);
  const bmagic = lossy.decode(br.var());
  let b;
  if(br.ok && (bmagic === MAGIC_BUNDLE_V2 || bmagic === MAGIC_BUNDLE_V3)) {
    const bformat = bmagic === MAGIC_BUNDLE_V3 ? 3 : 2;
    b = decodeCompactBundle(br, bformat);
    br.finish(`proof bundle v${bformat}`);
  } else if(br.ok && bmagic === MAGIC_BUNDLE_V1) {
    b = decodeBundleV1(br);
    br.finish('proof bundle');
  } else {
    throw new Bad('not a licenced/proof/bundle/v1, v2 or v3');
  }
  if(b.format !== format) {
    throw new Bad('the presentation and its bundle differ in format');
  }
  return {format, bundle: b, challenge, created_at_ms, disclosures, signature,
    body: data.slice(0, bodyEnd)};
}

function decodeStatusValue(bytes) {
  const r = new Reader(bytes);
  const v = {format: r.u8(), status: r.u8(), valid_from_ms: r.u64(), valid_until_ms: r.u64(),
    updated_height: r.u64(), updated_time_ms: r.u64(), record_hash: r.fixed(32),
    replaced_by: r.var(), reason: r.var()};
  r.finish('licence status value');
  if(v.format !== 1) {
    throw new Bad(`licence status value: unknown format ${v.format}`);
  }
  if(v.status < 1 || v.status > 5) {
    throw new Bad(`licence status value: unknown status ${v.status}`);
  }
  return v;
}

// ---- the record (docs/proof-format.md §2) ----

function parseRecord(bytes) {
  let j;
  try {
    j = JSON.parse(utf8.decode(bytes));
  } catch {
    throw new Bad('record is not a JSON object');
  }
  if(!j || typeof j !== 'object' || Array.isArray(j)) {
    throw new Bad('record is not a JSON object');
  }
  const rec = {};
  for(const k of ['identifier', 'type_code', 'issuer_org', 'issuer_code', 'holder_key',
    'issuing_tx', 'issued_by']) {
    if(typeof j[k] !== 'string') {
      throw new Bad(`record.${k} missing or not a string`);
    }
    rec[k] = j[k];
  }
  // An unsigned integer in the JSON text (the compact form writes integers only).
  const text = utf8.decode(bytes);
  if(!Number.isInteger(j.issued_height) || j.issued_height < 0 ||
    !/"issued_height":[0-9]+[,}]/.test(text)) {
    throw new Bad('record.issued_height missing or not an unsigned integer');
  }
  const m = /"issued_height":([0-9]+)[,}]/.exec(text);
  rec.issued_height = BigInt(m[1]);
  if(!j.commitments || typeof j.commitments !== 'object' || Array.isArray(j.commitments)) {
    throw new Bad('record.commitments missing or not an object');
  }
  for(const k of ['holder_key', 'issuing_tx', 'issued_by']) {
    if(!HEX64.test(rec[k])) {
      throw new Bad(`record.${k} is not 64 lower-case hex digits`);
    }
  }
  for(const [k, v] of Object.entries(j.commitments)) {
    if(typeof v !== 'string' || !HEX64.test(v)) {
      throw new Bad(`record.commitments.${k} is not 64 lower-case hex digits`);
    }
  }
  rec.commitments = j.commitments;
  rec.all = j;
  return rec;
}

// ---- the checks (docs/proof-format.md §6) ----

// Presence of key -> value against root; `leaf` null = implied by the key and
// value (v2, v3), else the proof's own terminal leaf (v1), which must match them.
async function verifyStateProof(root, key, value, siblings, leaf, explicit) {
  const keyHash = await sha256(enc.encode(key));
  const valueHash = await sha256(value);
  if(explicit) {
    if(!leaf || !equal(leaf.key_hash, keyHash)) {
      return "state proof: does not end at the key's leaf";
    }
    if(!equal(leaf.value_hash, valueHash)) {
      return "state proof: the key's leaf holds a different value";
    }
  }
  if(siblings.length > 0 && siblings[siblings.length - 1] === null) {
    return 'state proof: not canonical (empty last sibling)';
  }
  let h = await sha256(concat(new Uint8Array([0x02]), keyHash, valueHash));
  const empty = new Uint8Array(32);
  for(let i = siblings.length - 1; i >= 0; --i) {
    const s = siblings[i] ?? empty;
    const bit = (keyHash[i >> 3] >> (7 - (i % 8))) & 1;
    h = await sha256(concat(new Uint8Array([0x03]), bit ? s : h, bit ? h : s));
  }
  return equal(h, root) ? null : 'state proof: computed root does not match';
}

// BAD_HEADER (v1: a certificate for another block) or BAD_CERTIFICATE, or null.
async function checkCertified(genesis, header, headerBytes, cert, which) {
  const hash = await sha256(headerBytes);
  if(cert.height !== null && (cert.height !== header.height || !equal(cert.block_hash, hash))) {
    return ['BAD_HEADER', `${which}: the commit certificate is not for this header`];
  }
  const e = await verifyCertificate(genesis, cert, header.height, hash);
  return e ? ['BAD_CERTIFICATE', `${which}: ${e}`] : null;
}

// 2f+1 of n genesis validators, f = (n-1)/3 (1 when there are none, as
// consensus::ValidatorSet::quorum()).
function quorumOf(genesis) {
  const n = genesis.validators.length;
  return 2 * (n === 0 ? 0 : Math.floor((n - 1) / 3)) + 1;
}

// BAD_CERTIFICATE unless a quorum of distinct genesis validators voted, under
// the checkpoint tag, for (H, H(header), state_root): the state after block H
// (v3; proof::Verifier::CheckStateCertified, in its order).
async function checkStateCertified(genesis, header, headerBytes, votes, which) {
  const body = concat(u64(header.height), await sha256(headerBytes), votes.state_root);
  const bad = detail => ['BAD_CERTIFICATE', `${which}: state certificate: ${detail}`];
  const sigs = votes.signatures;
  for(let i = 0; i < sigs.length; ++i) {
    const {id, sig} = sigs[i];
    if(i > 0 && id <= sigs[i - 1].id) {
      return bad(`signer ${id} duplicated or out of order`);
    }
    if(id >= genesis.validators.length) {
      return bad(`signer ${id} is not a genesis validator`);
    }
    // verifySig refuses small-order keys and R, as libsodium does.
    if(!await verifySig(genesis.validators[id], TAG_CHECKPOINT, body, sig)) {
      return bad(`the vote of validator ${id} does not verify`);
    }
  }
  const quorum = quorumOf(genesis);
  if(sigs.length < quorum) {
    return bad(`${sigs.length} signers, ${quorum} needed`);
  }
  return null;
}

async function verifyCertificate(genesis, cert, height, blockHash) {
  const body = concat(u64(cert.view), u64(height), blockHash);
  const seen = new Set();
  for(const {id, sig} of cert.signatures) {
    if(id >= genesis.validators.length) {
      return `commit certificate: unknown signer ${id}`;
    }
    if(seen.has(id)) {
      return `commit certificate: duplicate signer ${id}`;
    }
    seen.add(id);
    if(!await verifySig(genesis.validators[id], TAG_COMMIT, body, sig)) {
      return `commit certificate: bad signature of replica ${id}`;
    }
  }
  const quorum = quorumOf(genesis);
  if(seen.size < quorum) {
    return `commit certificate: ${seen.size} signatures, need ${quorum}`;
  }
  return null;
}

async function fieldCommitment(field, value, salt) {
  return hex(await sha256(concat(str(enc.encode('licenced/commit/v1')), str(field), str(value),
    str(salt))));
}

// verifyPresentation(bytes, genesis, {challenge, now_ms, max_age_ms}) ->
// {result: VALID|INVALID|STATUS_UNKNOWN, reason, detail, licence_id, type,
//  type_name, issuer_org, issuer_name, issuer_kind, issued_height, status,
//  height, status_time_ms, age_ms, state_certified, disclosed: {field: value},
//  challenge, format}. state_certified: the status is the state after block
// `height` under its state certificate (v3), not the state its header carries.
async function verifyPresentation(bytes, genesis, options) {
  const v = {result: 'INVALID', reason: 'BAD_ENCODING', detail: '', licence_id: '', type: '',
    type_name: '', issuer_org: '', issuer_name: '', issuer_kind: '', issued_height: 0,
    status: '', height: null, status_time_ms: null, age_ms: null, state_certified: false,
    disclosed: {}, challenge: '', format: null};
  const fail = (reason, detail) => Object.assign(v, {result: 'INVALID', reason, detail});
  const now = BigInt(options.now_ms);
  let p;
  try {
    p = decodePresentation(bytes);
  } catch(e) {
    if(e instanceof Bad) {
      return fail('BAD_ENCODING', e.message);
    }
    throw e;
  }
  const b = p.bundle;
  v.format = p.format;
  v.licence_id = b.licence_id;
  v.challenge = lossy.decode(p.challenge);
  let rec;
  try {
    rec = parseRecord(b.record);
  } catch(e) {
    if(e instanceof Bad) {
      return fail('BAD_ENCODING', e.message);
    }
    throw e;
  }
  if(rec.identifier !== b.licence_id) {
    return fail('RECORD_MISMATCH', `record is for licence ${rec.identifier}, not ${b.licence_id}`);
  }
  v.type = rec.type_code;
  v.issuer_org = rec.issuer_org;
  v.issued_height = Number(rec.issued_height);
  let parts;
  try {
    parts = parseLicenceIdentifier(b.licence_id);
  } catch(e) {
    return fail('BAD_ENCODING', e.message);
  }
  if(parts.type_code !== rec.type_code || parts.issuer_code !== rec.issuer_code) {
    return fail('RECORD_MISMATCH', "licence identifier's type/issuer code differ from the record's");
  }
  const type = genesis.types.find(t => t.code === rec.type_code);
  if(!type) {
    return fail('ISSUER_NOT_ENTITLED', `licence type '${rec.type_code}' is not in the genesis`);
  }
  v.type_name = type.name ?? '';
  const org = genesis.orgs.find(o => o.id === rec.issuer_org);
  if(!org || !type.issuer_orgs.includes(rec.issuer_org)) {
    return fail('ISSUER_NOT_ENTITLED',
      `org '${rec.issuer_org}' may not issue licence type '${rec.type_code}'`);
  }
  v.issuer_name = org.name ?? '';
  if(await orgCreditCode(org) !== rec.issuer_code) {
    return fail('ISSUER_NOT_ENTITLED', `issuer code ${rec.issuer_code} is not org '${org.id}''s code`);
  }
  const checkIssuerKind = key => {
    const adminOrg = genesis.orgs.find(o => o.admin_keys.some(k => equal(k, key)));
    if(adminOrg) {
      if(adminOrg.id !== org.id) {
        return fail('ISSUER_NOT_ENTITLED',
          `issued by an admin key of org '${adminOrg.id}', not of '${org.id}'`);
      }
      v.issuer_kind = 'org_admin';
    } else {
      v.issuer_kind = 'clerk';
    }
    return null;
  };
  // The status entry in a certified state, and what it says of the record.
  const checkEvidence = async s => {
    // Under a state certificate the state after block H itself is proven, so
    // H may be the issuing block; a header's state_root is of an earlier state.
    const first = s.state ? rec.issued_height : rec.issued_height + 1n;
    if(s.header.height < first) {
      return fail('STATUS_MISMATCH', `status proof at height ${s.header.height} predates the ` +
        `state after issuance (needs >= ${first})`);
    }
    const bad = s.state ?
      await checkStateCertified(genesis, s.header, s.headerBytes, s.state, 'status block') :
      await checkCertified(genesis, s.header, s.headerBytes, s.cert, 'status block');
    if(bad) {
      return fail(...bad);
    }
    const root = s.state ? s.state.state_root : s.header.state_root;
    const proofError = await verifyStateProof(root,
      'licence/status/' + b.licence_id, s.value, s.siblings, s.leaf, s.explicit === true);
    if(proofError) {
      return fail('BAD_STATUS_PROOF', proofError);
    }
    try {
      s.decoded = decodeStatusValue(s.value);
    } catch(e) {
      return fail('BAD_ENCODING', e.message);
    }
    if(!equal(s.decoded.record_hash, await sha256(b.record))) {
      return fail('STATUS_MISMATCH', "the ledger's status entry is for a different record (record_hash)");
    }
    return null;
  };
  if(b.format === 1) {
    const t = b.issuance;
    let tx;
    try {
      tx = decodeTransaction(t.tx);
    } catch(e) {
      return fail('BAD_ENCODING', 'issuing tx: ' + e.message);
    }
    const txNetwork = lossy.decode(tx.network_id);
    if(!equal(tx.network_id, enc.encode(genesis.network_id))) {
      return fail('WRONG_NETWORK', `issuing tx is for network '${txNetwork}', the genesis is ` +
        `'${genesis.network_id}'`);
    }
    const txId = hex(await sha256(concat(str(enc.encode(TAG_TX)), tx.body)));
    if(txId !== rec.issuing_tx) {
      return fail('RECORD_MISMATCH', `issuing tx id ${txId} is not the record's ${rec.issuing_tx}`);
    }
    if(hex(tx.submitter) !== rec.issued_by) {
      return fail('RECORD_MISMATCH', "issuing tx submitter is not the record's issued_by");
    }
    if(!await verifySig(tx.submitter, TAG_TX, tx.body, tx.signature)) {
      return fail('BAD_ISSUER_SIGNATURE', "the issuing clerk's signature does not verify");
    }
    const kind = checkIssuerKind(tx.submitter);
    if(kind) {
      return kind;
    }
    if(t.header.height !== rec.issued_height) {
      return fail('RECORD_MISMATCH', `issuance header is height ${t.header.height}, the record ` +
        `says ${rec.issued_height}`);
    }
    const leaf = await sha256(concat(new Uint8Array([0]), t.tx));
    const inc = await verifyInclusion(leaf, t.index, t.tree_size, t.path, t.header.tx_root);
    if(inc) {
      return fail('BAD_MERKLE_PATH', 'issuing tx: ' + inc);
    }
    if(canonicalTreeSize(t.index, t.tree_size, t.path.length) !== t.tree_size) {
      return fail('BAD_MERKLE_PATH', 'tree_size is not the canonical (smallest) size for this audit path');
    }
    const bad = await checkCertified(genesis, t.header, t.headerBytes, t.cert, 'issuance block');
    if(bad) {
      return fail(...bad);
    }
  } else {
    // v2 and v3: the record is authenticated by its status entry alone (§6,
    // "Verification of a v2 bundle"); the chaincode checked the issuer.
    const kind = checkIssuerKind(fromHex(rec.issued_by));
    if(kind) {
      return kind;
    }
    const bad = await checkEvidence(b.status);
    if(bad) {
      return bad;
    }
  }
  // The holder's answer to this verifier's challenge.
  if(!equal(p.challenge, enc.encode(options.challenge))) {
    return fail('CHALLENGE_MISMATCH',
      `the presentation answers challenge '${v.challenge}', not '${options.challenge}'`);
  }
  if(!await verifySig(fromHex(rec.holder_key), TAG_PRESENTATION[p.format], p.body, p.signature)) {
    return fail('BAD_HOLDER_SIGNATURE', "the presentation is not signed by the licence holder's key");
  }
  for(const d of p.disclosures) {
    const name = lossy.decode(d.field);
    const c = Object.hasOwn(rec.commitments, name) && isWellFormedUtf8(d.field) ?
      rec.commitments[name] : undefined;
    if(typeof c !== 'string') {
      return fail('DISCLOSURE_MISMATCH', `field '${name}' has no commitment in the record`);
    }
    if(await fieldCommitment(d.field, d.value, d.salt) !== c) {
      return fail('DISCLOSURE_MISMATCH',
        `disclosed value or salt of '${name}' does not match its commitment`);
    }
    v.disclosed[name] = lossy.decode(d.value);
  }
  // Status in the certified state, judged at the verifier's clock.
  const s = b.status;
  if(!s) {
    return Object.assign(v, {result: 'STATUS_UNKNOWN', reason: 'STATUS_MISSING',
      detail: 'the bundle carries no status proof; verify with a fresh one (licencectl proof verify --node)'});
  }
  v.height = Number(s.header.height);
  v.status_time_ms = Number(s.header.timestamp_ms);
  v.age_ms = now > s.header.timestamp_ms ? Number(now - s.header.timestamp_ms) : 0;
  v.state_certified = Boolean(s.state);
  if(b.format === 1) {
    const bad = await checkEvidence(s);
    if(bad) {
      return bad;
    }
  }
  const st = s.decoded;
  let eff = st.status;
  if(eff === 1 && st.valid_until_ms !== 0n && now >= st.valid_until_ms) {
    eff = 5;
  }
  v.status = STATUS_NAMES[eff];
  const why = st.reason.length ? ` (${lossy.decode(st.reason)})` : '';
  const at = ` as of block ${s.header.height}` +
    (s.state ? ' (the state after it, under its state certificate)' : '');
  switch(eff) {
    case 2: return fail('LICENCE_SUSPENDED', 'licence is suspended' + why + at);
    case 3: return fail('LICENCE_REVOKED', 'licence is revoked' + why + at);
    case 4: return fail('LICENCE_CANCELLED', 'licence is cancelled' + why +
      (st.replaced_by.length ? '; replaced by ' + lossy.decode(st.replaced_by) : '') + at);
    case 5: return fail('LICENCE_EXPIRED', 'licence validity ended');
    default: break;
  }
  if(now < st.valid_from_ms) {
    return fail('LICENCE_NOT_YET_VALID', 'licence validity has not started yet');
  }
  if(options.max_age_ms !== null && options.max_age_ms !== undefined &&
    v.age_ms > options.max_age_ms) {
    return Object.assign(v, {result: 'STATUS_UNKNOWN', reason: 'STALE_STATUS',
      detail: `status proof is ${Math.floor(v.age_ms / 1000)} s old, more than the allowed ` +
        `${Math.floor(options.max_age_ms / 1000)} s`});
  }
  return Object.assign(v, {result: 'VALID', reason: '', detail: 'valid' + at});
}

// ---- input files (docs/proof-format.md §5) ----

function base64ToBytes(text) {
  if(!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 !== 0) {
    throw new Bad('the presentation field is not base64');
  }
  const bin = atob(text);
  return Uint8Array.from(bin, c => c.charCodeAt(0));
}

async function inflate(bytes) {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

// The canonical bytes from what a holder hands over: a presentation JSON file
// ({"format": "licenced-presentation/v3", "presentation": base64}, or /v2, /v1), the raw
// canonical bytes, or the QR payload (zlib of the canonical bytes).
async function presentationBytes(input) {
  const bytes = typeof input === 'string' ? enc.encode(input) : input;
  if(bytes.length > 0 && bytes[0] === 0x78) {
    try {
      return await inflate(bytes);
    } catch { /* not zlib after all */ }
  }
  let text = null;
  try {
    text = utf8.decode(bytes).trim();
  } catch { /* binary */ }
  if(text !== null && text.startsWith('{')) {
    let j;
    try {
      j = JSON.parse(text);
    } catch {
      throw new Bad('the file is not JSON');
    }
    const version = /^licenced-presentation\/v([123])$/.exec(j.format ?? '')?.[1];
    if(!version) {
      throw new Bad('"format" is not "licenced-presentation/v3", "licenced-presentation/v2" or ' +
        '"licenced-presentation/v1"');
    }
    if(typeof j.presentation !== 'string') {
      throw new Bad('no "presentation" field');
    }
    const raw = base64ToBytes(j.presentation);
    // A file must not name another version than its content (§5); bytes that
    // are no presentation at all are left to the decoder to refuse.
    const r = new Reader(raw);
    const magic = lossy.decode(r.var());
    const known = [MAGIC_PRESENTATION_V1, MAGIC_PRESENTATION_V2, MAGIC_PRESENTATION_V3];
    if(r.ok && known.includes(magic) && magic !== 'licenced/proof/presentation/v' + version) {
      throw new Bad('"format" does not match the presentation\'s own format');
    }
    return raw;
  }
  return bytes;
}

// What the page shows for unreadable input: the same verdict shape.
function badInput(detail) {
  return {result: 'INVALID', reason: 'BAD_ENCODING', detail, licence_id: '', type: '',
    type_name: '', issuer_org: '', issuer_name: '', issuer_kind: '', issued_height: 0, status: '',
    height: null, status_time_ms: null, age_ms: null, state_certified: false, disclosed: {},
    challenge: '', format: null};
}


globalThis.LicencedVerifier = {
  verifyPresentation, parseGenesis, presentationBytes, badInput, decodePresentation,
  expandRecord, hex, fromHex
};
})();
