import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { OIDC_CALLBACK_PATH } from '../../src/config';
import { startProvider, type TestAccount, type TestProvider } from './oidc-provider';
import { createTestApp, type TestApp } from './test-app';

export const PROVIDER_PASSWORD = 'provider password';

/** An account of the test provider's directory. */
export const providerAccount = (email: string, email_verified = true, name?: string): TestAccount => ({ password: PROVIDER_PASSWORD, email, email_verified, name });

/** Serves a request listener on 127.0.0.1 and gives its origin. */
export async function serve(listener: http.RequestListener): Promise<{ origin: string; server: http.Server }> {
  const server = http.createServer(listener);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

export const stop = (server: http.Server) => new Promise<void>((resolve) => server.close(() => resolve()));

export interface SsoApp {
  a: TestApp;
  provider: TestProvider;
  /** Where the app listens (its OIDC_REDIRECT_URL points here). */
  origin: string;
  close(): Promise<void>;
}

/**
 * The real app on a local port, configured for single sign-on with a real OpenID provider (with
 * `accounts` in its directory) on another: the app's address must be known before the provider
 * registers its callback, and the provider's before the app is configured.
 */
export async function startSsoApp(accounts: Record<string, TestAccount>, env: Record<string, string> = {}): Promise<SsoApp> {
  let listener: http.RequestListener = () => undefined;
  const app = await serve((req, res) => listener(req, res));
  const client = { clientId: 'rollcall', clientSecret: 'a client secret for tests', redirectUri: `${app.origin}${OIDC_CALLBACK_PATH}` };
  const provider = await startProvider(client, accounts);
  const a = await createTestApp({
    OIDC_ISSUER: provider.issuer,
    OIDC_CLIENT_ID: client.clientId,
    OIDC_CLIENT_SECRET: client.clientSecret,
    OIDC_REDIRECT_URL: client.redirectUri,
    OIDC_ALLOWED_DOMAINS: 'school.example, academy.example',
    OIDC_NAME: 'Test School',
    ...env,
  });
  listener = a.app;
  return {
    a,
    provider,
    origin: app.origin,
    async close() {
      await stop(app.server);
      await provider.close();
      await a.close();
    },
  };
}
