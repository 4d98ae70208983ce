/**
 * A minimal browser for redirect flows: real HTTP with fetch, following redirects one by one and
 * keeping cookies as a browser does (per host name whatever the port, with their paths;
 * Max-Age=0 deletes).
 */
export class Browser {
  private readonly jar = new Map<string, { value: string; path: string }>();

  private cookieHeader(url: URL): string {
    return [...this.jar.entries()]
      .filter(([k, c]) => k.startsWith(`${url.hostname} `) && url.pathname.startsWith(c.path))
      .map(([k, c]) => `${k.split(' ')[2]}=${c.value}`)
      .join('; ');
  }

  private keep(url: URL, res: Response): void {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';').map((p) => p.trim());
      const eq = pair.indexOf('=');
      const attr = (name: string) => attrs.find((a) => a.toLowerCase().startsWith(`${name}=`))?.slice(name.length + 1);
      const expires = attr('expires');
      const key = `${url.hostname} ${attr('path') || '/'} ${pair.slice(0, eq)}`;
      if (attr('max-age') === '0' || (expires !== undefined && Date.parse(expires) <= Date.now())) this.jar.delete(key);
      else this.jar.set(key, { value: pair.slice(eq + 1), path: attr('path') || '/' });
    }
  }

  /** One request, cookies sent and kept, no redirect followed. */
  async request(url: string, init: { method?: string; form?: Record<string, string> } = {}): Promise<Response> {
    const u = new URL(url);
    const headers: Record<string, string> = { Cookie: this.cookieHeader(u) };
    let body: string | undefined;
    if (init.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(init.form).toString();
    }
    const res = await fetch(u, { method: init.method ?? (body ? 'POST' : 'GET'), headers, body, redirect: 'manual' });
    this.keep(u, res);
    return res;
  }

  /**
   * Requests `url` and follows redirects (as GETs) until an answer that is not one, or until the
   * next location satisfies `stopBefore`; returns the last answer and where it was going.
   */
  async follow(url: string, init: { method?: string; form?: Record<string, string> } = {}, stopBefore: (next: URL) => boolean = () => false): Promise<{ res: Response; url: string; next: string | null }> {
    let res = await this.request(url, init);
    for (let hops = 0; hops < 20; hops++) {
      const location = res.status >= 300 && res.status < 400 ? res.headers.get('location') : null;
      if (!location) return { res, url, next: null };
      const next = new URL(location, url);
      if (stopBefore(next)) return { res, url, next: next.href };
      await res.arrayBuffer();
      url = next.href;
      res = await this.request(url);
    }
    throw new Error(`too many redirects, last ${url}`);
  }
}
