import type { OutboundPart } from '@passerelle/core';
import type { OfferedOption } from './state.js';

/** The messages a turn produces, in order; each is sent as one message. */
export class Reply {
  readonly messages: OutboundPart[][] = [];
  /** The options of the last message with choices, remembered for typed answers. */
  offered: OfferedOption[] | undefined;

  text(text: string): void {
    if (text.trim()) this.messages.push([{ type: 'text', text }]);
  }

  choices(text: string, options: OfferedOption[]): void {
    this.messages.push([
      { type: 'quickReplies', text, replies: options.map(({ title, payload }) => ({ title, payload })) },
    ]);
    this.offered = options;
  }
}
