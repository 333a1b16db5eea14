// Lead: receiving progress by PO.
import { h, num, table } from '../ui.js';

const bar = pct => { const s = h('span'); s.style.width = pct + '%'; return s; };

export default {
  id: 'lead/receiving',
  title: 'Receiving progress',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  async start(ctx) {
    const { view } = ctx;
    view.idle('lead:receiving');
    const pos = (await ctx.get('/v1/purchase-orders', { open_only: true, page_size: 100 })).purchase_orders || [];
    view.body.replaceChildren(...pos.map(po => {
      const pct = num(po.ordered_quantity) ? Math.min(100, Math.round(100 * num(po.received_quantity) / num(po.ordered_quantity))) : 0;
      return h('div', { class: 'card' },
        h('h2', {}, `${po.po_number} · ${po.vendor} · due ${po.expected_date || '—'}`),
        h('p', {}, `${num(po.received_quantity)} of ${num(po.ordered_quantity)} units (${pct}%) · ${po.open_receipt_count || 0} open receipt(s)`),
        h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-label': `${po.po_number} received` }, bar(pct)),
        table(['SKU', 'Ordered', 'Received'], (po.lines || []).map(l => [l.sku, num(l.ordered_quantity), num(l.received_quantity)])));
    }));
    if (!pos.length) view.note('No open purchase orders.');
  },
};
