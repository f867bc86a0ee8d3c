/**
 * WhatsApp cases. Inbound: messages as WhatsApp Web's message model
 * serializes them (the data whatsapp-web.js builds its Message from, with
 * the fields a real one carries), received by the number 33700000000, and
 * the event each must become, or why it is ignored. Outbound: messages and
 * the sendMessage calls they must become.
 */
import { conversationIdFor, EVENT_FORMAT_VERSION, inboundEventId, type OutboundMessage } from '@passerelle/core';
import type { ChannelCases } from '../cases.js';
import type { MenuOption } from './parse.js';
import type { WhatsappRequest } from './render.js';

export interface WhatsappInboundRequest {
  /** The message model data, as whatsapp-web.js receives it from the page. */
  data: Record<string, unknown>;
  /** What message.downloadMedia() gives: WhatsApp Web decrypts it in the page. */
  media?: { mimetype: string; data: string; filename?: string | null; filesize?: number | null };
  /** The contact behind the chat, for message.getContact(). */
  contact?: { pushname?: string; name?: string };
  /** A numbered menu we sent in this chat just before. */
  lastMenu?: MenuOption[];
}

export const CASE_ACCOUNT_NUMBER = '33700000000';
export const CASE_ACCOUNT = `+${CASE_ACCOUNT_NUMBER}`;
const ME = `${CASE_ACCOUNT_NUMBER}@c.us`;
const ZOE = '33612345678@c.us';

/** The fields every WhatsApp Web message model carries, whatever its type. */
function model(fields: Record<string, unknown> & { id: string; from: string; type: string }) {
  const { id, from, ...rest } = fields;
  return {
    id: { fromMe: false, remote: from, id, _serialized: `false_${from}_${id}` },
    viewed: false,
    body: '',
    t: 1_763_892_000,
    from,
    to: ME,
    ack: 1,
    invis: false,
    isNewMsg: true,
    star: false,
    recvFresh: true,
    isFromTemplate: false,
    mentionedJidList: [],
    groupMentions: [],
    isForwarded: false,
    hasReaction: false,
    links: [],
    ...rest,
  };
}

const idsFor = (chat: string, id: string) => ({
  id: inboundEventId('whatsapp', CASE_ACCOUNT, `false_${chat}_${id}`),
  providerMessageId: `false_${chat}_${id}`,
  conversationId: conversationIdFor('whatsapp', CASE_ACCOUNT, chat),
});

/** A 1×1 JPEG, base64: what downloadMedia() gives for a photo. */
export const TINY_JPEG =
  '/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8UHRofHh0aHBwgJC4nICIsIxwcKDcpLDAxNDQ0Hyc5PTgyPC4zNDL/wAALCAABAAEBAREA/8QAFAABAAAAAAAAAAAAAAAAAAAACf/EABQQAQAAAAAAAAAAAAAAAAAAAAD/2gAIAQEAAD8AKp//2Q==';

const reply = (parts: OutboundMessage['parts'], userId = ZOE): OutboundMessage => ({
  version: EVENT_FORMAT_VERSION,
  id: 'out_case',
  idempotencyKey: 'out_case',
  conversationId: 'cv_case',
  to: { channel: 'whatsapp', account: CASE_ACCOUNT, userId },
  parts,
  purpose: 'reply',
  createdAt: '2026-11-23T10:00:00.000Z',
});

const HOURS_MENU: MenuOption[] = [
  { title: 'Horaires', payload: 'faq:hours' },
  { title: 'Livraison', payload: 'faq:delivery' },
  { title: 'Retours', payload: 'faq:returns' },
];

