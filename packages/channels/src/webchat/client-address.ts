/**
 * Who is on the other end of a web chat socket, for the per-address limits
 * (limits.ts). The upgrade request is not an express request, so it does not
 * get req.ip; it is read with proxy-addr, the library express itself uses for
 * req.ip, with the same trusted proxies as the HTTP app.
 */
import type { IncomingMessage } from 'node:http';
import proxyaddr from 'proxy-addr';

/**
 * The proxies allowed to say who the client is (X-Forwarded-For): this machine and the
 * private networks. The HTTP app's `trust proxy` setting; the console's login limits and
 * the web chat's count per client address, which a client must not be able to choose.
 */
export const TRUSTED_PROXIES = ['loopback', 'linklocal', 'uniquelocal'];

const trusted = proxyaddr.compile(TRUSTED_PROXIES);

/**
 * The socket's address unless it is a trusted proxy, then X-Forwarded-For read from the
 * right, past every trusted hop. Undefined when every address known is trusted (a proxy of
 * ours that forwards no address): the client is unknown, and the per-address limits are
 * skipped rather than put every visitor behind that proxy into one budget.
 */
export function clientAddress(request: IncomingMessage): string | undefined {
  if (!request.socket.remoteAddress) return undefined;
  // The socket's address, then each hop from the right, up to and with the first untrusted one.
  const chain = proxyaddr.all(request, trusted);
  const furthest = chain.at(-1);
  return furthest === undefined || trusted(furthest, chain.length - 1) ? undefined : furthest;
}
