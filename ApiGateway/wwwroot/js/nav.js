// The header every page shares: product name, the pages the user's role may open, who is signed in.
import { signOut, requireUser, problemText } from './api.js';

const links = [
  { href: '/index.html', text: 'My campaigns', roles: ['annotator', 'manager', 'admin'] },
  { href: '/campaigns.html', text: 'Manage campaigns', roles: ['manager', 'admin'] },
  { href: '/users.html', text: 'People', roles: ['manager', 'admin'] },
  { href: '/tokens.html', text: 'API tokens', roles: ['annotator', 'manager', 'admin'] },
];

export function renderNav(user) {
  const header = document.getElementById('nav');
  if (!header) return;
  header.className = 'nav';
  header.replaceChildren();
  const brand = document.createElement('a');
  brand.href = '/index.html';
  brand.className = 'brand';
  brand.textContent = 'Annotate';
  header.append(brand);
  const list = document.createElement('nav');
  for (const link of links.filter(l => l.roles.includes(user.role))) {
    const a = document.createElement('a');
    a.href = link.href;
    a.textContent = link.text;
    if (location.pathname === link.href) a.setAttribute('aria-current', 'page');
    list.append(a);
  }
  header.append(list);
  const who = document.createElement('span');
  who.className = 'who';
  who.textContent = `${user.userName} (${user.role})`;
  const out = document.createElement('button');
  out.type = 'button';
  out.textContent = 'Sign out';
  out.id = 'sign-out';
  out.addEventListener('click', () => signOut());
  header.append(who, out);
}

/**
 * Starts the task page of one campaign (`?campaign=ID`) for the signed-in user: the header, the title, then
 * `start(campaignId)`. A missing id, or a failure to start, is said in `#status` and in the stage's `#stageMessageId`.
 */
export async function bootCampaignPage(pageName, stageMessageId, start) {
  const status = document.getElementById('status');
  try {
    renderNav(await requireUser());
    const campaignId = new URLSearchParams(location.search).get('campaign');
    if (!campaignId) {
      document.getElementById(stageMessageId).textContent = 'No campaign chosen.';
      status.textContent = 'Open this page from My campaigns: the address names no campaign.';
      return;
    }
    document.title = `${campaignId} · ${pageName}`;
    start(campaignId);
  } catch (e) {
    status.textContent = `The page could not start: ${problemText(e)}`;
  }
}
