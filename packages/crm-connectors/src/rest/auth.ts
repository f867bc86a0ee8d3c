/**
 * The credentials sent with every call: a header built from a secret, or an
 * OAuth 2 client-credentials token (RFC 6749 §4.4). The token is fetched on
 * the first call, kept until shortly before it expires, and fetched again
 * when the API answers 401 to it (revoked, or expired early).
 */
import { z } from 'zod';
import { ConnectorHttpError } from '../errors.js';
import { requestJson } from '../http.js';
import { resolveSecret } from '../secrets.js';
import type { AuthSettings } from './settings.js';
import { render } from './templates.js';

export interface Authenticator {
  headers(): Promise<Record<string, string>>;
  /** The API refused these headers (401): true when fetching new credentials may help. */
  refused(headers: Record<string, string>): boolean;
}

type Env = Readonly<Record<string, string | undefined>>;

export function createAuthenticator(auth: AuthSettings | undefined, env: Env, now: () => Date): Authenticator {
  if (auth?.oauth) return new ClientCredentials(auth.oauth, env, now);
  const header = auth?.header;
  if (!header) return { headers: async () => ({}), refused: () => false };
  const secret = resolveSecret(header.secret, env, 'auth.header.secret');
  const fixed = { [header.name]: render(header.value, { secret }) };
  return { headers: async () => fixed, refused: () => false };
}

/** RFC 6749 §5.1; some servers send expires_in as a string. */
const TokenAnswer = z.object({
  access_token: z.string().min(1),
  token_type: z.string().optional(),
  expires_in: z.coerce.number().positive().optional(),
});

class ClientCredentials implements Authenticator {
  private readonly clientId: string;
  private readonly clientSecret: string;
  private token: { header: string; expiresAt: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly settings: NonNullable<AuthSettings['oauth']>,
    env: Env,
    private readonly now: () => Date,
  ) {
    this.clientId = resolveSecret(settings.client_id, env, 'auth.oauth.client_id');
    this.clientSecret = resolveSecret(settings.client_secret, env, 'auth.oauth.client_secret');
  }

  async headers(): Promise<Record<string, string>> {
    return { Authorization: await this.current() };
  }

  refused(headers: Record<string, string>): boolean {
    if (this.token && headers.Authorization === this.token.header) this.token = undefined;
    return true;
  }

  private current(): Promise<string> {
    if (this.token && this.now().getTime() < this.token.expiresAt) return Promise.resolve(this.token.header);
    // Calls arriving together wait for the same token rather than each asking for one.
    this.pending ??= this.fetchToken().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  private async fetchToken(): Promise<string> {
    const form = new URLSearchParams({ grant_type: 'client_credentials', ...this.settings.params });
    if (this.settings.scope) form.set('scope', this.settings.scope);
    const headers: Record<string, string> = {};
    if (this.settings.client_auth === 'body') {
      form.set('client_id', this.clientId);
      form.set('client_secret', this.clientSecret);
    } else {
      // RFC 6749 §2.3.1: each part form-encoded before the two are joined and base64-encoded.
      const pair = `${formEncode(this.clientId)}:${formEncode(this.clientSecret)}`;
      headers.Authorization = `Basic ${Buffer.from(pair).toString('base64')}`;
    }
    const fetchedAt = this.now().getTime();
    let body: unknown;
    try {
      ({ body } = await requestJson({ method: 'POST', url: this.settings.token_url, headers, body: form }));
    } catch (error) {
      if (!(error instanceof ConnectorHttpError)) throw error;
      throw new ConnectorHttpError(`OAuth token: ${error.message}`, error.status, error.retryable, error.retryAfterMs);
    }
    const answer = TokenAnswer.safeParse(body);
    if (!answer.success) throw new ConnectorHttpError('OAuth token: the answer has no access_token', undefined, false);
    const lifetime = answer.data.expires_in === undefined ? Number.POSITIVE_INFINITY : answer.data.expires_in * 1000;
    // Renewed a little early (a tenth of its life, at most a minute) so a call never carries a token about to lapse.
    const expiresAt = fetchedAt + lifetime - Math.min(60_000, lifetime / 10);
    const header = `Bearer ${answer.data.access_token}`;
    this.token = { header, expiresAt };
    return header;
  }
}

function formEncode(text: string): string {
  return new URLSearchParams({ x: text }).toString().slice(2);
}
