// scanner.js: keyboard-wedge scans, captured wherever focus is.
//
// A wedge scanner (Zebra DataWedge, Honeywell) types what it read and a
// suffix: Enter, Tab, LF or CR (Ctrl+J / Ctrl+M). Chrome on Android fires
// keydown but often no keypress, so only keydown is read. GS (FNC1) arrives
// as Ctrl+] or Alt+029 on the numeric keypad; the node's configured stand-in
// (app-config.json) passes through, the node reads it. An AIM symbology
// prefix (]C1, ]d2, ]Q3, ]E0 …) passes through too: the node reads it.
//
// Where focus is does not matter: on the page, a button or a scan field
// (inputmode="none", so no soft keyboard pops up), every key counts as
// scan input. In a manual-entry field (a PIN, a quantity, the keyboard
// fallback) a burst (keys closer together than a person types) ending in a
// suffix is taken as a scan and removed from the field; slower typing is
// left to the field. In a PIN field such a burst is a badge scan: the field is
// emptied and it is never sent as a PIN.

export const GS = '\x1d';
const BURST_GAP_MS = 35; // scanners send keys 1-20 ms apart; people 80 ms and more
const MIN_BURST = 4;
const IDLE_RESET_MS = 3000;

let handler = null;
// swallow: the key just taken (its keydown's default prevented) must not
// act through its keypress either. Chrome sends a keypress after a taken
// keydown when the keys are injected (DevTools, some Android keyboards and
// wedge services), and by then the scan's handler may have moved the screen
// on: a scan's Enter would submit the next step's form (a quantity of 1
// that nobody typed), its characters would land in the next field.
let swallow = false;
let config = { fnc1_standin: '' };
let keys = []; // the keys of the scan being read
let altDigits = '';
let last = null;
const watchers = new Set();

export function setConfig(c) { config = { ...config, ...c }; }
export function standin() { return config.fnc1_standin; }

// onScan sets the one handler the current step reads scans with
// (scan: {raw, source, suffix, aim, keys}); null stops reading.
export function onScan(fn) { handler = fn; }

// watch(fn): fn(scan) for every scan, for the scanner setup page.
export function watch(fn) { watchers.add(fn); return () => watchers.delete(fn); }
export function lastScan() { return last; }

function isManual(el) {
  if (!el || !el.matches) return false;
  if (el.matches('textarea, select, [contenteditable="true"]')) return true;
  return el.matches('input') && el.getAttribute('inputmode') !== 'none' && !['button', 'submit', 'checkbox', 'radio'].includes(el.type);
}
function isScanField(el) { return !!(el && el.matches && el.matches('input[inputmode="none"]')); }

function record(e, ch, note) {
  const t = e.timeStamp;
  const prev = keys.length ? keys[keys.length - 1].t : t;
  if (keys.length && t - prev > IDLE_RESET_MS && !isScanField(e.target)) keys = [];
  keys.push({ key: e.key, code: e.code, ctrl: e.ctrlKey, alt: e.altKey, shift: e.shiftKey, ch, note, t, gap: keys.length ? Math.round(t - prev) : 0 });
}

function burst(ks) {
  const chars = ks.filter(k => k.ch !== null);
  if (chars.length < MIN_BURST) return false;
  return chars.slice(1).every(k => k.gap <= BURST_GAP_MS);
}

// trailingBurst is the last keys of ks that came as a burst (MIN_BURST
// characters or more, each within BURST_GAP_MS of the one before), or null.
function trailingBurst(ks) {
  let i = ks.length;
  while (i > 1 && (ks[i - 1].ch === null || ks[i - 1].gap <= BURST_GAP_MS)) i--;
  const run = ks.slice(i - 1 < 0 ? 0 : i - 1);
  return burst(run.map((k, j) => (j === 0 ? { ...k, gap: 0 } : k))) ? run : null;
}

// Android Chrome (an IME, keyCode 229) sends keydown with key
// "Unidentified": the character arrives in beforeinput/input. It is put on
// the key read for it, so a burst into a typed field is still told by its
// timing and taken out of the field again.
function fillUnidentified(e) {
  if (!e.data || !keys.length) return;
  const k = keys[keys.length - 1];
  if (k.ch === null && k.note === 'unidentified') { k.ch = e.data; k.note = 'unidentified, from ' + e.type; }
}
document.addEventListener('beforeinput', fillUnidentified, true);
document.addEventListener('input', fillUnidentified, true);

function finish(e, suffix, el) {
  const ks = keys;
  keys = [];
  const typed = ks.filter(k => k.ch !== null).map(k => k.ch).join('');
  let raw = typed;
  let source = burst(ks) ? 'burst' : 'typed';
  if (isScanField(el) && el.value.length >= typed.length) {
    raw = el.value; // what the field got, IME input included (keys read as "Unidentified")
    el.value = '';
  }
  if (isManual(el)) {
    // a burst into a manual field: take it out of the field again
    if (el.value.endsWith(typed)) el.value = el.value.slice(0, el.value.length - typed.length);
    source = 'burst';
  }
  const mirror = document.querySelector('input.scanfield');
  if (mirror) mirror.value = '';
  const aim = /^\][A-Za-z][0-9A-Za-z]/.test(raw) ? raw.slice(0, 3) : '';
  const scan = { raw, source, suffix, aim, keys: ks, at: Date.now() };
  if (!raw) return false;
  last = scan;
  for (const w of watchers) w(scan);
  if (handler) handler(scan);
  return true;
}

