// "My campaigns": the campaigns the signed-in user can work in, with a way into the running ones.
import { api, requireUser, describeError, enc } from './api.js';
import { renderNav } from './nav.js';

const managers = ['manager', 'admin'];
const statusOrder = { running: 0, paused: 1, importing: 2, draft: 3, finished: 4 };

const statusNote = {
  running: '',
  paused: 'Paused by a manager: nothing to annotate right now.',
  finished: 'Finished.',
  draft: 'Not started yet.',
  importing: 'Objects are being imported; not started yet.',
};

function plural(n, one, many) { return `${n} ${n === 1 ? one : many}`; }

/**
 * What an annotator has to do before working, from GET /api/v1/me/qualifications: per kind 'test' (take the test),
 * 'manager' (no test is set: a manager has to qualify them; corrective only) or null (qualified, or nothing to say).
 */
export function qualificationNeeds(list) {
  const find = kind => (Array.isArray(list) ? list : []).find(q => q?.kind === kind);
  const need = (q, manager) => (!q || q.qualified ? null : q.testAvailable ? 'test' : manager);
  return { corrective: need(find('corrective'), 'manager'), painting: need(find('painting'), null) };
}

/** The local time of an ISO time as "14:05", or null. */
function localTime(iso) {
  const at = Date.parse(iso ?? '');
  return Number.isFinite(at) ? new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }) : null;
}

/** The note above the campaigns on the qualification tests still to take, or null when there is nothing to say. */
function qualificationBanner(list, needs) {
  if (!needs.corrective && !needs.painting) return null;
  const section = document.createElement('section');
  section.id = 'qualifications';
  // Without the corrective qualification nothing can be annotated; the painting one is optional.
  section.className = `card qualify-banner${needs.corrective ? '' : ' optional'}`;
  section.setAttribute('aria-labelledby', 'qualifications-title');
  const title = document.createElement('h2');
  title.id = 'qualifications-title';
  title.textContent = 'Qualification';
  section.append(title);
  const entries = [
    { kind: 'corrective', id: 'take-corrective-test', link: 'Take the qualification test',
      test: n => `Before you can annotate, pass the qualification test: ${plural(n, 'object', 'objects')} to correct with a few clicks each.`,
      manager: 'You cannot annotate yet: a manager has to set a qualification test or qualify you.' },
    { kind: 'painting', id: 'take-painting-test', link: 'Take the painting test',
      test: n => `To paint reference masks, pass the painting test: ${plural(n, 'object', 'objects')} to paint.` },
  ];
  for (const entry of entries) {
    const need = needs[entry.kind];
    if (!need) continue;
    const q = list.find(item => item.kind === entry.kind) ?? {};
    const row = document.createElement('p');
    row.className = 'row qualify-need';
    row.dataset.kind = entry.kind;
    const text = document.createElement('span');
    const parts = [need === 'test' ? entry.test(Number(q.items) || 0) : entry.manager];
    const retry = localTime(q.retryAt);
    if (need === 'test' && q.attempt) parts.push(`Your test is under way: object ${(q.attempt.item ?? 0) + 1} is next.`);
    else if (need === 'test' && retry) parts.push(`You can try again at ${retry}.`);
    text.textContent = parts.join(' ');
    row.append(text);
    if (need === 'test') {
      const link = document.createElement('a');
      link.id = entry.id;
      link.className = entry.kind === 'corrective' ? 'btn btn-primary' : 'btn';
      link.href = `/qualify.html?kind=${entry.kind}`;
      link.textContent = entry.link;
      row.append(link);
    }
    section.append(row);
  }
  return section;
}

/** One line of facts about a campaign's work. */
export function campaignFacts(campaign) {
  const s = campaign.settings ?? {};
  const facts = [];
  if (Number.isFinite(campaign.importedInstances)) facts.push(plural(campaign.importedInstances, 'object', 'objects'));
  if (Number.isFinite(s.rounds)) facts.push(plural(s.rounds, 'round', 'rounds'));
  if (Number.isFinite(s.maxClicksPerRound)) facts.push(`up to ${plural(s.maxClicksPerRound, 'click', 'clicks')} per round`);
  const classes = s.classPolicies ? Object.keys(s.classPolicies) : [];
  if (classes.length) facts.push(`classes with instructions: ${classes.slice(0, 5).join(', ')}${classes.length > 5 ? ', …' : ''}`);
  return facts.join(' · ');
}

