/**
 * The bearer token our replies carry to the Bot Connector. botframework-
 * connector's credentials get it from Entra ID (MSAL) for MicrosoftAppId, as
 * a botbuilder bot would, for every app type (MultiTenant, SingleTenant,
 * user-assigned managed identity), and keep it until shortly before it
 * expires. Without MicrosoftAppId (the Emulator) no token is sent.
 */
import type { Config } from '@passerelle/core';
import { ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { AppCredentials, AuthenticationConstants } from 'botframework-connector';
import { ProviderError } from '../types.js';
import { credentialSettings } from './credentials.js';

export interface TokenSource {
  /** A token for the Bot Connector; throws a ProviderError when none can be had. */
  getToken(): Promise<string>;
}

export function connectorTokenSource(env: Config['env']): TokenSource | undefined {
  const appId = env.MicrosoftAppId;
  if (!appId) return undefined;
  const factory = new ConfigurationServiceClientCredentialFactory(credentialSettings(env));
  let credentials: Promise<unknown> | undefined;
  return {
    async getToken() {
      try {
        credentials ??= factory.createCredentials(
          appId,
          AuthenticationConstants.ToChannelFromBotOAuthScope,
          AuthenticationConstants.ToChannelFromBotLoginUrl,
          true,
        );
        const resolved = await credentials;
        if (!(resolved instanceof AppCredentials)) throw new Error('botframework-connector gave no token credentials');
        return await resolved.getToken();
      } catch (error) {
        credentials = undefined;
        throw tokenFailure(error);
      }
    },
  };
}

/** Entra ID refusing our credentials will not change by retrying; a network failure may. */
function tokenFailure(error: unknown): ProviderError {
  const message = error instanceof Error ? error.message : String(error);
  const code = String((error as { errorCode?: unknown })?.errorCode ?? '');
  if (/invalid_client|unauthorized_client|invalid_request|AADSTS7000215|AADSTS700016/.test(`${code} ${message}`)) {
    return new ProviderError(
      'Entra ID refused the bot credentials: check MicrosoftAppId, MicrosoftAppPassword, MicrosoftAppType and MicrosoftAppTenantId',
      'reject',
      { cause: error },
    );
  }
  return new ProviderError(`could not get a Bot Connector token: ${message}`, 'retry', { cause: error });
}
