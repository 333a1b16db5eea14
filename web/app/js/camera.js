// camera.js: scanning with the device camera through the browser's
// BarcodeDetector (Chrome on Android 83+). The button shows only where
// getSupportedFormats() lists formats; elsewhere there is no camera
// button at all (wedge and keyboard still work).

import { h } from './ui.js';

let formats = null;
const ready = (async () => {
  try {
    if ('BarcodeDetector' in window && navigator.mediaDevices) {
      const f = await window.BarcodeDetector.getSupportedFormats();
      if (f && f.length) formats = f;
    }
  } catch { formats = null; }
})();

export function camera(onRead) {
  const btn = h('button', { type: 'button', class: 'quiet', hidden: true, title: 'Scan with the camera' }, 'Camera');
  ready.then(() => { if (formats) btn.hidden = false; });
  btn.addEventListener('click', async () => {
    const detector = new window.BarcodeDetector({ formats });
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' } });
    } catch { return; }
    const video = h('video', { autoplay: true, playsinline: true, muted: true, 'aria-label': 'Camera view' });
    const stop = h('button', { type: 'button', class: 'quiet' }, 'Stop camera');
    const box = h('div', { class: 'card' }, video, stop);
    btn.closest('section').append(box);
    video.srcObject = stream;
    let done = false;
    const end = () => { done = true; stream.getTracks().forEach(t => t.stop()); box.remove(); };
    stop.addEventListener('click', end);
    const tick = async () => {
      if (done) return;
      try {
        const codes = await detector.detect(video);
        if (codes.length) { end(); onRead(codes[0].rawValue); return; }
      } catch { /* frame not ready */ }
      requestAnimationFrame(tick);
    };
    video.addEventListener('playing', tick, { once: true });
  });
  return btn;
}
