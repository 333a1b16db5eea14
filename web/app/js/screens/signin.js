// Sign-in: scan the badge, type the PIN.
import * as net from '../net.js';
import * as scanner from '../scanner.js';
import { form, code } from '../ui.js';

export default {
  id: 'signin',
  title: 'Sign in',
  roles: [],
  start({ view, arg }) {
    const askBadge = () => {
      view.body.replaceChildren();
      view.step('signin:badge', 'Scan your badge', 'Or press Keyboard and type the badge (B-…).', scan => askPin(scan.raw.trim().toUpperCase()));
    };
    const askPin = badge => {
      view.clear();
      view.idle('signin:pin', ['PIN for ', code(badge)], 'Type your PIN, press Enter. A badge scan starts again.');
      const f = form([{ name: 'pin', label: 'PIN', type: 'password', inputmode: 'numeric', required: true, autocomplete: 'current-password' }], 'Sign in', async ({ pin }) => {
        try {
          const r = await net.send('POST', '/v1/auth/login', { badge, pin, device_id: net.deviceId() });
          net.saveSession({ token: r.token, expire_time: r.expire_time, user: r.user });
          arg.done();
        } catch (err) {
          if (err.code === 16) {
            view.fail('Badge or PIN not accepted.', { next: 'Type the PIN again. After 5 wrong PINs the badge locks for 15 minutes (a locked badge gets this same answer): wait, or ask an admin to unlock it.' });
          } else view.fail(err);
          f.inputs.pin.value = '';
          f.inputs.pin.focus();
        }
      });
      view.body.replaceChildren(f.el);
      // a badge scanned now replaces the one read before
      scanner.onScan(scan => { askPin(scan.raw.trim().toUpperCase()); view.info('Badge scanned: sign-in starts again with it.', 'Type the PIN for this badge.'); });
      f.inputs.pin.focus();
    };
    if (arg && arg.notice) view.info(arg.notice);
    askBadge();
  },
};
