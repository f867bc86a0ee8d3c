/**
 * A lean web chat visitor for the benchmark: the widget's protocol (hello,
 * then message frames), but it keeps no frames and timestamps each bot reply
 * the moment its frame is read off the socket. (test/support/webchat-client.ts
 * keeps every frame and is polled; good for tests, not for timing.)
 */
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';

export interface VisitorEvents {
  /** The first text part of a bot message, and when it arrived (performance.now()). */
  onBotText(text: string, at: number): void;
  /** The gateway's ack of a message frame (the message is on the inbound queue), and when it arrived. */
  onAck(id: string, at: number): void;
  /** An error frame, or the socket closing on its own. */
  onProblem(problem: string): void;
}

export class BenchVisitor {
  private closing = false;

  private constructor(
    private readonly socket: WebSocket,
    private readonly events: VisitorEvents,
  ) {}

  static async connect(baseUrl: string, events: VisitorEvents): Promise<BenchVisitor> {
    const socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/webchat/socket`);
    const visitor = new BenchVisitor(socket, events);
    await once(socket, 'open');
    const welcomed = new Promise<void>((resolve) => {
      socket.on('message', (data) => visitor.onFrame(data.toString(), resolve));
    });
    socket.on('close', (code) => {
      if (!visitor.closing) events.onProblem(`web chat socket closed by the server (code ${code})`);
    });
    socket.send(JSON.stringify({ type: 'hello' }));
    await welcomed;
    return visitor;
  }

  say(id: string, text: string): void {
    this.socket.send(JSON.stringify({ type: 'message', id, text }));
  }

  async close(): Promise<void> {
    this.closing = true;
    if (this.socket.readyState === WebSocket.CLOSED) return;
    const closed = once(this.socket, 'close');
    this.socket.close();
    const timer = setTimeout(() => this.socket.terminate(), 2_000);
    await closed;
    clearTimeout(timer);
  }

  private onFrame(raw: string, welcomed: () => void): void {
    const at = performance.now();
    const frame = JSON.parse(raw) as {
      type: string;
      from?: string;
      parts?: Array<{ text?: string }>;
      code?: string;
      message?: string;
      id?: string;
    };
    if (frame.type === 'welcome') welcomed();
    else if (frame.type === 'ack') this.events.onAck(frame.id ?? '', at);
    else if (frame.type === 'message' && frame.from === 'bot') this.events.onBotText(frame.parts?.[0]?.text ?? '', at);
    else if (frame.type === 'error') {
      this.events.onProblem(`gateway refused frame ${frame.id ?? '?'}: ${frame.code} (${frame.message})`);
    }
  }
}
