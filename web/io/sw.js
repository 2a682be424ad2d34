// The IO app's service worker (scope /app/): the frame and assets are kept for offline use; a message page is kept
// only once the citizen opened it (opening marks it read), so nothing unread is ever stored; the API and every
// non-GET request always go to the network. Offline, a page not kept shows the offline page. Push: the notice.
'use strict';

const FRAME = 'io-frame-v1';
const READ = 'io-read-messages';
const OFFLINE = '/app/offline';
const FRAME_URLS = [
  OFFLINE,
  '/assets/bootstrap-italia/css/bootstrap-italia.min.css',
  '/assets/bootstrap-italia/js/bootstrap-italia.bundle.min.js',
  '/assets/bootstrap-italia/svg/sprites.svg',
  '/assets/sportello/sportello.css',
  '/assets/sportello/fonts.css',
  '/assets/sportello/public-path.js',
  '/assets/sportello/io/app.css',
  '/assets/sportello/io/app.js',
  '/assets/sportello/io/icon.svg',
];
const MESSAGE_PAGE = /^\/app\/messaggi\/[0-9A-Z]{26}$/;

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(FRAME).then((cache) => cache.addAll(FRAME_URLS)).then(() => self.skipWaiting()));
});

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== FRAME && k !== READ).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function messagePage(request) {
  try {
    const response = await fetch(request);
    if (response.ok && !response.redirected) await (await caches.open(READ)).put(request, response.clone());
    return response;
  } catch {
    return (await caches.match(request)) ?? (await caches.match(OFFLINE));
  }
}

async function page(request) {
  try {
    return await fetch(request);
  } catch {
    return (await caches.match(OFFLINE)) ?? Response.error();
  }
}

self.addEventListener('fetch', (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== self.location.origin || url.pathname.startsWith('/app/api/')) return;
  if (MESSAGE_PAGE.test(url.pathname)) return event.respondWith(messagePage(request));
  if (url.pathname.startsWith('/assets/')) return event.respondWith(caches.match(request).then((hit) => hit ?? fetch(request)));
  if (request.mode === 'navigate') return event.respondWith(page(request));
});

self.addEventListener('message', (event) => {
  // Sign-out: the read messages are the citizen's, not the next person's on this browser.
  if (event.data === 'sign-out') event.waitUntil(caches.delete(READ));
});

self.addEventListener('push', (event) => {
  const data = event.data ? event.data.json() : {};
  event.waitUntil(self.registration.showNotification(data.title ?? 'IO', { body: data.body ?? '', icon: '/assets/sportello/io/icon.svg', data: { url: data.url ?? '/app/messaggi' } }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
