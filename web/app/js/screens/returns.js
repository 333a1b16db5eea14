// Returns: scan the RMA (or the order label, or the item itself when there
// is no paperwork), the item and how many, then grade them A-D with what
// was found wrong, see what the rules suggest, and apply it or override it
// with a reason. Receiving and grading need the connection (the next step
// reads their answer); the disposition may wait in the offline queue.
import { code, form, h, num, table } from '../ui.js';
import * as scanner from '../scanner.js';
import { newRequestId } from '../net.js';
import { resolve, describeScan } from '../resolve.js';

const GRADES = [
  ['A', 'New, sealed'],
  ['B', 'Opened, like new'],
  ['C', 'Cosmetic damage'],
  ['D', 'Defective'],
];

export const DISPOSITIONS = {
  restock: 'Restock (on sale now)',
  refurbish: 'Refurbish',
  return_to_vendor: 'Return to vendor',
  liquidate: 'Liquidate',
  dispose: 'Dispose',
  quarantine: 'Hold in quarantine',
};

const says = d => (DISPOSITIONS[d] || d || '').replace(/ \(.*\)$/, '').toLowerCase();

// flags is what is wrong with a unit, in floor words.
export function flags(u) {
  const f = [];
  const ex = u.exceptions || [];
  if (u.reason === 'wrong_item' || ex.some(e => e.includes('wrong_item'))) f.push('Wrong item: not the SKU on the RMA');
  if (ex.some(e => e.includes('unexpected'))) f.push('No RMA: unexpected return');
  if (ex.some(e => e.includes('over_'))) f.push('More than authorized or shipped');
  if (u.missing_parts) f.push('Parts missing');
  if (u.expired) f.push('Expired');
  return f;
}

const unitName = u => `${num(u.quantity)} × ${u.sku}${u.lot ? ' lot ' + u.lot : ''}${u.serial ? ' serial ' + u.serial : ''}`;

