// Pick: choose a pick list, scan the tote, then line by line: scan the
// location, scan the item (the stated quantity is picked), or report a
// short pick; drop the totes at the ship lane.
import { code, form, h, num } from '../ui.js';
import { newRequestId } from '../net.js';
import { resolve } from '../resolve.js';
import * as queue from '../queue.js';


export default {
  id: 'pick',
  title: 'Pick',
  roles: ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'],
  start(ctx) {
    const { view } = ctx;
    let list = null;
    let totes = [];
    // Picks confirmed offline (queued): the screen moves on at once and the
    // queue's answer is reconciled when it is sent. pending: line id ->
    // {line, qty, path, what}.
    const pending = new Map();
    let waiting = false; // every line is picked or pending: waiting for the queue
    // Lines this handheld finished online (picked or short): the list as
    // loaded still says open, so offline the next line skips them.
    const done = new Set();
    // known keeps the handheld's copy of the list up to date with a line
    // the node just sent (new lines from a reallocation too).
    const known = line => {
      const lines = list.lines = list.lines || [];
      const i = lines.findIndex(l => l.id === line.id);
      if (i < 0) lines.push(line); else lines[i] = line;
    };
    const confirmPath = (l, line) => `/v1/pick-lists/${l}/lines/${line}:confirm`;
    const stopQueue = queue.onQueue((n, ev) => {
      if (!list || !ev) return;
      const item = ev.sent || ev.refused;
      if (!item) return;
      for (const [id, p] of pending) {
        if (item.path !== p.path) continue;
        pending.delete(id);
        if (ev.refused) {
          done.delete(id);
          view.fail(ev.error, { next: `The ${p.what} at ${p.line.location_code} was refused when sent: go back to ${p.line.location_code} and do it again (it is back on your list).` });
          waiting = false;
          askLocation(p.line, 0);
          continue;
        }
        done.add(id);
        if (!pending.size && waiting) {
          waiting = false;
          view.ok('Every saved pick reached the node.');
          next();
        }
      }
    });

    const choose = async () => {
      view.idle('pick:list', 'Choose a pick list', '');
      let lists = [];
      try { lists = (await ctx.get('/v1/pick-lists', { page_size: 50 })).pick_lists || []; } catch (err) { view.fail(err); }
      lists = lists.filter(l => l.state === 'PICK_LIST_STATE_OPEN' || l.state === 'PICK_LIST_STATE_PICKING');
      view.body.replaceChildren(h('ul', { class: 'menu' }, lists.map(l => h('li', {}, h('a', {
        href: '#/pick', id: `list-${l.id}`,
        onclick: e => { e.preventDefault(); list = l; totes = []; l.state === 'PICK_LIST_STATE_OPEN' ? askTote() : next(); },
      }, `List ${l.id}: ${(l.lines || []).length} line${(l.lines || []).length === 1 ? "" : "s"}, ${(l.order_ids || []).length} order(s)${l.state === 'PICK_LIST_STATE_PICKING' ? ' (started)' : ''}`)))));
      if (!lists.length) view.note('No pick lists are open.', 'Ask a lead to build pick lists.');
    };

    const need = () => list.type === 'PICK_LIST_TYPE_CLUSTER' ? Math.max(1, (list.order_ids || []).length) : 1;

    const askTote = () => {
      view.body.replaceChildren();
      view.step('pick:tote', `Scan tote ${totes.length + 1} of ${need()} for list ${list.id}`, 'An empty tote label (LPN…).', async s => {
        totes.push(s.raw);
        if (totes.length < need()) { view.ok('Tote scanned.'); askTote(); return; }
        try {
          const r = await ctx.send('POST', '/v1/pick-lists:start', { request_id: newRequestId(), pick_list_id: String(list.id), tote_scans: totes });
          list = r.pick_list;
          view.ok(`Pick list ${list.id} started.`);
          next();
        } catch (err) { totes = []; view.fail(err); askTote(); }
      });
    };

    // nextLocal is the next line by the list as this handheld knows it
    // (walk order), skipping lines picked offline and not yet sent.
    const nextLocal = () => {
      const open = (list.lines || []).filter(l => l.state === 'LINE_STATE_OPEN' && !pending.has(l.id) && !done.has(l.id) && remaining(l) > 0);
      if (open.length) { askLocation(open[0], open.length); return; }
      waiting = true;
      view.body.replaceChildren(h('p', { class: 'card', id: 'pick-waiting' }, `${pending.size} pending: every line is picked. They are sent when Wi-Fi returns; then drop the totes at the ship lane.`));
      view.idle('pick:waiting', `${pending.size} pending`, 'Waiting for the connection to send the picks.');
    };

    const next = async () => {
      if (pending.size) { nextLocal(); return; }
      let r;
      try { r = await ctx.get(`/v1/pick-lists/${list.id}/next-line`); } catch (err) {
        if (err.network && list.lines) { nextLocal(); return; }
        view.fail(err); return;
      }
      if (r.done) { askShip(r.ship_location_code); return; }
      known(r.line);
      askLocation(r.line, num(r.remaining_lines));
    };

    const remaining = line => num(line.quantity) - num(line.picked_quantity) - num(line.short_quantity);

    const lineCard = (line, left) => h('div', { class: 'card' },
      h('p', {}, h('strong', {}, `Pick ${remaining(line)} × ${line.sku}`), ` ${line.description || ''}`),
      line.lot ? h('p', {}, `Lot ${line.lot}`) : null,
      h('p', {}, `${left} line${left === 1 ? '' : 's'} left · tote ${line.tote || ''}`),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'danger', id: 'short', onclick: () => askShort(line, left) }, 'Not enough here')));

    let locationScan = '';
    const askLocation = (line, left) => {
      view.body.replaceChildren(lineCard(line, left));
      view.step('pick:location', ['Scan location ', code(line.location_code)], `Then pick ${remaining(line)} × ${line.sku}.`, async s => {
        try {
          const r = await resolve(s.raw, line.location_code);
          if (!r.location || r.location.code !== line.location_code) {
            view.fail(`That is ${r.location && r.location.code ? r.location.code : (r.kind + ' ' + (r.code || ''))}, not ${line.location_code}.`, { next: `Go to ${line.location_code} and scan its label.` });
            return;
          }
        } catch (err) {
          if (!err.network) { view.fail(err); return; }
        }
        locationScan = s.raw;
        view.ok(`At ${line.location_code}.`);
        askItem(line, left);
      });
    };

    const askItem = (line, left) => {
      view.step('pick:item', ['Pick ', String(remaining(line)), ' × ', code(line.sku), ' and scan it'], line.description || '', async s => {
        const qty = remaining(line);
        try {
          const r = await ctx.mutate('POST', `/v1/pick-lists/${list.id}/lines/${line.id}:confirm`, { location_scan: locationScan, item_scan: s.raw, quantity: String(qty) }, `pick ${qty} × ${line.sku}`);
          if (r.queued) {
            // optimistic: the line counts as picked here, the next one is shown
            pending.set(line.id, { line, qty, path: confirmPath(list.id, line.id), what: `pick of ${qty} × ${line.sku}` });
            if (!(list.lines || []).some(l => l.id === line.id)) (list.lines = list.lines || []).push(line);
            view.queued(`Pick ${qty} × ${line.sku} (${pending.size} pending)`);
            nextLocal();
            return;
          }
          done.add(line.id);
          view.ok(`Picked ${qty} × ${line.sku} into tote ${line.tote || ''}.`);
          next();
        } catch (err) { view.fail(err); }
      });
    };

    // sendShort reports a short pick; units found are confirmed by a scan
    // of one of them (the node checks it is the line's item).
    const sendShort = async (line, left, found, reason, itemScan) => {
      try {
        const body = { location_scan: locationScan || line.location_code, found_quantity: String(found), reason };
        if (itemScan) body.item_scan = itemScan;
        const path = `/v1/pick-lists/${list.id}/lines/${line.id}:short`;
        const r = await ctx.mutate('POST', path, body, `short ${line.sku}`);
        if (r.queued) {
          pending.set(line.id, { line, qty: found, path, what: `short pick of ${line.sku}` });
          view.queued(`Short pick of ${line.sku} (${pending.size} pending)`);
          nextLocal();
          return;
        }
        done.add(line.id);
        const a = r.answer;
        view.ok('Short pick recorded.', a.reallocated_lines && a.reallocated_lines.length ? 'The rest comes from another location: it is next on your list.' : `${num(a.backordered_quantity)} backordered; a count of the location is requested.`);
        next();
      } catch (err) { view.fail(err); if (found > 0) askShort(line, left); }
    };

    const askShort = (line, left) => {
      view.idle('pick:short', ['Short at ', code(line.location_code)], 'Count what is there, then say why.');
      const f = form([
        { name: 'found', label: 'Units found', type: 'number', inputmode: 'numeric', value: '0', min: '0', required: true },
        { name: 'reason', label: 'Why', type: 'select', options: [['empty', 'Location empty'], ['damaged', 'Damaged'], ['not found', 'Not found']] },
      ], 'Report short', async v => {
        const found = num(v.found);
        if (found <= 0) { await sendShort(line, left, 0, v.reason, ''); return; }
        view.body.replaceChildren(lineCard(line, left));
        view.step('pick:short-item', ['Put the ', String(found), ' found in the tote and scan one: ', code(line.sku)],
          'Units found count packs of the barcode you scan.', async s => sendShort(line, left, found, v.reason, s.raw));
      }, [h('button', { type: 'button', class: 'quiet', onclick: () => askLocation(line, left) }, 'Back')]);
      view.body.replaceChildren(f.el);
      f.inputs.found.focus();
    };

    const askShip = ship => {
      view.body.replaceChildren();
      view.step('pick:ship', ['Drop the totes and scan ship lane ', code(ship || 'SHIP')], 'Every line is picked.', async s => {
        try {
          const r = await ctx.mutate('POST', `/v1/pick-lists/${list.id}:complete`, { ship_location_scan: s.raw }, `complete list ${list.id}`);
          if (r.queued) { view.queued(`Complete list ${list.id}`); choose(); return; }
          const back = r.answer.backordered_order_ids || [];
          view.ok(`Pick list ${list.id} done.`, back.length ? `Backordered: ${back.join(', ')}.` : 'All orders picked in full.');
          choose();
        } catch (err) { view.fail(err); }
      });
    };

    choose();
    return stopQueue;
  },
};
