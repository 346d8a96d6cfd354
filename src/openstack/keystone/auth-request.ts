/**
 * @module Builds the Keystone v3 `POST /v3/auth/tokens` body for each auth method and scope, and
 * normalises the auth URL to its v3 base. Pure; unit-tested alone.
 */
import { ConfigurationError } from '../../common/errors/index.js';
import type { AuthOptions } from '../session-options.js';

type Json = Record<string, unknown>;

function given(v: string | undefined): v is string {
  return v !== undefined && v !== '';
}

function domainRef(id: string | undefined, name: string | undefined): Json | undefined {
  if (given(id)) return { id };
  if (given(name)) return { name };
  return undefined;
}

/**
 * The v3 base URL for an auth URL given with or without a version (`http://ks:5000` → `http://ks:5000/v3`).
 * @throws ConfigurationError for a v2.0 URL (Keystone v2 is gone) or a malformed URL.
 */
export function keystoneV3Base(authUrl: string | undefined): string {
  if (!given(authUrl))
    throw new ConfigurationError('auth_url is required for Keystone authentication');
  let url: URL;
  try {
    url = new URL(authUrl);
  } catch {
    throw new ConfigurationError(`auth_url '${authUrl}' is not a valid URL`);
  }
  const path = url.pathname.replace(/\/+$/, '');
  if (/\/v2(\.0)?$/.test(path)) {
    throw new ConfigurationError(
      `auth_url '${authUrl}' points at the Keystone v2.0 API, which no longer exists; use the v3 URL`,
    );
  }
  url.pathname = /\/v3$/.test(path) ? path : `${path}/v3`;
  url.search = '';
  return url.toString().replace(/\/+$/, '');
}

function userRef(a: AuthOptions): Json {
  if (given(a.userId)) return { id: a.userId };
  if (!given(a.username)) {
    throw new ConfigurationError('password authentication needs username or user_id');
  }
  const domain = domainRef(a.userDomainId, a.userDomainName);
  if (domain === undefined) {
    throw new ConfigurationError(
      `user '${a.username}' is given by name: set user_domain_name or user_domain_id`,
    );
  }
  return { name: a.username, domain };
}

/** The `scope` object, or undefined for an unscoped token. */
export function scopeOf(a: AuthOptions): Json | undefined {
  if (given(a.systemScope)) {
    if (a.systemScope !== 'all') {
      throw new ConfigurationError(`system_scope '${a.systemScope}' is not supported (only 'all')`);
    }
    return { system: { all: true } };
  }
  if (given(a.projectId)) return { project: { id: a.projectId } };
  if (given(a.projectName)) {
    const domain =
      domainRef(a.projectDomainId, a.projectDomainName) ??
      domainRef(a.userDomainId, a.userDomainName);
    if (domain === undefined) {
      throw new ConfigurationError(
        `project '${a.projectName}' is given by name: set project_domain_name or project_domain_id`,
      );
    }
    return { project: { name: a.projectName, domain } };
  }
  const domain = domainRef(a.domainId, a.domainName);
  return domain === undefined ? undefined : { domain };
}

function applicationCredential(a: AuthOptions): Json {
  if (!given(a.applicationCredentialSecret)) {
    throw new ConfigurationError(
      'application credential authentication needs application_credential_secret',
    );
  }
  if (given(a.applicationCredentialId)) {
    return { id: a.applicationCredentialId, secret: a.applicationCredentialSecret };
  }
  if (!given(a.applicationCredentialName)) {
    throw new ConfigurationError(
      'application credential authentication needs application_credential_id, or ' +
        'application_credential_name with the user',
    );
  }
  return {
    name: a.applicationCredentialName,
    secret: a.applicationCredentialSecret,
    user: userRef(a),
  };
}

/**
 * The JSON body of `POST /v3/auth/tokens` for `auth`.
 * @throws ConfigurationError when a field the method needs is missing, or for `noauth`.
 */
export function authRequestBody(auth: AuthOptions): Json {
  let identity: Json;
  let scope: Json | undefined;
  switch (auth.type) {
    case 'password':
      if (!given(auth.password))
        throw new ConfigurationError('password authentication needs password');
      identity = {
        methods: ['password'],
        password: { user: { ...userRef(auth), password: auth.password } },
      };
      scope = scopeOf(auth);
      break;
    case 'token':
      if (!given(auth.token)) throw new ConfigurationError('token authentication needs token');
      identity = { methods: ['token'], token: { id: auth.token } };
      scope = scopeOf(auth);
      break;
    case 'applicationcredential':
      // An application credential carries its own project scope; Keystone refuses an explicit one.
      identity = {
        methods: ['application_credential'],
        application_credential: applicationCredential(auth),
      };
      scope = undefined;
      break;
    case 'noauth':
      throw new ConfigurationError('noauth mode does not authenticate');
  }
  return { auth: scope === undefined ? { identity } : { identity, scope } };
}

/** Who is authenticating, for error messages (never the secret). */
export function describePrincipal(a: AuthOptions): string {
  if (a.type === 'applicationcredential') {
    return `application credential '${a.applicationCredentialId ?? a.applicationCredentialName ?? '?'}'`;
  }
  if (a.type === 'token') return 'the configured token';
  return `user '${a.username ?? a.userId ?? '?'}'`;
}
