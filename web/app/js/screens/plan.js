// Lead: the day's count plan, each task with why it is counted; plan the
// day, assign, add, remove.
import { h, form, num } from '../ui.js';

const today = () => new Date().toISOString().slice(0, 10);

export default {
  id: 'lead/plan',
  title: 'Count plan',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  async start(ctx) {
    const { view } = ctx;
    view.idle('lead:plan');
    const list = h('div', { id: 'plan-tasks' });
    const act = async (what, call) => {
      try {
        const r = await call();
        if (r.queued) view.queued(what); else view.ok(what + ': done.');
        load();
      } catch (err) { view.fail(err); }
    };
    const planForm = form([{ name: 'capacity', label: 'Counts today', type: 'number', inputmode: 'numeric', value: '20', min: '1' }], 'Plan the day',
      v => act('Plan counts', () => ctx.mutate('POST', '/v1/count-plans', { date: today(), capacity_counts: num(v.capacity) }, 'plan counts')));
    const addForm = form([{ name: 'location', label: 'Add a location', required: true }, { name: 'reason', label: 'Why', value: 'lead request', required: true }], 'Add count',
      v => act(`Add ${v.location}`, () => ctx.mutate('POST', '/v1/count-tasks', { location_code: v.location, reason: v.reason }, 'add count')));
    view.body.append(h('div', { class: 'row' }, planForm.el, addForm.el), list);
    const load = async () => {
      let tasks = [];
      try { tasks = (await ctx.get('/v1/count-tasks', { page_size: 200 })).tasks || []; } catch (err) { view.fail(err); }
      list.replaceChildren(h('h2', {}, `${tasks.length} counts open`), ...tasks.map(t => {
        const badge = h('input', { 'aria-label': `Assign ${t.location_code} to badge`, placeholder: 'Badge', value: t.assigned_to || '', size: 8 });
        const why = h('input', { 'aria-label': `Reason to remove the count of ${t.location_code}`, placeholder: 'Reason', size: 10 });
        // A count the floor triggered holds its bin off sale until it is
        // counted, and a recount decides an earlier count: neither is
        // removed (the node refuses), only given to someone.
        const fixed = t.task_kind === 'triggered' ? 'Holds the bin off sale until counted: assign it.'
          : Number(t.recount_of || 0) ? 'A recount: it is decided by counting it.' : '';
        return h('div', { class: 'card', dataset: { count: t.id } },
          h('p', {}, h('strong', {}, t.location_code), ` · ${t.task_kind || ''} · score ${Number(t.score || 0).toFixed(1)} · ${t.state.replace('COUNT_STATE_', '').toLowerCase()}${t.assigned_to ? ' · ' + t.assigned_to : ''}`),
          h('ul', { class: 'reasons' }, (t.reasons || []).map(r => h('li', {}, r))),
          h('div', { class: 'row' }, badge,
            h('button', { type: 'button', onclick: () => {
              if (!badge.value.trim()) { view.fail(`No badge to assign ${t.location_code} to.`, { next: 'Type the badge of the associate (B-…) in the Badge field beside Assign, then press Assign.' }); badge.focus(); return; }
              act(`Assign ${t.location_code}`, () => ctx.mutate('POST', `/v1/count-tasks/${t.id}:assign`, { badge: badge.value.trim().toUpperCase() }, 'assign count'));
            }, class: 'quiet assign' }, 'Assign'),
            fixed ? h('span', { class: 'hint' }, fixed) : [why,
              h('button', { type: 'button', class: 'danger remove', onclick: () => {
                // a removal is recorded with the lead's reason: never a fixed one
                if (!why.value.trim()) { view.fail(`No reason to remove the count of ${t.location_code}.`, { next: 'Type why in the Reason field beside Remove (e.g. "aisle closed today"), then press Remove.' }); why.focus(); return; }
                act(`Remove ${t.location_code}`, () => ctx.mutate('POST', `/v1/count-tasks/${t.id}:remove`, { reason: why.value.trim() }, 'remove count'));
              } }, 'Remove')]));
      }));
    };
    await load();
  },
};
