// Lead: counts waiting for approval, with both counts and what moved at
// the location since the first one.
import { h, table, num, form } from '../ui.js';

const lineRows = c => (c && c.lines || []).map(l => [l.sku, l.lot || '', num(l.counted_quantity),
  l.snapshot_quantity !== undefined ? num(l.snapshot_quantity) : '', l.adjustment_quantity !== undefined ? num(l.adjustment_quantity) : '']);

export default {
  id: 'lead/approvals',
  title: 'Count approvals',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  async start(ctx) {
    const { view } = ctx;
    view.idle('lead:approvals');
    const load = async (first = false) => {
      let items = [];
      try { items = (await ctx.get('/v1/counts:pending-approval')).approvals || []; } catch (err) { view.fail(err); }
      view.body.replaceChildren(h('h2', {}, `${items.length} waiting`), ...items.map(a => {
        const c = a.count;
        const decide = (verb, path) => form([{ name: 'reason', label: `Reason to ${verb}`, required: true, value: '' }], verb === 'approve' ? 'Approve' : 'Reject', async v => {
          try {
            const r = await ctx.mutate('POST', `/v1/counts/${c.id}:${path}`, { reason: v.reason }, `${verb} count ${c.id}`);
            if (r.queued) view.queued(`${verb} count ${c.id}`); else view.ok(`Count ${c.id} at ${c.location_code}: ${verb === 'approve' ? 'approved and posted' : 'rejected, recount ordered'}.`);
            load();
          } catch (err) { view.fail(err); }
        }, [], `f-${verb}-${c.id}-`);
        return h('div', { class: 'card', dataset: { approval: c.id } },
          h('h2', {}, `${c.location_code} · count ${c.id} by ${c.counted_by}`),
          h('p', {}, a.previous ? `First count ${a.previous.id} by ${a.previous.counted_by}` : ''),
          a.previous ? table(['SKU', 'Lot', 'First count', 'Record', 'Diff'], lineRows(a.previous)) : null,
          h('p', {}, 'This count'),
          table(['SKU', 'Lot', 'Counted', 'Record', 'Diff'], lineRows(c)),
          h('p', {}, `${(a.movements || []).length} movements since the first count`),
          (a.movements || []).length ? table(['Kind', 'SKU', 'Qty', 'By'], a.movements.map(m => [m.kind, m.sku, num(m.quantity), m.user_badge])) : null,
          ctx.user && (c.counted_by === ctx.user.badge || (a.previous && a.previous.counted_by === ctx.user.badge))
            ? h('div', {},
              h('p', { class: 'bad' }, 'You counted this bin: another lead or an admin approves it.'),
              h('div', { class: 'row' }, decide('reject', 'reject').el))
            : h('div', { class: 'row' }, decide('approve', 'approve').el, decide('reject', 'reject').el));
      }));
      if (!items.length && first) view.note('No counts are waiting for approval.');
    };
    await load(true);
  },
};
