// ui.js: the few building blocks every screen uses: elements, the scan
// step (the prompt saying what to scan next, the scan field, the keyboard
// fallback, the camera), and messages that say what to do next.

import * as scanner from './scanner.js';
import * as feedback from './feedback.js';
import { describe } from './errors.js';
import { camera } from './camera.js';

export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

// code shows a code to scan; short ones (locations, SKUs) never break.
export const code = text => h('span', { class: String(text).length > 14 ? 'code long' : 'code' }, text);

// layout builds a screen: title, the step area (prompt, hint, scan form),
// the message area (fixed height, so nothing jumps) and the body.
export function layout(main, title) {
  main.replaceChildren();
  const prompt = h('p', { class: 'prompt', id: 'prompt' });
  const hint = h('p', { class: 'hint', id: 'hint' });
  const msg = h('div', { class: 'msg', id: 'msg', role: 'status', 'aria-live': 'polite' });
  const field = h('input', { id: 'scan', class: 'scanfield', inputmode: 'none', autocomplete: 'off', autocapitalize: 'off', spellcheck: 'false', 'aria-labelledby': 'prompt' });
  const kb = h('button', { type: 'button', class: 'quiet', 'aria-pressed': 'false', title: 'Type the code instead of scanning' }, 'Keyboard');
  const form = h('form', { class: 'scan', id: 'scanform' }, field, kb);
  kb.addEventListener('click', () => {
    const on = field.getAttribute('inputmode') === 'none';
    field.setAttribute('inputmode', on ? 'text' : 'none');
    kb.setAttribute('aria-pressed', String(on));
    field.focus();
  });
  form.addEventListener('submit', e => {
    e.preventDefault();
    const v = field.value;
    field.value = '';
    if (v.trim()) scanner.deliver(v, 'manual');
  });
  const cam = camera(raw => scanner.deliver(raw, 'camera'));
  if (cam) form.append(cam);
  const stepEl = h('section', { class: 'step', 'aria-label': 'Next step' }, prompt, hint, form);
  const body = h('div', { class: 'body' });
  main.append(h('h1', {}, title), stepEl, msg, body);
  const token = {};
  main.viewToken = token;
  const alive = () => main.viewToken === token;
  const view = {
    main, body, msg, prompt, field, alive,
    // step says what to scan next and reads the next scan with accept.
    step(name, promptContent, hintText, accept) {
      main.dataset.step = name;
      stepEl.hidden = false;
      prompt.replaceChildren(...[].concat(promptContent));
      hint.textContent = hintText || '';
      // A refused scan's message is for that scan: the next scan clears it
      // (the handler shows its own outcome), so it never lingers on a
      // later step.
      scanner.onScan(s => {
        if (msg.classList.contains('err')) view.clear();
        return accept(s);
      });
      field.value = '';
      if (!main.contains(document.activeElement) || document.activeElement === document.body || document.activeElement === main) field.focus({ preventScroll: true });
      // The prompt is at the top of the screen: keep it in view (focusing
      // the field must not scroll the instruction under the header).
      window.scrollTo(0, 0);
    },
    // idle: no scan expected (a list to choose from, a form).
    idle(name, promptContent = '', hintText = '') {
      main.dataset.step = name;
      prompt.replaceChildren(...[].concat(promptContent));
      hint.textContent = hintText;
      stepEl.hidden = !promptContent;
      form.hidden = true;
      // No scan is expected here: a scan is not dropped silently.
      scanner.onScan(s => view.fail(`${scanner.visible(s.raw)} is not used on this screen.`,
        { next: hintText || 'Choose what to do first (a list, a task or a menu entry), then scan.' }));
    },
    scanning() { form.hidden = false; },
    ok(title, next = '') { show(msg, 'ok', title, next); feedback.success(title); },
    info(title, next = '') { show(msg, 'info', title, next); },
    // note: an info that never hides the outcome of the step just done.
    note(title, next = '') { if (!msg.textContent) show(msg, 'info', title, next); },
    clear() { msg.className = 'msg'; delete msg.dataset.queued; msg.replaceChildren(); },
    fail(err, opts) {
      const d = err instanceof Error || (err && err.code !== undefined) ? describe(err, opts) : { title: String(err), next: opts && opts.next || '' };
      show(msg, 'err', d.title, d.next, d.fields);
      feedback.failure(d.title + ' ' + (d.next || ''));
      return d;
    },
    queued(what) {
      show(msg, 'info', `${what}: saved on this handheld.`, 'No connection now: it is sent by itself when Wi-Fi returns. Carry on.');
      msg.dataset.queued = '1';
      feedback.success(what);
    },
  };
  const origStep = view.step;
  view.step = (...a) => { form.hidden = false; origStep(...a); };
  // A screen's late answers (a call that returns after the associate moved
  // on) must not touch the screen now shown.
  for (const k of ['step', 'idle', 'scanning', 'ok', 'info', 'note', 'clear', 'fail', 'queued']) {
    const fn = view[k];
    view[k] = (...a) => (alive() ? fn(...a) : undefined);
  }
  return view;
}

function show(msg, kind, title, next, fields) {
  msg.className = 'msg ' + kind;
  delete msg.dataset.queued;
  msg.replaceChildren(...[
    h('p', { class: 'title' }, title),
    fields && fields.length ? h('ul', {}, fields.map(f => h('li', {}, f))) : null,
    next ? h('p', { class: 'next' }, next) : null,
  ].filter(Boolean));
}

// form builds a small form of labelled fields and a submit button. idPrefix
// keeps field ids unique where one screen shows the same form many times.
export function form(fields, submitText, onSubmit, extra = [], idPrefix = 'f-') {
  const inputs = {};
  const f = h('form', { class: 'card' });
  for (const fd of fields) {
    const id = idPrefix + fd.name;
    const input = fd.type === 'select'
      ? h('select', { id, name: fd.name }, fd.options.map(([v, t]) => h('option', { value: v }, t)))
      : h('input', { id, name: fd.name, type: fd.type || 'text', inputmode: fd.inputmode, value: fd.value ?? '', required: fd.required, min: fd.min, autocomplete: fd.autocomplete || 'off', pattern: fd.pattern, placeholder: fd.placeholder });
    inputs[fd.name] = input;
    f.append(h('label', { for: id }, fd.label), input);
  }
  f.append(h('div', { class: 'row' }, h('button', { type: 'submit' }, submitText), extra));
  // One submit at a time: a second Enter (a glove, a key that repeats)
  // while the first is on its way sends nothing more.
  let busy = false;
  f.addEventListener('submit', async e => {
    e.preventDefault();
    if (busy) return;
    busy = true;
    const values = {};
    for (const [k, el] of Object.entries(inputs)) values[k] = el.value.trim();
    try { await onSubmit(values, inputs); } finally { busy = false; }
  });
  return { el: f, inputs };
}

export function table(headers, rows) {
  return h('div', { class: 'tablewrap' }, h('table', {},
    h('thead', {}, h('tr', {}, headers.map(x => h('th', { scope: 'col', class: /^#|qty|units|count|ordered|received|score/i.test(x) ? 'num' : '' }, x)))),
    h('tbody', {}, rows.map(r => h('tr', {}, r.map(c => h('td', { class: typeof c === 'number' ? 'num' : '' }, c)))))));
}

export const num = v => Number(v || 0);
