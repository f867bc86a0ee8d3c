/**
 * Load through real web chat visitors, for the fault tests: each visitor
 * sends its numbered messages, and the checks say whether every one of them
 * was acknowledged and answered once, in order.
 *
 * A visitor here behaves as the widget does (packages/channels/webchat-widget):
 * a message stays pending until its ack; when the socket closes it connects
 * again (to the next gateway URL, as a load balancer would pick), says hello
 * with its visitor id, token and the last seq it has, and sends every
 * pending message again with the same id. The gateway must deduplicate them.
 * A message refused as 'unavailable' (Redis could not take it) is also sent
 * again, with the same id, after the retryAfterSeconds the refusal gives.
 */
import assert from 'node:assert/strict';
import { echoed } from './cluster.js';
import type { Frame } from './webchat-client.js';
import { WebchatVisitor } from './webchat-client.js';

export interface WebchatLoadOptions {
  conversations: number;
  messages: number;
  /** In every text, so that a test's messages are told apart from another's. */
  tag: string;
  /** Where visitors connect, and reconnect after a close (one URL: always there). */
  urls: () => string[];
  /** Wait between two messages of one visitor; 0 sends them all at once. */
  spacingMs?: number;
}

export interface WebchatLoad {
  visitors: ResendingVisitor[];
  /** Bot replies received so far, all visitors together. */
  replies(): number;
  /** Messages the gateway acknowledged so far. */
  acked(): number;
  /** Resolves once every message has been handed to a socket at least once. */
  sent: Promise<void>;
  /** Every message acknowledged, and every conversation got each answer once, in order. */
  assertExactlyOnceInOrder(): void;
  close(): void;
}

export const textOf = (tag: string, conversation: number, message: number) =>
  `${tag} c${conversation} m${String(message).padStart(2, '0')}`;

export async function startWebchatLoad(options: WebchatLoadOptions): Promise<WebchatLoad> {
  const visitors: ResendingVisitor[] = [];
  for (let c = 0; c < options.conversations; c++) visitors.push(await ResendingVisitor.connect(options.urls, c));
  const sent = Promise.all(
    visitors.map(async (visitor, c) => {
      for (let m = 1; m <= options.messages; m++) {
        visitor.say(`${options.tag}-c${c}-m${m}-x`, textOf(options.tag, c, m));
        if (options.spacingMs) await new Promise((resolve) => setTimeout(resolve, options.spacingMs));
      }
    }),
  ).then(() => {});
  return {
    visitors,
    sent,
    replies: () => visitors.reduce((sum, visitor) => sum + visitor.botTexts().length, 0),
    acked: () => visitors.reduce((sum, visitor) => sum + visitor.ackedCount(), 0),
    assertExactlyOnceInOrder() {
      visitors.forEach((visitor, c) => {
        assert.deepEqual(visitor.pendingIds(), [], `conversation ${c}: messages never acknowledged`);
        const expected = Array.from({ length: options.messages }, (_, i) => textOf(options.tag, c, i + 1));
        assert.deepEqual(
          visitor.botTexts().map(echoed),
          expected,
          `conversation ${c}: each message answered once, in order`,
        );
      });
    },
    close: () => {
      for (const visitor of visitors) visitor.close();
    },
  };
}

/** A web chat visitor that survives its gateway going away, as the widget does. */
export class ResendingVisitor {
  /** Bot messages by seq: a replay after a reconnect is the same message, not a second answer. */
  private readonly botBySeq = new Map<number, Frame>();
  private readonly pending = new Map<string, string>();
  private readonly acked = new Set<string>();
  private current!: WebchatVisitor;
  private closing = false;
  /** How many times it connected again after a close. */
  reconnects = 0;
  /** Error frames the gateway sent (for failure messages). */
  readonly errors: Frame[] = [];

  private constructor(
    private readonly urls: () => string[],
    private readonly index: number,
  ) {}

  static async connect(urls: () => string[], index: number): Promise<ResendingVisitor> {
    const visitor = new ResendingVisitor(urls, index);
    visitor.current = await WebchatVisitor.connect(visitor.url(0));
    visitor.watch(visitor.current);
    return visitor;
  }

  private url(attempt: number): string {
    const urls = this.urls();
    return urls[(this.index + attempt) % urls.length] as string;
  }

  say(id: string, text: string): void {
    this.pending.set(id, text);
    try {
      this.current.say(id, text);
    } catch {
      // The socket is closing: the message stays pending and goes again after the reconnect.
    }
  }

  botTexts(): string[] {
    return [...this.botBySeq.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, frame]) => (frame.parts as Array<{ text?: string }>)[0]?.text ?? '');
  }

  ackedCount(): number {
    return this.acked.size;
  }

  pendingIds(): string[] {
    return [...this.pending.keys()];
  }

  private lastSeq(): number {
    return Math.max(0, ...this.botBySeq.keys(), ...this.visitorSeqs);
  }

  private readonly visitorSeqs = new Set<number>();

  private watch(visitor: WebchatVisitor): void {
    let read = 0;
    const drain = () => {
      for (; read < visitor.frames.length; read++) this.onFrame(visitor.frames[read] as Frame);
    };
    // WebchatVisitor keeps frames in an array; poll it cheaply rather than change its class.
    const timer = setInterval(drain, 20);
    void visitor.closed.then(async () => {
      clearInterval(timer);
      drain();
      if (this.closing) return;
      await this.reconnect(visitor);
    });
  }

  private onFrame(frame: Frame): void {
    if (frame.type === 'ack') {
      const id = String(frame.id);
      this.pending.delete(id);
      this.acked.add(id);
    } else if (frame.type === 'message') {
      const seq = Number(frame.seq);
      if (frame.from === 'bot') this.botBySeq.set(seq, frame);
      else this.visitorSeqs.add(seq);
    } else if (frame.type === 'error') {
      this.errors.push(frame);
      // Refused for good (not 'unavailable'): the widget stops resending it.
      if (frame.id && frame.code !== 'unavailable') this.pending.delete(String(frame.id));
      // Redis could not take it: sent again, same id, after the wait the gateway gave.
      else if (frame.id && typeof frame.retryAfterSeconds === 'number')
        this.resendLater(String(frame.id), frame.retryAfterSeconds);
    }
  }

  private resendLater(id: string, seconds: number): void {
    setTimeout(() => {
      const text = this.pending.get(id);
      if (this.closing || text === undefined) return;
      try {
        this.current.say(id, text);
      } catch {
        // The socket is closing: the reconnect sends every pending message again.
      }
    }, seconds * 1000).unref();
  }

  private async reconnect(previous: WebchatVisitor): Promise<void> {
    for (let attempt = 1; !this.closing; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(2_000, 100 * attempt)));
      const next = new WebchatVisitor();
      try {
        await next.open(this.url(attempt), {
          visitorId: previous.visitorId,
          token: previous.token,
          lastSeq: this.lastSeq(),
        });
      } catch {
        continue;
      }
      this.reconnects += 1;
      this.current = next;
      this.watch(next);
      for (const [id, text] of this.pending) next.say(id, text);
      return;
    }
  }

  /** Closes the socket as a network cut would; the visitor connects again as the widget does. */
  dropSocket(): void {
    this.current.close();
  }

  close(): void {
    this.closing = true;
    this.current.close();
  }
}
