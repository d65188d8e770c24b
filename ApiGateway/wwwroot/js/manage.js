// Helpers shared by the manager pages: element building, number and time formats, status lines, keyed
// updates that leave unchanged rows alone (the dashboard refreshes every few seconds), and image crops
// with a mask, box and clicks drawn over them.
import { currentUser, describeError, enc, requireUser } from './api.js';
import { renderNav } from './nav.js';
import { drawBox, drawClick } from './masks.js';

/** `el('td', {className: 'num'}, 'text', node)`; attributes named like properties, `dataset`/`on*` handled. */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs ?? {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'dataset') Object.assign(e.dataset, v);
    else if (k.startsWith('on') && typeof v === 'function') e.addEventListener(k.slice(2), v);
    else if (k in e && typeof v !== 'string') e[k] = v;
    else if (k === 'className') e.className = v;
    else if (k === 'textContent') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== null && c !== undefined && c !== false) e.append(c instanceof Node ? c : String(c));
  return e;
}

export const $ = id => document.getElementById(id);

const numberFormats = new Map();
/** A number with at most `digits` decimals and grouped thousands; '—' for null/undefined/NaN. */
export function fmt(value, digits = 0) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return '—';
  let f = numberFormats.get(digits);
  if (!f) numberFormats.set(digits, f = new Intl.NumberFormat(undefined, { maximumFractionDigits: digits, minimumFractionDigits: 0 }));
  return f.format(Number(value));
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const timeOnly = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
/** The time of day on a 24-hour clock, with seconds. */
export function fmtClock(date) {
  return timeOnly.format(date);
}

/** A date-time for tables; the same day's times without the date. */
export function fmtTime(iso) {
  if (!iso) return '—';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  const today = new Date();
  return d.toDateString() === today.toDateString() ? timeOnly.format(d) : dateTime.format(d);
}

/** "1 row", "2 rows": the number with the noun in the right number. */
export function plural(n, singular, pluralForm = `${singular}s`) {
  return `${fmt(n)} ${n === 1 ? singular : pluralForm}`;
}

/** "waitingForModel" -> "waiting for model". */
export function words(name) {
  return String(name ?? '').replace(/([a-z0-9])([A-Z])/g, '$1 $2').toLowerCase();
}

/** Shows `text` in a status element (hidden when empty); `kind` 'error' | 'warn' | 'ok' | 'info'. */
export function setStatus(element, text, kind = 'error') {
  if (!element) return;
  element.textContent = text || '';
  element.hidden = !text;
  for (const k of ['error', 'warn', 'ok', 'info']) element.classList.toggle(k, kind === k);
}

export function showError(element, error) {
  setStatus(element, describeError(error), 'error');
}

/**
 * Makes `parent`'s children match `items` in order, keyed by `keyOf`; a child whose item has the same
 * signature as last time is kept as it is, so refreshing neither flickers nor steals focus.
 */
export function syncChildren(parent, items, keyOf, build, { signature = JSON.stringify, empty = null } = {}) {
  const existing = new Map();
  for (const child of [...parent.children]) {
    if (child.dataset.key !== undefined) existing.set(child.dataset.key, child);
    else child.remove();
  }
  const wanted = items.length ? items.map(item => ({ key: 'k:' + keyOf(item), item }))
    : (empty ? [{ key: 'empty', item: null }] : []);
  let previous = null;
  const keep = new Set();
  for (const { key, item } of wanted) {
    const sig = item === null ? 'empty' : signature(item);
    let node = existing.get(key);
    if (!node || node.dataset.sig !== sig) {
      const fresh = item === null ? empty() : build(item);
      fresh.dataset.key = key;
      fresh.dataset.sig = sig;
      if (node) node.replaceWith(fresh);
      node = fresh;
    }
    const at = previous ? previous.nextElementSibling : parent.firstElementChild;
    if (node !== at) parent.insertBefore(node, at);
    keep.add(key);
    previous = node;
  }
  for (const [key, node] of existing) if (!keep.has(key)) node.remove();
}

/** A table row spanning `columns` with a muted note, for empty tables. */
export function emptyRow(columns, text) {
  return () => el('tr', { className: 'empty' }, el('td', { colSpan: columns, className: 'muted' }, text));
}

/** The campaign's image URL: each path segment encoded, the slashes kept. */
export function imageUrl(campaignId, imagePath) {
  return `/api/v1/images/${enc(campaignId)}/${String(imagePath).split('/').map(enc).join('/')}`;
}

const images = new Map();
const ImageCacheSize = 16;
/** Loads an image once (same origin, the cookie goes along); a few recent ones are kept. */
export function loadImage(url) {
  let p = images.get(url);
  if (p) { images.delete(url); images.set(url, p); return p; }
  p = new Promise((resolve, reject) => {
    const image = new Image();
    image.decoding = 'async';
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`The image ${decodeURIComponent(url.split('/').slice(5).join('/'))} could not be loaded.`));
    image.src = url;
  });
  p.catch(() => images.delete(url));
  images.set(url, p);
  while (images.size > ImageCacheSize) images.delete(images.keys().next().value);
  return p;
}

/**
 * The part of the image to show for an object: its box and clicks with a margin around them, at least
 * `minSide` pixels, inside the image.
 */
