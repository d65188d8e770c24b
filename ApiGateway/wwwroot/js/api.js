// Calls to /api/v1 from the pages: the session cookie goes along, state-changing calls carry the
// anti-forgery token, and refusals become ApiError with the problem's code and field.

let antiforgeryToken = null;

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail || problem?.title || `HTTP ${status}`);
    this.status = status;
    this.code = problem?.code ?? null;
    this.field = problem?.field ?? null;
    this.problem = problem ?? null;
  }
}

/** The signed-in user ({userName, role}), or null; also refreshes the anti-forgery token. */
export async function currentUser() {
  const response = await fetch('/api/v1/auth/me', { credentials: 'same-origin', headers: { Accept: 'application/json' } });
  if (response.status === 401) return null;
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  const me = await response.json();
  antiforgeryToken = me.antiforgeryToken;
  return { userName: me.userName, role: me.role };
}

/** Sends to the page's sign-in when nobody is signed in; otherwise answers the user. */
export async function requireUser(roles) {
  const user = await currentUser();
  if (!user) {
    location.href = '/login.html?return=' + encodeURIComponent(location.pathname + location.search);
    return new Promise(() => {});
  }
  if (roles && !roles.includes(user.role)) {
    throw new ApiError(403, { title: 'Forbidden', detail: `This page is for ${roles.join(' or ')} accounts; you are signed in as ${user.userName} (${user.role}).`, code: 'forbidden' });
  }
  return user;
}

async function problemOf(response) {
  const type = response.headers.get('Content-Type') || '';
  if (type.includes('json')) {
    try { return await response.json(); } catch { return null; }
  }
  return { title: response.statusText };
}

/**
 * A JSON call. `body` is sent as JSON (or as-is when it is a Blob/File/string with `contentType`).
 * Answers the parsed JSON, null for 204, or throws ApiError. A 401 sends the page to sign-in.
 */
export async function api(method, path, body, { contentType, signal, raw, retried = false } = {}) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body !== undefined && body !== null) {
    if (body instanceof Blob || typeof body === 'string') {
      payload = body;
      headers['Content-Type'] = contentType || 'application/octet-stream';
    } else {
      payload = JSON.stringify(body);
      headers['Content-Type'] = 'application/json';
    }
  }
  if (method !== 'GET' && method !== 'HEAD') {
    if (!antiforgeryToken) await currentUser();
    if (antiforgeryToken) headers['X-CSRF-TOKEN'] = antiforgeryToken;
  }
  const response = await fetch(path, { method, headers, body: payload, credentials: 'same-origin', signal });
  if (response.status === 401 && !path.startsWith('/api/v1/auth/')) {
    location.href = '/login.html?return=' + encodeURIComponent(location.pathname + location.search);
    return new Promise(() => {});
  }
  if (!response.ok) {
    const error = new ApiError(response.status, await problemOf(response));
    // The anti-forgery token is bound to the session: after a new sign-in in another tab, fetch it again once.
    if (error.code === 'antiforgery' && !retried) {
      antiforgeryToken = null;
      return api(method, path, body, { contentType, signal, raw, retried: true });
    }
    throw error;
  }
  if (raw) return response;
  return jsonOf(response);
}

/** An answer's JSON: null for 204 or an empty body. */
export async function jsonOf(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  return text ? JSON.parse(text) : null;
}

/**
 * The server's clock minus the local one in milliseconds, by the answer's Date header; `otherwise` without one. The
 * header has whole seconds, so only a clearly wrong local clock (more than 2 s off) is corrected: 0 within that.
 */
export function clockSkewOf(response, otherwise) {
  const date = Date.parse(response.headers.get('Date') || '');
  if (!Number.isFinite(date)) return otherwise;
  const skew = date - Date.now();
  return Math.abs(skew) > 2000 ? skew : 0;
}

/** Uploads with a progress callback (fraction 0..1); fetch cannot report upload progress. */
export async function upload(path, file, contentType, onProgress) {
  if (!antiforgeryToken) await currentUser();
  return new Promise((resolve, reject) => {
    const request = new XMLHttpRequest();
    request.open('POST', path);
    request.setRequestHeader('Content-Type', contentType);
    request.setRequestHeader('Accept', 'application/json');
    if (antiforgeryToken) request.setRequestHeader('X-CSRF-TOKEN', antiforgeryToken);
    request.upload.onprogress = e => { if (e.lengthComputable) onProgress(e.loaded / e.total); };
    request.onload = () => {
      let json = null;
      try { json = request.responseText ? JSON.parse(request.responseText) : null; } catch { json = null; }
      if (request.status >= 200 && request.status < 300) resolve(json);
      else reject(new ApiError(request.status, json));
    };
    request.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'The upload did not reach the server.' }));
    request.send(file);
  });
}

export async function signOut() {
  await api('POST', '/api/v1/auth/logout');
  location.href = '/login.html';
}

/** Text for a refusal, naming the field when the server named one. */
export function describeError(error) {
  if (error instanceof ApiError) {
    const field = error.field && error.field !== 'body' ? ` (${error.field})` : '';
    return `${error.message}${field}`;
  }
  return String(error?.message ?? error);
}

/** The problem's title and detail (and the field it names), or the error's message. */
export function problemText(error) {
  const problem = error instanceof ApiError ? error.problem : null;
  if (!problem) return describeError(error);
  const parts = [problem.title, problem.detail].filter((part, i, all) => part && all.indexOf(part) === i);
  const field = problem.field && problem.field !== 'body' ? ` (${problem.field})` : '';
  return `${parts.join(': ') || `HTTP ${error.status}`}${field}`;
}

export const enc = encodeURIComponent;
