// The verification page's wiring (index.html): the genesis kept in
// localStorage, a challenge generated here, the presentation from a drop, a
// file or pasted text, and the verdict of LicencedVerifier (verifier.js)
// written into the page. A classic script so that saved files work offline.
(() => {
'use strict';
const V = globalThis.LicencedVerifier;
const $ = id => document.getElementById(id);
const GENESIS_KEY = 'licenced.verify.genesis';
const CHALLENGE_KEY = 'licenced.verify.challenge';
let genesis = null;
let pendingBytes = null;  // a dropped or chosen file, until the text is edited

function showGenesis(text) {
  try {
    genesis = V.parseGenesis(text);
  } catch(e) {
    genesis = null;
    $('genesis-status').textContent = 'Not a genesis file: ' + e.message;
    $('genesis-status').className = 'error';
    return false;
  }
  const orgs = genesis.orgs.length;
  $('genesis-status').textContent =
    `Network ${genesis.network_id}: ${genesis.validators.length} validators, ${orgs} organisations.`;
  $('genesis-status').className = '';
  $('genesis-forget').hidden = false;
  return true;
}

function newChallenge() {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  const c = 'v-' + V.hex(bytes);
  $('challenge').value = c;
  sessionStorage.setItem(CHALLENGE_KEY, c);
}

function row(table, name, value) {
  const tr = document.createElement('tr');
  const th = document.createElement('th');
  const td = document.createElement('td');
  th.textContent = name;
  td.textContent = value;
  tr.append(th, td);
  table.append(tr);
}

function show(v) {
  $('result').hidden = false;
  const verdict = $('verdict');
  verdict.className = 'verdict ' + v.result;
  verdict.dataset.result = v.result;
  verdict.dataset.reason = v.reason;
  verdict.textContent = v.result + (v.reason ? ' (' + v.reason + ')' : '');
  $('detail').textContent = v.detail;
  $('f-licence').textContent = v.licence_id || '-';
  $('f-type').textContent = v.type ? `${v.type_name || v.type} (${v.type})` : '-';
  $('f-issuer').textContent = v.issuer_org ?
    `${v.issuer_name || v.issuer_org} (${v.issuer_org}, ${v.issuer_kind || '?'})` : '-';
  $('f-status').textContent = v.status || (v.result === 'VALID' ? 'valid' : '-');
  $('f-height').textContent = v.height === null ? '-' :
    `${v.height} (${new Date(v.status_time_ms).toISOString()}, ${Math.round(v.age_ms / 60000)} min ago)`;
  const t = $('disclosed');
  t.replaceChildren();
  const fields = Object.entries(v.disclosed);
  if(fields.length === 0) {
    row(t, '(none)', '');
  }
  for(const [f, value] of fields) {
    row(t, f, value);
  }
  document.body.dataset.verdict = v.result;
}

async function verify() {
  if(!genesis) {
    show(V.badInput('load the network\'s genesis.json first (step 1)'));
    $('verdict').dataset.reason = 'NO_GENESIS';
    return;
  }
  const challenge = $('challenge').value;
  if(!challenge) {
    show(V.badInput('no challenge: generate one and give it to the holder (step 2)'));
    return;
  }
  const input = pendingBytes ?? $('presentation-text').value.trim();
  if(!input || input.length === 0) {
    show(V.badInput('no presentation: drop, choose or paste one (step 3)'));
    return;
  }
  const maxAge = $('max-age').value;
  let v;
  try {
    const bytes = await V.presentationBytes(input);
    v = await V.verifyPresentation(bytes, genesis,
      {challenge, now_ms: Date.now(), max_age_ms: maxAge === 'none' ? null : Number(maxAge)});
  } catch(e) {
    v = V.badInput(e.message);
  }
  show(v);
}

async function takeFile(file) {
  pendingBytes = new Uint8Array(await file.arrayBuffer());
  let text = null;
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(pendingBytes);
  } catch { /* binary payload */ }
  $('presentation-text').value = text ?? `(${file.name}: ${pendingBytes.length} bytes)`;
  await verify();
}

$('genesis-file').addEventListener('change', async e => {
  const f = e.target.files[0];
  if(!f) {
    return;
  }
  const text = await f.text();
  if(showGenesis(text)) {
    localStorage.setItem(GENESIS_KEY, text);
  }
});
$('genesis-forget').addEventListener('click', () => {
  localStorage.removeItem(GENESIS_KEY);
  genesis = null;
  $('genesis-status').textContent = 'No genesis loaded.';
  $('genesis-forget').hidden = true;
});
$('challenge-new').addEventListener('click', newChallenge);
$('challenge').addEventListener('input', () => sessionStorage.setItem(CHALLENGE_KEY, $('challenge').value));
$('presentation-text').addEventListener('input', () => {
  pendingBytes = null;
});
$('presentation-file').addEventListener('change', e => e.target.files[0] && takeFile(e.target.files[0]));
$('verify').addEventListener('click', verify);
const drop = $('drop');
drop.addEventListener('dragover', e => {
  e.preventDefault();
  drop.classList.add('over');
});
drop.addEventListener('dragleave', () => drop.classList.remove('over'));
drop.addEventListener('drop', e => {
  e.preventDefault();
  drop.classList.remove('over');
  if(e.dataTransfer.files[0]) {
    takeFile(e.dataTransfer.files[0]);
  }
});

const saved = localStorage.getItem(GENESIS_KEY);
if(saved) {
  showGenesis(saved);
}
const challenge = sessionStorage.getItem(CHALLENGE_KEY);
if(challenge) {
  $('challenge').value = challenge;
} else {
  newChallenge();
}
document.body.dataset.ready = 'true';
})();
