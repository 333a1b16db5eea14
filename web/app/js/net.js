// net.js: the node's REST face. One fetch wrapper: the session's bearer
// token, JSON in and out, and the node's gRPC-status JSON errors turned
// into ApiError (code, message, field violations) or a network failure.

const SESSION_KEY = 'floorops.session';
const DEVICE_KEY = 'floorops.device';

export class ApiError extends Error {
  constructor({ network = false, httpStatus = 0, code = 2, message = '', violations = [] }) {
    super(message || (network ? 'no connection to the node' : 'the node refused'));
    this.network = network;
    this.httpStatus = httpStatus;
    this.code = code; // gRPC code number, as the node's JSON carries it
    this.violations = violations; // [{field, description}]
  }
  // retryable: the call may succeed later unchanged (sent again with the
  // same request id, it is never applied twice).
  get retryable() {
    return this.network || this.code === 14 || [502, 503, 504].includes(this.httpStatus);
  }
}

export function session() {
  try {
    const s = JSON.parse(localStorage.getItem(SESSION_KEY) || 'null');
    if (s && s.token && (!s.expire_time || Date.parse(s.expire_time) > Date.now())) return s;
  } catch { /* a damaged entry is no session */ }
  return null;
}

export function saveSession(s) { localStorage.setItem(SESSION_KEY, JSON.stringify(s)); }
export function clearSession() { localStorage.removeItem(SESSION_KEY); }

function hex(bytes) { return Array.from(bytes, b => b.toString(16).padStart(2, '0')).join(''); }

// deviceId is this handheld's id for Login, kept across sessions.
export function deviceId() {
  let id = localStorage.getItem(DEVICE_KEY);
  if (!id) {
    id = 'web-' + hex(crypto.getRandomValues(new Uint8Array(4)));
    localStorage.setItem(DEVICE_KEY, id);
  }
  return id;
}

// newRequestId is a random UUID (v4). crypto.randomUUID exists only on
// https or localhost; a handheld on plain http to the node has
// getRandomValues.
export function newRequestId() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = hex(b);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

// send makes one call. body undefined means no body; query is an object.
export async function send(method, path, body, query) {
  let url = path;
  if (query) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(query)) {
      if (v === undefined || v === null || v === '') continue;
      for (const one of Array.isArray(v) ? v : [v]) q.append(k, String(one));
    }
    const qs = q.toString();
    if (qs) url += '?' + qs;
  }
  const headers = { Accept: 'application/json' };
  const s = session();
  if (s) headers.Authorization = 'Bearer ' + s.token;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let resp;
  try {
    resp = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (e) {
    throw new ApiError({ network: true, message: String(e && e.message || e) });
  }
  const text = await resp.text().catch(() => '');
  let json = null;
  try { json = text ? JSON.parse(text) : {}; } catch { json = null; }
  if (resp.ok && json) return json;
  if (json && typeof json.code === 'number') {
    const violations = [];
    for (const d of json.details || []) {
      for (const v of d.field_violations || d.fieldViolations || []) violations.push({ field: v.field || '', description: v.description || '' });
    }
    throw new ApiError({ httpStatus: resp.status, code: json.code, message: json.message || '', violations });
  }
  // Not the node's answer (a proxy, a captive portal): treat as no connection.
  throw new ApiError({ network: resp.status >= 500 || resp.status === 0, httpStatus: resp.status, code: resp.status === 404 ? 5 : 14, message: `HTTP ${resp.status}` });
}

export const get = (path, query) => send('GET', path, undefined, query);
