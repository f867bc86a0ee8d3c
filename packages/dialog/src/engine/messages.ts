/**
 * The sentences the engine says on its own (not written in a flow). A bot
 * folder may replace any of them in bot.yaml under `messages:`; these are the
 * defaults so that a minimal bot folder still speaks politely.
 */
import type { Text } from '../bot-folder/schemas.js';

export const DEFAULT_MESSAGES = {
  help: {
    en: 'I can answer your questions and help with your orders. At any time you can write MENU to see what I can do, AGENT to talk to a person, or STOP to unsubscribe.',
    fr: 'Je réponds à vos questions et vous aide pour vos commandes. À tout moment, écrivez MENU pour voir ce que je sais faire, CONSEILLER pour parler à une personne, ou STOP pour vous désabonner.',
  },
  stopped: {
    en: "You're unsubscribed: you won't receive any more messages from us. Write START if you change your mind.",
    fr: 'Vous êtes désabonné(e) : vous ne recevrez plus de messages de notre part. Écrivez START si vous changez d’avis.',
  },
  restarted: {
    en: "You're subscribed again. Welcome back!",
    fr: 'Vous êtes de nouveau abonné(e). Bon retour parmi nous !',
  },
  subscribed: {
    en: "You're subscribed: you'll receive our news and offers here. Write STOP at any time to unsubscribe.",
    fr: 'Vous êtes abonné(e) : vous recevrez nos nouveautés et nos offres ici. Écrivez STOP à tout moment pour vous désabonner.',
  },
  timed_out: {
    en: "Welcome back! Our previous conversation had timed out, so let's start again.",
    fr: 'Bon retour ! Notre échange précédent avait expiré, alors reprenons depuis le début.',
  },
  updated: {
    en: 'Our assistant has just been updated, so I have to start this conversation again. Sorry about that!',
    fr: 'Notre assistant vient d’être mis à jour : je dois reprendre cette conversation depuis le début. Désolé !',
  },
  not_understood: {
    en: "Sorry, I didn't understand. Could you say it another way? You can also write MENU.",
    fr: 'Désolé, je n’ai pas compris. Pouvez-vous le dire autrement ? Vous pouvez aussi écrire MENU.',
  },
  offer_help: {
    en: "I'm still not sure I can help with that. Would you like to talk to a person or leave us a message?",
    fr: 'Je ne suis toujours pas sûr de pouvoir vous aider. Voulez-vous parler à une personne ou nous laisser un message ?',
  },
  only_text: {
    en: 'I can only read text messages for now. Write MENU to see what I can do, or AGENT to talk to a person.',
    fr: 'Je ne sais lire que les messages écrits pour le moment. Écrivez MENU pour voir ce que je sais faire, ou CONSEILLER pour parler à une personne.',
  },
  did_you_mean: { en: 'Did you mean:', fr: 'Vouliez-vous dire :' },
  none_of_these: { en: 'None of these', fr: 'Aucune de ces réponses' },
  talk_to_someone: { en: 'Talk to someone', fr: 'Parler à quelqu’un' },
  leave_a_message: { en: 'Leave a message', fr: 'Laisser un message' },
  back_to_menu: { en: 'Menu', fr: 'Menu' },
  handoff: {
    en: "I'm passing you to a member of our team; they will answer you here. Write MENU to come back to the assistant.",
    fr: 'Je vous mets en relation avec un membre de notre équipe, qui vous répondra ici. Écrivez MENU pour revenir à l’assistant.',
  },
  queue_position: {
    en: 'You are {{position}} in the queue, about {{minutes}} min.',
    fr: "Vous êtes {{position}} dans la file d'attente, environ {{minutes}} min.",
  },
  closed_now: {
    en: "Our team answers {{hours}}. Leave us a message and we'll answer you as soon as we're back.",
    fr: 'Notre équipe répond {{hours}}. Laissez-nous un message : nous vous répondrons dès notre retour.',
  },
  nobody_free: {
    en: "Nobody is free right now, sorry. Leave us a message and we'll answer you as soon as possible.",
    fr: "Personne n'est disponible pour le moment, désolé. Laissez-nous un message : nous vous répondrons au plus vite.",
  },
  operator_closed: {
    en: 'Thank you for talking with our team. Write any time if you need us again.',
    fr: 'Merci pour cet échange avec notre équipe. Écrivez-nous quand vous voulez si besoin.',
  },
  handed_back: {
    en: "I'm back with you. What else can I do for you?",
    fr: "Je reprends la conversation. Que puis-je faire d'autre pour vous ?",
  },
  waiting: {
    en: 'A member of our team will answer you here as soon as possible. Write MENU to come back to the assistant.',
    fr: 'Un membre de notre équipe vous répondra ici dès que possible. Écrivez MENU pour revenir à l’assistant.',
  },
  invalid_answer: {
    en: "That doesn't look right.",
    fr: 'Cette réponse ne convient pas.',
  },
  choose_one: {
    en: 'Please choose one of the options (you can reply with its number).',
    fr: 'Merci de choisir l’une des options (vous pouvez répondre par son numéro).',
  },
  give_up: {
    en: "Let's leave that question for now.",
    fr: 'Laissons cette question de côté pour le moment.',
  },
  not_found: {
    en: "I couldn't find it, sorry.",
    fr: 'Je ne l’ai pas trouvé, désolé.',
  },
  connector_error: {
    en: "Sorry, I can't reach that service right now. Please try again in a few minutes, or write AGENT to talk to a person.",
    fr: 'Désolé, ce service ne répond pas pour le moment. Réessayez dans quelques minutes, ou écrivez CONSEILLER pour parler à une personne.',
  },
  flow_error: {
    en: 'Sorry, something went wrong on our side. Let me take you back to the menu.',
    fr: 'Désolé, un problème est survenu de notre côté. Je vous ramène au menu.',
  },
  campaign_not_started: {
    en: '“{{campaign}}” starts on {{date}}. See you then!',
    fr: 'L’opération « {{campaign}} » commence le {{date}}. À très vite !',
  },
  campaign_over: {
    en: '“{{campaign}}” is over. Thank you for your interest!',
    fr: 'L’opération « {{campaign}} » est terminée. Merci de votre intérêt !',
  },
  /** Added to a campaign's first message on channels whose rules ask for it (SMS). */
  campaign_stop_notice: {
    en: 'Reply STOP to unsubscribe.',
    fr: 'STOP pour vous désabonner.',
  },
} satisfies Record<string, Text>;

export type MessageName = keyof typeof DEFAULT_MESSAGES;
export const MESSAGE_NAMES = Object.keys(DEFAULT_MESSAGES) as MessageName[];
