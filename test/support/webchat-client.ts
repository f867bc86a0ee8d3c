/** A web chat visitor as the widget is one: a WebSocket speaking the widget's protocol. */
import WebSocket from 'ws';

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export class WebchatVisitor {
  readonly frames: Frame[] = [];
  visitorId = '';
  token = '';
  /** Resolves with the close code once the server or the client closes the socket. */
  closed!: Promise<number>;
  private socket!: WebSocket;
  private waiters: Array<() => void> = [];

  static async connect(baseUrl: string, hello: Record<string, unknown> = {}): Promise<WebchatVisitor> {
    const visitor = new WebchatVisitor();
    await visitor.open(baseUrl, hello);
    return visitor;
  }

  async open(baseUrl: string, hello: Record<string, unknown> = {}): Promise<void> {
    this.socket = new WebSocket(`${baseUrl.replace(/^http/, 'ws')}/webchat/socket`);
    this.closed = new Promise((resolve) => this.socket.once('close', (code) => resolve(code)));
    this.socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      if (frame.type === 'welcome') {
        this.visitorId = String(frame.visitorId);
        this.token = String(frame.token);
      }
      this.frames.push(frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
    await new Promise<void>((resolve, reject) => {
      this.socket.once('open', () => resolve());
      this.socket.once('error', reject);
    });
    this.sendRaw(JSON.stringify({ type: 'hello', ...hello }));
    await this.waitFor(() => this.frames.some((frame) => frame.type === 'welcome'));
  }

  say(id: string, text: string): void {
    this.sendRaw(JSON.stringify({ type: 'message', id, text }));
  }

  sendRaw(data: string): void {
    this.socket.send(data);
  }

  sendBinary(data: Buffer): void {
    this.socket.send(data, { binary: true });
  }

  botMessages(): Frame[] {
    return this.frames.filter((frame) => frame.type === 'message' && frame.from === 'bot');
  }

  /** The text of each bot message, first part only. */
  botTexts(): string[] {
    return this.botMessages().map((frame) => (frame.parts as Array<{ text?: string }>)[0]?.text ?? '');
  }

  async waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      const left = deadline - Date.now();
      if (left <= 0)
        throw new Error(
          `web chat visitor: condition not met after ${timeoutMs} ms; frames: ${JSON.stringify(this.frames).slice(-2000)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 250));
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.close();
  }
}
