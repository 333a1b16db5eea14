// Putaway: choose a task (or scan what is in staging), go where the node
// directs, scan the location, confirm the quantity.
import { code, form, h, num } from '../ui.js';
import * as scanner from '../scanner.js';
import { resolve } from '../resolve.js';
import { sentence } from '../errors.js';

export default {
  id: 'putaway',
  title: 'Put away',
  roles: ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'],
  start(ctx) {
    const { view } = ctx;

    const choose = async () => {
      view.step('putaway:task', 'Scan the LPN or item to put away', 'Or choose a task below.', async s => {
        try {
          const r = await ctx.send('POST', '/v1/putaway/tasks:suggest', { scan: s.raw });
          direct(r.task, r.suggestion);
        } catch (err) { view.fail(err); }
      });
      let tasks = [];
      try { tasks = (await ctx.get('/v1/putaway/tasks', { page_size: 50 })).tasks || []; } catch (err) { view.fail(err); }
      view.body.replaceChildren(h('h2', {}, `${tasks.length} open task${tasks.length === 1 ? '' : 's'}`),
        h('ul', { class: 'menu' }, tasks.map(t => h('li', {}, h('a', {
          href: '#/putaway', id: `task-${t.id}`,
          onclick: async e => {
            e.preventDefault();
            try {
              const r = await ctx.send('POST', `/v1/putaway/tasks/${t.id}:suggest`, {});
              direct(r.task, r.suggestion);
            } catch (err) { view.fail(err); }
          },
        }, `${num(t.remaining_quantity)} × ${t.sku} from ${t.from_location_code}${t.lot ? ' lot ' + t.lot : ''}`)))));
    };

    const direct = (task, sug) => {
      const qty = Math.min(num(task.remaining_quantity), num(sug.quantity) || num(task.remaining_quantity));
      view.body.replaceChildren(h('div', { class: 'card' },
        h('p', {}, `Take ${qty} × ${task.sku} from ${task.from_location_code}.`),
        h('p', {}, sentence(sug.reason))),
      h('div', { class: 'row' }, h('button', { type: 'button', class: 'quiet', onclick: choose }, 'Back to tasks')));
      view.step('putaway:location', ['Scan location ', code(sug.location_code)], `Or type its check code. ${sentence(sug.reason)}`, async s => {
        let r = null;
        try { r = await resolve(s.raw, sug.location_code); } catch (err) { if (!err.network) { view.fail(err); return; } }
        if (r && (!r.location || r.location.code !== sug.location_code)) {
          const other = r.location && r.location.code;
          view.fail(`That is ${other || describe(r)}, not ${sug.location_code}.`, { next: `Scan location ${sug.location_code}.${other && mayOverride() ? ' To put it in ' + other + ' instead, press Put it in ' + other + ' and give a reason.' : ''}` });
          if (other && mayOverride()) {
            view.body.append(h('div', { class: 'row' }, h('button', { type: 'button', class: 'quiet', id: 'override', onclick: () => askQty(task, sug, s.raw, qty, other) }, `Put it in ${other}`)));
          }
          return;
        }
        askQty(task, sug, s.raw, qty);
      });
    };
    const describe = r => `${r.kind || 'a scan'} ${r.code || ''}`.trim();
    // an override (another location than the directed one) is a lead's call
    const mayOverride = () => ctx.user && ctx.user.role !== 'ROLE_ASSOCIATE';

    const askQty = (task, sug, locationScan, qty, override = '') => {
      const where = override || sug.location_code;
      view.idle('putaway:qty', ['How many did you put in ', code(where), '?'], override ? `Not the directed ${sug.location_code}: say why.` : 'Type the number and press Enter.');
      const fields = [{ name: 'quantity', label: 'Quantity', type: 'number', inputmode: 'numeric', value: String(qty), min: '1', required: true }];
      if (override) fields.push({ name: 'override_reason', label: `Why ${override}, not ${sug.location_code}`, required: true });
      const f = form(fields, 'Confirm', async v => {
        try {
          const body = { location_scan: locationScan, quantity: String(num(v.quantity)) };
          if (override) body.override_reason = v.override_reason;
          const r = await ctx.mutate('POST', `/v1/putaway/tasks/${task.id}:confirm`, body, `put away ${v.quantity} × ${task.sku}`);
          if (r.queued) { view.queued(`Put away ${v.quantity} × ${task.sku}`); choose(); return; }
          const left = num(r.answer.task.remaining_quantity);
          view.ok(`Put away ${v.quantity} × ${task.sku} in ${where}.`, left ? `${left} left on this task: scan the next location.` : 'Task done: choose the next one.');
          if (left) {
            const again = await ctx.send('POST', `/v1/putaway/tasks/${task.id}:suggest`, {});
            direct(again.task, again.suggestion);
          } else choose();
        } catch (err) {
          view.fail(err);
          direct(task, sug);
        }
      });
      view.body.replaceChildren(f.el);
      scanner.onScan(s => { direct(task, sug); scanner.deliver(s.raw, s.source); });
      f.inputs.quantity.focus();
      f.inputs.quantity.select();
    };

    choose();
  },
};
