// feedback.js: what an associate hears, feels and sees for every scan:
// two rising tones for success and a low double buzz for an error (Web
// Audio), vibration where the device has it, a full-screen color flash,
// and the message read out to screen readers.

let audio = null;

function tones(seq, type) {
  try {
    audio = audio || new (window.AudioContext || window.webkitAudioContext)();
    let t = audio.currentTime + 0.01;
    for (const [freq, dur] of seq) {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = type;
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.25, t);
      gain.gain.exponentialRampToValueAtTime(0.001, t + dur);
      osc.connect(gain).connect(audio.destination);
      osc.start(t);
      osc.stop(t + dur);
      t += dur + 0.04;
    }
  } catch { /* no audio on this device: the flash and text still show */ }
}

function flash(kind) {
  const el = document.getElementById('flash');
  if (!el) return;
  el.className = 'flash';
  void el.offsetWidth; // restart the animation
  el.className = 'flash ' + kind;
}

function announce(text) {
  const el = document.getElementById('announce');
  if (el) el.textContent = text;
}

export function success(text = '') {
  tones([[880, 0.08], [1320, 0.12]], 'sine');
  if (navigator.vibrate) navigator.vibrate(60);
  flash('ok');
  if (text) announce(text);
  document.body.dataset.feedback = 'ok';
}

export function failure(text = '') {
  tones([[196, 0.18], [156, 0.28]], 'square');
  if (navigator.vibrate) navigator.vibrate([180, 80, 180]);
  flash('err');
  if (text) announce(text);
  document.body.dataset.feedback = 'err';
}
