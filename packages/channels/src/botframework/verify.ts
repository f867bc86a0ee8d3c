/**
 * Is this activity really from the Bot Connector? botbuilder's CloudAdapter
 * with ConfigurationBotFrameworkAuthentication checks the JWT in the
 * Authorization header: signed by a key from the Bot Framework's OpenID
 * metadata, issued for our MicrosoftAppId, endorsed for the activity's
 * channel, and naming the activity's serviceUrl (so a token cannot be
 * replayed to make us post somewhere else).
 *
 * We call CloudAdapter.processActivity rather than process(req, res): process
 * writes the HTTP answer itself (a 500 with the error text for anything that
 * is not an authentication failure, console.error for every refusal), and we
 * want our own answers: 401 with a reason, 503 when the signing keys cannot
 * be fetched (the Bot Connector retries), and the event accepted before 2xx.
 *
 * Without MicrosoftAppId botbuilder skips authentication ("open mode", for
 * the Bot Framework Emulator). We then serve only a caller on this machine
 * (the connection comes from the loopback interface), and only a loopback
 * serviceUrl, so an open gateway can neither be used from elsewhere nor be
 * made to post anywhere else.
 */
import type { IncomingMessage } from 'node:http';
import type { Config } from '@passerelle/core';
import { type Activity, CallerIdConstants, CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import { AuthenticationConstants, AuthenticationError } from 'botframework-connector';
import proxyaddr from 'proxy-addr';
import { HttpRefusal } from '../http-errors.js';
import type { InboundActivity } from './activity.js';
import { credentialSettings } from './credentials.js';

/** Where botbuilder fetches the signing keys. Overridable for tests and private clouds. */
export interface BotFrameworkEndpoints {
  /** OpenID metadata of the Bot Connector service (tokens on activities from Teams, Messenger...). */
  channelOpenIdMetadataUrl: string;
  /** OpenID metadata for tokens the Bot Framework Emulator gets from Entra ID. */
  emulatorOpenIdMetadataUrl: string;
}

export const PUBLIC_CLOUD_ENDPOINTS: BotFrameworkEndpoints = {
  channelOpenIdMetadataUrl: AuthenticationConstants.ToBotFromChannelOpenIdMetadataUrl,
  emulatorOpenIdMetadataUrl: AuthenticationConstants.ToBotFromEmulatorOpenIdMetadataUrl,
};

/** The configuration values botbuilder reads, from ours. */
export function botFrameworkAuthSettings(env: Config['env'], endpoints: BotFrameworkEndpoints): Record<string, string> {
  return {
    ...credentialSettings(env),
    // Setting one endpoint makes botbuilder take all of them from here (BotFrameworkAuthenticationFactory),
    // so the public cloud's values are spelled out next to the overridable ones.
    ToBotFromChannelOpenIdMetadataUrl: endpoints.channelOpenIdMetadataUrl,
    ToBotFromEmulatorOpenIdMetadataUrl: endpoints.emulatorOpenIdMetadataUrl,
    ToBotFromChannelTokenIssuer: AuthenticationConstants.ToBotFromChannelTokenIssuer,
    ToChannelFromBotLoginUrl: AuthenticationConstants.ToChannelFromBotLoginUrl,
    ToChannelFromBotOAuthScope: AuthenticationConstants.ToChannelFromBotOAuthScope,
    OAuthUrl: AuthenticationConstants.OAuthUrl,
    CallerId: CallerIdConstants.PublicAzureChannel,
    ValidateAuthority: 'true',
  };
}

/**
 * processActivity is protected: process() is the public way in, and
 * processActivityDirect() wraps every error in a plain Error, which would
 * lose the difference between a bad token and an unreachable key server.
 */
class VerifyingAdapter extends CloudAdapter {
  verify(authorization: string, activity: Activity, work: () => Promise<void>): Promise<unknown> {
    return this.processActivity(authorization, activity, work);
  }
}

export class ActivityAuthenticator {
  /** True when MicrosoftAppId is unset: no token is checked. */
  readonly open: boolean;
  private readonly adapter: VerifyingAdapter;

  constructor(env: Config['env'], endpoints: BotFrameworkEndpoints) {
    this.open = !env.MicrosoftAppId;
    this.adapter = new VerifyingAdapter(
      new ConfigurationBotFrameworkAuthentication(botFrameworkAuthSettings(env, endpoints)),
    );
  }

  /**
   * In open mode, refuses (403) a request that does not come from this machine; with
   * MicrosoftAppId set, the token says who is calling and this checks nothing. Cheap: called
   * before the body is read, and again by run().
   */
  checkCaller(request: IncomingMessage): void {
    if (this.open) assertLoopbackCaller(request);
  }

  /**
   * Runs `work` once botbuilder accepted the request. Throws an HttpRefusal
   * when it did not, VerificationUnavailable when it could not tell; errors
   * thrown by `work` itself pass through unchanged.
   */
  async run(
    request: IncomingMessage,
    authorization: string | undefined,
    activity: InboundActivity,
    work: () => Promise<void>,
  ): Promise<void> {
    this.checkCaller(request);
    if (this.open) assertLoopbackServiceUrl(activity.serviceUrl);
    else if (!authorization) throw new HttpRefusal(401, 'missing Authorization header (a Bot Framework JWT)');
    let started = false;
    try {
      // A copy: the adapter writes callerId into the activity it is given.
      await this.adapter.verify(authorization ?? '', structuredClone(activity) as unknown as Activity, async () => {
        started = true;
        await work();
      });
    } catch (error) {
      if (started) throw error;
      throw refusalFor(error);
    }
  }
}

/** The token could not be checked (key servers unreachable): not the sender's fault; answered 503. */
export class VerificationUnavailable extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VerificationUnavailable';
  }
}

