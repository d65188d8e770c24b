// Sign-in: user name and password; on success back to the page that sent the user here.
import { api, currentUser, describeError, ApiError } from './api.js';

const fallback = '/index.html';

/**
 * The page to go to after signing in: the `return` parameter when it is a path on this site
 * (starts with one `/`, not `//` or `/\`, which browsers read as another host), else the home page.
 */
export function returnTarget(search, origin) {
  const raw = new URLSearchParams(search).get('return');
  if (!raw || !raw.startsWith('/') || raw.startsWith('//') || raw.startsWith('/\\')) return fallback;
  // Control characters and backslashes are normalised away by URL parsing; refuse them instead of guessing.
  if (/[\u0000-\u001f\u007f\\]/.test(raw)) return fallback;
  let url;
  try { url = new URL(raw, origin); } catch { return fallback; }
  if (url.origin !== origin) return fallback;
  if (url.pathname === '/login.html') return fallback;
  return url.pathname + url.search + url.hash;
}

function boot() {
  const form = document.getElementById('login-form');
  const userName = document.getElementById('user-name');
  const password = document.getElementById('password');
  const button = document.getElementById('sign-in');
  const error = document.getElementById('login-error');
  const target = returnTarget(location.search, location.origin);

  function fail(message, field) {
    error.textContent = message;
    userName.setAttribute('aria-invalid', String(field === 'userName' || field === 'both'));
    password.setAttribute('aria-invalid', String(field === 'password' || field === 'both'));
    (field === 'userName' ? userName : password).focus();
  }

  form.addEventListener('submit', async event => {
    event.preventDefault();
    error.textContent = '';
    const name = userName.value.trim();
    if (!name) return fail('Enter your user name.', 'userName');
    if (!password.value) return fail('Enter your password.', 'password');
    button.disabled = true;
    button.textContent = 'Signing in…';
    try {
      await api('POST', '/api/v1/auth/login', { userName: name, password: password.value });
      location.replace(target);
    } catch (e) {
      password.value = '';
      if (e instanceof ApiError && e.status === 401) fail('Wrong user name or password.', 'both');
      else if (e instanceof ApiError && e.status === 429) fail('Too many attempts. Wait a moment and try again.', 'password');
      else fail(`Could not sign in: ${describeError(e)}`, 'password');
    } finally {
      button.disabled = false;
      button.textContent = 'Sign in';
    }
  });

  // Already signed in (a second tab, the back button): offer the way on rather than redirecting, so a page
  // that keeps being refused cannot bounce between here and there.
  currentUser().then(user => {
    if (!user) return;
    document.getElementById('signed-in-name').textContent = user.userName;
    document.getElementById('continue-link').href = target;
    document.getElementById('signed-in-note').hidden = false;
  }).catch(e => { error.textContent = `The server is not answering: ${describeError(e)}`; });
}

if (typeof document !== 'undefined') boot();
