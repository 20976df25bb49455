// The JSON API: CSRF header on writes, and one place that notices an
// expired session (401) and sends the user back to the login page.

let csrf = null;
let onExpired = () => {};

export function setCsrf(token) { csrf = token; }
export function whenExpired(fn) { onExpired = fn; }

export async function api(method, path, body, opts = {}) {
  const headers = { "Accept": "application/json" };
  let payload;
  if (body !== undefined) {
    if (opts.type) {
      headers["Content-Type"] = opts.type;
      payload = body;
    } else {
      headers["Content-Type"] = "application/json";
      payload = JSON.stringify(body);
    }
  }
  if (csrf && method !== "GET") headers["X-CSRF-Token"] = csrf;
  let res;
  try {
    res = await fetch("/api" + path, { method, headers, credentials: "same-origin", body: payload });
  } catch (e) {
    return { status: 0, data: null, code: "network" };
  }
  const data = res.status === 204 ? null : await res.json().catch(() => null);
  const code = data && data.error ? data.error.code : null;
  if (res.status === 401 && code === "unauthenticated" && !opts.allow401) {
    onExpired();
  }
  return { status: res.status, data, code };
}
