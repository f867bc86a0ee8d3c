/**
 * Prometheus metrics at GET /metrics. Each process exposes its own; a
 * Prometheus scraping every gateway and worker process sums them.
 */
import type { Channel, PipelineObserver, PipelineQueues } from '@passerelle/core';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  observer: PipelineObserver;
  /** Hybrid mode: what customers judge: how long they wait for a person, and for the person's first words. */
  hybrid: { handoffWaited(seconds: number): void; firstHumanReply(seconds: number): void };
}

/** Waiting for a person is minutes, not milliseconds. */
const HUMAN_BUCKETS = [5, 15, 30, 60, 120, 180, 300, 600, 900, 1800, 3600];

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 4, 5, 7.5, 10, 15, 30];

export function createMetrics(queues: PipelineQueues): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'passerelle_' });

  const inbound = new Counter({
    name: 'passerelle_inbound_events_total',
    help:
      'Inbound events received by the gateway, by channel and result (accepted, duplicate, refused, ' +
      'unavailable: Redis could not take it and the sender was told to retry).',
    labelNames: ['channel', 'result'],
    registers: [registry],
  });
  const replies = new Counter({
    name: 'passerelle_replies_total',
    help: 'Outbound messages finished by the channel sender, by channel and outcome (sent, failed, unknown).',
    labelNames: ['channel', 'outcome'],
    registers: [registry],
  });
  const dialogStep = new Histogram({
    name: 'passerelle_dialog_step_seconds',
    help: 'Time the dialog worker spent on one inbound event, connectors included.',
    labelNames: ['channel'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  const receiveToSend = new Histogram({
    name: 'passerelle_receive_to_send_seconds',
    help: 'From the inbound message reaching the gateway to its reply leaving the channel sender.',
    labelNames: ['channel'],
    buckets: LATENCY_BUCKETS,
    registers: [registry],
  });
  new Gauge({
    name: 'passerelle_queue_jobs',
    help: 'Jobs in each pipeline queue by state, read from Redis at scrape time.',
    labelNames: ['queue', 'state'],
    registers: [registry],
    async collect() {
      for (const [name, queue] of [
        ['inbound', queues.inbound.queue],
        ['outbound', queues.outbound.queue],
        ['dead-letters', queues.deadLetters.queue],
      ] as const) {
        const counts = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed');
        for (const [state, count] of Object.entries(counts)) this.set({ queue: name, state }, count);
      }
    },
  });

  const handoffWait = new Histogram({
    name: 'passerelle_handoff_wait_seconds',
    help: 'From a conversation asking for a person to an operator getting it.',
    buckets: HUMAN_BUCKETS,
    registers: [registry],
  });
  const firstHumanReply = new Histogram({
    name: 'passerelle_first_human_reply_seconds',
    help: "From a conversation asking for a person to the operator's first reply.",
    buckets: HUMAN_BUCKETS,
    registers: [registry],
  });

  const observer: PipelineObserver = {
    inboundReceived: (channel: Channel, result) => inbound.inc({ channel, result }),
    dialogStepHandled: (channel: Channel, seconds) => dialogStep.observe({ channel }, seconds),
    replyFinished(channel: Channel, outcome, seconds) {
      replies.inc({ channel, outcome });
      if (seconds !== undefined) receiveToSend.observe({ channel }, seconds);
    },
  };
  return {
    registry,
    observer,
    hybrid: {
      handoffWaited: (seconds) => handoffWait.observe(seconds),
      firstHumanReply: (seconds) => firstHumanReply.observe(seconds),
    },
  };
}
