// errors.js: every error the node (or the network) gives, said as what
// happened and what to do next on the floor.

const NEXT_BY_FIELD = [
  [/location_scan$/, 'Go to the location shown and scan its label, or type its two-digit check code.'],
  [/dock_location_scan$/, 'Scan the dock door label you are standing at.'],
  [/document_scan$/, 'Scan the PO number on the paperwork, or a pallet label (SSCC).'],
  [/item_scan$|raw_scan$|^scan$/, "Scan the item's barcode again, or type its SKU if it has none."],
  [/tote_scans/, 'Scan an empty tote label (LPN…).'],
  [/quantity$/, 'Enter a whole number of units.'],
  [/^lot$|\.lot$/, 'Type the lot exactly as printed on the label, or leave it empty if the item has none.'],
  [/expiry$/, 'Type the expiry as YYYY-MM-DD, or leave it empty if the item has none.'],
  [/badge$/, 'Check the badge and scan it again.'],
  [/reason$/, 'Type a short reason.'],
  [/pin$/, 'Type your PIN again.'],
];

// sentence makes a node text (lowercase, as gRPC writes it) a sentence:
// capital first letter, a full stop at the end.
export function sentence(text) {
  const t = String(text || '').trim();
  if (!t) return '';
  const s = t[0].toUpperCase() + t.slice(1);
  return /[.!?]$/.test(s) ? s : s + '.';
}

// split reads a node message "what happened: what to do" as title and next
// step; without a colon the next step is the kind's own.
function split(msg, fallbackTitle, fallbackNext) {
  if (!msg) return { title: fallbackTitle, next: fallbackNext };
  const i = msg.indexOf(': ');
  if (i > 0 && i < msg.length - 2) return { title: sentence(msg.slice(0, i)), next: sentence(msg.slice(i + 2)) };
  return { title: sentence(msg), next: fallbackNext };
}

// describe returns {title, next, fields} for an ApiError: a sentence-cased
// title and a next step for the error's kind (and field).
export function describe(err, { queuedOk = false } = {}) {
  if (!err || err.network) {
    return {
      title: 'No connection to the node.',
      next: queuedOk ? 'Saved on this handheld: it is sent by itself when Wi-Fi returns.'
        : 'Move closer to a Wi-Fi access point and try again.',
    };
  }
  const msg = err.message || '';
  switch (err.code) {
    case 3: { // InvalidArgument
      const v = err.violations || [];
      let next = 'Check the value and scan or enter it again.';
      for (const { field } of v) {
        const hit = NEXT_BY_FIELD.find(([re]) => re.test(field));
        if (hit) { next = hit[1]; break; }
      }
      return { title: v.length ? 'Not accepted:' : sentence(msg) || 'Not accepted.', fields: v.map(x => sentence(x.description || x.field)), next };
    }
    case 5: return { ...split(msg, 'Not known to the node.', ''), next: 'Check the code on the label and scan it again. If it is right, it is not set up at this node yet: an admin adds it.' };
    case 9: return split(msg, 'This cannot be done now.', 'Do what the message says (the right item, location or quantity), then scan again; if it is unclear, ask a lead.');
    case 6: return { title: 'This step was already sent with other details.', next: 'Start the step again from the beginning.' };
    case 10: return { title: sentence(msg) || 'Someone else changed this meanwhile.', next: 'Go back and start the step again: it shows what is there now.' };
    case 16: return { title: 'You are signed out, or the badge or PIN was not accepted.', next: 'Sign in again. After 5 wrong PINs a badge locks for 15 minutes: a lead or admin can unlock it.' };
    case 7: return { title: msg ? sentence(msg) : 'Your role may not do this.', next: 'Ask a lead to do it, or to give you the task.' };
    case 8: return { title: sentence(msg) || 'Too much in one go.', next: 'Send fewer lines at a time.' };
    case 14: return { title: 'The node is busy.', next: 'Wait a moment and try again; nothing was saved twice.' };
    case 4: return { title: 'The node took too long to answer.', next: 'Try again; a repeated scan is never counted twice.' };
    default: return { title: 'Something went wrong at the node.', next: 'Try again. If it happens again, tell a lead (the node has logged it).' };
  }
}
