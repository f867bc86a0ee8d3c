/**
 * Preloaded into a gateway process (NODE_OPTIONS=--import=<this file>, with
 * ROUTE_TABLE_FILE set) by the route authentication test: once the real
 * runtime's HTTP server listens, writes every route of the express app it
 * serves to ROUTE_TABLE_FILE, by walking the app's router stack. The test so
 * sees the routes the real runtime built, with every channel on, and a route
 * added later cannot slip past it.
 *
 * It wraps http.createServer (syncBuiltinESMExports makes `import { createServer }
 * from 'node:http'` in the runtime see the wrapper); it changes nothing else.
 */
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import { syncBuiltinESMExports } from 'node:module';

const target = process.env.ROUTE_TABLE_FILE;
const original = http.createServer;

/**
 * Every endpoint (method, path) under a router stack, and every place a
 * path-less middleware serves files or a router sits under a prefix (which
 * the test must then know about).
 */
function walk(stack, prefix, table) {
  for (const layer of stack) {
    if (layer.route) {
      const methods = Object.keys(layer.route.methods ?? {}).filter((method) => method !== '_all');
      for (const method of methods)
        table.routes.push({ method: method.toUpperCase(), path: prefix + layer.route.path });
      continue;
    }
    const nested = layer.handle?.stack;
    if (Array.isArray(nested)) {
      if (!layer.slash) table.prefixedRouters.push(`${prefix}${layer.rawPath ?? '?'}`);
      walk(nested, layer.slash ? prefix : `${prefix}${layer.rawPath ?? ''}`, table);
      continue;
    }
    if (layer.name === 'serveStatic') table.staticMounts.push(layer.slash ? `${prefix}/` : `${prefix}${layer.rawPath}`);
  }
}

http.createServer = function createServer(...args) {
  const server = original.apply(this, args);
  const app = args.find((arg) => typeof arg === 'function' && arg.router);
  if (target && app) {
    server.once('listening', () => {
      const table = { routes: [], staticMounts: [], prefixedRouters: [] };
      walk(app.router.stack, '', table);
      writeFileSync(target, JSON.stringify(table, null, 1));
    });
  }
  return server;
};
syncBuiltinESMExports();
