// The verification page's wiring (index.html): the genesis kept in
// localStorage, a challenge generated here, the presentation from a drop, a
// file, pasted text or the camera (QR codes read by the browser's
// BarcodeDetector where it gives the bytes back, else by LicencedQr, qr.js),
// and the verdict of LicencedVerifier (verifier.js) written into the page. A
// classic script so that saved files work offline.
(() => {
'use strict';
const V = globalThis.LicencedVerifier;
const Q = globalThis.LicencedQr;
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

// What each format proves the status with (docs/proof-format.md §3).
const FORMATS = {
  1: 'v1: issuing transaction and status, each under a commit certificate',
  2: 'v2: status in the state its block header carries, under the commit certificate',
  3: 'v3: status in the state after its block, under the state certificate'
};

// Where the status is proven: v3 proves the state after block H itself
// (under H's state certificate), v1 and v2 the state H's header carries.
function provenAt(v) {
  if(v.height === null) {
    return '-';
  }
  const when = `${new Date(v.status_time_ms).toISOString()}, ${Math.round(v.age_ms / 60000)} min ago`;
  return v.state_certified ?
    `${v.height}: the state after block ${v.height}, state certificate (${when})` :
    `${v.height} (${when})`;
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
  $('f-height').textContent = provenAt(v);
  $('f-format').textContent = FORMATS[v.format] ?? '-';
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

// A presentation file's or QR code's bytes: shown, then verified.
async function takeBytes(bytes, label) {
  pendingBytes = bytes;
  let text = null;
  try {
    text = new TextDecoder('utf-8', {fatal: true}).decode(pendingBytes);
  } catch { /* binary payload */ }
  $('presentation-text').value = text ?? `(${label})`;
  await verify();
}

async function takeFile(file) {
  const bytes = new Uint8Array(await file.arrayBuffer());
  await takeBytes(bytes, `${file.name}: ${bytes.length} bytes`);
}

// ---- Scanning with the camera ----
let scan = null;  // {stream, canvas, detector, timer} while the camera is on

function scanStatus(text, error = false) {
  $('scan-status').textContent = text;
  $('scan-status').className = error ? 'hint error' : 'hint';
}

function stopScan() {
  if(scan) {
    clearTimeout(scan.timer);
    for(const track of scan.stream.getTracks()) {
      track.stop();
    }
    scan = null;
  }
  const video = $('scan-video');
  video.srcObject = null;
  video.hidden = true;
  $('scan-cancel').hidden = true;
  $('scan').disabled = false;
}

const instead = 'save the QR payload as a file and drop or choose it above, or paste the presentation';

// Why the camera is not available, in words that say what to do instead.
function cameraRefusal(e) {
  const fromFile = location.protocol === 'file:';
  if(!navigator.mediaDevices?.getUserMedia) {
    return fromFile ?
      `This browser gives no camera to a page opened as a file: open the page from a node ` +
        `(http://localhost:<port>/verify/ or over https), or ${instead}.` :
      `This browser gives no camera to this page (the camera needs https or localhost): ` +
        `open the page over https, or ${instead}.`;
  }
  switch(e?.name) {
  case 'NotAllowedError':
  case 'SecurityError':
    return fromFile ?
      `The browser refused the camera to a page opened as a file: open the page from a node ` +
        `(http://localhost:<port>/verify/ or over https), or ${instead}.` :
      `Camera permission was refused: allow the camera for this page in the browser's site ` +
        `settings and scan again, or ${instead}.`;
  case 'NotFoundError':
  case 'OverconstrainedError':
    return `No camera was found on this device: ${instead}.`;
  case 'NotReadableError':
  case 'AbortError':
    return `The camera could not be started (another application may be using it): ` +
      `close it and scan again, or ${instead}.`;
  default:
    return `The camera could not be started (${e?.message ?? e}): ${instead}.`;
  }
}

// The BarcodeDetector returns text; its result is used only when it maps
// back to bytes (one character a byte) that make a presentation.
async function detectorBytes(detector, canvas) {
  let codes;
  try {
    codes = await detector.detect(canvas);
  } catch {
    return null;
  }
  for(const code of codes) {
    const raw = code.rawValue ?? '';
    if(raw.length === 0 || [...raw].some(ch => ch.charCodeAt(0) > 255)) {
      continue;
    }
    const bytes = Uint8Array.from(raw, ch => ch.charCodeAt(0));
    try {
      const p = await V.presentationBytes(bytes);
      if(p !== bytes) {
        return bytes;
      }
    } catch { /* not a presentation: read the frame ourselves */ }
  }
  return null;
}

async function scanFrame() {
  if(!scan) {
    return;
  }
  const video = $('scan-video');
  const w = video.videoWidth;
  const h = video.videoHeight;
  let bytes = null;
  if(w > 0 && h > 0) {
    const {canvas} = scan;
    canvas.width = w;
    canvas.height = h;
    const ctx = canvas.getContext('2d', {willReadFrequently: true});
    ctx.drawImage(video, 0, 0, w, h);
    try {
      if(scan.detector) {
        bytes = await detectorBytes(scan.detector, canvas);
      }
      bytes ??= Q.decode(ctx.getImageData(0, 0, w, h));
    } catch(e) {
      // A readable code that is not a presentation (e.g. ECI): say so, stop.
      stopScan();
      scanStatus(`The QR code cannot be read as a presentation: ${e.message}.`, true);
      return;
    }
  }
  if(!scan) {
    return;
  }
  if(bytes) {
    stopScan();
    scanStatus(`Read a QR code of ${bytes.length} bytes from the camera.`);
    await takeBytes(bytes, `QR code from the camera: ${bytes.length} bytes`);
    return;
  }
  scan.timer = setTimeout(scanFrame, 60);
}

async function startScan() {
  if(scan) {
    return;
  }
  if(!navigator.mediaDevices?.getUserMedia) {
    scanStatus(cameraRefusal(null), true);
    return;
  }
  $('scan').disabled = true;
  scanStatus('Starting the camera...');
  let stream;
  try {
    stream = await navigator.mediaDevices.getUserMedia({audio: false,
      video: {facingMode: {ideal: 'environment'}, width: {ideal: 1920}, height: {ideal: 1080}}});
  } catch(e) {
    $('scan').disabled = false;
    scanStatus(cameraRefusal(e), true);
    return;
  }
  let detector = null;
  try {
    if('BarcodeDetector' in globalThis &&
      (await globalThis.BarcodeDetector.getSupportedFormats()).includes('qr_code')) {
      detector = new globalThis.BarcodeDetector({formats: ['qr_code']});
    }
  } catch { /* our own reader then */ }
  scan = {stream, canvas: document.createElement('canvas'), detector, timer: 0};
  const video = $('scan-video');
  video.srcObject = stream;
  video.hidden = false;
  $('scan-cancel').hidden = false;
  try {
    await video.play();
  } catch(e) {
    stopScan();
    scanStatus(cameraRefusal(e), true);
    return;
  }
  scanStatus('Hold the QR code in front of the camera, filling most of the picture.');
  scanFrame();
}

$('scan').addEventListener('click', startScan);
$('scan-cancel').addEventListener('click', () => {
  stopScan();
  scanStatus('Scanning cancelled; the camera is off.');
});

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
