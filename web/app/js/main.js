// main.js: the app shell. Signs in, keeps the session, routes between
// screens (#/receive, #/lead/plan, …), shows the pending count of the
// offline queue and reports what the queue could not send.
//
// A screen is one module in screens/ exporting {id, title, roles, start};
// screens/index.js lists them. Adding one (returns, sync status) is one
// module and one line there (returns and sync status came so).

import * as net from './net.js';
import * as queue from './queue.js';
import * as scanner from './scanner.js';
import * as feedback from './feedback.js';
import { h, layout } from './ui.js';
import { describe } from './errors.js';
import { screens } from './screens/index.js';
import signin from './screens/signin.js';

const main = document.getElementById('screen');
let stopCurrent = null;
let currentView = null;
let currentHash = '';
// unsaved: what the screen shown holds that the node does not have yet (a
// count's lines before Submit), as a sentence saying what to do, or '' for
// nothing. Signing out or
// leaving the screen asks once before it drops that work: doing it again
// within WARN_MS goes ahead.
let unsaved = () => '';
let warnedAt = 0;
const WARN_MS = 15000;

function mayLeave() {
  const what = unsaved();
  if (!what || Date.now() - warnedAt < WARN_MS) { warnedAt = 0; return true; }
  warnedAt = Date.now();
  if (currentView) currentView.fail(what, { next: 'To leave anyway and drop it, do the same again.' });
  return false;
}

function roleName(role) {
  return { ROLE_ASSOCIATE: 'associate', ROLE_LEAD: 'lead', ROLE_ADMIN: 'admin' }[role] || 'user';
}

function header() {
  const s = net.session();
  const who = document.getElementById('who');
  const out = document.getElementById('signout');
  who.textContent = s ? `${s.user.name || s.user.badge} (${roleName(s.user.role)})` : '';
  out.hidden = !s;
}

async function signOut(reason = '') {
  if (!reason && !mayLeave()) return;
  const waiting = await queue.pendingCount().catch(() => 0);
  if (waiting && !reason) reason = `${waiting} step(s) are still saved on this handheld: they are sent when you sign in here again.`;
  try { await net.send('POST', '/v1/auth/logout', {}); } catch { /* the session ends here either way */ }
  net.clearSession();
  header();
  location.hash = '#/';
  route(reason);
}

function mount(screen, arg) {
  if (stopCurrent) { try { stopCurrent(); } catch { /* ignore */ } }
  stopCurrent = null;
  scanner.onScan(null);
  const view = layout(main, screen.title);
  main.dataset.screen = screen.id;
  currentView = view;
  unsaved = () => '';
  warnedAt = 0;
  const ctx = {
    view, h, arg,
    user: net.session() && net.session().user,
    get: net.get,
    send: net.send,
    mutate: queue.mutate,
    go: hash => { location.hash = hash; },
    signOut,
    // unsaved(fn): fn() says what this screen holds that is not sent yet.
    unsaved: fn => { unsaved = () => (view.alive() && fn()) || ''; },
  };
  Promise.resolve(screen.start(ctx)).then(stop => { if (typeof stop === 'function') stopCurrent = stop; })
    .catch(err => {
      if (err && err.code === 16) { signOut('Your session ended: sign in again.'); return; }
      view.fail(err);
    });
}

function menu(notice) {
  const s = net.session();
  const view = layout(main, 'What are you doing?');
  main.dataset.screen = 'menu';
  view.idle('menu');
  if (notice) view.info(notice);
  const mine = screens.filter(sc => sc.roles.includes(s.user.role));
  const group = (title, list) => list.length ? [h('h2', {}, title), h('ul', { class: 'menu' }, list.map(sc => h('li', {}, h('a', { href: '#/' + sc.id, id: 'go-' + sc.id.replace('/', '-') }, sc.title))))] : [];
  view.body.append(
    ...group('Floor work', mine.filter(sc => !sc.lead && !sc.setup)),
    ...group('Lead', mine.filter(sc => sc.lead)),
    ...group('Device', mine.filter(sc => sc.setup)),
  );
  const first = view.body.querySelector('a');
  if (first) first.focus();
}

function route(notice) {
  currentHash = location.hash;
  header();
  const s = net.session();
  const path = location.hash.replace(/^#\/?/, '');
  if (!s) {
    mount(signin, { notice, done: () => { header(); queue.flush(); route(); } });
    return;
  }
  const [id, ...rest] = path.split('?');
  const screen = screens.find(sc => sc.id === id);
  if (!screen) { menu(typeof notice === 'string' ? notice : ''); return; }
  if (!screen.roles.includes(s.user.role)) { menu(`${screen.title} is for a lead: ask one, or sign in as one.`); return; }
  mount(screen, rest.join('?'));
}

function showPending(n, event) {
  const el = document.getElementById('pending');
  el.dataset.count = String(n);
  el.textContent = n ? `${n} pending` : '';
  // the queue drained (or the node is back): a "saved on this handheld"
  // message is stale
  const shown = document.getElementById('msg');
  if (!n && shown && shown.dataset.queued) { shown.className = 'msg'; delete shown.dataset.queued; shown.replaceChildren(); }
  el.title = n ? `${n} step(s) saved on this handheld, sent when the node can be reached` : '';
  if (event && event.refused) {
    const d = describe(event.error);
    const msg = document.getElementById('msg');
    feedback.failure(d.title);
    if (msg) {
      msg.className = 'msg err';
      delete msg.dataset.queued;
      msg.replaceChildren(...[h('p', { class: 'title' }, `A saved step (${event.refused.label || event.refused.path}) was refused when sent: ${d.title}`),
        d.fields ? h('ul', {}, d.fields.map(f => h('li', {}, f))) : null, h('p', { class: 'next' }, d.next)].filter(Boolean));
    }
  }
}

document.getElementById('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => {
  // leaving a screen with unsent work: stay (the address goes back) and say so
  if (!mayLeave()) { history.replaceState(null, '', currentHash || '#/'); return; }
  route();
});

(async () => {
  try {
    const cfg = await net.get('/app-config.json');
    scanner.setConfig(cfg);
  } catch { /* offline at start: the defaults */ }
  queue.onQueue(showPending);
  route();
  queue.flush();
})();