export function sortCampaigns(campaigns) {
  return [...campaigns].sort((a, b) =>
    (statusOrder[a.status] ?? 9) - (statusOrder[b.status] ?? 9) || String(a.id).localeCompare(String(b.id)));
}

function campaignItem(campaign, needs = {}) {
  const li = document.createElement('li');
  li.dataset.campaign = campaign.id;

  const name = document.createElement('span');
  name.className = 'campaign-name';
  name.textContent = campaign.id;

  const badge = document.createElement('span');
  badge.className = `badge ${campaign.status}`;
  badge.textContent = campaign.status;

  const facts = document.createElement('span');
  facts.className = 'campaign-facts';
  facts.textContent = [campaignFacts(campaign), statusNote[campaign.status]].filter(Boolean).join(' — ');

  li.append(name, badge, facts);
  if (campaign.status === 'running') {
    const link = document.createElement('a');
    link.dataset.campaign = campaign.id;
    if (needs.corrective === 'test') {
      // Annotation needs the qualification first: the test instead of the Annotate link.
      link.className = 'btn btn-primary qualify-link';
      link.href = '/qualify.html?kind=corrective';
      link.textContent = 'Take the qualification test';
      link.setAttribute('aria-label', `Take the qualification test to annotate in ${campaign.id}`);
    } else {
      link.className = 'btn btn-primary annotate-link';
      link.href = `/annotate.html?campaign=${enc(campaign.id)}`;
      link.textContent = 'Annotate';
      link.setAttribute('aria-label', `Annotate in ${campaign.id}`);
    }
    const paint = document.createElement('a');
    paint.dataset.campaign = campaign.id;
    if (needs.painting === 'test') {
      paint.className = 'btn qualify-link';
      paint.href = '/qualify.html?kind=painting';
      paint.textContent = 'Take the painting test';
      paint.setAttribute('aria-label', `Take the painting test to paint reference masks in ${campaign.id}`);
    } else {
      paint.className = 'btn paint-link';
      paint.href = `/paint.html?campaign=${enc(campaign.id)}`;
      paint.textContent = 'Paint references';
      paint.setAttribute('aria-label', `Paint reference masks in ${campaign.id}`);
    }
    li.append(link, paint);
  }
  return li;
}

async function boot() {
  const status = document.getElementById('status');
  const list = document.getElementById('campaign-list');
  const loading = document.getElementById('campaigns-loading');
  const empty = document.getElementById('campaigns-empty');
  try {
    const user = await requireUser();
    renderNav(user);
    document.getElementById('manage-link').hidden = !managers.includes(user.role);
    // Annotators see the qualification tests they still have to take; without an answer the page works as before.
    const qualifications = user.role === 'annotator'
      ? api('GET', '/api/v1/me/qualifications').catch(() => null) : Promise.resolve(null);
    const answer = await api('GET', '/api/v1/campaigns');
    const answered = await qualifications;
    const mine = Array.isArray(answered) ? answered : answered?.qualifications ?? [];
    const needs = qualificationNeeds(mine);
    const banner = qualificationBanner(mine, needs);
    if (banner) status.after(banner);
    const campaigns = sortCampaigns(answer?.campaigns ?? []);
    list.replaceChildren(...campaigns.map(campaign => campaignItem(campaign, needs)));
    empty.hidden = campaigns.length > 0;
    if (!campaigns.length && managers.includes(user.role))
      empty.textContent = 'There is no campaign yet. Create one under Manage campaigns.';
  } catch (e) {
    status.textContent = `Could not load your campaigns: ${describeError(e)}`;
  } finally {
    loading.hidden = true;
  }
}

if (typeof document !== 'undefined') boot();
