// Lead: pick lists and short picks; build pick lists from released orders.
import { h, num, table } from '../ui.js';

export default {
  id: 'lead/picklists',
  title: 'Pick lists',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  async start(ctx) {
    const { view } = ctx;
    view.idle('lead:picklists');
    const build = h('button', { type: 'button', id: 'build-lists' }, 'Build pick lists');
    const list = h('div');
    view.body.append(h('div', { class: 'row' }, build), list);
    build.addEventListener('click', async () => {
      try {
        const r = await ctx.mutate('POST', '/v1/pick-lists', { type: 'PICK_LIST_TYPE_DISCRETE' }, 'build pick lists');
        if (r.queued) view.queued('Build pick lists'); else view.ok(`${(r.answer.pick_lists || []).length} pick list(s) built.`);
        load();
      } catch (err) { view.fail(err); }
    });
    const load = async () => {
      const lists = (await ctx.get('/v1/pick-lists', { page_size: 100 })).pick_lists || [];
      const shorts = [];
      for (const l of lists) for (const ln of l.lines || []) if (ln.state === 'LINE_STATE_SHORT' || num(ln.short_quantity)) shorts.push([l.id, ln.order_id, ln.location_code, ln.sku, num(ln.short_quantity)]);
      list.replaceChildren(
        h('h2', {}, `Short picks (${shorts.length})`),
        shorts.length ? table(['List', 'Order', 'Location', 'SKU', 'Short'], shorts) : h('p', {}, 'None.'),
        h('h2', {}, `Pick lists (${lists.length})`),
        table(['List', 'State', 'Orders', 'Lines', 'Picked', 'By'], lists.map(l => {
          const lines = l.lines || [];
          const done = lines.filter(x => x.state !== 'LINE_STATE_OPEN').length;
          return [l.id, l.state.replace('PICK_LIST_STATE_', '').toLowerCase(), (l.order_ids || []).join(', '), lines.length, `${done}/${lines.length}`, l.assigned_to || ''];
        })));
    };
    await load();
  },
};
