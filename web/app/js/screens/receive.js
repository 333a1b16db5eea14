// Receive: dock, PO (or pallet), then item after item; close at the end.
import { code, form, table, h, num } from '../ui.js';
import * as scanner from '../scanner.js';
import { newRequestId } from '../net.js';
import { resolve, describeScan, packWord } from '../resolve.js';

const ASSOC = ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'];

export default {
  id: 'receive',
  title: 'Receive',
  roles: ASSOC,
  start(ctx) {
    const { view } = ctx;
    let dock = '';
    let receipt = null;

    const lines = () => {
      if (!receipt) return;
      const rows = (receipt.lines || []).map(l => [l.sku,
        receipt.blind_receiving ? '—' : num(l.expected_quantity),
        num(l.received_good_quantity) + num(l.received_damaged_quantity) + num(l.received_unexpected_quantity)]);
      const close = h('button', { type: 'button', class: 'quiet', id: 'close-receipt' }, 'Close receipt');
      close.addEventListener('click', closeReceipt);
      view.body.replaceChildren(h('h2', {}, `Receipt ${receipt.receipt_id} · ${receipt.po_number}`), table(['SKU', 'Expected', 'Received'], rows), h('div', { class: 'row noprint' }, close));
    };

    const refresh = async () => {
      try { receipt = (await ctx.get(`/v1/receipts/${receipt.receipt_id}`)).receipt; } catch { /* offline: keep what we had */ }
      lines();
    };

    const askDock = () => view.step('receive:dock', 'Scan the dock door', 'The label on the dock door you are unloading at (DOCK-…).', s => { dock = s.raw; askDocument(); });

    const askDocument = () => view.step('receive:document', ['Scan the PO number or a pallet label at ', code(dock.trim().toUpperCase())], 'The PO number on the paperwork (PO-…), or a pallet SSCC.', async s => {
      try {
        const r = await ctx.send('POST', '/v1/receipts', { request_id: newRequestId(), dock_location_scan: dock, document_scan: s.raw });
        receipt = r.receipt;
        view.ok(`Receipt ${receipt.receipt_id} started for ${receipt.po_number}.`, 'Scan the first item.');
        lines();
        askItem();
      } catch (err) {
        view.fail(err);
        if (err.violations && err.violations.some(v => v.field === 'dock_location_scan')) askDock();
      }
    });

    const askItem = () => view.step('receive:item', `Scan an item, case or pallet for ${receipt.po_number}`, 'Scan the barcode on the unit, case or pallet label.', async s => {
      let what = null;
      try { what = await resolve(s.raw); } catch (err) {
        if (!err.network) { view.fail(err); return; }
      }
      if (what && what.sscc && !what.gtin) { receive(s.raw, 0, {}, what); return; }
      askQty(s.raw, what);
      const sku = what && what.item && what.item.sku;
      if (sku && receipt && !receipt.blind_receiving && !(receipt.lines || []).some(l => l.sku === sku && num(l.expected_quantity) > 0)) {
        view.fail(`${sku} is not on ${receipt.po_number}.`, { next: 'Check the label. If it is right, receive it (it is recorded as not on the PO for a lead), or set it aside and tell a lead.' });
      }
    });

    const askQty = (raw, what, needLot = false, err = null) => {
      const label = what ? describeScan(what) : scanner.visible(raw);
      view.idle('receive:qty', ['How many ', packWord(what), ' of ', code(label), '?'],
        packWord(what) === 'labels' ? `Each label counts ${num(what.count) * Math.max(1, num(what.pack_quantity))} units: type how many such labels (1 for this one) and press Enter.` : 'Type the number and press Enter. Scanning again starts over with that scan.');
      view.scanning();
      const fields = [{ name: 'quantity', label: 'Quantity', type: 'number', inputmode: 'numeric', value: '1', min: '1', required: true }];
      if (needLot) fields.push({ name: 'lot', label: 'Lot (from the label)' }, { name: 'expiry', label: 'Expiry (YYYY-MM-DD)', inputmode: 'text', placeholder: 'YYYY-MM-DD' });
      const f = form(fields, 'Receive', v => receive(raw, num(v.quantity), { lot: v.lot, expiry: v.expiry }, what));
      view.body.replaceChildren(f.el);
      if (err) view.fail(err);
      scanner.onScan(s => { lines(); askItemWith(s); });
      f.inputs.quantity.focus();
      f.inputs.quantity.select();
    };
    const askItemWith = s => { askItem(); scanner.deliver(s.raw, s.source); };

    const receive = async (raw, quantity, extra, what, confirm = false) => {
      const body = { raw_scan: raw, quantity: String(quantity), condition: 'CONDITION_GOOD', confirm_pallet: confirm };
      if (extra.lot) body.lot = extra.lot;
      if (extra.expiry) body.expiry = extra.expiry;
      try {
        const r = await ctx.mutate('POST', `/v1/receipts/${receipt.receipt_id}/scans`, body, `receive ${quantity} × ${what ? describeScan(what) : raw}`);
        if (r.queued) { view.queued(`Receive ${quantity} × ${what ? describeScan(what) : 'scan'}`); lines(); askItem(); return; }
        const a = r.answer;
        if (a.confirmation_required) {
          const contents = (a.container_contents || []).map(c => `${num(c.quantity)} × ${c.sku}${c.lot ? ' lot ' + c.lot : ''}`).join(', ');
          view.info(`This pallet holds ${contents || 'nothing listed'}.`, 'Scan the pallet again, or press Confirm, to receive it whole.');
          const ok = h('button', { type: 'button', id: 'confirm-pallet' }, 'Confirm pallet');
          ok.addEventListener('click', () => receive(raw, 0, {}, what, true));
          view.body.replaceChildren(ok);
          view.step('receive:pallet', 'Scan the pallet again to confirm', '', s => s.raw === raw ? receive(raw, 0, {}, what, true) : askItemWith(s));
          return;
        }
        const got = (a.received || []).map(x => `${num(x.quantity)} × ${x.sku}${x.quarantined ? ' (quarantine)' : ''}`).join(', ');
        view.ok(`Received ${got}.`, 'Scan the next item, or close the receipt when the truck is empty.');
        await refresh();
        askItem();
      } catch (err) {
        const lotField = (err.violations || []).some(v => /^(lot|expiry)$/.test(v.field));
        if (lotField) { askQty(raw, what, true, err); return; }
        view.fail(err);
        lines();
        askItem();
      }
    };

    const closeReceipt = async () => {
      try {
        const r = await ctx.mutate('POST', `/v1/receipts/${receipt.receipt_id}:close`, {}, `close receipt ${receipt.receipt_id}`);
        if (r.queued) { view.queued(`Close receipt ${receipt.receipt_id}`); return; }
        const rc = r.answer.receipt;
        // What differed from the PO: short and over lines (hidden on a blind
        // receipt, where a lead reconciles), then the recorded exceptions.
        const diff = [
          ...(rc.lines || []).filter(l => num(l.short_quantity) > 0).map(l => `${l.sku} ${num(l.short_quantity)} short`),
          ...(rc.lines || []).filter(l => num(l.over_quantity) > 0).map(l => `${l.sku} ${num(l.over_quantity)} over`),
          ...(rc.exceptions || []).map(e => `${String(e.kind || '').replace(/_/g, ' ')}: ${e.sku} ${num(e.quantity)}`),
        ];
        const then = diff.length ? `${diff.join('; ')}. A lead sees them on Receiving progress.`
          : rc.blind_receiving ? 'A lead checks it against the PO on Receiving progress.' : 'Everything matched the PO.';
        view.ok(`Receipt ${rc.receipt_id} closed.`, then);
        receipt = null;
        view.body.replaceChildren();
        askDock();
      } catch (err) { view.fail(err); }
    };

    askDock();
  },
};