export function cropAround(box, imageWidth, imageHeight, points = [], { margin = 0.25, minSide = 48 } = {}) {
  let x0 = box.x0, y0 = box.y0, x1 = box.x1, y1 = box.y1;
  for (const p of points) { x0 = Math.min(x0, p.x); y0 = Math.min(y0, p.y); x1 = Math.max(x1, p.x); y1 = Math.max(y1, p.y); }
  const pad = Math.max(8, Math.max(x1 - x0, y1 - y0) * margin);
  x0 -= pad; y0 -= pad; x1 += pad; y1 += pad;
  const grow = (a, b, limit) => {
    const need = Math.min(limit, Math.max(minSide, b - a));
    const mid = (a + b) / 2;
    let lo = mid - need / 2, hi = mid + need / 2;
    if (lo < 0) { hi -= lo; lo = 0; }
    if (hi > limit) { lo -= hi - limit; hi = limit; }
    return [Math.max(0, Math.floor(lo)), Math.min(limit, Math.ceil(hi))];
  };
  [x0, x1] = grow(x0, x1, imageWidth);
  [y0, y1] = grow(y0, y1, imageHeight);
  return { x0, y0, x1, y1 };
}

/** The mask inside `crop` at the canvas' resolution, filled in `rgba` with an opaque outline. */
function maskOverlay(decoded, crop, imageWidth, imageHeight, width, height, rgba) {
  const canvas = document.createElement('canvas');
  canvas.width = width; canvas.height = height;
  const context = canvas.getContext('2d');
  const picture = context.createImageData(width, height);
  const px = picture.data;
  const inside = new Uint8Array(width * height);
  const sx = (crop.x1 - crop.x0) / width, sy = (crop.y1 - crop.y0) / height;
  const mx = decoded.width / imageWidth, my = decoded.height / imageHeight;
  for (let y = 0; y < height; y++) {
    const row = Math.floor((crop.y0 + (y + 0.5) * sy) * my);
    if (row < 0 || row >= decoded.height) continue;
    const base = row * decoded.width;
    for (let x = 0; x < width; x++) {
      const col = Math.floor((crop.x0 + (x + 0.5) * sx) * mx);
      if (col >= 0 && col < decoded.width && decoded.data[base + col]) inside[y * width + x] = 1;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!inside[i]) continue;
      const edge = x === 0 || y === 0 || x === width - 1 || y === height - 1
        || !inside[i - 1] || !inside[i + 1] || !inside[i - width] || !inside[i + width];
      const o = i * 4;
      px[o] = rgba[0]; px[o + 1] = rgba[1]; px[o + 2] = rgba[2]; px[o + 3] = edge ? 255 : rgba[3];
    }
  }
  context.putImageData(picture, 0, 0);
  return canvas;
}

export const MaskColour = [255, 0, 255, 105];

/**
 * Draws `crop` of `image` on `canvas`, fitted into maxWidth x maxHeight CSS pixels (sharp on high-density
 * screens), with the mask (decoded), the box and the clicks ({x, y, label, faded}) over it.
 */
export function drawCrop(canvas, { image, crop, box, mask = null, clicks = [], maxWidth, maxHeight }) {
  const cw = crop.x1 - crop.x0, ch = crop.y1 - crop.y0;
  const scale = Math.min(maxWidth / cw, maxHeight / ch, 8);
  const cssWidth = Math.max(1, Math.round(cw * scale)), cssHeight = Math.max(1, Math.round(ch * scale));
  const dpr = Math.min(3, window.devicePixelRatio || 1);
  const width = Math.round(cssWidth * dpr), height = Math.round(cssHeight * dpr);
  canvas.width = width; canvas.height = height;
  // Only the width: the stylesheet may narrow it (max-width) and the height follows the canvas' own ratio.
  canvas.style.width = `${cssWidth}px`;
  const context = canvas.getContext('2d');
  context.imageSmoothingQuality = 'high';
  context.drawImage(image, crop.x0, crop.y0, cw, ch, 0, 0, width, height);
  if (mask) context.drawImage(maskOverlay(mask, crop, image.naturalWidth, image.naturalHeight, width, height, MaskColour), 0, 0);
  const k = width / cw;
  context.setTransform(k, 0, 0, k, -crop.x0 * k, -crop.y0 * k);
  drawBox(context, box, 2 * dpr / k);
  const radius = Math.max(3, Math.min(6, cssWidth / 40)) * dpr / k;
  for (const c of clicks) drawClick(context, c.x, c.y, c.label, { radius, faded: !!c.faded });
  context.setTransform(1, 0, 0, 1, 0, 0);
}

/**
 * Shows a page-level refusal (e.g. the wrong role) in #page-status under a heading, with a way back to the
 * campaigns the user has, and hides the page's main content.
 */
export function pageFailed(error) {
  const status = $('page-status');
  showError(status, error);
  for (const section of document.querySelectorAll('main > :not(#page-status)')) section.hidden = true;
  if (!$('page-failed-heading')) {
    status.before(el('h1', { id: 'page-failed-heading' }, 'This page cannot be shown'));
    status.after(el('p', {}, el('a', { className: 'btn btn-primary', href: '/index.html', id: 'page-failed-link' }, 'Go to My campaigns')));
  }
}

/**
 * Signs the page in for `roles` (any role when omitted) and draws the header; answers the user, or null
 * after showing why the page is not for this account (the header still lets them go elsewhere).
 */
export async function startPage(roles) {
  try {
    const user = await requireUser(roles);
    renderNav(user);
    return user;
  } catch (e) {
    try {
      const user = await currentUser();
      if (user) renderNav(user);
    } catch {
      // The refusal below is the message that matters.
    }
    pageFailed(e);
    return null;
  }
}

/** Query parameter or null. */
export function param(name) {
  return new URLSearchParams(location.search).get(name);
}
