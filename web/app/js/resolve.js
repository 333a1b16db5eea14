// resolve.js: what the node says a scan is (ResolveScan), for prompts and
// the scanner setup page. A read: nothing is queued when offline.
import { send } from './net.js';

export async function resolve(raw, expectedLocation = '') {
  return send('POST', '/v1/scans:resolve', { raw, expected_location_code: expectedLocation });
}

// describeScan is a short floor name for a resolved scan.
export function describeScan(r) {
  if (!r) return '';
  if (r.item && r.item.sku) {
    const pack = Number(r.pack_quantity || 1);
    const count = Number(r.count || 0); // AI 30/37: units on the label
    return `${r.item.sku} ${r.item.description || ''}${pack > 1 ? ` (case of ${pack})` : ''}${count > 0 ? ` (label of ${count * pack})` : ''}${r.lot ? ` lot ${r.lot}` : ''}${r.expiry ? ` exp ${r.expiry}` : ''}`.trim();
  }
  if (r.location && r.location.code) return `location ${r.location.code}`;
  if (r.sscc) return `pallet ${r.sscc}`;
  return `${r.kind} ${r.code || ''}`.trim();
}

// packWord is what one keyed quantity of a resolved scan is: a label that
// states its units (AI 30/37: the node multiplies by them), a case, or a
// unit.
export function packWord(r) {
  if (r && Number(r.count || 0) > 0) return 'labels';
  return r && Number(r.pack_quantity || 1) > 1 ? 'cases' : 'units';
}
