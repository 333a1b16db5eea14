// Pick: choose a pick list, scan the tote, then line by line: scan the
// location, scan the item (the stated quantity is picked), or report a
// short pick; drop the totes at the ship lane.
import { code, form, h, num } from '../ui.js';
import { newRequestId } from '../net.js';
import { resolve } from '../resolve.js';


export default {
  id: 'pick',
  title: 'Pick',
  roles: ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'],
  start(ctx) {
    const { view } = ctx;
    let list = null;
    let totes = [];

    const choose = async () => {
      view.idle('pick:list', 'Choose a pick list', '');
      let lists = [];
      try { lists = (await ctx.get('/v1/pick-lists', { page_size: 50 })).pick_lists || []; } catch (err) { view.fail(err); }
      lists = lists.filter(l => l.state === 'PICK_LIST_STATE_OPEN' || l.state === 'PICK_LIST_STATE_PICKING');
      view.body.replaceChildren(h('ul', { class: 'menu' }, lists.map(l => h('li', {}, h('a', {
        href: '#/pick', id: `list-${l.id}`,
        onclick: e => { e.preventDefault(); list = l; totes = []; l.state === 'PICK_LIST_STATE_OPEN' ? askTote() : next(); },
      }, `List ${l.id}: ${(l.lines || []).length} lines, ${(l.order_ids || []).length} order(s)${l.state === 'PICK_LIST_STATE_PICKING' ? ' (started)' : ''}`)))));
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

    const next = async () => {
      let r;
      try { r = await ctx.get(`/v1/pick-lists/${list.id}/next-line`); } catch (err) { view.fail(err); return; }
      if (r.done) { askShip(r.ship_location_code); return; }
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
          if (r.queued) { view.queued(`Pick ${qty} × ${line.sku}`); return; }
          view.ok(`Picked ${qty} × ${line.sku} into tote ${line.tote || ''}.`);
          next();
        } catch (err) { view.fail(err); }
      });
    };

    const askShort = (line, left) => {
      view.idle('pick:short', ['Short at ', code(line.location_code)], 'Count what is there, then say why.');
      const f = form([
        { name: 'found', label: 'Units found', type: 'number', inputmode: 'numeric', value: '0', min: '0', required: true },
        { name: 'reason', label: 'Why', type: 'select', options: [['empty', 'Location empty'], ['damaged', 'Damaged'], ['not found', 'Not found']] },
      ], 'Report short', async v => {
        try {
          const r = await ctx.mutate('POST', `/v1/pick-lists/${list.id}/lines/${line.id}:short`, { location_scan: locationScan || line.location_code, found_quantity: String(num(v.found)), reason: v.reason }, `short ${line.sku}`);
          if (r.queued) { view.queued(`Short pick of ${line.sku}`); return; }
          const a = r.answer;
          view.ok('Short pick recorded.', a.reallocated_lines && a.reallocated_lines.length ? 'The rest comes from another location: it is next on your list.' : `${num(a.backordered_quantity)} backordered; a count of the location is requested.`);
          next();
        } catch (err) { view.fail(err); }
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
  },
};