/**
 * What a failure before our work started means. botbuilder throws
 * AuthenticationError (401 for a bad token, 500 when the OpenID metadata or
 * keys could not be fetched), jsonwebtoken's errors for a bad signature or an
 * expired token, and fetch errors when the key servers are unreachable.
 */
function refusalFor(error: unknown): Error {
  const { name, message } = error instanceof Error ? error : new Error(String(error));
  const status = error instanceof AuthenticationError ? error.statusCode : undefined;
  if (status === 401 || ['JsonWebTokenError', 'TokenExpiredError', 'NotBeforeError'].includes(name)) {
    return new HttpRefusal(401, `unauthorized: ${message}`);
  }
  return new VerificationUnavailable(`cannot verify the token right now: ${message}`, { cause: error });
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);
const isLoopback = proxyaddr.compile('loopback');

const OPEN_MODE_REMEDY = 'set MicrosoftAppId and MicrosoftAppPassword for Teams and Messenger';

/**
 * Open mode serves the Emulator on this machine only. Who is calling is the TCP peer
 * (req.socket.remoteAddress), which a remote caller cannot choose: 127.0.0.0/8 (also written
 * ::ffff:127.x.x.x) or ::1. Not req.ip: the app's `trust proxy` setting trusts the private networks
 * too (TRUSTED_PROXIES), so a caller on the LAN could write `X-Forwarded-For: 127.0.0.1` and be
 * taken for this machine. X-Forwarded-For can only refuse here, never admit: a proxy on this
 * machine (nginx, an ngrok tunnel) connects from loopback and writes the real client there, and
 * any address in it that is not loopback means the request came from elsewhere through it. A
 * proxy that forwards without saying for whom makes every caller look local: behind one, set
 * MicrosoftAppId.
 */
function assertLoopbackCaller(request: IncomingMessage): void {
  const peer = request.socket.remoteAddress;
  const chain = peer ? proxyaddr.all(request) : [];
  const remote = chain.find((address) => !isLoopback(address, 0));
  if (chain.length > 0 && remote === undefined) return;
  throw new HttpRefusal(
    403,
    'MicrosoftAppId is not set, so only the Bot Framework Emulator on this machine is served, and this ' +
      `request comes from ${remote === peer || !peer ? 'another machine' : 'another machine through a proxy'}; ` +
      OPEN_MODE_REMEDY,
  );
}

function assertLoopbackServiceUrl(serviceUrl: string): void {
  const url = new URL(serviceUrl);
  const bare = url.pathname === '/' && !url.search && !url.hash && !url.username && !url.password;
  if (!LOOPBACK_HOSTS.has(url.hostname) || !bare) {
    throw new HttpRefusal(
      403,
      'MicrosoftAppId is not set, so only the Bot Framework Emulator on this machine is served ' +
        `(a serviceUrl like http://localhost:PORT); ${OPEN_MODE_REMEDY}`,
    );
  }
}
