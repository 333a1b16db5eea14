// Lead: the returns queue, oldest first, with the units past the SLA
// (hours from receipt to disposition) and the SLA report.
import { h, num, table } from '../ui.js';

const SLA_HOURS = 72;
const hours = x => `${num(x).toFixed(1)} h`;

export default {
  id: 'lead/returns',
  title: 'Returns queue',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  async start(ctx) {
    const { view } = ctx;
    view.idle('lead:returns');
    const [queue, sla] = await Promise.all([
      ctx.get('/v1/returns/queue', { page_size: 500 }),
      ctx.get('/v1/returns/sla-report', { sla_hours: SLA_HOURS }),
    ]);
    const units = queue.units || [];
    const late = units.filter(u => num(u.age_hours) > SLA_HOURS);
    const state = u => u.grade ? `graded ${u.grade} → ${(u.suggested_disposition || '').replace(/_/g, ' ')}` : 'not graded';
    view.body.replaceChildren(
      h('p', { id: 'returns-summary', class: late.length ? 'bad' : 'good' },
        `${units.length} unit group(s) waiting · ${late.length} past the ${SLA_HOURS} h SLA`),
      h('h2', {}, 'Waiting, oldest first'),
      units.length ? table(['Age', 'Returned (RMA)', 'State'], units.map(u => [
        num(u.age_hours) > SLA_HOURS ? h('span', { class: 'bad', dataset: { breach: u.unit_id } }, `${Math.round(num(u.age_hours))} h, past SLA`) : `${Math.round(num(u.age_hours))} h`,
        [h('span', { class: 'nobr' }, `${num(u.quantity)} × ${u.sku}`), h('br'), h('span', { class: 'nobr' }, u.rma_number || 'no RMA')], state(u),
      ])) : h('p', {}, 'Nothing waiting.'),
      h('h2', {}, 'SLA report'),
      table(['Measure', 'Value'], [
        ['Units received', num(sla.units_received)],
        ['Units dispositioned', num(sla.units_dispositioned)],
        ['Restocked share', `${Math.round(100 * num(sla.restocked_share))}%`],
        ['Receipt to disposition (median / p90)', `${hours(sla.median_hours_to_disposition)} / ${hours(sla.p90_hours_to_disposition)}`],
        ['Receipt to sellable (median / p90)', `${hours(sla.median_hours_to_sellable)} / ${hours(sla.p90_hours_to_sellable)}`],
        ['Past the SLA (late or still waiting)', (sla.breaches || []).length],
      ]));
  },
};
