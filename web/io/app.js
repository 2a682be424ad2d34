// The IO app in the browser: registers the service worker (offline frame and read messages) and, on the profile
// page, subscribes this browser to Web Push with the platform's VAPID key and registers the installation.
'use strict';

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('/app/sw.js', { scope: '/app/' }).catch(() => undefined);
}

function urlBase64ToBytes(base64) {
  const padded = (base64 + '='.repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/');
  return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
}

function installationId() {
  let id = localStorage.getItem('io-installation-id');
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem('io-installation-id', id);
  }
  return id;
}

async function subscribePush(button, status) {
  const say = (text) => { status.textContent = text; };
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) return say(button.dataset.unsupported);
  try {
    if ((await Notification.requestPermission()) !== 'granted') return say(button.dataset.failed);
    const registration = await navigator.serviceWorker.ready;
    const { public_key: key } = await (await fetch('/app/api/v1/vapid-public-key', { headers: { accept: 'application/json' } })).json();
    const subscription = (await registration.pushManager.getSubscription()) ?? (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: urlBase64ToBytes(key) }));
    const json = subscription.toJSON();
    const response = await fetch(`/app/api/v1/installations/${encodeURIComponent(installationId())}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', accept: 'application/json', 'x-csrf-token': button.dataset.csrf },
      body: JSON.stringify({ endpoint: json.endpoint, keys: { p256dh: json.keys.p256dh, auth: json.keys.auth } }),
    });
    say(response.ok ? button.dataset.done : button.dataset.failed);
  } catch {
    say(button.dataset.failed);
  }
}

document.addEventListener('DOMContentLoaded', () => {
  const signOut = document.querySelector('form[action="/app/esci"]');
  signOut?.addEventListener('submit', () => navigator.serviceWorker?.controller?.postMessage('sign-out'));
  const button = document.querySelector('[data-push-subscribe]');
  const status = document.getElementById('push-status');
  if (!button || !status) return;
  button.hidden = false;
  button.addEventListener('click', () => subscribePush(button, status));
});
