import { AppError } from '../errors';

/** The claims of an ID token (and userinfo) that single sign-on reads. */
export type Claims = Record<string, unknown>;

/** Some providers send booleans as strings ("true"). */
const isTrue = (v: unknown) => v === true || v === 'true';

/**
 * The email a provider vouches for, in lower case. `email_verified` is the standard claim (Google
 * sends it); Microsoft Entra ID sends none and instead, when asked for the optional claim
 * `xms_edov`, says whether the tenant owns the email's domain. An unverified email could be
 * anyone's address, so it never signs in.
 */
export function verifiedEmail(claims: Claims): string {
  const email = claims.email;
  if (typeof email !== 'string' || !/^[^@\s]+@[^@\s]+$/.test(email) || email.length > 320) {
    throw new AppError(403, 'sso_email_unverified', 'the identity provider sent no email address: allow the "email" scope (docs/accounts.md)');
  }
  if (!isTrue(claims.email_verified) && !isTrue(claims.xms_edov)) {
    throw new AppError(403, 'sso_email_unverified', `the identity provider has not verified ${email}: sign in with a verified school address`);
  }
  return email.toLowerCase();
}

/** The email's domain when it is one of the allowed ones (exactly: not its subdomains). */
export function allowedDomain(email: string, allowed: readonly string[]): string {
  const domain = email.slice(email.lastIndexOf('@') + 1).toLowerCase();
  if (!allowed.includes(domain)) {
    throw new AppError(403, 'sso_domain_not_allowed', `${domain} accounts may not sign in here: use your school account (${allowed.join(', ')})`);
  }
  return domain;
}

/** A display name for a user created at their first sign-in: the provider's, else the email's local part. */
export function displayName(claims: Claims, email: string): string {
  const given = [claims.given_name, claims.family_name].filter((v): v is string => typeof v === 'string' && v.trim() !== '').join(' ');
  const name = typeof claims.name === 'string' && claims.name.trim() ? claims.name.trim() : given || email.slice(0, email.indexOf('@'));
  return name.slice(0, 200);
}
