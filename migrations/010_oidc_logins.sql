-- Single sign-on attempts in flight (issue 14): between the redirect to the OpenID provider and
-- its answer, the state, nonce and PKCE verifier wait here, keyed by the sha256 of a random id
-- kept in the starting browser's cookie, so any process on this database can finish the sign-in
-- and only the browser that started it can. A row is used once and lives a few minutes.
CREATE TABLE oidc_logins (
  id_hash text PRIMARY KEY,
  state text NOT NULL,
  nonce text NOT NULL,
  code_verifier text NOT NULL,
  expires_at timestamptz NOT NULL
);
CREATE INDEX oidc_logins_expires ON oidc_logins (expires_at);
