// Scanner setup: scan anything and see what arrived, key by key (with the
// gap between keys, so a burst shows as a burst), the suffix, the AIM
// prefix, and what the node parsed it as.
import { h, table } from '../ui.js';
import * as scanner from '../scanner.js';
import { resolve } from '../resolve.js';

export default {
  id: 'setup',
  title: 'Scanner setup',
  setup: true,
  roles: ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'],
  start({ view }) {
    const show = async s => {
      const keyRows = s.keys.map(k => [
        k.key === '\x1d' ? '<GS>' : k.key, k.code || '', [k.ctrl && 'Ctrl', k.alt && 'Alt', k.shift && 'Shift'].filter(Boolean).join('+'),
        k.ch === null ? (k.note || '—') : scanner.visible(k.ch), `${k.gap} ms`]);
      const parsed = h('div', { id: 'parsed' }, h('p', {}, 'Asking the node…'));
      view.body.replaceChildren(
        h('h2', {}, 'Last scan'),
        h('p', { class: 'mono', id: 'last-raw' }, scanner.visible(s.raw)),
        h('p', {}, `Read as: ${s.source === 'burst' ? 'a scanner burst' : s.source === 'typed' ? 'typing (slower than a scanner)' : s.source}; suffix ${s.suffix || 'none'}; AIM prefix ${s.aim || 'none'}; FNC1 stand-in ${scanner.standin() ? `"${scanner.standin()}"` : 'none configured'}.`),
        h('h2', {}, 'Node parsed it as'), parsed,
        h('h2', {}, `Keys (${s.keys.length})`),
        table(['Key', 'Code', 'Mods', 'Char', 'Gap'], keyRows));
      try {
        const r = await resolve(s.raw);
        const ais = Object.entries(r.ais || {}).map(([k, v]) => `(${k}) ${v}`).join(' ');
        parsed.replaceChildren(table(['Field', 'Value'], [
          ['Kind', r.kind], ['Code', r.code || ''], ['GTIN', r.gtin || ''], ['SSCC', r.sscc || ''], ['Lot', r.lot || ''], ['Expiry', r.expiry || ''],
          ['AIs', ais], ['Item', r.item ? `${r.item.sku} ${r.item.description}` : ''], ['Location', r.location ? r.location.code : ''], ['Known here', r.found ? 'yes' : 'no'], ['Note', r.note || '']].filter(([, v]) => v !== '')));
        parsed.dataset.kind = r.kind;
        view.ok(`Read: ${r.kind}`);
      } catch (err) {
        parsed.replaceChildren(h('p', {}, 'The node could not read it.'));
        view.fail(err);
      }
    };
    view.step('setup:scan', 'Scan any barcode', 'Set the scanner to send Enter (or Tab) after each scan, and GS for FNC1 (or the stand-in shown below).', show);
    const s = scanner.lastScan();
    if (s) show(s);
  },
};
