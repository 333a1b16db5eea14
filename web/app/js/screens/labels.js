// Lead: print an aisle of location labels (PNG from the node, one per
// location, laid out for the browser's print dialog).
import { h, form } from '../ui.js';

export default {
  id: 'lead/labels',
  title: 'Print labels',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  start(ctx) {
    const { view } = ctx;
    view.idle('lead:labels');
    const sheet = h('div', { class: 'labels', id: 'label-sheet' });
    const f = form([{ name: 'zone', label: 'Zone', value: 'A', required: true }, { name: 'aisle', label: 'Aisle', value: '01', inputmode: 'numeric', required: true }], 'Show labels', async v => {
      const prefix = `${v.zone.toUpperCase()}-${v.aisle.padStart(2, '0')}-`;
      try {
        let token = '';
        const locs = [];
        do {
          const r = await ctx.get('/v1/locations', { zone: v.zone.toUpperCase(), page_size: 1000, page_token: token });
          locs.push(...(r.locations || []).filter(l => l.code.startsWith(prefix)));
          token = r.next_page_token;
        } while (token);
        if (!locs.length) { view.fail(`No locations in aisle ${prefix.slice(0, -1)}.`, { next: 'Check the zone and aisle.' }); return; }
        sheet.replaceChildren();
        for (const l of locs) {
          const r = await ctx.get('/v1/labels', { location_code: l.code, format: 'LABEL_FORMAT_PNG' });
          sheet.append(h('figure', {}, h('img', { src: `data:${r.content_type || 'image/png'};base64,${r.content}`, alt: `Label ${l.code}, check code ${l.check_code}` }), h('figcaption', {}, `${l.code} · ${l.check_code}`)));
        }
        view.ok(`${locs.length} labels for aisle ${prefix.slice(0, -1)}.`, 'Press Print and choose the label printer.');
        print.hidden = false;
      } catch (err) { view.fail(err); }
    });
    const print = h('button', { type: 'button', hidden: true, id: 'print', onclick: () => window.print() }, 'Print');
    view.body.append(f.el, h('div', { class: 'row noprint' }, print), sheet);
  },
};
