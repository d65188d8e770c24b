// Campaign list and the form that creates a campaign.
import { api, describeError, enc } from './api.js';
import { $, el, fmt, setStatus, showError, syncChildren, emptyRow, startPage } from './manage.js';

// The request's field names (as the server names them in refusals) and their inputs.
const fieldInputs = {
  id: 'new-id',
  imageRoot: 'new-image-root',
  rounds: 'new-rounds',
  maxClicksPerRound: 'new-clicks',
  model: 'new-model',
  classPolicies: 'new-policies',
  groundTruthFraction: 'new-gt-fraction',
  reprioritizeBelowIoU: 'new-reprioritize',
  leaseSeconds: 'new-lease',
};

/** The input a refusal's field names ("classPolicies.cat", "rounds") or null. */
export function inputForField(field) {
  if (!field) return null;
  const head = String(field).split(/[.[]/)[0];
  const key = Object.keys(fieldInputs).find(k => k.toLowerCase() === head.toLowerCase());
  return key ? fieldInputs[key] : null;
}

/**
 * `class: policy` lines into an object; throws an Error with `line` for a line without a class or a colon, or
 * a class given twice.
 */
export function parsePolicies(text) {
  const policies = {};
  const lines = String(text ?? '').split(/\r?\n/);
  lines.forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    const colon = line.indexOf(':');
    if (colon <= 0) throw Object.assign(new Error(`Line ${i + 1} needs the form "class: policy text".`), { line: i + 1 });
    const name = line.slice(0, colon).trim(), policy = line.slice(colon + 1).trim();
    if (!name) throw Object.assign(new Error(`Line ${i + 1} has no class name before the colon.`), { line: i + 1 });
    if (Object.hasOwn(policies, name)) throw Object.assign(new Error(`Class "${name}" is given twice (line ${i + 1}).`), { line: i + 1 });
    policies[name] = policy;
  });
  return policies;
}

function clearFieldErrors() {
  for (const id of Object.values(fieldInputs)) setFieldError(id, '');
}

function setFieldError(inputId, message) {
  const input = $(inputId), note = $(`${inputId}-error`);
  if (!input || !note) return;
  note.textContent = message;
  note.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

function numberField(id, field, { integer = false, min, max, minExclusive = false }) {
  const input = $(id);
  const text = input.value.trim();
  const value = Number(text);
  const label = document.querySelector(`label[for="${id}"]`)?.textContent ?? field;
  if (text === '' || !Number.isFinite(value)) return { error: `${label} must be a number.` };
  if (integer && !Number.isInteger(value)) return { error: `${label} must be a whole number.` };
  if (minExclusive ? value <= min : value < min) return { error: `${label} must be ${minExclusive ? 'above' : 'at least'} ${min}.` };
  if (max !== undefined && value > max) return { error: `${label} must be at most ${max}.` };
  return { value };
}

/** The request body from the form, or {errors: {inputId: message}}. */
function readForm() {
  const errors = {};
  const body = {};
  body.id = $('new-id').value.trim();
  if (!body.id) errors['new-id'] = 'Give the campaign an id.';
  else if (body.id.includes('/')) errors['new-id'] = 'The id must not contain "/".';
  body.imageRoot = $('new-image-root').value.trim();
  if (!body.imageRoot) errors['new-image-root'] = 'Name the folder on the server that holds the images.';
  const numbers = [
    ['new-rounds', 'rounds', { integer: true, min: 1 }],
    ['new-clicks', 'maxClicksPerRound', { integer: true, min: 1 }],
    ['new-gt-fraction', 'groundTruthFraction', { min: 0, max: 1 }],
    ['new-reprioritize', 'reprioritizeBelowIoU', { min: 0, max: 1 }],
    ['new-lease', 'leaseSeconds', { min: 0, max: 86400, minExclusive: true }],
  ];
  for (const [id, field, rule] of numbers) {
    const r = numberField(id, field, rule);
    if (r.error) errors[id] = r.error; else body[field] = r.value;
  }
  body.model = $('new-model').value;
  try {
    body.classPolicies = parsePolicies($('new-policies').value);
  } catch (e) {
    errors['new-policies'] = e.message;
  }
  return Object.keys(errors).length ? { errors } : { body };
}

async function create(event) {
  event.preventDefault();
  const status = $('create-status');
  const button = $('create-campaign');
  clearFieldErrors();
  setStatus(status, '');
  const { body, errors } = readForm();
  if (errors) {
    for (const [id, message] of Object.entries(errors)) setFieldError(id, message);
    setStatus(status, `Please correct ${Object.keys(errors).length === 1 ? 'the marked field' : 'the marked fields'}.`);
    $(Object.keys(errors)[0]).focus();
    return;
  }
  button.disabled = true;
  setStatus(status, 'Creating…', 'info');
  try {
    const campaign = await api('POST', '/api/v1/campaigns', body);
    setStatus(status, `Campaign ${campaign.id} created.`, 'ok');
    location.href = `/campaign.html?id=${enc(campaign.id)}`;
  } catch (e) {
    const inputId = inputForField(e.field);
    if (inputId) {
      setFieldError(inputId, e.message);
      $(inputId).focus();
    }
    setStatus(status, e.status === 409
      ? `${describeError(e)} A campaign with this id already exists with other settings; choose another id.`
      : describeError(e));
    button.disabled = false;
  }
}

async function loadCampaigns() {
  const status = $('list-status');
  try {
    const { campaigns } = await api('GET', '/api/v1/campaigns');
    campaigns.sort((a, b) => a.id.localeCompare(b.id));
    syncChildren(document.querySelector('#campaigns-table tbody'), campaigns, c => c.id, c => {
      const href = `/campaign.html?id=${enc(c.id)}`;
      return el('tr', { dataset: { id: c.id } },
        el('th', { scope: 'row' }, el('a', { href }, c.id)),
        el('td', {}, el('span', { className: `badge ${c.status}` }, c.status)),
        el('td', { className: 'num' }, fmt(c.importedInstances)),
        el('td', { className: 'num' }, fmt(c.settings?.rounds)),
        el('td', { className: 'num' }, fmt(c.settings?.maxClicksPerRound)),
        el('td', {}, c.settings?.model ?? '—'),
        el('td', { className: 'actions' }, el('a', { className: 'btn', href, 'aria-label': `Open campaign ${c.id}` }, 'Open')));
    }, { empty: emptyRow(7, 'No campaigns yet. Create the first one below.') });
    setStatus(status, '');
  } catch (e) {
    showError(status, e);
  }
}

async function main() {
  if (!await startPage(['manager', 'admin'])) return;
  $('create-form').addEventListener('submit', create);
  $('new-campaign-link').addEventListener('click', event => {
    event.preventDefault();
    $('create-form').scrollIntoView({ behavior: 'smooth', block: 'start' });
    $('new-id').focus({ preventScroll: true });
  });
  await loadCampaigns();
}

main();
