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

function campaignItem(campaign) {
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
    link.className = 'btn btn-primary annotate-link';
    link.href = `/annotate.html?campaign=${enc(campaign.id)}`;
    link.dataset.campaign = campaign.id;
    link.textContent = 'Annotate';
    link.setAttribute('aria-label', `Annotate in ${campaign.id}`);
    const paint = document.createElement('a');
    paint.className = 'btn paint-link';
    paint.href = `/paint.html?campaign=${enc(campaign.id)}`;
    paint.dataset.campaign = campaign.id;
    paint.textContent = 'Paint references';
    paint.setAttribute('aria-label', `Paint reference masks in ${campaign.id}`);
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
    const answer = await api('GET', '/api/v1/campaigns');
    const campaigns = sortCampaigns(answer?.campaigns ?? []);
    list.replaceChildren(...campaigns.map(campaignItem));
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
