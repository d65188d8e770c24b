// People: the accounts, their qualification, new accounts and password resets.
import { api, describeError, enc } from './api.js';
import { $, el, fmtTime, setStatus, showError, syncChildren, emptyRow, startPage } from './manage.js';

const fieldInputs = { userName: 'user-name', password: 'user-password', role: 'user-role' };
let me = null;
let resetFor = null;

function setFieldError(inputId, message) {
  const input = $(inputId), note = $(`${inputId}-error`);
  note.textContent = message;
  note.hidden = !message;
  if (message) input.setAttribute('aria-invalid', 'true');
  else input.removeAttribute('aria-invalid');
}

async function setQualified(userName, qualified, input) {
  const status = $('users-status');
  input.disabled = true;
  try {
    await api('PUT', `/api/v1/annotators/${enc(userName)}/qualification`, { qualified });
    setStatus(status, `${userName} is ${qualified ? 'qualified' : 'no longer qualified'}.`, 'ok');
    await loadUsers();
  } catch (e) {
    input.checked = !qualified;
    showError(status, e);
  } finally {
    input.disabled = false;
  }
}

function openReset(userName) {
  resetFor = userName;
  $('password-user').textContent = userName;
  $('new-password').value = '';
  setStatus($('password-status'), '');
  $('password-dialog').showModal();
  $('new-password').focus();
}

async function saveReset(event) {
  event.preventDefault();
  const status = $('password-status');
  const password = $('new-password').value;
  if (!password) { setStatus(status, 'Type the new password.'); $('new-password').focus(); return; }
  $('password-save').disabled = true;
  try {
    await api('PUT', `/api/v1/users/${enc(resetFor)}/password`, { password });
    $('password-dialog').close();
    setStatus($('users-status'), `The password of ${resetFor} was changed.`, 'ok');
  } catch (e) {
    showError(status, e);
    $('new-password').focus();
  } finally {
    $('password-save').disabled = false;
  }
}

function showUsers(users) {
  const rows = [...users].sort((a, b) => a.userName.localeCompare(b.userName));
  syncChildren($('users-table').querySelector('tbody'), rows, u => u.userName, u => {
    const checkbox = el('input', { type: 'checkbox', id: `qualified-${u.userName}`, className: 'qualify-toggle', checked: !!u.qualified, dataset: { user: u.userName } });
    checkbox.addEventListener('change', () => setQualified(u.userName, checkbox.checked, checkbox));
    const reset = el('button', { type: 'button', className: 'btn btn-small', id: `reset-password-${u.userName}`, dataset: { user: u.userName },
      'aria-label': `Reset the password of ${u.userName}` }, 'Reset password');
    reset.addEventListener('click', () => openReset(u.userName));
    return el('tr', { dataset: { user: u.userName } },
      el('th', { scope: 'row' }, u.userName, me && u.userName === me.userName ? el('span', { className: 'muted' }, ' (you)') : null),
      el('td', {}, el('span', { className: `badge role-${u.role}` }, u.role)),
      el('td', {}, el('label', { className: 'inline toggle', for: checkbox.id }, checkbox, el('span', {}, u.qualified ? 'qualified' : 'not qualified'))),
      el('td', {}, u.createdAt ? el('time', { datetime: u.createdAt }, fmtTime(u.createdAt)) : '—'),
      el('td', { className: 'actions' }, reset));
  }, { empty: emptyRow(5, 'No accounts yet.') });
}

async function loadUsers() {
  const { users } = await api('GET', '/api/v1/users');
  showUsers(users);
}

async function createUser(event) {
  event.preventDefault();
  const status = $('create-user-status');
  for (const id of Object.values(fieldInputs)) setFieldError(id, '');
  setStatus(status, '');
  const body = { userName: $('user-name').value.trim(), password: $('user-password').value, role: $('user-role').value };
  const missing = [];
  if (!body.userName) { setFieldError('user-name', 'Give a user name.'); missing.push('user-name'); }
  if (!body.password) { setFieldError('user-password', 'Give a first password; the person can be told it and it can be reset here.'); missing.push('user-password'); }
  if (missing.length) {
    setStatus(status, 'Please fill in the marked fields.');
    $(missing[0]).focus();
    return;
  }
  $('create-user').disabled = true;
  try {
    await api('POST', '/api/v1/users', body);
    $('user-name').value = '';
    $('user-password').value = '';
    setStatus(status, `Added ${body.userName} (${body.role})${body.role === 'annotator' ? '; qualify them in the table above when they may take tasks' : ''}.`, 'ok');
    await loadUsers();
  } catch (e) {
    const key = Object.keys(fieldInputs).find(k => k.toLowerCase() === String(e.field ?? '').toLowerCase());
    if (key) { setFieldError(fieldInputs[key], e.message); $(fieldInputs[key]).focus(); }
    setStatus(status, describeError(e));
  } finally {
    $('create-user').disabled = false;
  }
}

async function main() {
  me = await startPage(['manager', 'admin']);
  if (!me) return;
  if (me.role !== 'admin') {
    for (const option of $('user-role').options) option.disabled = option.value !== 'annotator';
    $('user-role').value = 'annotator';
    $('user-role-hint').textContent = 'Managers add annotators; an admin adds managers and admins.';
  }
  $('create-user-form').addEventListener('submit', createUser);
  $('password-form').addEventListener('submit', saveReset);
  $('password-cancel').addEventListener('click', () => $('password-dialog').close());
  try {
    await loadUsers();
  } catch (e) {
    showError($('users-status'), e);
  }
}

main();
