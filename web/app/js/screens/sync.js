// Lead: how far central is behind this node (what `floorops sync status`
// shows): events waiting (backlog), the lag of the oldest, parked events a
// receiver rejected, and the last error.
import { h, num, table } from '../ui.js';

// ago says a duration in seconds as a floor lead reads it.
export function ago(sec) {
  sec = Math.max(0, Math.round(num(sec)));
  if (sec < 90) return `${sec} s`;
  if (sec < 90 * 60) return `${Math.round(sec / 60)} min`;
  if (sec < 48 * 3600) return `${(sec / 3600).toFixed(1)} h`;
  return `${(sec / 86400).toFixed(1)} days`;
}

export default {
  id: 'lead/sync',
  title: 'Sync status',
  lead: true,
  roles: ['ROLE_LEAD', 'ROLE_ADMIN'],
  async start(ctx) {
    const { view } = ctx;
    view.idle('lead:sync');
    const list = h('div');
    const again = h('button', { type: 'button', class: 'quiet', id: 'sync-refresh' }, 'Refresh');
    view.body.append(h('div', { class: 'row' }, again), list);
    const load = async () => {
      const st = await ctx.get('/v1/sync/status');
      list.replaceChildren(...(st.sinks || []).map(s => {
        const parked = s.parked || [];
        const health = !s.configured ? ['bad', 'Not sending: no upstream is set up (serve --upstream-addr).']
          : parked.length ? ['bad', `${parked.length} event(s) parked: central rejected them. Tell the admin.`]
            : num(s.backlog) ? [num(s.lag_seconds) > 300 ? 'bad' : 'good', `${num(s.backlog)} event(s) waiting, oldest ${ago(s.lag_seconds)}.`]
              : ['good', 'Up to date.'];
        return h('div', { class: 'card', dataset: { sink: s.sink } },
          h('h2', {}, s.sink === 'central' ? 'Central' : `Sink ${s.sink}`),
          h('p', { class: health[0] }, health[1]),
          table(['Measure', 'Value'], [
            ['Backlog (events)', num(s.backlog)],
            ['Lag (oldest waiting)', ago(s.lag_seconds)],
            ['Newest event', num(s.last_seq)],
            ['Acknowledged through', num(s.acked_seq)],
            ['Last acknowledged', s.ack_time || 'never'],
            ['Last error', s.last_error ? `${s.last_error} (${s.error_time})` : 'none'],
            ['Parked', parked.length],
          ]),
          parked.length ? table(['Seq', 'Event', 'Why rejected', 'Parked'], parked.map(p => [num(p.seq), p.kind, p.reason, p.parked_time])) : null);
      }));
    };
    again.addEventListener('click', () => load().then(() => view.ok('Sync status refreshed.')).catch(err => view.fail(err)));
    await load();
  },
};
