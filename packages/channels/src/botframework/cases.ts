/**
 * Bot Framework cases: activities as Azure Bot Service delivers them from
 * Teams and Messenger to POST /api/messages, and the events (or refusals)
 * they must give; outbound messages and the activities render() must make.
 *
 * A Bot Connector signs every request with a fresh JWT, so a case names the
 * token it travels with (`token`) and the test mints it: signed by a key
 * from a fake OpenID metadata endpoint, for our app id, naming the
 * activity's serviceUrl.
 */
import { conversationIdFor, EVENT_FORMAT_VERSION, type OutboundMessage } from '@passerelle/core';
import type { ChannelCases, WebhookRequest } from '../cases.js';
import type { BotFrameworkRequest, OutgoingActivity } from './activity.js';
import type { FacebookTagChannelData } from './render.js';

/** How the request is signed. Default 'bot-connector': a valid token. */
export type TokenScenario =
  /** A valid Bot Connector token for our app, naming the activity's serviceUrl. */
  | 'bot-connector'
  /** No Authorization header. */
  | 'none'
  /** Valid, but issued for another bot (aud). */
  | 'other-app'
  /** Valid signature, expired an hour ago. */
  | 'expired'
  /** Valid, but naming another serviceUrl than the activity's. */
  | 'other-service-url'
  /** Signed with a key that is not the published one. */
  | 'forged'
  /** Signed with a published key that is not endorsed for the activity's channel. */
  | 'not-endorsed';

export interface BotFrameworkWebhookRequest extends WebhookRequest {
  token?: TokenScenario;
}

export const CASE_APP_ID = 'c9e8c047-2a74-40a2-b28a-b162d5f5327c';
const TEAMS_BOT = { id: `28:${CASE_APP_ID}`, name: 'Maison Lumière' };
const TEAMS_USER = {
  id: '29:1GcS4EyB_oSI8A88XmWBN7NJFyMqe3QGnJdgLfFGkJnVelzRGos0bPbpsfJjcbAD22bmKc4GMbrY2g4JDrrA8vM06X1-cHHle4zOE6U4ttcc',
  name: 'Camille Martin',
  aadObjectId: '6be0a2c1-5b7d-4b0e-9d5a-4a4f3c1e2d10',
};
const TENANT = 'b7f3c2a1-0d4e-4f5a-9b8c-1e2d3f4a5b6c';
const TEAMS_PERSONAL = 'a:1rF2m0pKzJ5m3yT4Gf1QH6kq7sE9vXo8bLwYcNdA2uV0iR5tZ3gM7nP4hS6jK';
const TEAMS_CHANNEL_THREAD = '19:5d1a4f0c9b3e4c7a8f2d6b0e1a3c5d7f@thread.tacv2;messageid=1795425302431';
const TEAMS_SERVICE_URL = 'https://smba.trafficmanager.net/emea/';
const PAGE_ID = '108371234567890';
const PSID = '6754183291234567';
const MESSENGER_SERVICE_URL = 'https://facebook.botframework.com/';

const json = (body: unknown, token?: TokenScenario): BotFrameworkWebhookRequest => ({
  path: '/api/messages',
  headers: { 'content-type': 'application/json; charset=utf-8' },
  body: JSON.stringify(body),
  ...(token ? { token } : {}),
});

const clientInfo = (locale: string) => ({
  locale,
  country: locale.slice(3),
  platform: 'Web',
  timezone: 'Europe/Paris',
  type: 'clientInfo',
});

/** A message in a personal (1:1) Teams chat, as Teams sends it. */
const teamsMessage = (id: string, fields: Record<string, unknown>) => ({
  text: 'Bonjour',
  textFormat: 'plain',
  type: 'message',
  timestamp: '2026-11-23T09:15:02.4316617Z',
  localTimestamp: '2026-11-23T10:15:02.4316617+01:00',
  id,
  channelId: 'msteams',
  serviceUrl: TEAMS_SERVICE_URL,
  from: TEAMS_USER,
  conversation: { conversationType: 'personal', tenantId: TENANT, id: TEAMS_PERSONAL },
  recipient: TEAMS_BOT,
  entities: [clientInfo('fr-FR')],
  channelData: { tenant: { id: TENANT } },
  locale: 'fr-FR',
  localTimezone: 'Europe/Paris',
  ...fields,
});

