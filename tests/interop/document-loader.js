// An offline JSON-LD document loader for licenced's credentials: nothing is
// fetched from the network.
//
// - Contexts: the W3C VC 2.0 context from @digitalbazaar/credentials-context
//   (as the verifier libraries ship it) and the licence context shipped with
//   licenced (proof/contexts/licence-v1.jsonld). Under eddsa-jcs-2022 only a
//   context's URL is signed, so the licence context is served only if its
//   SHA-256 equals the digest the credential pins in `relatedResource`
//   (checkRelatedResources below).
// - did:key identifiers of Ed25519 keys resolve to their DID document and
//   Multikey verification method, computed from the identifier itself.
// - Status list credentials are served from a map the caller fills (URL ->
//   credential), e.g. files exported with `licencectl proof status-list` or
//   fetched beforehand from a node's /credentials/status/... URL.
import {createHash} from 'node:crypto';
import {readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

import {contexts as credentialsContexts} from '@digitalbazaar/credentials-context';

export const LICENCE_CONTEXT_URL = 'https://licenced.example/credentials/licence/v1';
export const VC_V2_CONTEXT_URL = 'https://www.w3.org/ns/credentials/v2';

const here = dirname(fileURLToPath(import.meta.url));
export const LICENCE_CONTEXT_PATH =
  join(here, '..', '..', 'proof', 'contexts', 'licence-v1.jsonld');
const licenceContextBytes = readFileSync(LICENCE_CONTEXT_PATH);

// "sha256-" + base64(SHA-256(bytes)), as in relatedResource[].digestSRI.
export function digestSri(bytes) {
  return 'sha256-' + createHash('sha256').update(bytes).digest('base64');
}

// Throws unless every context the credential names beyond the VC base
// context is pinned by a relatedResource digest that the local copy matches.
export function checkRelatedResources(credential) {
  const contexts = [].concat(credential['@context'] ?? []);
  const related = [].concat(credential.relatedResource ?? []);
  for(const url of contexts) {
    if(url === VC_V2_CONTEXT_URL) {
      continue;
    }
    if(url !== LICENCE_CONTEXT_URL) {
      throw new Error(`unknown @context ${JSON.stringify(url)}`);
    }
    const pin = related.find(r => r && r.id === url);
    if(!pin || typeof pin.digestSRI !== 'string') {
      throw new Error(`@context ${url} is not pinned by a relatedResource digest`);
    }
    if(pin.digestSRI !== digestSri(licenceContextBytes)) {
      throw new Error(`@context ${url}: the shipped context does not match the pinned digest`);
    }
  }
}

const MULTICODEC_ED25519_PUB = [0xed, 0x01];
const BASE58 = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';

function base58Decode(text) {
  const bytes = [0];
  for(const ch of text) {
    let carry = BASE58.indexOf(ch);
    if(carry < 0) {
      throw new Error('not base58btc');
    }
    for(let i = 0; i < bytes.length; ++i) {
      carry += bytes[i] * 58;
      bytes[i] = carry & 0xff;
      carry >>= 8;
    }
    while(carry > 0) {
      bytes.push(carry & 0xff);
      carry >>= 8;
    }
  }
  for(const ch of text) {
    if(ch !== '1') {
      break;
    }
    bytes.push(0);
  }
  return Uint8Array.from(bytes.reverse());
}

// The DID document of an Ed25519 did:key (did:key method, Multikey form).
export function resolveDidKey(did) {
  const m = /^did:key:(z[1-9A-HJ-NP-Za-km-z]+)$/.exec(did);
  if(!m) {
    throw new Error(`not a did:key: ${did}`);
  }
  const raw = base58Decode(m[1].slice(1));
  if(raw.length !== 34 || raw[0] !== MULTICODEC_ED25519_PUB[0] ||
    raw[1] !== MULTICODEC_ED25519_PUB[1]) {
    throw new Error(`did:key is not an Ed25519 key: ${did}`);
  }
  const vm = {
    '@context': 'https://w3id.org/security/multikey/v1',
    id: `${did}#${m[1]}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: m[1]
  };
  const doc = {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [vm],
    assertionMethod: [vm.id],
    authentication: [vm.id]
  };
  return {doc, vm};
}

// A documentLoader(url) for the libraries; `statusLists` maps a status list
// credential's URL to the credential object the verifier holds for it.
export function makeDocumentLoader({statusLists = new Map()} = {}) {
  return async function documentLoader(url) {
    const answer = document => ({contextUrl: null, documentUrl: url, document});
    if(url === LICENCE_CONTEXT_URL) {
      return answer(JSON.parse(licenceContextBytes.toString('utf8')));
    }
    if(credentialsContexts.has(url)) {
      return answer(credentialsContexts.get(url));
    }
    if(url.startsWith('did:key:')) {
      const [did] = url.split('#');
      const {doc, vm} = resolveDidKey(did);
      return answer(url.includes('#') ? vm : doc);
    }
    if(statusLists.has(url)) {
      return answer(statusLists.get(url));
    }
    throw new Error(`offline document loader: no local copy of ${url}`);
  };
}
