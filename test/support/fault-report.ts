/** What a fault test prints when it fails: the warnings and errors its processes logged, counted. */
import type { GatewayProcess } from './gateway-process.js';

const WORTH_SHOWING = new Set(['warn', 'error', 'fatal']);

export function loggedProblems(processes: Record<string, GatewayProcess | undefined>): string {
  const counts = new Map<string, number>();
  for (const [name, process] of Object.entries(processes)) {
    for (const line of process?.logs ?? []) {
      if (!WORTH_SHOWING.has(String(line.level))) continue;
      const error = (line.err as { message?: string } | undefined)?.message;
      const key = `${name}: ${String(line.msg)}${error ? ` (${error.slice(0, 160)})` : ''}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  return [...counts].map(([key, count]) => `  ${count} x ${key}`).join('\n') || '  (none)';
}

/** Every process of a cluster, named for the report. */
export function clusterProcesses(cluster: {
  gateway: GatewayProcess;
  workers: GatewayProcess[];
}): Record<string, GatewayProcess> {
  return Object.fromEntries([
    ['gateway', cluster.gateway],
    ...cluster.workers.map((worker, index) => [`worker ${index + 1}`, worker] as const),
  ]);
}
