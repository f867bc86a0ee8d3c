/**
 * Fake Bot Framework services on 127.0.0.1, built on the shared fake provider:
 *
 * - a Bot Connector: POST /v3/conversations/{conversationId}/activities (and
 *   .../activities/{replyToId}) answered like the real one: 200 {"id": ...},
 *   errors as {"error": {"code", "message"}}, 429 with Retry-After, 401 when
 *   it wants a bearer token and gets none. It records every activity.
 * - the Bot Framework login service: OpenID metadata and signing keys (JWKS
 *   with endorsements, as login.botframework.com publishes them), and a
 *   signer that mints the JWTs the Bot Connector puts on its requests, with
 *   a test RSA key from node:crypto.
 */
import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { type FakeAnswer, type FakeProvider, type RecordedRequest, startFakeProvider } from '../fake-provider.js';

export interface PostedActivity {
  /** The Bot Connector conversation id from the path, decoded. */
  conversationId: string;
  replyToId: string | undefined;
  authorization: string | undefined;
  activity: Record<string, unknown> & { text?: string; suggestedActions?: unknown; attachments?: unknown[] };
}

export interface FakeBotConnector {
  url: string;
  provider: FakeProvider;
  /** Activities it accepted (2xx), in order. */
  activities: PostedActivity[];
  /** Answers for the next requests, in order, before going back to accepting. */
  answerNext(...answers: FakeAnswer[]): void;
  close(): Promise<void>;
}

const ACTIVITIES_PATH = /^\/v3\/conversations\/([^/]+)\/activities(?:\/([^/]+))?$/;

export async function startFakeBotConnector(options: { requireToken?: string } = {}): Promise<FakeBotConnector> {
  const activities: PostedActivity[] = [];
  const scripted: FakeAnswer[] = [];
  let counter = 0;
  const provider = await startFakeProvider((request: RecordedRequest) => {
    const match = ACTIVITIES_PATH.exec(request.path);
    if (request.method !== 'POST' || !match) {
      return { status: 404, body: { error: { code: 'NotFound', message: `No route for ${request.path}` } } };
    }
    const authorization = header(request, 'authorization');
    if (options.requireToken && authorization !== `Bearer ${options.requireToken}`) {
      // What the Bot Connector answers a missing or bad token (an ASP.NET authorization filter).
      return { status: 401, body: { message: 'Authorization has been denied for this request.' } };
    }
    const next = scripted.shift();
    if (next) return next;
    let activity: PostedActivity['activity'];
    try {
      activity = JSON.parse(request.body) as PostedActivity['activity'];
    } catch {
      return { status: 400, body: { error: { code: 'BadSyntax', message: 'Invalid JSON in the request body' } } };
    }
    if (activity.type !== 'message' || !activity.conversation) {
      return {
        status: 400,
        body: { error: { code: 'BadArgument', message: 'Activity type and conversation required' } },
      };
    }
    counter += 1;
    activities.push({
      conversationId: decodeURIComponent(match[1] ?? ''),
      replyToId: match[2] === undefined ? undefined : decodeURIComponent(match[2]),
      authorization,
      activity,
    });
    return { status: 200, body: { id: `1795425${String(counter).padStart(6, '0')}` } };
  });
  return {
    url: provider.url,
    provider,
    activities,
    answerNext: (...answers) => scripted.push(...answers),
    close: () => provider.close(),
  };
}

/** The error answers a real Bot Connector gives, for scripting. */
export const CONNECTOR_ERRORS = {
  throttled: (retryAfterSeconds: number): FakeAnswer => ({
    status: 429,
    headers: { 'retry-after': String(retryAfterSeconds) },
    body: { error: { code: 'Throttled', message: 'Too many requests; retry later' } },
  }),
  serviceError: (): FakeAnswer => ({
    status: 500,
    body: { error: { code: 'ServiceError', message: 'Unknown error' } },
  }),
  badGateway: (): FakeAnswer => ({ status: 502, body: 'Bad Gateway' }),
  notInRoster: (): FakeAnswer => ({
    status: 403,
    body: { error: { code: 'BotNotInConversationRoster', message: 'The bot is not part of the conversation roster.' } },
  }),
  conversationNotFound: (): FakeAnswer => ({
    status: 404,
    body: { error: { code: 'ConversationNotFound', message: 'Conversation not found.' } },
  }),
  badArgument: (): FakeAnswer => ({
    status: 400,
    body: { error: { code: 'BadArgument', message: 'Unknown attachment type' } },
  }),
  unauthorized: (): FakeAnswer => ({
    status: 401,
    body: { message: 'Authorization has been denied for this request.' },
  }),
};

