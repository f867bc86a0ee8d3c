import type { Channel } from '../events/schema.js';

/**
 * What the pipeline reports as it works. The gateway turns these into
 * Prometheus metrics; packages never import a metrics library themselves.
 */
export interface PipelineObserver {
  inboundReceived(channel: Channel, result: 'accepted' | 'duplicate' | 'refused'): void;
  dialogStepHandled(channel: Channel, seconds: number): void;
  replyFinished(channel: Channel, outcome: 'sent' | 'failed' | 'unknown', receiveToSendSeconds?: number): void;
}

export const silentObserver: PipelineObserver = {
  inboundReceived() {},
  dialogStepHandled() {},
  replyFinished() {},
};
