/**
 * The shape of a channel's cases file: real-shaped provider traffic and what
 * the channel must make of it. One shared table-driven harness per transport
 * runs them (packages/channels/test); integrators read them as examples.
 */
import type { InboundEvent, OutboundMessage } from '@passerelle/core';

type DeepPartial<T> = T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;

export interface ExpectedEvents {
  /** Compared field by field: only the fields given are checked. */
  events: Array<DeepPartial<InboundEvent>>;
}

export interface ExpectedRefusal {
  /** HTTP status for webhooks; error code for the web chat socket. */
  refused: { status?: number; code?: string; reason: RegExp };
}

export interface InboundCase<Request> {
  name: string;
  request: Request;
  expect: ExpectedEvents | ExpectedRefusal;
}

export interface OutboundCase<ProviderRequest> {
  name: string;
  message: OutboundMessage;
  /** The provider calls the channel must make, in order. */
  expect: { requests: ProviderRequest[] };
}

export interface ChannelCases<Request, ProviderRequest> {
  channel: InboundEvent['channel'];
  inbound: Array<InboundCase<Request>>;
  outbound: Array<OutboundCase<ProviderRequest>>;
}

/** An HTTP request a provider makes to one of our webhooks, as it arrives on the wire. */
export interface WebhookRequest {
  method?: 'POST' | 'GET';
  /** Absolute path with query string, e.g. /webhooks/twilio. */
  path: string;
  headers?: Record<string, string>;
  /** The raw body, exactly as the provider sends it (form-encoded, JSON...). */
  body: string;
}
