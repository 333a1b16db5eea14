// Count (blind): scan the location, scan and count each item, submit.
// The associate never sees what the record expects.
import { code, form, h, num, table } from '../ui.js';
import * as scanner from '../scanner.js';
import { newRequestId } from '../net.js';
import { resolve, describeScan } from '../resolve.js';

const OUTCOME = {
  COUNT_OUTCOME_POSTED: ['Count accepted.', 'Choose the next count.'],
  COUNT_OUTCOME_RECOUNT: ['Count recorded: another associate recounts this location.', 'Choose the next count.'],
  COUNT_OUTCOME_PENDING_APPROVAL: ['Count recorded: a lead reviews it.', 'Choose the next count.'],
  COUNT_OUTCOME_STOCK_MOVED: ['Stock moved here while you counted: the location is counted again.', 'Choose the next count.'],
};

export default {
  id: 'count',
  title: 'Count',
  roles: ['ROLE_ASSOCIATE', 'ROLE_LEAD', 'ROLE_ADMIN'],
  start(ctx) {
    const { view } = ctx;
    let count = null;
    let lines = [];
    ctx.unsaved(() => (count && lines.length ? `${lines.length === 1 ? '1 line' : lines.length + ' lines'} counted at ${count.location_code} ${lines.length === 1 ? 'is' : 'are'} not submitted yet. Press Submit count first.` : ''));

    const choose = async () => {
      count = null; lines = [];
      view.step('count:choose', 'Scan a location to count', 'Or choose one of your counts below.', s => startCount(s.raw, null));
      let tasks = [];
      try { tasks = (await ctx.get('/v1/count-tasks', { page_size: 100 })).tasks || []; } catch (err) { view.fail(err); }
      const me = ctx.user && ctx.user.badge;
      const assoc = ctx.user.role === 'ROLE_ASSOCIATE';
      // a recount of my own count is for another pair of eyes: not in my list
      tasks = tasks.filter(t => !assoc || ((!t.assigned_to || t.assigned_to === me) && t.not_by !== me));
      view.body.replaceChildren(h('h2', {}, `${tasks.length} count${tasks.length === 1 ? '' : 's'} to do`),
        h('ul', { class: 'menu' }, tasks.map(t => h('li', {}, h('a', {
          href: '#/count', id: `count-${t.id}`,
          onclick: e => { e.preventDefault(); askLocation(t); },
        }, `${t.location_code}${t.task_kind ? ' · ' + t.task_kind : ''}`)))));
    };

    const askLocation = t => {
      view.body.replaceChildren();
      view.step('count:location', ['Scan location ', code(t.location_code)], 'Or type its check code.', s => startCount(s.raw, t.id));
    };

    const startCount = async (raw, id) => {
      try {
        const body = { request_id: newRequestId(), location_scan: raw };
        if (id) body.count_id = String(id);
        count = (await ctx.send('POST', '/v1/counts', body)).count;
        lines = [];
        view.ok(`Counting ${count.location_code}.`, 'Scan each item there and type how many.');
        askItem();
      } catch (err) { view.fail(err); }
    };

    const render = () => {
      const submit = h('button', { type: 'button', id: 'submit-count', disabled: !lines.length }, 'Submit count');
      submit.addEventListener('click', () => submitCount(false));
      const empty = h('button', { type: 'button', class: 'quiet', id: 'empty-count', disabled: !!lines.length }, 'Location is empty');
      empty.addEventListener('click', () => submitCount(true));
      view.body.replaceChildren(
        lines.length ? table(['Item', 'Counted'], lines.map(l => [l.label, l.quantity])) : h('p', {}, 'Nothing counted yet.'),
        h('div', { class: 'row' }, submit, empty));
    };

    const askItem = () => {
      render();
      view.step('count:item', ['Scan an item in ', code(count.location_code)], 'Scan each different item once, then type how many there are.', async s => {
        let what = null;
        try { what = await resolve(s.raw); } catch (err) { if (!err.network) { view.fail(err); return; } }
        askQty(s.raw, what);
      });
    };

    const askQty = (raw, what) => {
      const label = what ? describeScan(what) : raw;
      view.idle('count:qty', ['How many ', code(label), '?'], 'Count every unit of it in this location (eaches).');
      const f = form([{ name: 'quantity', label: 'Counted', type: 'number', inputmode: 'numeric', value: '', min: '0', required: true }], 'Add', v => {
        const q = num(v.quantity);
        const same = lines.find(l => l.item_scan === raw);
        if (same) same.quantity += q; else lines.push({ item_scan: raw, quantity: q, label });
        view.ok(`${q} × ${label} counted.`, 'Scan the next item, or submit the count.');
        askItem();
      }, [h('button', { type: 'button', class: 'quiet', onclick: askItem }, 'Back')]);
      view.body.replaceChildren(f.el);
      scanner.onScan(s => { askItem(); scanner.deliver(s.raw, s.source); });
      f.inputs.quantity.focus();
    };

    const submitCount = async empty => {
      const body = empty ? { confirmed_empty: true } : { lines: lines.map(l => ({ item_scan: l.item_scan, quantity: String(l.quantity) })) };
      try {
        const r = await ctx.mutate('POST', `/v1/counts/${count.id}:submit`, body, `count of ${count.location_code}`);
        if (r.queued) { view.queued(`Count of ${count.location_code}`); choose(); return; }
        const [title, next] = OUTCOME[r.answer.outcome] || ['Count recorded.', ''];
        view.ok(title, next);
        choose();
      } catch (err) { view.fail(err); }
    };

    choose();
  },
};
