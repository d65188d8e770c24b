// One instance with its rounds: per round the crop with that round's mask and the clicks so far, and
// every answer given.
import { api, describeError, enc } from './api.js';
import { decodeMask } from './masks.js';
import { $, el, fmt, fmtTime, words, showError, syncChildren, emptyRow, imageUrl, loadImage, cropAround, drawCrop, pageFailed, param, startPage } from './manage.js';

const campaignId = param('campaign');
const instanceId = param('id');

/** The rounds worth a picture: every round with a mask, clicks or an answer, in order. */
export function roundsOf(instance) {
  const rounds = new Set();
  for (const m of instance.masks ?? []) rounds.add(m.round);
  for (const c of instance.clicks ?? []) rounds.add(c.round);
  for (const a of instance.answers ?? []) rounds.add(a.round);
  return [...rounds].sort((a, b) => a - b);
}

function describeRound(instance, round) {
  if (round === 0) return 'The model\'s mask from the box.';
  const answers = (instance.answers ?? []).filter(a => a.round === round);
  if (!answers.length) {
    return instance.currentRound === round ? `In progress: ${words(instance.status)}${instance.leasedTo ? ` (${instance.leasedTo})` : ''}.` : 'No answer recorded.';
  }
  return answers.map(a => a.skipped
    ? `${a.annotatorId} skipped it after ${fmt(a.secondsSpent, 1)} s.`
    : a.clickCount === 0
      ? `${a.annotatorId} accepted the mask (0 clicks) in ${fmt(a.secondsSpent, 1)} s.`
      : `${a.annotatorId} gave ${a.clickCount} click${a.clickCount === 1 ? '' : 's'} in ${fmt(a.secondsSpent, 1)} s.`).join(' ');
}

function roundFigure(instance, round, image, crop) {
  const canvas = el('canvas', { id: `round-canvas-${round}`, role: 'img' });
  const own = (instance.masks ?? []).find(m => m.round === round);
  const earlier = [...(instance.masks ?? [])].filter(m => m.round < round).sort((a, b) => b.round - a.round)[0];
  const shown = own ?? earlier;
  const clicks = (instance.clicks ?? []).filter(c => c.round <= round).map(c => ({ ...c, faded: c.round < round }));
  const roundClicks = clicks.filter(c => !c.faded).length;
  const text = describeRound(instance, round);
  canvas.setAttribute('aria-label', `Round ${round}: ${own ? 'its mask' : shown ? `mask of round ${shown.round}` : 'no mask'}, ${roundClicks} clicks in this round. ${text}`);
  const figure = el('figure', { className: 'round-figure', id: `round-${round}` },
    el('div', { className: 'round-canvas' }, canvas),
    el('figcaption', {},
      el('strong', {}, round === 0 ? 'Round 0' : `Round ${round}`),
      own || round === 0 ? null : el('span', { className: 'muted' }, shown ? ` · mask of round ${shown.round} (no new mask)` : ' · no mask'),
      el('br'),
      el('span', {}, text)));
  try {
    drawCrop(canvas, { image, crop, box: instance.box, mask: shown ? decodeMask(shown.mask) : null, clicks, maxWidth: 480, maxHeight: 380 });
  } catch (e) {
    figure.append(el('p', { className: 'alert', role: 'alert' }, describeError(e)));
  }
  return figure;
}

function showAnswers(instance) {
  const answers = [...(instance.answers ?? [])].sort((a, b) => a.round - b.round || String(a.at).localeCompare(String(b.at)));
  syncChildren($('answers-table').querySelector('tbody'), answers, a => a.submissionId ?? `${a.round}/${a.annotatorId}`, a => el('tr', {},
    el('td', { className: 'num' }, String(a.round)),
    el('td', {}, a.annotatorId),
    el('td', { className: 'num' }, a.skipped ? '—' : String(a.clickCount)),
    el('td', { className: 'num' }, fmt(a.secondsSpent, 1)),
    el('td', {}, a.skipped ? 'yes' : 'no'),
    el('td', {}, el('time', { datetime: a.at }, fmtTime(a.at)))), { empty: emptyRow(6, 'No answers yet.') });
}

async function main() {
  if (!await startPage(['manager', 'admin'])) return;
  if (!campaignId || !instanceId) {
    pageFailed(new Error('Open an instance from a campaign\'s dashboard (the address needs ?campaign= and &id=).'));
    return;
  }
  const dashboard = `/campaign.html?id=${enc(campaignId)}`;
  $('back-link').href = dashboard;
  $('back-link').textContent = campaignId;
  $('instance-id').textContent = instanceId;
  document.title = `${instanceId} · ${campaignId} · Annotate`;

  let instance;
  try {
    instance = await api('GET', `/api/v1/campaigns/${enc(campaignId)}/instances/${enc(instanceId)}`);
  } catch (e) {
    pageFailed(e);
    return;
  }
  const b = instance.box;
  $('instance-class').textContent = instance.className;
  $('instance-status').textContent = words(instance.status);
  $('instance-round').textContent = String(instance.currentRound);
  $('instance-leased').textContent = instance.leasedTo ?? '—';
  $('instance-box').textContent = `${fmt(b.x0)}, ${fmt(b.y0)} – ${fmt(b.x1)}, ${fmt(b.y1)} (${fmt(b.x1 - b.x0)} × ${fmt(b.y1 - b.y0)} px)`;
  const url = imageUrl(campaignId, instance.imagePath);
  $('instance-image').href = url;
  $('instance-image').textContent = instance.imagePath;
  showAnswers(instance);

  const host = $('rounds');
  host.replaceChildren(el('p', { className: 'muted' }, 'Loading the image…'));
  try {
    const image = await loadImage(url);
    const crop = cropAround(instance.box, image.naturalWidth, image.naturalHeight, instance.clicks ?? [], { margin: 0.3 });
    const rounds = roundsOf(instance);
    host.replaceChildren(...(rounds.length ? rounds.map(r => roundFigure(instance, r, image, crop))
      : [el('p', { className: 'muted' }, 'The model has not drawn a mask for this instance yet.')]));
  } catch (e) {
    host.replaceChildren();
    showError($('page-status'), e);
  }
}

main();
