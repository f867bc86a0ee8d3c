import type { ChannelCapabilities, OutboundMessage, OutboundPart } from '@passerelle/core';
import type { WebchatPart } from './protocol.js';

export const webchatCapabilities: ChannelCapabilities = {
  maxTextLength: 10_000,
  buttons: { supported: true, max: 10 },
  quickReplies: true,
  cards: true,
  media: ['image', 'video', 'audio', 'document'],
  markdown: 'basic',
};

/**
 * The widget draws every part kind, so rendering is a translation; one
 * socket frame carries the whole message so its parts arrive together.
 */
export function renderWebchat(message: OutboundMessage): WebchatPart[][] {
  return [message.parts.map(renderPart)];
}

function renderPart(part: OutboundPart): WebchatPart {
  switch (part.type) {
    case 'text':
      return { type: 'text', text: part.text };
    case 'buttons':
      return { type: 'buttons', text: part.text, buttons: part.buttons };
    case 'quickReplies':
      return { type: 'buttons', text: part.text, buttons: part.replies };
    case 'list':
      return {
        type: 'buttons',
        text: part.text,
        buttons: part.items.map((item) => ({
          title: item.description ? `${item.title} — ${item.description}` : item.title,
          payload: item.payload,
        })),
      };
    case 'media':
      return { type: 'media', url: part.media.url, mimeType: part.media.mimeType, caption: part.media.caption };
    case 'card':
      return {
        type: 'card',
        title: part.title,
        subtitle: part.subtitle,
        imageUrl: part.imageUrl,
        buttons: part.buttons ?? [],
      };
  }
}
