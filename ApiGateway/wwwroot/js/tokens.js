// My API tokens: list, create (the token is shown once), revoke.
import { api, describeError, enc } from './api.js';
import { $, el, fmtTime, setStatus, showError, syncChildren, emptyRow, startPage } from './manage.js';

async function revoke(token, button) {
  const status = $('tokens-status');
  button.disabled = true;
  try {
    await api('DELETE', `/api/v1/me/tokens/${enc(token.id)}`);
    setStatus(status, `Token "${token.name}" revoked: it no longer works.`, 'ok');
    await loadTokens();
  } catch (e) {
    showError(status, e);
    button.disabled = false;
  }
}

function showTokens(tokens) {
  const rows = [...tokens].sort((a, b) => String(b.createdAt).localeCompare(String(a.createdAt)));
  syncChildren($('tokens-table').querySelector('tbody'), rows, t => t.id, t => {
    const button = el('button', { type: 'button', className: 'btn btn-small danger', id: `revoke-${t.id}`, dataset: { token: t.id },
      'aria-label': `Revoke token ${t.name}` }, 'Revoke');
    button.addEventListener('click', () => revoke(t, button));
    return el('tr', { dataset: { token: t.id } },
      el('th', { scope: 'row' }, t.name),
      el('td', {}, t.createdAt ? el('time', { datetime: t.createdAt }, fmtTime(t.createdAt)) : '—'),
      el('td', {}, el('code', {}, `…${t.lastFour ?? ''}`)),
      el('td', { className: 'actions' }, button));
  }, { empty: emptyRow(4, 'No tokens yet.') });
}

async function loadTokens() {
  const { tokens } = await api('GET', '/api/v1/me/tokens');
  showTokens(tokens);
}

async function createToken(event) {
  event.preventDefault();
  const status = $('create-token-status');
  const input = $('token-name');
  const name = input.value.trim();
  setStatus(status, '');
  if (!name) {
    setStatus(status, 'Name the token (what will use it), so you can tell your tokens apart.');
    input.setAttribute('aria-invalid', 'true');
    input.focus();
    return;
  }
  input.removeAttribute('aria-invalid');
  $('create-token').disabled = true;
  try {
    const created = await api('POST', '/api/v1/me/tokens', { name });
    input.value = '';
    $('new-token-name').textContent = `"${created.name}"`;
    $('new-token').value = created.token;
    $('copy-status').textContent = '';
    $('new-token-box').hidden = false;
    $('new-token').focus();
    $('new-token').select();
    await loadTokens();
  } catch (e) {
    if (e.field === 'name') input.setAttribute('aria-invalid', 'true');
    setStatus(status, describeError(e));
  } finally {
    $('create-token').disabled = false;
  }
}

async function copyToken() {
  const field = $('new-token');
  const note = $('copy-status');
  try {
    if (navigator.clipboard && window.isSecureContext) await navigator.clipboard.writeText(field.value);
    else {
      field.select();
      if (!document.execCommand('copy')) throw new Error('The browser refused to copy; select the token and copy it by hand.');
    }
    note.textContent = 'Copied to the clipboard.';
  } catch (e) {
    field.select();
    note.textContent = `Could not copy: ${describeError(e)}`;
  }
}

async function main() {
  if (!await startPage()) return;
  $('token-form').addEventListener('submit', createToken);
  $('copy-token').addEventListener('click', copyToken);
  try {
    await loadTokens();
  } catch (e) {
    showError($('tokens-status'), e);
  }
}

main();