// deliver hands a typed (manual entry) value to the current step as a scan.
export function deliver(raw, source = 'manual') {
  const scan = { raw, source, suffix: 'form', aim: /^\][A-Za-z][0-9A-Za-z]/.test(raw) ? raw.slice(0, 3) : '', keys: [], at: Date.now() };
  last = scan;
  for (const w of watchers) w(scan);
  if (handler) handler(scan);
}

function take(e) { e.preventDefault(); swallow = true; }

function onKeyPress(e) {
  if (!swallow) return;
  swallow = false;
  e.preventDefault();
  e.stopImmediatePropagation();
}

function onKeyDown(e) {
  swallow = false; // a new key: the last one's keypress has passed
  const el = e.target;
  if (e.isComposing) return;
  const pin = !!(el && el.matches && el.matches('input[type="password"]'));
  const manual = isManual(el);
  // Alt + keypad digits (Alt029 = GS)
  if (e.altKey && !e.ctrlKey && /^Numpad[0-9]$/.test(e.code)) {
    altDigits += e.code.slice(6);
    record(e, null, 'alt digit');
    take(e);
    return;
  }
  let suffix = '';
  let ch = null;
  if (e.key === 'Enter') suffix = 'Enter';
  else if (e.key === 'Tab' && !e.shiftKey) suffix = 'Tab';
  else if (e.ctrlKey && (e.key === 'j' || e.key === 'J')) suffix = 'LF';
  else if (e.ctrlKey && (e.key === 'm' || e.key === 'M')) suffix = 'CR';
  else if (e.key === '\n') suffix = 'LF';
  else if (e.key === '\r') suffix = 'CR';
  else if (e.ctrlKey && (e.key === ']' || e.code === 'BracketRight' || e.key === GS)) ch = GS;
  else if (e.key === GS) ch = GS;
  else if (e.key === 'Unidentified' || e.key === 'Process' || e.keyCode === 229 || !e.key) { record(e, null, 'unidentified'); return; } // the character comes with beforeinput/input
  else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey) ch = e.key;
  else return; // Shift, arrows, F-keys: not scan input

  // A PIN is typed, never scanned: a burst ending in a suffix in the PIN
  // field is a badge scan (the PIN field is emptied, the scan goes to the
  // step: sign-in starts again with that badge), never a PIN. Typed PIN
  // keys are dropped at the suffix, never kept nor shown on the setup page.
  if (pin) {
    if (!suffix) { record(e, ch); return; }
    const run = trailingBurst(keys);
    keys = [];
    if (!run) return; // typed: the form signs in
    keys = run;
    record(e, null, 'suffix ' + suffix);
    el.value = '';
    take(e);
    finish(e, suffix, null);
    return;
  }
  if (suffix) {
    const hasInput = keys.some(k => k.ch !== null) || (isScanField(el) && el.value);
    if (!hasInput) return; // Enter on a button, Tab to move focus: as usual
    if (manual && !burst(keys)) { keys = []; return; } // typing: the field's form takes it
    record(e, null, 'suffix ' + suffix);
    if (finish(e, suffix, el)) take(e);
    return;
  }
  if (manual) { record(e, ch); return; } // the field gets the key; we watch the timing
  if (ch === ' ' && !keys.length && el && el.matches && el.matches('button, a, [role="button"]')) return;
  record(e, ch);
  if (isScanField(el)) {
    if (ch === GS) { el.value += GS; take(e); }
    return; // the field shows what arrives
  }
  take(e);
  const field = document.querySelector('input.scanfield');
  if (field) field.value = keys.filter(k => k.ch !== null).map(k => k.ch).join('');
}

function onKeyUp(e) {
  if (e.key === 'Alt' && altDigits) {
    const code = parseInt(altDigits, 10);
    altDigits = '';
    if (code > 0 && code < 256) {
      const ch = String.fromCharCode(code);
      keys.push({ key: 'Alt+' + code, code: 'AltNumpad', ctrl: false, alt: true, shift: false, ch, note: 'alt code', t: e.timeStamp, gap: 0 });
      if (isScanField(e.target)) e.target.value += ch;
    }
  }
}

document.addEventListener('keydown', onKeyDown, true);
document.addEventListener('keypress', onKeyPress, true);
document.addEventListener('keyup', onKeyUp, true);

// show renders a scan's text with its control characters visible.
export function visible(raw) {
  return raw.replace(/[\x00-\x1f]/g, c => c === GS ? '<GS>' : `<${c.charCodeAt(0).toString(16).padStart(2, '0')}>`);
}