export const whatsappCases: ChannelCases<WhatsappInboundRequest, WhatsappRequest> = {
  channel: 'whatsapp',
  inbound: [
    {
      name: 'text from a person: ids, push name and phone number',
      request: {
        data: model({
          id: '3EB0C767D26A1D6F8B31',
          from: ZOE,
          type: 'chat',
          body: 'Bonjour, vous êtes ouverts samedi ?',
          notifyName: 'Zoé Martin',
        }),
      },
      expect: {
        events: [
          {
            ...idsFor(ZOE, '3EB0C767D26A1D6F8B31'),
            channel: 'whatsapp',
            account: CASE_ACCOUNT,
            kind: 'message',
            sender: { id: ZOE, name: 'Zoé Martin', phone: '+33612345678' },
            content: { text: 'Bonjour, vous êtes ouverts samedi ?' },
          },
        ],
      },
    },
    {
      name: 'Wid objects in from/to, emoji and right-to-left text untouched',
      request: {
        data: {
          ...model({ id: '3A9F2C1B7E0D4A6B8C51', from: ZOE, type: 'chat', body: '👋 مرحبا שלום', notifyName: 'Zoé' }),
          from: { server: 'c.us', user: '33612345678', _serialized: ZOE },
          to: { server: 'c.us', user: CASE_ACCOUNT_NUMBER, _serialized: ME },
        },
      },
      expect: { events: [{ sender: { id: ZOE }, content: { text: '👋 مرحبا שלום' } }] },
    },
    {
      name: 'a chat with a hidden number (@lid): no phone; the contact gives the name',
      request: {
        data: model({ id: 'AC4F9D0E2B7A51C3D8E6', from: '187349201234567@lid', type: 'chat', body: 'hello' }),
        contact: { pushname: 'Sam' },
      },
      expect: {
        events: [{ sender: { id: '187349201234567@lid', name: 'Sam', phone: undefined }, content: { text: 'hello' } }],
      },
    },
    {
      name: '"2" after a numbered menu is a press of its second option',
      request: {
        data: model({ id: '3EB05D1A9C2B7E4F6A80', from: ZOE, type: 'chat', body: '2', notifyName: 'Zoé' }),
        lastMenu: HOURS_MENU,
      },
      expect: {
        events: [
          { kind: 'postback', content: { text: '2', postback: { payload: 'faq:delivery', title: 'Livraison' } } },
        ],
      },
    },
    {
      name: 'a number beyond the menu is just text',
      request: {
        data: model({ id: '3EB0E2F4A6C8D0B1C3E5', from: ZOE, type: 'chat', body: '7', notifyName: 'Zoé' }),
        lastMenu: HOURS_MENU,
      },
      expect: { events: [{ kind: 'message', content: { text: '7', postback: undefined } }] },
    },
    {
      name: 'a photo with a caption: the file is kept and served by the gateway',
      request: {
        data: model({
          id: '3EB0A1B2C3D4E5F60718',
          from: ZOE,
          type: 'image',
          notifyName: 'Zoé',
          // For media, body is the thumbnail and the words are in caption.
          body: TINY_JPEG,
          caption: 'Ma lampe est arrivée cassée',
          mimetype: 'image/jpeg',
          directPath:
            '/v/t62.7118-24/29815522_1175043617263537_3012849931562547205_n.enc?ccb=11-4&oh=01_Q5AaIA&oe=6890F3C1',
          mediaKey: 'v3Kx0Vd0mQ3t3qvH2f8gYl6p9CzqP0vA3n0vYk5b0cE=',
          mediaKeyTimestamp: 1_763_891_990,
          filehash: 'kQnVbPz3gY2m1TqfYk0Wc7m0Tb5bH2dS0qk8w3Jx1iA=',
          encFilehash: 'n0Zr2dJ9vQ3xY8Wm1Kp5cT7bH4sL6fA9eR2uI0oP3yE=',
          size: 634,
          width: 1,
          height: 1,
        }),
        media: { mimetype: 'image/jpeg', data: TINY_JPEG, filename: null, filesize: 634 },
      },
      expect: {
        events: [
          {
            kind: 'message',
            content: { text: 'Ma lampe est arrivée cassée', media: [{ mimeType: 'image/jpeg' }] },
          },
        ],
      },
    },
    {
      name: 'a PDF document keeps its file name',
      request: {
        data: model({
          id: '3EB0B7C6D5E4F3A2B1C0',
          from: ZOE,
          type: 'document',
          notifyName: 'Zoé',
          body: '',
          mimetype: 'application/pdf',
          filename: 'facture-2026-118.pdf',
          directPath: '/v/t62.7119-24/10000000_facture.enc?ccb=11-4&oh=01_Q5AaIB&oe=6890F3C2',
          mediaKey: 'Zp7Qm2Lk9Vb3Xc8Nd1Fg4Hj6Ks0Lq5Rw2Ty7Ui9Op3A=',
          size: 5,
        }),
        media: { mimetype: 'application/pdf', data: 'JVBERi0=', filename: 'facture-2026-118.pdf', filesize: 5 },
      },
      expect: {
        events: [{ content: { media: [{ mimeType: 'application/pdf', fileName: 'facture-2026-118.pdf' }] } }],
      },
    },
    {
      name: 'a voice message whose file WhatsApp no longer has is said in words, not dropped',
      request: {
        data: model({
          id: '3EB0C0FFEE0000000001',
          from: ZOE,
          type: 'ptt',
          notifyName: 'Zoé',
          mimetype: 'audio/ogg; codecs=opus',
        }),
      },
      expect: {
        events: [
          { content: { text: '[a voice message whose file is no longer available on WhatsApp]', media: undefined } },
        ],
      },
    },
    {
      name: 'a shared location keeps the place, not the map thumbnail',
      request: {
        data: model({
          id: '3EB0D1E2F3A4B5C6D7E8',
          from: ZOE,
          type: 'location',
          notifyName: 'Zoé',
          body: TINY_JPEG,
          lat: 45.764,
          lng: 4.8357,
          loc: 'Maison Lumière\n12 rue des Lampes, 69002 Lyon',
        }),
      },
      expect: {
        events: [
          {
            content: {
              text: undefined,
              location: {
                latitude: 45.764,
                longitude: 4.8357,
                name: 'Maison Lumière',
                address: '12 rue des Lampes, 69002 Lyon',
              },
            },
          },
        ],
      },
    },
    {
      name: 'a contact card',
      request: {
        data: model({
          id: '3EB0F0E1D2C3B4A59687',
          from: ZOE,
          type: 'vcard',
          notifyName: 'Zoé',
          vcardFormattedName: 'Camille Dupont',
          body: 'BEGIN:VCARD\nVERSION:3.0\nN:Dupont;Camille;;;\nFN:Camille Dupont\nitem1.TEL;waid=33698765432:+33 6 98 76 54 32\nitem1.X-ABLabel:Mobile\nEND:VCARD',
        }),
      },
      expect: { events: [{ content: { contact: { name: 'Camille Dupont', phone: '+33 6 98 76 54 32' } } }] },
    },
    {
      name: 'a group message is not answered',
      request: {
        data: model({
          id: '3EB0AAAA000011112222',
          from: '120363025246125486@g.us',
          author: ZOE,
          type: 'chat',
          body: 'bonjour à tous',
          notifyName: 'Zoé',
        }),
      },
      expect: { refused: { code: 'ignored', reason: /group/ } },
    },
    {
      name: 'a status update is not a message',
      request: {
        data: {
          ...model({
            id: '3EB0BBBB000011112222',
            from: 'status@broadcast',
            author: ZOE,
            type: 'image',
            notifyName: 'Zoé',
          }),
          isStatusV3: true,
        },
      },
      expect: { refused: { code: 'ignored', reason: /status/ } },
    },
    {
      name: 'our own message (typed on the phone) is not answered',
      request: {
        data: {
          ...model({ id: '3EB0CCCC000011112222', from: ME, type: 'chat', body: 'Je vous rappelle demain' }),
          id: {
            fromMe: true,
            remote: ZOE,
            id: '3EB0CCCC000011112222',
            _serialized: `true_${ZOE}_3EB0CCCC000011112222`,
          },
          to: ZOE,
        },
      },
      expect: { refused: { code: 'ignored', reason: /sent by this account/ } },
    },
    {
      name: 'an encryption notice is not something the customer said',
      request: {
        data: model({ id: '3EB0DDDD000011112222', from: ZOE, type: 'e2e_notification', subtype: 'encrypt' }),
      },
      expect: { refused: { code: 'ignored', reason: /e2e_notification/ } },
    },
    {
      name: 'a deleted message is not answered',
      request: { data: model({ id: '3EB0EEEE000011112222', from: ZOE, type: 'revoked', notifyName: 'Zoé' }) },
      expect: { refused: { code: 'ignored', reason: /revoked/ } },
    },
  ],
  outbound: [
    {
      name: 'text',
      message: reply([{ type: 'text', text: 'Bonjour !' }]),
      expect: { requests: [{ type: 'text', chatId: ZOE, text: 'Bonjour !' }] },
    },
    {
      name: 'quick replies become a numbered menu, remembered with the message',
      message: reply([
        {
          type: 'quickReplies',
          text: 'Que puis-je faire pour vous ?',
          replies: [
            { title: 'Horaires', payload: 'faq:hours' },
            { title: 'Livraison', payload: 'faq:delivery' },
            { title: 'Retours', payload: 'faq:returns' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            type: 'text',
            chatId: ZOE,
            text: 'Que puis-je faire pour vous ?\n\n1. Horaires\n2. Livraison\n3. Retours',
            menu: HOURS_MENU,
          },
        ],
      },
    },
    {
      name: 'a list keeps each item description',
      message: reply([
        {
          type: 'list',
          text: 'Créneaux',
          items: [
            { title: 'Mardi 10 h', description: 'Lyon', payload: 'slot:1' },
            { title: 'Jeudi 15 h', payload: 'slot:2' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            type: 'text',
            chatId: ZOE,
            text: 'Créneaux\n\n1. Mardi 10 h — Lyon\n2. Jeudi 15 h',
            menu: [
              { title: 'Mardi 10 h — Lyon', payload: 'slot:1' },
              { title: 'Jeudi 15 h', payload: 'slot:2' },
            ],
          },
        ],
      },
    },
    {
      name: 'a card with an image: the image with the card as its caption, title in bold',
      message: reply([
        {
          type: 'card',
          title: 'Lampe Opaline',
          subtitle: '89 €',
          imageUrl: 'https://cdn.example.com/lamp.jpg',
          buttons: [{ title: 'Commander', payload: 'order:opaline' }],
        },
      ]),
      expect: {
        requests: [
          {
            type: 'media',
            chatId: ZOE,
            url: 'https://cdn.example.com/lamp.jpg',
            caption: '*Lampe Opaline*\n89 €\n\n1. Commander',
            menu: [{ title: 'Commander', payload: 'order:opaline' }],
          },
        ],
      },
    },
    {
      name: 'media with its caption; a +E.164 recipient becomes a chat id',
      message: reply(
        [
          {
            type: 'media',
            media: {
              url: 'https://cdn.example.com/notice.pdf',
              mimeType: 'application/pdf',
              fileName: 'notice.pdf',
              caption: 'La notice',
            },
          },
        ],
        '+33612345678',
      ),
      expect: {
        requests: [
          {
            type: 'media',
            chatId: ZOE,
            url: 'https://cdn.example.com/notice.pdf',
            mimeType: 'application/pdf',
            fileName: 'notice.pdf',
            caption: 'La notice',
          },
        ],
      },
    },
    {
      name: 'text over 4096 characters is split at a paragraph',
      message: reply([{ type: 'text', text: `${'a'.repeat(3000)}\n\n${'b'.repeat(3000)}` }]),
      expect: {
        requests: [
          { type: 'text', chatId: ZOE, text: 'a'.repeat(3000) },
          { type: 'text', chatId: ZOE, text: 'b'.repeat(3000) },
        ],
      },
    },
  ],
};
