/**
 * Web chat cases: frames a browser sends (after its hello) and the event each
 * must become or the refusal it must get; outbound messages and the frames
 * the widget must receive.
 */
import { EVENT_FORMAT_VERSION, type OutboundMessage } from '@passerelle/core';
import type { ChannelCases } from '../cases.js';
import type { WebchatPart } from './protocol.js';

export interface WebchatRequest {
  /** Sent verbatim after the hello; not always valid JSON on purpose. */
  frame: string;
  hello?: Record<string, unknown>;
}

const reply = (parts: OutboundMessage['parts']): OutboundMessage => ({
  version: EVENT_FORMAT_VERSION,
  id: 'out_case',
  idempotencyKey: 'out_case',
  conversationId: 'cv_case',
  to: { channel: 'webchat', account: 'default', userId: 'v_case' },
  parts,
  purpose: 'reply',
  createdAt: '2026-11-23T10:00:00.000Z',
});

export const webchatCases: ChannelCases<WebchatRequest, WebchatPart[]> = {
  channel: 'webchat',
  inbound: [
    {
      name: 'plain text in French, locale from the hello',
      request: {
        hello: { locale: 'fr-FR', name: 'Zoé' },
        frame: JSON.stringify({ type: 'message', id: 'msg-0001', text: '  Où en est ma commande ?  ' }),
      },
      expect: {
        events: [
          {
            channel: 'webchat',
            account: 'default',
            kind: 'message',
            sender: { locale: 'fr-FR', name: 'Zoé' },
            content: { text: 'Où en est ma commande ?' },
          },
        ],
      },
    },
    {
      name: 'a button press becomes a postback',
      request: {
        frame: JSON.stringify({
          type: 'message',
          id: 'msg-0002',
          postback: { payload: 'faq:hours', title: 'Horaires' },
        }),
      },
      expect: { events: [{ kind: 'postback', content: { postback: { payload: 'faq:hours', title: 'Horaires' } } }] },
    },
    {
      name: 'a widget on another site is another account',
      request: {
        hello: { site: 'boutique-paris' },
        frame: JSON.stringify({ type: 'message', id: 'msg-0003', text: 'hello' }),
      },
      expect: { events: [{ account: 'boutique-paris', content: { text: 'hello' } }] },
    },
    {
      name: 'emoji and right-to-left text pass through untouched',
      request: { frame: JSON.stringify({ type: 'message', id: 'msg-0004', text: '👋 مرحبا שלום' }) },
      expect: { events: [{ content: { text: '👋 مرحبا שלום' } }] },
    },
    {
      name: 'a campaign link (data-ref, PasserelleChat.open({ ref })): a message with the referral and no text',
      request: {
        hello: { locale: 'fr-FR' },
        frame: JSON.stringify({ type: 'message', id: 'ref-00000001', referral: { ref: 'ventes-privees' } }),
      },
      expect: {
        events: [
          {
            channel: 'webchat',
            account: 'default',
            kind: 'message',
            sender: { locale: 'fr-FR' },
            content: { referral: { ref: 'ventes-privees', source: 'webchat' }, text: undefined, postback: undefined },
          },
        ],
      },
    },
    {
      name: 'the longest reference allowed (64 of A-Z a-z 0-9 _ -)',
      request: {
        frame: JSON.stringify({
          type: 'message',
          id: 'ref-00000002',
          referral: { ref: `Noel_2026-${'x'.repeat(54)}` },
        }),
      },
      expect: { events: [{ content: { referral: { ref: `Noel_2026-${'x'.repeat(54)}`, source: 'webchat' } } }] },
    },
    {
      name: 'a reference with a space or an accent is refused',
      request: {
        frame: JSON.stringify({ type: 'message', id: 'ref-00000003', referral: { ref: 'ventes privées' } }),
      },
      expect: { refused: { code: 'bad-frame', reason: /referral\.ref must be 1-64 letters, digits, _ or -/ } },
    },
    {
      name: 'a reference over 64 characters is refused',
      request: { frame: JSON.stringify({ type: 'message', id: 'ref-00000004', referral: { ref: 'a'.repeat(65) } }) },
      expect: { refused: { code: 'bad-frame', reason: /referral\.ref must be 1-64/ } },
    },
    {
      name: 'an empty reference is refused',
      request: { frame: JSON.stringify({ type: 'message', id: 'ref-00000005', referral: { ref: '' } }) },
      expect: { refused: { code: 'bad-frame', reason: /referral\.ref must be 1-64/ } },
    },
    {
      name: 'a referral that is not an object with a ref is refused',
      request: { frame: JSON.stringify({ type: 'message', id: 'ref-00000006', referral: 'ventes-privees' }) },
      expect: { refused: { code: 'bad-frame', reason: /referral/ } },
    },
    {
      name: 'not JSON',
      request: { frame: '{"type":"message",' },
      expect: { refused: { code: 'bad-frame', reason: /not valid JSON/ } },
    },
    {
      name: 'unknown frame type',
      request: { frame: JSON.stringify({ type: 'typing' }) },
      expect: { refused: { code: 'bad-frame', reason: /type/ } },
    },
    {
      name: 'empty text',
      request: { frame: JSON.stringify({ type: 'message', id: 'msg-0005', text: '   ' }) },
      expect: { refused: { code: 'bad-frame', reason: /needs text, a postback or a referral/ } },
    },
    {
      name: 'text over 4000 characters',
      request: { frame: JSON.stringify({ type: 'message', id: 'msg-0006', text: 'a'.repeat(4001) }) },
      expect: { refused: { code: 'bad-frame', reason: /at most 4000 characters/ } },
    },
    {
      name: 'message id that could be used to inject keys',
      request: { frame: JSON.stringify({ type: 'message', id: 'a:b}{c*', text: 'hi' }) },
      expect: { refused: { code: 'bad-frame', reason: /id must be 8-64/ } },
    },
  ],
  outbound: [
    {
      name: 'text',
      message: reply([{ type: 'text', text: 'Bonjour !' }]),
      expect: { requests: [[{ type: 'text', text: 'Bonjour !' }]] },
    },
    {
      name: 'quick replies become buttons, all parts in one frame',
      message: reply([
        { type: 'text', text: 'Voici le menu' },
        { type: 'quickReplies', text: 'Choisissez', replies: [{ title: 'Horaires', payload: 'faq:hours' }] },
      ]),
      expect: {
        requests: [
          [
            { type: 'text', text: 'Voici le menu' },
            { type: 'buttons', text: 'Choisissez', buttons: [{ title: 'Horaires', payload: 'faq:hours' }] },
          ],
        ],
      },
    },
    {
      name: 'a list keeps each item description',
      message: reply([
        { type: 'list', text: 'Créneaux', items: [{ title: 'Mardi 10 h', description: 'Lyon', payload: 'slot:1' }] },
      ]),
      expect: {
        requests: [
          [{ type: 'buttons', text: 'Créneaux', buttons: [{ title: 'Mardi 10 h — Lyon', payload: 'slot:1' }] }],
        ],
      },
    },
    {
      name: 'media and card',
      message: reply([
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/lamp.jpg', mimeType: 'image/jpeg', caption: 'Opaline' },
        },
        { type: 'card', title: 'Lampe Opaline', subtitle: '89 €' },
      ]),
      expect: {
        requests: [
          [
            { type: 'media', url: 'https://cdn.example.com/lamp.jpg', mimeType: 'image/jpeg', caption: 'Opaline' },
            { type: 'card', title: 'Lampe Opaline', subtitle: '89 €', imageUrl: undefined, buttons: [] },
          ],
        ],
      },
    },
  ],
};
