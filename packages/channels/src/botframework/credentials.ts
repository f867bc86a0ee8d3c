/**
 * Our MicrosoftApp* variables as botbuilder's configuration reads them, for
 * both directions (checking inbound tokens, getting outbound ones).
 */
import type { Config } from '@passerelle/core';

export function credentialSettings(env: Config['env']): Record<string, string> {
  // A user-assigned managed identity has no password, and botbuilder refuses one if given.
  const password = env.MicrosoftAppType === 'UserAssignedMSI' ? undefined : env.MicrosoftAppPassword;
  return {
    ...(env.MicrosoftAppId ? { MicrosoftAppId: env.MicrosoftAppId } : {}),
    ...(password ? { MicrosoftAppPassword: password } : {}),
    MicrosoftAppType: env.MicrosoftAppType,
    ...(env.MicrosoftAppTenantId ? { MicrosoftAppTenantId: env.MicrosoftAppTenantId } : {}),
  };
}