/** A Messenger message relayed by Azure Bot Service's Facebook channel. */
const messengerMessage = (mid: string, fields: Record<string, unknown>) => ({
  type: 'message',
  id: mid,
  timestamp: '2026-11-23T09:20:11.123Z',
  serviceUrl: MESSENGER_SERVICE_URL,
  channelId: 'facebook',
  from: { id: PSID, name: 'Zoé Durand' },
  conversation: { isGroup: false, id: `${PSID}-${PAGE_ID}` },
  recipient: { id: PAGE_ID, name: 'Maison Lumière' },
  channelData: {
    sender: { id: PSID },
    recipient: { id: PAGE_ID },
    timestamp: 1_795_425_611_123,
    message: { mid, text: fields.text ?? '' },
  },
  ...fields,
});

const reply = (channel: 'teams' | 'messenger', parts: OutboundMessage['parts']): OutboundMessage => ({
  version: EVENT_FORMAT_VERSION,
  id: 'out_case',
  idempotencyKey: 'out_case',
  conversationId: 'cv_case',
  to:
    channel === 'teams'
      ? { channel, account: TEAMS_BOT.id, userId: TEAMS_USER.id }
      : { channel, account: PAGE_ID, userId: PSID },
  parts,
  purpose: 'reply',
  createdAt: '2026-11-23T10:00:00.000Z',
});

/** A broadcast's message for someone outside Messenger's 24-hour window: it carries the campaign's tag. */
const tagged = (
  channel: 'teams' | 'messenger',
  parts: OutboundMessage['parts'],
  messageTag: string,
): OutboundMessage => ({
  ...reply(channel, parts),
  purpose: 'campaign',
  campaignId: 'ventes-privees',
  optOutNotice: 'STOP pour ne plus recevoir nos offres',
  messageTag,
});

/** An activity as posted with Facebook's tag: channelData is what the Facebook channel hands to the Send API. */
const withTag = (activity: OutgoingActivity, tag: string): OutgoingActivity => {
  const posted: OutgoingActivity & { channelData: FacebookTagChannelData } = {
    ...activity,
    channelData: { messaging_type: 'MESSAGE_TAG', tag },
  };
  return posted;
};

const hero = (content: Record<string, unknown>) => ({
  contentType: 'application/vnd.microsoft.card.hero' as const,
  content,
});
const imBack = (title: string) => ({ type: 'imBack' as const, title, value: title });

const PARAGRAPH_A = 'A'.repeat(1500);
const PARAGRAPH_B = 'B'.repeat(1500);
const PARAGRAPH_C = 'C'.repeat(300);
const LONG_TITLE = 'Suspension Opaline en verre soufflé bouche, laiton brossé, diamètre 45 cm, fabriquée à Lyon';