export default {
  id: 'returns',
  title: 'Returns',
  roles: ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'],
  start(ctx) {
    const { view } = ctx;
    let rma = null; // the RMA being received, or {order_ref} / {} without one

    const askPaperwork = async () => {
      rma = null;
      view.step('returns:start', 'Scan the RMA or order label', 'No paperwork? Scan the item itself: it is received as an unexpected return.', s => paperwork(s.raw));
      let waiting = [];
      try { waiting = (await ctx.get('/v1/returns/queue', { page_size: 20 })).units || []; } catch { /* offline: no list */ }
      if (!view.alive() || ctx.view.main.dataset.step !== 'returns:start') return;
      view.body.replaceChildren(waiting.length ? h('h2', {}, 'Waiting to grade or disposition') : '',
        h('ul', { class: 'menu' }, waiting.map(u => h('li', {}, h('a', {
          href: '#/returns', id: `unit-${u.unit_id}`,
          onclick: e => { e.preventDefault(); u.grade ? askDisposition(u) : askGrade(u); },
        }, `${unitName(u)} · ${u.grade ? 'grade ' + u.grade : 'not graded'}`)))));
    };

    const paperwork = async raw => {
      const key = raw.trim();
      // An item's barcode (no paperwork): an unexpected return. Asked first,
      // so a GTIN is never looked up as an RMA number.
      let what = null;
      try { what = await resolve(raw); } catch (err) { if (err.network) { view.fail(err); return; } }
      if (what && what.item && what.item.sku) {
        rma = {};
        view.info('No RMA: received as an unexpected return.', 'A lead sees it on the returns queue.');
        askQty(raw, what);
        return;
      }
      try {
        rma = (await ctx.get(`/v1/rmas/${encodeURIComponent(key)}`)).rma;
        view.ok(`RMA ${rma.rma_number} for order ${rma.order_ref}.`, 'Scan the first returned item.');
        askItem();
        return;
      } catch (err) { if (err.code !== 5 && err.code !== 3) { view.fail(err); return; } }
      // Not an RMA number: an order label.
      try {
        const hit = ((await ctx.get('/v1/rmas', { order_ref: key, page_size: 1 })).rmas || [])[0];
        if (hit) {
          rma = (await ctx.get(`/v1/rmas/${encodeURIComponent(hit.rma_number)}`)).rma;
          view.ok(`Order ${key}: RMA ${rma.rma_number}.`, 'Scan the first returned item.');
        } else {
          rma = { order_ref: key };
          view.info(`No RMA for ${key}: taken as the order of an unexpected return.`, 'Scan the item. If the code was not an order number, press Start over.');
        }
        askItem();
      } catch (err) { view.fail(err); }
    };

    const rmaLines = () => {
      const over = h('button', { type: 'button', class: 'quiet', id: 'returns-restart', onclick: askPaperwork }, rma && rma.rma_number ? 'Done with this RMA' : 'Start over');
      const lines = rma && rma.lines || [];
      view.body.replaceChildren(...[
        rma && rma.rma_number ? h('h2', {}, `RMA ${rma.rma_number} · order ${rma.order_ref} · ${rma.channel}`) : h('h2', {}, rma && rma.order_ref ? `Order ${rma.order_ref}, no RMA` : 'No RMA'),
        lines.length ? table(['SKU', 'Reason', 'Authorized', 'Received'], lines.map(l => [l.sku, l.reason, num(l.quantity), num(l.received_quantity)])) : null,
        h('div', { class: 'row' }, over)].filter(Boolean));
    };

    const askItem = () => {
      rmaLines();
      view.step('returns:item', rma && rma.rma_number ? ['Scan a returned item for ', code(rma.rma_number)] : 'Scan the returned item',
        'Its barcode, or type its SKU. Scan one unit at a time to grade each on its own.', async s => {
          let what = null;
          try { what = await resolve(s.raw); } catch (err) { if (!err.network) { view.fail(err); return; } }
          askQty(s.raw, what);
        });
    };

    const askQty = (raw, what, err = null) => {
      const item = what && what.item || {};
      const label = what ? describeScan(what) : scanner.visible(raw);
      view.idle('returns:qty', ['How many ', code(label), ' came back?'], 'Units graded together share one grade: receive different conditions separately.');
      view.scanning();
      const fields = [];
      if (!item.serial_tracked) fields.push({ name: 'quantity', label: 'Units', type: 'number', inputmode: 'numeric', value: '1', min: '1', required: true });
      if (item.lot_tracked && !what.lot) fields.push({ name: 'lot', label: 'Lot (from the label)', required: true });
      if (item.expiry_tracked && !what.expiry) fields.push({ name: 'expiry', label: 'Expiry (YYYY-MM-DD)', inputmode: 'text', placeholder: 'YYYY-MM-DD' });
      if (item.serial_tracked && !what.serial) fields.push({ name: 'serial', label: 'Serial number', required: true });
      const f = form(fields, 'Receive', v => receive(raw, what, v), [h('button', { type: 'button', class: 'quiet', onclick: askItem }, 'Back')]);
      view.body.replaceChildren(f.el);
      if (err) view.fail(err);
      scanner.onScan(s => { askItem(); scanner.deliver(s.raw, s.source); });
      const first = Object.values(f.inputs)[0];
      if (first) { first.focus(); if (first.select) first.select(); }
    };

    const receive = async (raw, what, v) => {
      const body = { request_id: newRequestId(), raw_scan: raw, quantity: String(v.quantity ? num(v.quantity) : 1) };
      if (rma && rma.rma_number) body.rma_number = rma.rma_number;
      else if (rma && rma.order_ref) body.order_ref = rma.order_ref;
      for (const k of ['lot', 'expiry', 'serial']) if (v[k]) body[k] = v[k];
      try {
        const u = (await ctx.send('POST', '/v1/returns:receive', body)).unit;
        const f = flags(u);
        view.ok(`Received ${unitName(u)} at ${u.location_code}.`, f.length ? `${f.join('; ')}. Now grade them.` : 'Now grade them.');
        if (rma && rma.rma_number) { try { rma = (await ctx.get(`/v1/rmas/${encodeURIComponent(rma.rma_number)}`)).rma; } catch { /* keep */ } }
        askGrade(u);
      } catch (err) {
        if ((err.violations || []).some(x => /^(lot|expiry|serial)$/.test(x.field))) { askQty(raw, what ? { ...what, item: { ...what.item, lot_tracked: true, expiry_tracked: true } } : what, err); return; }
        view.fail(err);
        if (!err.network) askItem();
      }
    };

    const askGrade = u => {
      view.idle('returns:grade', ['Grade ', code(unitName(u))], 'Choose the condition. Tick what you found first.');
      const found = flags(u).filter(x => !/^(Parts missing|Expired)$/.test(x));
      const missing = h('input', { type: 'checkbox', id: 'flag-missing', checked: !!u.missing_parts });
      const expired = h('input', { type: 'checkbox', id: 'flag-expired', checked: !!u.expired });
      const grade = async g => {
        try {
          const r = await ctx.send('POST', `/v1/returns/units/${u.unit_id}:grade`, { request_id: newRequestId(), grade: g, missing_parts: missing.checked, expired: expired.checked });
          view.ok(`Graded ${g}: the rules say ${says(r.unit.suggested_disposition)}.`, 'Apply it, or override it with a reason.');
          askDisposition(r.unit);
        } catch (err) { view.fail(err); }
      };
      view.body.replaceChildren(...[
        found.length ? h('ul', { class: 'reasons', id: 'unit-flags' }, found.map(x => h('li', { class: 'bad' }, x))) : null,
        h('fieldset', { class: 'card flags' }, h('legend', {}, 'Found'),
          h('label', { class: 'check' }, missing, ' Parts missing'),
          h('label', { class: 'check' }, expired, ' Expired')),
        h('div', { class: 'grades', role: 'group', 'aria-label': 'Condition' }, GRADES.map(([g, what]) =>
          h('button', { type: 'button', id: `grade-${g}`, onclick: () => grade(g) }, h('span', { class: 'grade' }, g), h('span', {}, what)))),
        h('div', { class: 'row' }, h('button', { type: 'button', class: 'quiet', onclick: () => (rma ? askItem() : askPaperwork()) }, 'Later'))].filter(Boolean));
      view.body.querySelector('#grade-A').focus();
    };

    const askDisposition = u => {
      const sug = u.suggested_disposition;
      view.idle('returns:disposition', ['Rules say: ', code(says(sug))], `${unitName(u)} graded ${u.grade}${flags(u).length ? ' · ' + flags(u).join('; ') : ''}.`);
      const apply = h('button', { type: 'button', id: 'apply-disposition' }, `Apply: ${says(sug)}`);
      apply.addEventListener('click', () => dispose(u, {}));
      const others = Object.entries(DISPOSITIONS).filter(([d]) => d !== sug);
      const override = form([
        { name: 'disposition', label: 'Instead', type: 'select', options: others },
        { name: 'override_reason', label: 'Why (required)', required: true },
      ], 'Override', v => dispose(u, v));
      view.body.replaceChildren(h('div', { class: 'row' }, apply,
        h('button', { type: 'button', class: 'quiet', id: 'regrade', onclick: () => askGrade(u) }, 'Grade again')),
      h('h2', {}, 'Override the rules'), override.el,
      h('p', { class: 'hint' }, 'Only a lead may restock what the rules would not.'));
      apply.focus();
    };

    const dispose = async (u, v) => {
      const body = v.disposition ? { disposition: v.disposition, override_reason: v.override_reason } : {};
      const label = `${unitName(u)} → ${says(v.disposition || u.suggested_disposition)}`;
      try {
        const r = await ctx.mutate('POST', `/v1/returns/units/${u.unit_id}:disposition`, body, label);
        if (r.queued) view.queued(label);
        else {
          const d = r.answer.unit;
          if (d.disposition === 'restock') view.ok(`Restocked ${unitName(d)}: on sale now.`, `Put away task ${r.answer.putaway_task_id} moves them from ${d.location_code} to storage.`);
          else view.ok(`${unitName(d)}: ${says(d.disposition)}${d.override_reason ? ' (override)' : ''}.`, `Take them to ${d.disposition_location_code || d.location_code}.`);
        }
        if (rma && (rma.rma_number || rma.order_ref)) askItem(); else askPaperwork();
      } catch (err) { view.fail(err); }
    };

    askPaperwork();
  },
};
