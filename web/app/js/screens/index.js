// The app's screens, in menu order. A screen is one module: {id, title,
// roles, start(ctx)}, lead: true for the lead menu, setup: true for the
// device menu.
import receive from './receive.js';
import putaway from './putaway.js';
import pick from './pick.js';
import count from './count.js';
import returns from './returns.js';
import plan from './plan.js';
import approvals from './approvals.js';
import progress from './progress.js';
import picklists from './picklists.js';
import returnsqueue from './returnsqueue.js';
import sync from './sync.js';
import labels from './labels.js';
import setup from './setup.js';

export const screens = [receive, putaway, pick, count, returns, plan, approvals, progress, picklists, returnsqueue, sync, labels, setup];
