/** The demo connector passes the same contract kit integrators run (src/contract), on PGlite. */
import { fileURLToPath } from 'node:url';
import { type Db, migrate, openDb, resolveContact } from '@passerelle/core';
import { createDemoConnectors, loadDemoSeed } from '@passerelle/crm-connectors';
import { bookingsContract, crmContract, ordersContract } from '@passerelle/crm-connectors/contract';

const SEED = fileURLToPath(new URL('../../../bots/demo/seed.yaml', import.meta.url));
/** A Monday: the showroom (Tuesday to Saturday) has slots all week. */
const NOW = new Date('2027-03-01T08:00:00Z');

async function demo() {
  const db: Db = await openDb({ inMemory: true });
  await migrate(db);
  const seed = await loadDemoSeed(db, SEED, { now: () => NOW });
  const connectors = createDemoConnectors(db, seed, { now: () => NOW });
  return { db, connectors, close: () => db.close() };
}

ordersContract('demo', async () => {
  const { db, connectors, close } = await demo();
  // Zoé's orders in seed.yaml: ML-10234 (3 days ago) and ML-10198 (older); the stranger has none.
  const zoe = await resolveContact(db, {
    channel: 'sms',
    account: 'shop',
    userId: '+33600000001',
    phone: '+33600000001',
  });
  const stranger = await resolveContact(db, {
    channel: 'sms',
    account: 'shop',
    userId: '+33639989999',
    phone: '+33639989999',
  });
  return {
    orders: connectors.orders,
    known: { number: 'ML-10234', owner: { id: zoe.id, phone: '+33600000001' } },
    older: { number: 'ML-10198' },
    stranger: { id: stranger.id, phone: '+33639989999' },
    unknownNumber: 'ML-99999',
    close,
  };
});

bookingsContract('demo', async () => {
  const { db, connectors, close } = await demo();
  const contact = await resolveContact(db, { channel: 'webchat', account: 'site', userId: 'v_contract' });
  return {
    bookings: connectors.bookings,
    service: 'showroom-visit',
    range: { from: '2027-03-02T00:00:00Z', to: '2027-03-03T00:00:00Z' },
    contact: { id: contact.id },
    close,
  };
});

crmContract('demo', async () => {
  const { connectors, close } = await demo();
  await connectors.crm.upsertContact({ email: 'camille.roux@example.com', phone: '+33639980491' });
  return {
    crm: connectors.crm,
    existing: { email: 'camille.roux@example.com', phone: '+33639980491' },
    newEmail: 'new.customer@example.com',
    close,
  };
});
