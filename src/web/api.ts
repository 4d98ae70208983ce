/**
 * The page is signed in by the HttpOnly session cookie, which the browser sends by itself; what
 * changes something also carries the session's CSRF token, kept in memory only (GET /api/v1/me
 * gives it again after a reload).
 */
let csrfToken: string | null = null;
export const csrf = {
  set: (token: string | null): void => {
    csrfToken = token;
  },
};

/** An API error answer: `{"error": {"code", "message", "details"}}`, or a network failure. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

function toApiError(status: number, body: string): ApiError {
  try {
    const e = (JSON.parse(body) as { error?: { code?: unknown; message?: unknown; details?: unknown } }).error;
    if (e && typeof e.code === 'string' && typeof e.message === 'string') return new ApiError(status, e.code, e.message, e.details);
  } catch {
    // Not JSON (a proxy's error page, say): fall through to the generic message.
  }
  return new ApiError(status, 'http_error', `the server answered ${status}`);
}

function authHeaders(method: string): Record<string, string> {
  return method !== 'GET' && csrfToken ? { 'X-CSRF-Token': csrfToken } : {};
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...authHeaders(method), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network_error', 'the server could not be reached');
  }
  if (!res.ok) throw toApiError(res.status, await res.text());
  return res;
}

export async function getJson<T>(path: string): Promise<T> {
  return (await (await send('GET', path)).json()) as T;
}

export async function getBlob(path: string): Promise<Blob> {
  return (await send('GET', path)).blob();
}

export async function sendJson<T>(method: 'POST' | 'PATCH', path: string, body: unknown): Promise<T> {
  return (await (await send(method, path, body)).json()) as T;
}

/** A request answered 204 (sign-out, password change, revocations). */
export async function sendNoContent(method: 'POST' | 'DELETE', path: string, body?: unknown): Promise<void> {
  await send(method, path, body);
}

/**
 * A multipart POST through XMLHttpRequest, because fetch reports no upload progress.
 * onProgress gets the fraction sent, then null once the server is working on the upload.
 */
export function upload<T>(path: string, form: FormData, onProgress: (sent: number | null) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(authHeaders('POST'))) xhr.setRequestHeader(k, v);
    xhr.upload.onprogress = (e) => onProgress(e.lengthComputable ? e.loaded / e.total : null);
    xhr.upload.onload = () => onProgress(null);
    xhr.onload = () => {
      if (xhr.status < 200 || xhr.status >= 300) return reject(toApiError(xhr.status, xhr.responseText));
      try {
        resolve(JSON.parse(xhr.responseText) as T);
      } catch {
        reject(new ApiError(xhr.status, 'invalid_response', 'the server sent an answer that is not JSON'));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'the server could not be reached'));
    xhr.send(form);
  });
}

/** Exports are fetched, then saved from the blob, so that an error shows in the page rather than as a file. */
export async function download(path: string): Promise<string> {
  const res = await send('GET', path);
  const name = /filename="([^"]+)"/.exec(res.headers.get('Content-Disposition') ?? '')?.[1] ?? path.split('/').pop() ?? 'export';
  const url = URL.createObjectURL(await res.blob());
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  // Revoking at once can cancel the save in some browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
  return name;
}
