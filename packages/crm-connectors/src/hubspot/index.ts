export { hubspotConnector } from './definition.js';
export { HubspotSettings } from './settings.js';