export const botframeworkCases: ChannelCases<BotFrameworkWebhookRequest, BotFrameworkRequest> = {
  channel: 'teams',
  inbound: [
    {
      name: 'Teams: a message in a personal chat (HTML copy, clientInfo, tenant)',
      request: json(
        teamsMessage('1795425302431', {
          attachments: [{ contentType: 'text/html', content: '<div><div>Bonjour</div></div>' }],
        }),
      ),
      expect: {
        events: [
          {
            channel: 'teams',
            account: TEAMS_BOT.id,
            providerMessageId: `${TEAMS_PERSONAL}/1795425302431`,
            conversationId: conversationIdFor('teams', TEAMS_BOT.id, TEAMS_PERSONAL),
            kind: 'message',
            sender: { id: TEAMS_USER.id, name: 'Camille Martin', locale: 'fr-FR' },
            // The HTML copy of the text is not media.
            content: { text: 'Bonjour', media: undefined },
          },
        ],
      },
    },
    {
      name: 'Teams: the bot @mentioned in a channel thread; locale from clientInfo',
      request: json(
        teamsMessage('1795425309876', {
          text: '<at>Maison Lumière</at> what are your opening hours? cc <at>Léa Petit</at>',
          locale: undefined,
          conversation: {
            isGroup: true,
            conversationType: 'channel',
            tenantId: TENANT,
            id: TEAMS_CHANNEL_THREAD,
          },
          entities: [
            { mentioned: TEAMS_BOT, text: '<at>Maison Lumière</at>', type: 'mention' },
            { mentioned: { id: '29:1lea', name: 'Léa Petit' }, text: '<at>Léa Petit</at>', type: 'mention' },
            clientInfo('en-GB'),
          ],
          channelData: {
            teamsChannelId: '19:5d1a4f0c9b3e4c7a8f2d6b0e1a3c5d7f@thread.tacv2',
            teamsTeamId: '19:0b7c9e2a4d6f8a1c3e5b7d9f0a2c4e6b@thread.tacv2',
            channel: { id: '19:5d1a4f0c9b3e4c7a8f2d6b0e1a3c5d7f@thread.tacv2' },
            team: { id: '19:0b7c9e2a4d6f8a1c3e5b7d9f0a2c4e6b@thread.tacv2' },
            tenant: { id: TENANT },
          },
        }),
      ),
      expect: {
        events: [
          {
            channel: 'teams',
            conversationId: conversationIdFor('teams', TEAMS_BOT.id, TEAMS_CHANNEL_THREAD),
            sender: { locale: 'en-GB' },
            content: { text: 'what are your opening hours? cc Léa Petit' },
          },
        ],
      },
    },
    {
      name: 'Teams: a file sent in a personal chat becomes media',
      request: json(
        teamsMessage('1795425311111', {
          text: 'Voici ma facture',
          attachments: [
            {
              contentType: 'application/vnd.microsoft.teams.file.download.info',
              contentUrl: 'https://contoso-my.sharepoint.com/personal/camille/Documents/facture-1042.pdf',
              name: 'facture-1042.pdf',
              content: {
                downloadUrl:
                  'https://contoso-my.sharepoint.com/personal/camille/_layouts/15/download.aspx?UniqueId=1a2b',
                uniqueId: '1a2b3c4d-0000-4000-8000-000000000001',
                fileType: 'pdf',
              },
            },
          ],
        }),
      ),
      expect: {
        events: [
          {
            kind: 'message',
            content: {
              text: 'Voici ma facture',
              media: [
                {
                  url: 'https://contoso-my.sharepoint.com/personal/camille/_layouts/15/download.aspx?UniqueId=1a2b',
                  mimeType: 'application/pdf',
                  fileName: 'facture-1042.pdf',
                },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'Teams: a card button (messageBack / Action.Submit with our payload) is a postback',
      request: json(
        teamsMessage('1795425322222', {
          text: 'Livraison',
          value: { payload: 'faq:delivery' },
          replyToId: '1795425300001',
          channelData: { tenant: { id: TENANT }, source: { name: 'message' }, legacy: { replyToId: '1:1ab' } },
        }),
      ),
      expect: {
        events: [{ kind: 'postback', content: { postback: { payload: 'faq:delivery', title: 'Livraison' } } }],
      },
    },
    {
      name: 'Teams: an Adaptive Card form submit passes its data on as JSON',
      request: json(
        teamsMessage('1795425333333', {
          text: undefined,
          value: { email: 'camille.martin@example.com', newsletter: 'true' },
        }),
      ),
      expect: {
        events: [
          {
            kind: 'postback',
            content: { postback: { payload: '{"email":"camille.martin@example.com","newsletter":"true"}' } },
          },
        ],
      },
    },
    {
      name: 'Teams: the bot installed in a personal chat is a join',
      request: json({
        membersAdded: [{ id: TEAMS_BOT.id }],
        type: 'conversationUpdate',
        timestamp: '2026-11-23T09:00:00.000Z',
        id: 'f:6a2f8f1c-3d4b-4e5f-8a9b-0c1d2e3f4a5b',
        channelId: 'msteams',
        serviceUrl: TEAMS_SERVICE_URL,
        from: { id: TEAMS_USER.id, aadObjectId: TEAMS_USER.aadObjectId },
        conversation: { conversationType: 'personal', tenantId: TENANT, id: TEAMS_PERSONAL },
        recipient: TEAMS_BOT,
        channelData: { tenant: { id: TENANT } },
      }),
      expect: {
        events: [
          {
            channel: 'teams',
            kind: 'join',
            sender: { id: TEAMS_USER.id },
            conversationId: conversationIdFor('teams', TEAMS_BOT.id, TEAMS_PERSONAL),
          },
        ],
      },
    },
    {
      name: 'Teams: someone else joining a team is nothing for the bot',
      request: json({
        membersAdded: [{ id: '29:1newcolleague', aadObjectId: '0c3d5e7f-1111-4222-8333-944455566677' }],
        type: 'conversationUpdate',
        timestamp: '2026-11-23T09:05:00.000Z',
        id: 'f:0e1d2c3b-4a59-4687-9a8b-7c6d5e4f3a2b',
        channelId: 'msteams',
        serviceUrl: TEAMS_SERVICE_URL,
        from: { id: TEAMS_USER.id },
        conversation: { isGroup: true, conversationType: 'channel', tenantId: TENANT, id: TEAMS_CHANNEL_THREAD },
        recipient: TEAMS_BOT,
        channelData: { eventType: 'teamMemberAdded', team: { id: '19:0b7c@thread.tacv2' }, tenant: { id: TENANT } },
      }),
      expect: { events: [] },
    },
    {
      name: 'Teams: a reaction is acknowledged and ignored',
      request: json({
        reactionsAdded: [{ type: 'like' }],
        type: 'messageReaction',
        timestamp: '2026-11-23T09:16:00.000Z',
        id: '1795425360000',
        channelId: 'msteams',
        serviceUrl: TEAMS_SERVICE_URL,
        from: TEAMS_USER,
        conversation: { conversationType: 'personal', tenantId: TENANT, id: TEAMS_PERSONAL },
        recipient: TEAMS_BOT,
        replyToId: '1795425300001',
      }),
      expect: { events: [] },
    },
    {
      name: 'Messenger: a text message through Azure Bot Service',
      request: json(
        messengerMessage('m_XhdUHfX6W1A3Gm2pbsl0mRgk0ZlTOuEIYfAZmJZkQ2Uh', { text: 'Où en est ma livraison ?' }),
      ),
      expect: {
        events: [
          {
            channel: 'messenger',
            account: PAGE_ID,
            providerMessageId: `${PSID}-${PAGE_ID}/m_XhdUHfX6W1A3Gm2pbsl0mRgk0ZlTOuEIYfAZmJZkQ2Uh`,
            conversationId: conversationIdFor('messenger', PAGE_ID, `${PSID}-${PAGE_ID}`),
            kind: 'message',
            sender: { id: PSID, name: 'Zoé Durand', locale: undefined },
            content: { text: 'Où en est ma livraison ?' },
          },
        ],
      },
    },
    {
      name: 'Messenger: a photo',
      request: json(
        messengerMessage('m_photo0001', {
          attachments: [
            {
              contentType: 'image/png',
              contentUrl: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/lampe-cassee.png?_nc_cat=1&oh=00_AfA&oe=6760',
            },
          ],
        }),
      ),
      expect: {
        events: [
          {
            kind: 'message',
            content: {
              text: undefined,
              media: [
                {
                  url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/lampe-cassee.png?_nc_cat=1&oh=00_AfA&oe=6760',
                  mimeType: 'image/png',
                },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'Messenger: a shared location (a Place entity of the Bot Framework activity schema)',
      request: json(
        messengerMessage('m_place0001', {
          entities: [
            {
              type: 'Place',
              name: 'Showroom Maison Lumière',
              geo: { latitude: 45.764, longitude: 4.8357, type: 'GeoCoordinates' },
            },
          ],
        }),
      ),
      expect: {
        events: [
          {
            content: { location: { latitude: 45.764, longitude: 4.8357, name: 'Showroom Maison Lumière' } },
          },
        ],
      },
    },
    {
      name: 'refused: no Authorization header',
      request: json(teamsMessage('1795425400001', {}), 'none'),
      expect: { refused: { status: 401, reason: /missing Authorization header/ } },
    },
    {
      name: 'refused: a token issued for another bot',
      request: json(teamsMessage('1795425400002', {}), 'other-app'),
      expect: { refused: { status: 401, reason: /Invalid AppId/ } },
    },
    {
      name: 'refused: an expired token',
      request: json(teamsMessage('1795425400003', {}), 'expired'),
      expect: { refused: { status: 401, reason: /expired/ } },
    },
    {
      name: 'refused: a token naming another serviceUrl (a replayed token)',
      request: json(teamsMessage('1795425400004', {}), 'other-service-url'),
      expect: { refused: { status: 401, reason: /ServiceUrl claim/ } },
    },
    {
      name: 'refused: a token signed with another key',
      request: json(teamsMessage('1795425400005', {}), 'forged'),
      expect: { refused: { status: 401, reason: /invalid signature/ } },
    },
    {
      name: 'refused: a key not endorsed for the channel',
      request: json(messengerMessage('m_endorse0001', { text: 'hello' }), 'not-endorsed'),
      expect: { refused: { status: 401, reason: /endorsement/ } },
    },
    {
      name: 'refused: a Bot Framework channel this gateway does not serve',
      request: json(
        teamsMessage('1795425400006', { channelId: 'webchat', serviceUrl: 'https://webchat.botframework.com/' }),
      ),
      expect: { refused: { status: 400, reason: /channel 'webchat' is not served here/ } },
    },
    {
      name: 'refused: not JSON',
      request: { ...json({}), body: '{"type":"message",' },
      expect: { refused: { status: 400, reason: /not valid JSON/ } },
    },
    {
      name: 'refused: not sent as JSON',
      request: { ...json({}), headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'type=message' },
      expect: { refused: { status: 415, reason: /Content-Type must be application\/json/ } },
    },
    {
      name: 'refused: an activity without a conversation',
      request: json(teamsMessage('1795425400007', { conversation: undefined })),
      expect: { refused: { status: 400, reason: /not a Bot Framework activity: conversation/ } },
    },
    {
      name: 'refused: a body over 256 KB',
      request: json(teamsMessage('1795425400008', { text: 'x'.repeat(300_000) })),
      expect: { refused: { status: 413, reason: /larger than 256kb/ } },
    },
  ],
  outbound: [
    {
      name: 'Teams: text in Teams markdown',
      message: reply('teams', [{ type: 'text', text: 'Votre commande **#1042** part demain.' }]),
      expect: {
        requests: [
          { activity: { type: 'message', text: 'Votre commande **#1042** part demain.', textFormat: 'markdown' } },
        ],
      },
    },
    {
      name: 'Teams: quick replies become suggested actions for the user, remembered as choices',
      message: reply('teams', [
        {
          type: 'quickReplies',
          text: 'Bonjour ! Que puis-je faire pour vous ?',
          replies: [
            { title: 'Horaires', payload: 'faq:hours' },
            { title: 'Livraison', payload: 'faq:delivery' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              text: 'Bonjour ! Que puis-je faire pour vous ?',
              textFormat: 'markdown',
              suggestedActions: { to: [TEAMS_USER.id], actions: [imBack('Horaires'), imBack('Livraison')] },
            },
            choices: [
              { payload: 'faq:hours', title: 'Horaires', replies: ['Horaires'] },
              { payload: 'faq:delivery', title: 'Livraison', replies: ['Livraison'] },
            ],
          },
        ],
      },
    },
    {
      name: 'Teams: a list becomes a hero card, descriptions kept in its text',
      message: reply('teams', [
        {
          type: 'list',
          text: 'Créneaux disponibles',
          items: [
            { title: 'Mardi 10 h', description: 'Showroom de Lyon', payload: 'slot:1' },
            { title: 'Jeudi 15 h', payload: 'slot:2' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              attachments: [
                hero({
                  text: 'Créneaux disponibles\n\n• Mardi 10 h — Showroom de Lyon\n• Jeudi 15 h',
                  buttons: [imBack('Mardi 10 h'), imBack('Jeudi 15 h')],
                }),
              ],
            },
            choices: [
              { payload: 'slot:1', title: 'Mardi 10 h', replies: ['Mardi 10 h'] },
              { payload: 'slot:2', title: 'Jeudi 15 h', replies: ['Jeudi 15 h'] },
            ],
          },
        ],
      },
    },
    {
      name: 'Teams: an image is attached, a PDF goes as a link',
      message: reply('teams', [
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/opaline.jpg', mimeType: 'image/jpeg', caption: 'Opaline' },
        },
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/notice.pdf', mimeType: 'application/pdf', fileName: 'notice.pdf' },
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              text: 'Opaline',
              textFormat: 'markdown',
              attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://cdn.example.com/opaline.jpg' }],
            },
          },
          {
            activity: {
              type: 'message',
              text: '[notice.pdf](https://cdn.example.com/notice.pdf)',
              textFormat: 'markdown',
            },
          },
        ],
      },
    },
    {
      name: 'Teams: a product card with image and buttons',
      message: reply('teams', [
        {
          type: 'card',
          title: 'Lampe Opaline',
          subtitle: '89 €',
          imageUrl: 'https://cdn.example.com/opaline.jpg',
          buttons: [{ title: 'Commander', payload: 'order:opaline' }],
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              attachments: [
                hero({
                  title: 'Lampe Opaline',
                  subtitle: '89 €',
                  images: [{ url: 'https://cdn.example.com/opaline.jpg' }],
                  buttons: [imBack('Commander')],
                }),
              ],
            },
            choices: [{ payload: 'order:opaline', title: 'Commander', replies: ['Commander'] }],
          },
        ],
      },
    },
    {
      name: 'Messenger: plain text over 2000 characters is split at paragraphs',
      message: reply('messenger', [{ type: 'text', text: `${PARAGRAPH_A}\n\n${PARAGRAPH_B}\n\n${PARAGRAPH_C}` }]),
      expect: {
        requests: [
          { activity: { type: 'message', text: PARAGRAPH_A, textFormat: 'plain' } },
          { activity: { type: 'message', text: `${PARAGRAPH_B}\n\n${PARAGRAPH_C}`, textFormat: 'plain' } },
        ],
      },
    },
    {
      name: 'Messenger: buttons on a card, titles shortened to 20 characters',
      message: reply('messenger', [
        {
          type: 'buttons',
          text: 'Comment souhaitez-vous être livré ?',
          buttons: [
            { title: 'Livraison express à domicile', payload: 'ship:express' },
            { title: 'Retrait', payload: 'ship:pickup' },
          ],
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              attachments: [
                hero({
                  text: 'Comment souhaitez-vous être livré ?',
                  buttons: [imBack('Livraison express à…'), imBack('Retrait')],
                }),
              ],
            },
            choices: [
              { payload: 'ship:express', title: 'Livraison express à domicile', replies: ['Livraison express à…'] },
              { payload: 'ship:pickup', title: 'Retrait', replies: ['Retrait'] },
            ],
          },
        ],
      },
    },
    {
      name: 'Messenger: more buttons than a card holds become quick replies',
      message: reply('messenger', [
        {
          type: 'buttons',
          text: 'Quelle pièce ?',
          buttons: ['Salon', 'Cuisine', 'Chambre', 'Bureau'].map((room) => ({ title: room, payload: `room:${room}` })),
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              text: 'Quelle pièce ?',
              textFormat: 'plain',
              suggestedActions: {
                to: [PSID],
                actions: ['Salon', 'Cuisine', 'Chambre', 'Bureau'].map(imBack),
              },
            },
            choices: ['Salon', 'Cuisine', 'Chambre', 'Bureau'].map((room) => ({
              payload: `room:${room}`,
              title: room,
              replies: [room],
            })),
          },
        ],
      },
    },
    {
      name: 'Messenger: more than 13 quick replies become a numbered list; numbers count as presses',
      message: reply('messenger', [
        {
          type: 'quickReplies',
          text: 'Votre département ?',
          replies: Array.from({ length: 14 }, (_, i) => ({ title: `Dépt ${i + 1}`, payload: `dept:${i + 1}` })),
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              text: `Votre département ?\n\n${Array.from({ length: 14 }, (_, i) => `${i + 1}. Dépt ${i + 1}`).join('\n')}`,
              textFormat: 'plain',
            },
            choices: Array.from({ length: 14 }, (_, i) => ({
              payload: `dept:${i + 1}`,
              title: `Dépt ${i + 1}`,
              replies: [`Dépt ${i + 1}`, String(i + 1)],
            })),
          },
        ],
      },
    },
    {
      name: 'Messenger: a document is attached with its name',
      message: reply('messenger', [
        {
          type: 'media',
          media: { url: 'https://cdn.example.com/notice.pdf', mimeType: 'application/pdf', fileName: 'notice.pdf' },
        },
      ]),
      expect: {
        requests: [
          {
            activity: {
              type: 'message',
              attachments: [
                {
                  contentType: 'application/pdf',
                  contentUrl: 'https://cdn.example.com/notice.pdf',
                  name: 'notice.pdf',
                },
              ],
            },
          },
        ],
      },
    },
    {
      name: 'Messenger: a card title over 80 characters is sent in full first, the card shortened',
      message: reply('messenger', [{ type: 'card', title: LONG_TITLE, subtitle: '249 €' }]),
      expect: {
        requests: [
          { activity: { type: 'message', text: `${LONG_TITLE}\n249 €`, textFormat: 'plain' } },
          {
            activity: {
              type: 'message',
              attachments: [hero({ title: `${LONG_TITLE.slice(0, 79)}…`, subtitle: '249 €' })],
            },
          },
        ],
      },
    },
    {
      name: 'Messenger: a tagged campaign message sends messaging_type MESSAGE_TAG and the tag with every activity',
      message: tagged(
        'messenger',
        [
          { type: 'text', text: `${PARAGRAPH_A}\n\n${PARAGRAPH_B}` },
          {
            type: 'quickReplies',
            text: 'Votre commande ML-10234 est prête au showroom.',
            replies: [{ title: 'Merci', payload: 'thanks' }],
          },
        ],
        'POST_PURCHASE_UPDATE',
      ),
      expect: {
        requests: [
          { activity: withTag({ type: 'message', text: PARAGRAPH_A, textFormat: 'plain' }, 'POST_PURCHASE_UPDATE') },
          { activity: withTag({ type: 'message', text: PARAGRAPH_B, textFormat: 'plain' }, 'POST_PURCHASE_UPDATE') },
          {
            activity: withTag(
              {
                type: 'message',
                text: 'Votre commande ML-10234 est prête au showroom.',
                textFormat: 'plain',
                suggestedActions: { to: [PSID], actions: [imBack('Merci')] },
              },
              'POST_PURCHASE_UPDATE',
            ),
            choices: [{ payload: 'thanks', title: 'Merci', replies: ['Merci'] }],
          },
        ],
      },
    },
    {
      name: 'Messenger: a campaign message without a tag (inside the window) has no channelData',
      message: {
        ...reply('messenger', [{ type: 'text', text: 'Les ventes privées commencent !' }]),
        purpose: 'campaign',
      },
      expect: {
        requests: [{ activity: { type: 'message', text: 'Les ventes privées commencent !', textFormat: 'plain' } }],
      },
    },
    {
      name: 'Teams: a message tag means nothing there and is left out',
      message: tagged('teams', [{ type: 'text', text: 'Les ventes privées commencent !' }], 'ACCOUNT_UPDATE'),
      expect: {
        requests: [{ activity: { type: 'message', text: 'Les ventes privées commencent !', textFormat: 'markdown' } }],
      },
    },
    {
      name: 'Messenger: a card with more buttons than it holds keeps them all as quick replies',
      message: reply('messenger', [
        {
          type: 'card',
          title: 'Lampe Opaline',
          buttons: ['Blanc', 'Ambre', 'Fumé', 'Vert'].map((color) => ({ title: color, payload: `color:${color}` })),
        },
      ]),
      expect: {
        requests: [
          { activity: { type: 'message', attachments: [hero({ title: 'Lampe Opaline' })] } },
          {
            activity: {
              type: 'message',
              text: 'Lampe Opaline',
              textFormat: 'plain',
              suggestedActions: { to: [PSID], actions: ['Blanc', 'Ambre', 'Fumé', 'Vert'].map(imBack) },
            },
            choices: ['Blanc', 'Ambre', 'Fumé', 'Vert'].map((color) => ({
              payload: `color:${color}`,
              title: color,
              replies: [color],
            })),
          },
        ],
      },
    },
  ],
};
