/**
 * The three interfaces a connector implements: CRM, orders, bookings. The
 * dialog calls them through these types only. Built-in connectors, the
 * registry and the contract test kit for integrators live in this package
 * too as they are added.
 */

export type { ConnectorSet } from './connector-set.js';
export {
  CONNECTOR_KINDS,
  type ConnectorContext,
  type ConnectorDefinition,
  type ConnectorKind,
  defineConnector,
} from './definition.js';
export {
  createDemoConnectors,
  type DemoConnectorOptions,
  type DemoSeed,
  type DemoService,
  loadDemoSeed,
  readDemoSeed,
} from './demo/index.js';
export { ConnectorConfigError, ConnectorHttpError, SlotTakenError } from './errors.js';
export { type JsonRequest, type JsonResponse, rateLimitResetMs, requestJson, retryAfterMs } from './http.js';
export type {
  BookingConnector,
  ChannelIdentity,
  ContactRef,
  CrmConnector,
  CrmContact,
  Order,
  OrderConnector,
  Slot,
} from './interfaces.js';
export {
  type ConnectorChoice,
  type ConnectorChoices,
  type ConnectorHost,
  checkConnectors,
  connectorTypes,
  openConnectors,
  registerConnector,
} from './registry.js';
export { DEFAULT_RESILIENCE, isOutage, type ResilienceSettings, withResilience } from './resilience.js';
export { resolveSecret, Secret } from './secrets.js';
