// Verifies a licenced credential the way a third-party relying party does,
// with the stock libraries only (@digitalbazaar/vc, data-integrity,
// eddsa-jcs-2022-cryptosuite, vc-bitstring-status-list) and the offline
// document loader: the Data Integrity proof, validFrom/validUntil, the pinned
// licence context, and both Bitstring Status List entries (each list's own
// proof and issuer). A set status bit is a refusal, as is any error: nothing
// is VALID unless every status list was loaded and verified.
//
//   node verify.js CREDENTIAL.json [STATUS_LIST.json ...] [--now ISO-TIME]
// prints {"verified": bool, "reason": "..."}; exit 0 verified, 1 not.
import {readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';

import * as vc from '@digitalbazaar/vc';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {createVerifyCryptosuite} from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';

import {checkRelatedResources, makeDocumentLoader} from './document-loader.js';

// {verified, reason}: reason names the first check that failed.
export async function verifyLicenceCredential(credential, {statusLists = [], now} = {}) {
  try {
    checkRelatedResources(credential);
  } catch(e) {
    return {verified: false, reason: `context: ${e.message}`};
  }
  const lists = new Map(statusLists.map(l => [l.id, l]));
  const documentLoader = makeDocumentLoader({statusLists: lists});
  const suite = new DataIntegrityProof({cryptosuite: createVerifyCryptosuite()});
  const result = await vc.verifyCredential({
    credential: structuredClone(credential),
    suite,
    documentLoader,
    now: now ? new Date(now) : undefined,
    checkStatus: options => checkStatus({...options, suite, documentLoader})
  });
  if(!result.verified) {
    const err = result.error ?? result.statusResult?.error ??
      result.results?.find(r => !r.verified)?.error;
    const message = err?.errors?.[0]?.message ?? err?.message ?? 'not verified';
    return {verified: false, reason: message};
  }
  const statuses = result.statusResult?.results ?? [];
  if(statuses.length !== 2 || !statuses.every(r => r.verified)) {
    return {verified: false, reason: 'status: not every status entry was checked'};
  }
  for(const r of statuses) {
    if(r.status !== false) {
      return {verified: false, reason: `status: ${r.credentialStatus.statusPurpose} bit is set`};
    }
  }
  return {verified: true, reason: 'VALID'};
}

if(process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  let now;
  const files = [];
  for(let i = 0; i < args.length; ++i) {
    if(args[i] === '--now') {
      now = args[++i];
    } else {
      files.push(args[i]);
    }
  }
  if(files.length === 0) {
    console.error('usage: node verify.js CREDENTIAL.json [STATUS_LIST.json ...] [--now ISO]');
    process.exit(2);
  }
  const [credential, ...lists] = files.map(f => JSON.parse(readFileSync(f, 'utf8')));
  const out = await verifyLicenceCredential(credential, {statusLists: lists, now});
  console.log(JSON.stringify(out));
  process.exit(out.verified ? 0 : 1);
}
