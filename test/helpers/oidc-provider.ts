import crypto from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID provider (oidc-provider) on a local port, with its own sign-in page and a
 * directory of accounts, for end-to-end single sign-on tests. oidc-provider is ESM-only and the
 * tests compile to CommonJS, where TypeScript would turn import() into require(): the import is
 * built at run time so that jest (run with --experimental-vm-modules) loads the real ES module.
 */
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<{ default: ProviderClass }>;

/** The part of oidc-provider's API these tests use. */
interface Interaction {
  uid: string;
  params: Record<string, unknown>;
}
interface Grant {
  addOIDCScope(scope: string): void;
  save(): Promise<string>;
}
interface Provider {
  callback(): http.RequestListener;
  interactionDetails(req: http.IncomingMessage, res: http.ServerResponse): Promise<Interaction>;
  interactionFinished(req: http.IncomingMessage, res: http.ServerResponse, result: object, options: object): Promise<void>;
  Grant: new (init: { accountId: string; clientId: string }) => Grant;
}
type ProviderClass = new (issuer: string, configuration: object) => Provider;

export interface TestAccount {
  password: string;
  /** Claims released for the email and profile scopes. */
  email: string;
  email_verified: boolean;
  name?: string;
}

export interface TestProvider {
  issuer: string;
  close(): Promise<void>;
}

type Payload = Record<string, unknown>;

/** oidc-provider's storage, in memory for one test file. */
function memoryAdapter() {
  const store = new Map<string, Payload>();
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key = (id: string) => `${this.model}:${id}`;
    private findBy(field: string, value: string): Payload | undefined {
      for (const [k, v] of store) if (k.startsWith(`${this.model}:`) && v[field] === value) return v;
      return undefined;
    }
    async upsert(id: string, payload: Payload) {
      store.set(this.key(id), payload);
    }
    async find(id: string) {
      return store.get(this.key(id));
    }
    async findByUid(uid: string) {
      return this.findBy('uid', uid);
    }
    async findByUserCode(userCode: string) {
      return this.findBy('userCode', userCode);
    }
    async consume(id: string) {
      const p = store.get(this.key(id));
      if (p) p.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      store.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [k, v] of store) if (v.grantId === grantId) store.delete(k);
    }
  };
}

const escape = (s: string) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

function loginPage(res: http.ServerResponse, uid: string, problem: string): void {
  res.writeHead(problem ? 401 : 200, { 'Content-Type': 'text/html; charset=utf-8' });
  res.end(`<!doctype html><title>Test provider</title>${problem ? `<p>${escape(problem)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}"><input name="login"><input name="password" type="password"><button>Sign in</button></form>`);
}

async function formOf(req: http.IncomingMessage): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

/** Its own sign-in page: the account is checked, then the login and consent are granted at once. */
async function interaction(provider: Provider, accounts: Record<string, TestAccount>, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  const details = await provider.interactionDetails(req, res);
  if (req.method !== 'POST') return loginPage(res, details.uid, '');
  const form = await formOf(req);
  const login = form.get('login') ?? '';
  if (!accounts[login] || accounts[login].password !== form.get('password')) return loginPage(res, details.uid, 'wrong login or password');
  const grant = new provider.Grant({ accountId: login, clientId: String(details.params.client_id) });
  grant.addOIDCScope(String(details.params.scope));
  const grantId = await grant.save();
  await provider.interactionFinished(req, res, { login: { accountId: login }, consent: { grantId } }, { mergeWithLastSubmission: false });
}

/** Starts a provider on 127.0.0.1 with one confidential client that must use PKCE. */
export async function startProvider(client: { clientId: string; clientSecret: string; redirectUri: string }, accounts: Record<string, TestAccount>): Promise<TestProvider> {
  const { default: Provider } = await importEsm('oidc-provider');
  let handle: http.RequestListener = () => undefined;
  const server = http.createServer((req, res) => handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const jwk = { ...crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'test', alg: 'RS256', use: 'sig' };
  const provider = new Provider(issuer, {
    adapter: memoryAdapter(),
    clients: [{ client_id: client.clientId, client_secret: client.clientSecret, redirect_uris: [client.redirectUri], grant_types: ['authorization_code'], response_types: ['code'] }],
    jwks: { keys: [jwk] },
    cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: (_ctx: unknown, id: string) => {
      const a = accounts[id];
      return a && { accountId: id, claims: () => ({ sub: id, email: a.email, email_verified: a.email_verified, ...(a.name ? { name: a.name } : {}) }) };
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, i: { uid: string }) => `/interaction/${i.uid}` },
    pkce: { methods: ['S256'], required: () => true },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
  });
  const oidc = provider.callback();
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return oidc(req, res);
    interaction(provider, accounts, req, res).catch((e: Error) => {
      res.writeHead(500).end(e.message);
    });
  };
  return { issuer, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}
