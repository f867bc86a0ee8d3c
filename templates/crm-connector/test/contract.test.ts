/**
 * The same contract every built-in connector passes, run against this
 * connector and the fake API. `npm test` in this folder.
 */
import { openConnectors, registerConnector } from '@passerelle/crm-connectors';
import { crmContract } from '@passerelle/crm-connectors/contract';
import connector from '../src/index.js';
import { startFakeAcme } from './fake-acme.js';

registerConnector(connector);

crmContract('acme-crm', async () => {
  const fake = await startFakeAcme('test-token');
  fake.contacts.push({
    id: 'c0',
    first_name: 'Camille',
    last_name: 'Roux',
    email: 'camille@example.com',
    phone: '+33639980491',
  });
  // Through openConnectors, as the gateway does: settings checked, secrets from the environment.
  const connectors = await openConnectors(
    { crm: { type: 'acme-crm', base_url: fake.url, token: { env: 'ACME_TOKEN' } } },
    { botDir: '.', env: { ACME_TOKEN: 'test-token' } },
  );
  if (!connectors.crm) throw new Error('no crm connector');
  return {
    crm: connectors.crm,
    existing: { email: 'camille@example.com', phone: '+33639980491' },
    newEmail: 'new.customer@example.com',
    close: fake.close,
  };
});
