// Stock third-party verification of licenced's credentials (node --test).
// The corpus (credentials exported from a real network, status lists served
// by its nodes) comes from run_interop.py through LICENCED_INTEROP_CORPUS;
// verify.js uses only @digitalbazaar/vc, data-integrity,
// eddsa-jcs-2022-cryptosuite and vc-bitstring-status-list with an offline
// document loader.
import assert from 'node:assert/strict';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {test} from 'node:test';

import {verifyLicenceCredential} from './verify.js';

const corpus = process.env.LICENCED_INTEROP_CORPUS;
if(!corpus) {
  throw new Error('LICENCED_INTEROP_CORPUS is not set: run tests/interop/run_interop.py');
}
const load = name => JSON.parse(readFileSync(join(corpus, name), 'utf8'));
const manifest = load('manifest.json');
const fresh = load(manifest.fresh);
const lists = manifest.lists.map(load);
const verify = (credential, options = {}) =>
  verifyLicenceCredential(credential, {statusLists: lists, ...options});

test('a fresh licence is VALID', async () => {
  const r = await verify(fresh);
  assert.deepEqual(r, {verified: true, reason: 'VALID'});
});

// Flips one bit of every byte of the credential file that lies inside the
// member `name` (its JSON text as written by licencectl); a mutant that no
// longer parses is refused by any verifier, the rest must fail verification.
async function everyByteFlipped(name) {
  const text = readFileSync(join(corpus, manifest.fresh), 'latin1');
  const start = text.indexOf(`"${name}": {`);
  assert.ok(start >= 0, name);
  let depth = 0;
  let end = text.indexOf('{', start);
  for(; end < text.length; ++end) {
    if(text[end] === '{') {
      ++depth;
    } else if(text[end] === '}' && --depth === 0) {
      break;
    }
  }
  let parsed = 0;
  let accepted = [];
  for(let i = start; i <= end; ++i) {
    const bytes = Buffer.from(text, 'latin1');
    bytes[i] ^= 0x01;
    let mutant;
    try {
      mutant = JSON.parse(bytes.toString('utf8'));
    } catch {
      continue;
    }
    ++parsed;
    const r = await verify(mutant);
    if(r.verified) {
      accepted.push(i);
    }
  }
  return {bytes: end - start + 1, parsed, accepted};
}

test('one flipped byte anywhere in the proof is rejected', async () => {
  const r = await everyByteFlipped('proof');
  assert.ok(r.parsed > 300, JSON.stringify(r));
  assert.deepEqual(r.accepted, [], `accepted mutants at offsets ${r.accepted}`);
});

test('one flipped byte anywhere in the subject is rejected', async () => {
  const r = await everyByteFlipped('credentialSubject');
  assert.ok(r.parsed > 300, JSON.stringify(r));
  assert.deepEqual(r.accepted, [], `accepted mutants at offsets ${r.accepted}`);
});

test('a reordered @context is rejected', async () => {
  const c = structuredClone(fresh);
  c['@context'].reverse();
  const r = await verify(c);
  assert.equal(r.verified, false);
  // Reordered in the proof options too: the signature no longer matches.
  const both = structuredClone(c);
  both.proof['@context'].reverse();
  assert.equal((await verify(both)).verified, false);
});

test('an expired validUntil is rejected', async () => {
  assert.ok(fresh.validUntil, 'the SSC type has a validity period');
  const after = new Date(Date.parse(fresh.validUntil) + 86400000).toISOString();
  const r = await verify(fresh, {now: after});
  assert.equal(r.verified, false);
  assert.match(r.reason, /validUntil/);
  // A validUntil moved into the past by hand breaks the proof instead.
  const c = structuredClone(fresh);
  c.validUntil = '2020-01-01T00:00:00Z';
  assert.equal((await verify(c)).verified, false);
});

test('a revoked licence is rejected', async () => {
  const r = await verify(load(manifest.revoked));
  assert.equal(r.verified, false);
  assert.match(r.reason, /revocation bit is set/);
});

test('a suspended licence is rejected', async () => {
  const r = await verify(load(manifest.suspended));
  assert.equal(r.verified, false);
  assert.match(r.reason, /suspension bit is set/);
});

test('a status list signed by another org is rejected', async () => {
  const other = load(manifest.other_org_list);
  const [revocation, suspension] = lists;
  assert.notEqual(other.issuer.id, fresh.issuer.id);
  // The other org's own list, served at the issuer's URL.
  const relabelled = {...structuredClone(other), id: revocation.id};
  let r = await verifyLicenceCredential(fresh, {statusLists: [relabelled, suspension]});
  assert.equal(r.verified, false);
  // The issuer's list with the other org named as its issuer: the proof fails.
  const forged = structuredClone(revocation);
  forged.issuer = other.issuer;
  r = await verifyLicenceCredential(fresh, {statusLists: [forged, suspension]});
  assert.equal(r.verified, false);
});

test('no status list at hand is never VALID', async () => {
  const r = await verifyLicenceCredential(fresh, {statusLists: [lists[0]]});
  assert.equal(r.verified, false);
  assert.match(r.reason, /Could not load/);
});

test('a licence context that does not match its pinned digest is refused', async () => {
  const c = structuredClone(fresh);
  c.relatedResource[0].digestSRI = 'sha256-' + Buffer.alloc(32).toString('base64');
  const r = await verify(c);
  assert.equal(r.verified, false);
  assert.match(r.reason, /pinned digest/);
});
