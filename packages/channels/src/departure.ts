/**
 * Whether a provider request may have left this process, for the one call
 * that failed. A request goes out only on a connection that is open (for
 * https, once its TLS handshake is done): until then it sits in the HTTP
 * client's buffers. So a call that failed before its connection opened
 * (refused, DNS, TLS, or its time limit reached while still connecting) was
 * not sent, whatever the error says, and may simply be tried again; only a
 * failure after that point leaves the provider maybe holding the message.
 *
 * The tracking is per call and delegates everything else, so connections are
 * pooled and kept alive as before:
 * - fetch (undici, our own calls through callProvider): a dispatcher that
 *   hands each request to the global one and notes the moment undici gives
 *   it a connection (the handler's onConnect / onRequestStart, called right
 *   before the request is written);
 * - node's http and https (telegraf's node-fetch): an agent that notes when
 *   the request's socket is connected (secureConnect for TLS), or reused
 *   while already connected.
 * When the tracking is not available (no global undici dispatcher), or the
 * fetch hook has not yet seen a single connection in this process (so a
 * future undici that stopped calling it could not make every failure look
 * unsent), the answer is "unknown" and errors are classified by their codes.
 */
import type { Agent, ClientRequest } from 'node:http';
import type { Socket } from 'node:net';

export interface Departure {
  /** false: the request never got a connection, nothing was sent; true: it may have; undefined: not tracked. */
  mayHaveLeft(): boolean | undefined;
}

interface UndiciDispatcher {
  dispatch(options: unknown, handler: object): boolean;
}

const GLOBAL_DISPATCHER = Symbol.for('undici.globalDispatcher.1');

/** Whether undici called the hook for some request of this process: from then on its silence means something. */
let fetchHookSeen = false;

/** The options to add to one fetch() call, and what it will tell about that call. */
export function trackFetch(): { init: { dispatcher?: unknown }; departure: Departure } {
  const base = (globalThis as Record<symbol, unknown>)[GLOBAL_DISPATCHER] as UndiciDispatcher | undefined;
  if (typeof base?.dispatch !== 'function') return { init: {}, departure: { mayHaveLeft: () => undefined } };
  let connected = false;
  const dispatcher: UndiciDispatcher = {
    dispatch(options, handler) {
      const watched = new Proxy(handler, {
        get(target, key, receiver) {
          const value = Reflect.get(target, key, receiver);
          // undici 6 calls onConnect, undici 7 onRequestStart, just before it writes the request.
          if ((key === 'onConnect' || key === 'onRequestStart') && typeof value === 'function') {
            return function (this: unknown, ...args: unknown[]) {
              connected = true;
              fetchHookSeen = true;
              return (value as (...a: unknown[]) => unknown).apply(this, args);
            };
          }
          return value;
        },
      });
      return base.dispatch(options, watched);
    },
  };
  return {
    init: { dispatcher },
    departure: { mayHaveLeft: () => (connected ? true : fetchHookSeen ? false : undefined) },
  };
}

/** An agent for one call of node's http(s) client: `base` does the work, this notes when the socket is open. */
export function trackAgent(base: Agent): { agent: Agent; departure: Departure } {
  let connected = false;
  const watch = (request: ClientRequest) => {
    request.once('socket', (socket: Socket & { encrypted?: boolean }) => {
      if (!socket.connecting)
        connected = true; // a kept-alive socket, already open
      else {
        socket.once(socket.encrypted ? 'secureConnect' : 'connect', () => {
          connected = true;
        });
      }
    });
  };
  const agent = new Proxy(base, {
    get(target, key) {
      if (key === 'addRequest') {
        return (request: ClientRequest, options: unknown) => {
          watch(request);
          return (target as unknown as { addRequest(r: ClientRequest, o: unknown): void }).addRequest(request, options);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { agent, departure: { mayHaveLeft: () => connected } };
}
