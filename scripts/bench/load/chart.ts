/**
 * Draws the load benchmark's figures for the README: Chart.js (the console's
 * own chart library) in headless Chromium, screenshot to a PNG. Left: replies
 * per second by worker count beside the raw BullMQ ceiling. Right: what a
 * customer waits at the steady load by worker count (webhook acknowledgement
 * and end to end, p50 and p99); the per-channel figures are in the printout.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { launchChromium } from '../../../test/support/console-browser.js';
import type { LatencySummary } from '../stats.js';
import type { ScaleStepResult } from './scenario.js';

export interface ChartInput {
  finishedAt: string;
  machine: { cpus: number };
  settings: { steadyRate: number; burst: number; gateways: number };
  ceiling: LatencySummary;
  steps: ScaleStepResult[];
}

const CHART_JS = join(dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.min.js');

export async function drawLoadChart(results: ChartInput, file: string): Promise<void> {
  if (results.steps.length === 0) throw new Error('no scale step to draw');
  const throughput = {
    labels: results.steps.map((step) => `${step.workers} worker${step.workers > 1 ? 's' : ''}`),
    gateway: results.steps.map((step) => Math.round(step.burst.throughput)),
    ceiling: results.steps.map(() => Math.round(results.ceiling.throughput)),
  };
  // All channels together, by worker count: how waiting changes as processes are added.
  const latency = {
    labels: throughput.labels,
    ackP50: results.steps.map((step) => round(step.steady.ack.p50Ms)),
    ackP99: results.steps.map((step) => round(step.steady.ack.p99Ms)),
    endToEndP50: results.steps.map((step) => round(step.steady.endToEnd.p50Ms)),
    endToEndP99: results.steps.map((step) => round(step.steady.endToEnd.p99Ms)),
  };
  const day = results.finishedAt.slice(0, 10);
  const titles = {
    throughput: `Replies per second, burst of ${results.settings.burst} (${results.settings.gateways} gateways, ${results.machine.cpus} CPUs, ${day})`,
    latency: `Waiting at a steady ${results.settings.steadyRate} msg/s, every channel (ms)`,
  };
  const page = `<!doctype html><html><head><meta charset="utf-8"><style>
    body { margin: 0; font-family: sans-serif; background: #fff; }
    #charts { display: flex; gap: 24px; padding: 16px; width: 1168px; }
    .chart { width: 560px; height: 340px; }
  </style></head><body><div id="charts"><div class="chart"><canvas id="throughput"></canvas></div>
  <div class="chart"><canvas id="latency"></canvas></div></div>
  <script>${await readFile(CHART_JS, 'utf8')}</script>
  <script>
    const data = ${JSON.stringify({ throughput, latency, titles })};
    const common = { animation: false, responsive: true, maintainAspectRatio: false };
    new Chart(document.getElementById('throughput'), {
      data: { labels: data.throughput.labels, datasets: [
        { type: 'bar', label: 'gateway, end to end', data: data.throughput.gateway, backgroundColor: '#2f6fde' },
        { type: 'line', label: 'raw BullMQ ceiling (2 queues)', data: data.throughput.ceiling, borderColor: '#d9480f', borderDash: [6, 4], pointRadius: 0 },
      ] },
      options: { ...common, plugins: { title: { display: true, text: data.titles.throughput } }, scales: { y: { beginAtZero: true, title: { display: true, text: 'messages / s' } } } },
    });
    new Chart(document.getElementById('latency'), {
      type: 'bar',
      data: { labels: data.latency.labels, datasets: [
        { label: 'webhook ack p50', data: data.latency.ackP50, backgroundColor: '#74c0fc' },
        { label: 'webhook ack p99', data: data.latency.ackP99, backgroundColor: '#1971c2' },
        { label: 'end to end p50', data: data.latency.endToEndP50, backgroundColor: '#2f9e44' },
        { label: 'end to end p99', data: data.latency.endToEndP99, backgroundColor: '#f08c00' },
      ] },
      options: { ...common, plugins: { title: { display: true, text: data.titles.latency } }, scales: { y: { beginAtZero: true, title: { display: true, text: 'ms' } } } },
    });
  </script></body></html>`;
  const browser = await launchChromium();
  try {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 380 } });
    await tab.setContent(page);
    await tab.locator('#charts').screenshot({ path: file });
  } finally {
    await browser.close();
  }
}

function round(ms: number | undefined): number {
  return Math.round((ms ?? 0) * 10) / 10;
}
