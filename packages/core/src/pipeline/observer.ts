import type { Channel } from '../events/schema.js';

/**
 * What the pipeline reports as it works. The gateway turns these into
 * Prometheus metrics; packages never import a metrics library themselves.
 */
export interface PipelineObserver {
  /** 'unavailable': Redis could not take it; the sender was told to try again (503, or the socket's refusal). */
  inboundReceived(channel: Channel, result: 'accepted' | 'duplicate' | 'refused' | 'unavailable'): void;
  dialogStepHandled(channel: Channel, seconds: number): void;
  replyFinished(channel: Channel, outcome: 'sent' | 'failed' | 'unknown', receiveToSendSeconds?: number): void;
}

export const silentObserver: PipelineObserver = {
  inboundReceived() {},
  dialogStepHandled() {},
  replyFinished() {},
};
