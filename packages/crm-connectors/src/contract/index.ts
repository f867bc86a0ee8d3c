/**
 * The contract test kit: the suites every built-in connector passes, for an
 * integrator to run against their own connector (and a fake of the API it
 * calls). Each function registers node:test suites:
 *
 *   import { ordersContract } from '@passerelle/crm-connectors/contract';
 *   ordersContract('my shop', async () => ({ orders, known, older, stranger, unknownNumber }));
 *
 * and `node --test` runs them. See docs/connectors.md.
 */
export { type BookingsContractSetup, bookingsContract } from './bookings.js';
export { type CrmContractSetup, crmContract } from './crm.js';
export { type OrdersContractSetup, ordersContract } from './orders.js';