function header(request: RecordedRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

export interface ChannelTokenOptions {
  appId: string;
  serviceUrl: string;
  /** Which published key signs: 'main' is endorsed for every channel, 'teams-only' for msteams only. */
  key?: 'main' | 'teams-only' | 'rogue';
  /** Seconds from now; negative for an expired token. Default one hour. */
  expiresIn?: number;
  issuer?: string;
}

export interface FakeBotFrameworkLogin {
  /** Give this to the module as its OpenID metadata URL. */
  metadataUrl: string;
  /** Requests the login service received (metadata and keys fetches). */
  requests: RecordedRequest[];
  /** A JWT as the Bot Connector sends it in `Authorization: Bearer ...`. */
  channelToken(options: ChannelTokenOptions): string;
  close(): Promise<void>;
}

/** The Bot Connector's issuer, as login.botframework.com's metadata states it. */
export const BOT_CONNECTOR_ISSUER = 'https://api.botframework.com';
const ENDORSED_FOR_ALL = ['msteams', 'facebook', 'emulator', 'webchat', 'directline', 'skype', 'slack', 'telegram'];

export async function startFakeBotFrameworkLogin(): Promise<FakeBotFrameworkLogin> {
  const keys = {
    main: {
      kid: 'fake-main-key',
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
      endorsements: ENDORSED_FOR_ALL,
    },
    'teams-only': {
      kid: 'fake-teams-key',
      ...generateKeyPairSync('rsa', { modulusLength: 2048 }),
      endorsements: ['msteams'],
    },
  };
  // Not published; claims the main key's kid, so only its signature gives it away.
  const rogue = generateKeyPairSync('rsa', { modulusLength: 2048 });
  let url = '';
  const provider = await startFakeProvider((request) => {
    if (request.method === 'GET' && request.path === '/v1/.well-known/openidconfiguration') {
      return {
        status: 200,
        body: {
          issuer: BOT_CONNECTOR_ISSUER,
          authorization_endpoint: 'https://invalid.botframework.com',
          jwks_uri: `${url}/v1/.well-known/keys`,
          id_token_signing_alg_values_supported: ['RS256'],
          token_endpoint_auth_methods_supported: ['private_key_jwt'],
        },
      };
    }
    if (request.method === 'GET' && request.path === '/v1/.well-known/keys') {
      return {
        status: 200,
        body: {
          keys: Object.values(keys).map((key) => {
            const jwk = key.publicKey.export({ format: 'jwk' });
            return {
              kty: 'RSA',
              use: 'sig',
              kid: key.kid,
              x5t: key.kid,
              n: jwk.n,
              e: jwk.e,
              endorsements: key.endorsements,
            };
          }),
        },
      };
    }
    return { status: 404, body: { error: 'not found' } };
  });
  url = provider.url;
  return {
    metadataUrl: `${url}/v1/.well-known/openidconfiguration`,
    requests: provider.requests,
    channelToken(options) {
      const now = Math.floor(Date.now() / 1000);
      const chosen = options.key ?? 'main';
      const signer = chosen === 'rogue' ? { kid: keys.main.kid, privateKey: rogue.privateKey } : keys[chosen];
      const expiresIn = options.expiresIn ?? 3600;
      return signJwt(
        { alg: 'RS256', typ: 'JWT', kid: signer.kid, x5t: signer.kid },
        {
          serviceurl: options.serviceUrl,
          nbf: Math.min(now, now + expiresIn) - 300,
          exp: now + expiresIn,
          iss: options.issuer ?? BOT_CONNECTOR_ISSUER,
          aud: options.appId,
        },
        signer.privateKey,
      );
    },
    close: () => provider.close(),
  };
}

function signJwt(header: Record<string, unknown>, payload: Record<string, unknown>, key: KeyObject): string {
  const encode = (part: Record<string, unknown>) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(payload)}`;
  const signature = createSign('RSA-SHA256').update(signingInput).sign(key).toString('base64url');
  return `${signingInput}.${signature}`;
}
