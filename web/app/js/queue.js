// queue.js: mutating calls, and the offline queue behind them.
//
// Every mutating call carries a request_id. A call that fails because the
// node cannot be reached is kept in IndexedDB and sent again, in the order
// it was made, when the connection returns: the node answers a repeated
// request id with its first answer and changes nothing, so a scan sent
// twice (the first reached the node, its answer did not reach us) is
// counted once. While anything is queued, new calls queue behind it, so
// order is kept. A queued call is sent only under the badge that made it:
// after a sign-out it waits until that badge signs in again on this
// handheld, so nothing is recorded under someone else's name.

import { send, newRequestId, ApiError, session } from './net.js';

const DB_NAME = 'floorops';
const STORE = 'outbox';
let dbp = null;
const listeners = new Set();
let flushing = null;
let retryTimer = 0;

function db() {
  if (!dbp) {
    dbp = new Promise((resolve, reject) => {
      const req = indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = () => req.result.createObjectStore(STORE, { keyPath: 'seq', autoIncrement: true });
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
  }
  return dbp;
}

async function tx(mode, fn) {
  const d = await db();
  return new Promise((resolve, reject) => {
    const t = d.transaction(STORE, mode);
    const st = t.objectStore(STORE);
    let out;
    Promise.resolve(fn(st)).then(v => { out = v; });
    t.oncomplete = () => resolve(out);
    t.onerror = () => reject(t.error);
    t.onabort = () => reject(t.error);
  });
}

const req2p = r => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });

export async function pending() {
  return tx('readonly', st => req2p(st.getAll()));
}

export async function pendingCount() {
  return tx('readonly', st => req2p(st.count()));
}

async function notify(event) {
  const n = await pendingCount();
  for (const fn of listeners) fn(n, event);
}

// onQueue(fn): fn(count, event) after every change; event is
// {sent: item, answer} or {refused: item, error} or undefined.
export function onQueue(fn) { listeners.add(fn); notify(); return () => listeners.delete(fn); }

async function enqueue(item) {
  await tx('readwrite', st => { st.add(item); });
  await notify();
}

// mutate sends a mutating call, or queues it. It returns {answer} when the
// node answered, {queued: true} when the call waits in the queue; a refusal
// by the node throws ApiError.
export async function mutate(method, path, body, label = '') {
  body = { ...body };
  if (!body.request_id) body.request_id = newRequestId();
  const s = session();
  const item = { method, path, body, label, badge: s ? s.user.badge : '', at: new Date().toISOString() };
  if (await pendingCount() > 0) {
    await enqueue(item);
    flush();
    return { queued: true, request_id: body.request_id };
  }
  try {
    return { answer: await send(method, path, body), request_id: body.request_id };
  } catch (e) {
    if (e instanceof ApiError && e.retryable) {
      await enqueue(item);
      scheduleRetry();
      return { queued: true, request_id: body.request_id };
    }
    throw e;
  }
}

function scheduleRetry() {
  clearTimeout(retryTimer);
  retryTimer = setTimeout(flush, 5000);
}

// flush sends what is queued, oldest first, stopping at the first call the
// node cannot be reached for. A call the node refuses is dropped from the
// queue and reported to listeners (the associate is told what to do); one
// refused for the session (signed out, expired) waits for the next sign-in.
export function flush() {
  if (flushing) return flushing;
  flushing = (async () => {
    try {
      for (;;) {
        const first = await tx('readonly', st => req2p(st.openCursor()).then(c => c && c.value));
        if (!first) return;
        const s = session();
        if (!s || s.user.badge !== first.badge) { await notify(); return; }
        try {
          const answer = await send(first.method, first.path, first.body);
          await tx('readwrite', st => { st.delete(first.seq); });
          await notify({ sent: first, answer });
        } catch (e) {
          if (!(e instanceof ApiError) || e.retryable || e.code === 16) {
            scheduleRetry();
            await notify();
            return;
          }
          await tx('readwrite', st => { st.delete(first.seq); });
          await notify({ refused: first, error: e });
        }
      }
    } finally {
      flushing = null;
    }
  })();
  return flushing;
}

window.addEventListener('online', () => flush());
