const KEY_STORAGE = 'rollcall.apiKey';

/** The API key lives in localStorage so the teacher types it once per browser. */
export const apiKey = {
  get: (): string | null => localStorage.getItem(KEY_STORAGE),
  set: (key: string): void => localStorage.setItem(KEY_STORAGE, key),
  clear: (): void => localStorage.removeItem(KEY_STORAGE),
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

function authHeaders(): Record<string, string> {
  const key = apiKey.get();
  return key ? { Authorization: `Bearer ${key}` } : {};
}

async function send(method: string, path: string, body?: unknown): Promise<Response> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers: { ...authHeaders(), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
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

/**
 * A multipart POST through XMLHttpRequest, because fetch reports no upload progress.
 * onProgress gets the fraction sent, then null once the server is working on the upload.
 */
export function upload<T>(path: string, form: FormData, onProgress: (sent: number | null) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    for (const [k, v] of Object.entries(authHeaders())) xhr.setRequestHeader(k, v);
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

/** Exports need the key header, so a plain link cannot fetch them: fetch, then save the blob. */
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
