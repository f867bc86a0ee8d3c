/**
 * What the demo bot (bots/demo) says, for the channel tests that hold real
 * conversations with it through a running gateway. Written out here on
 * purpose, not read from the bot folder: a change to the bot's texts should
 * make these tests fail, and be made here once, not in five files.
 */

export type DemoLocale = 'fr' | 'en';

export interface DemoChoice {
  title: string;
  payload: string;
}

/** The menu the greeting shows, in the bot's order (bot.yaml: menu.items). */
export const DEMO_MENU: Record<DemoLocale, readonly DemoChoice[]> = {
  fr: [
    { title: 'Suivre ma commande', payload: 'flow:order-status' },
    { title: 'Prendre rendez-vous', payload: 'flow:booking' },
    { title: 'Livraison', payload: 'faq:delivery-times' },
    { title: 'Retours', payload: 'faq:returns' },
    { title: 'Parler à un conseiller', payload: 'human' },
  ],
  en: [
    { title: 'Track my order', payload: 'flow:order-status' },
    { title: 'Book a visit', payload: 'flow:booking' },
    { title: 'Delivery', payload: 'faq:delivery-times' },
    { title: 'Returns', payload: 'faq:returns' },
    { title: 'Talk to an adviser', payload: 'human' },
  ],
};

/** The titles of the menu's options, in order. */
export const menuTitles = (locale: DemoLocale): string[] => DEMO_MENU[locale].map(({ title }) => title);

/** The menu's first option: the order status flow. */
export const TRACK_MY_ORDER: Record<DemoLocale, DemoChoice> = {
  fr: DEMO_MENU.fr[0] as DemoChoice,
  en: DEMO_MENU.en[0] as DemoChoice,
};

/**
 * The greeting that comes with the menu. The bot greets the contact by first
 * name when the channel gave one, so a test passes the name it expects, or
 * nothing for a channel that tells no name.
 */
export function greeting(locale: DemoLocale, firstName?: string): string {
  return locale === 'fr'
    ? `Bonjour${firstName ? ` ${firstName}` : ''} ! Je suis l'assistant de Maison Lumière. Que puis-je faire pour vous ?`
    : `Hello${firstName ? ` ${firstName}` : ''}! I'm the Maison Lumière assistant. What can I do for you?`;
}

/** The order status flow's first question. */
export const ASK_ORDER_NUMBER: Record<DemoLocale, string> = {
  fr: 'Quel est votre numéro de commande ? Il commence par ML, par exemple ML-10234.',
  en: 'What is your order number? It starts with ML, for example ML-10234.',
};

/** An order of the demo shop (bots/demo/seed.yaml) that is on its way. */
export const SHIPPED_ORDER = 'ML-10234';
export const SHIPPED_ORDER_CARRIER = 'Colissimo';

/** The whole answer about SHIPPED_ORDER. */
export const SHIPPED_ORDER_ANSWER: Record<DemoLocale, string> = {
  fr: 'Bonne nouvelle : votre commande ML-10234 est en route avec Colissimo. Suivi du colis : https://www.laposte.fr/outils/suivre-vos-envois?code=6A10234000017',
  en: 'Good news: your order ML-10234 is on its way with Colissimo. Track the parcel: https://www.laposte.fr/outils/suivre-vos-envois?code=6A10234000017',
};

/** Whether a text is the answer about SHIPPED_ORDER (in any language): it names the order and its carrier. */
export const isShippedOrderAnswer = (text: string | undefined): boolean =>
  (text ?? '').includes(SHIPPED_ORDER) && (text ?? '').includes(SHIPPED_ORDER_CARRIER);

/** The question that follows an order's status, and its options. */
export const ANYTHING_ELSE: Record<DemoLocale, string> = {
  fr: 'Puis-je faire autre chose pour vous ?',
  en: 'Can I help with anything else?',
};
export const ANYTHING_ELSE_CHOICES: Record<DemoLocale, readonly string[]> = {
  fr: ['Autre commande', 'Menu', 'Non, merci'],
  en: ['Another order', 'Menu', 'No, thanks'],
};

/** What "Non, merci" (the third option of ANYTHING_ELSE) gets: the end of the flow. */
export const GOODBYE: Record<DemoLocale, string> = {
  fr: 'Merci et à bientôt chez Maison Lumière !',
  en: 'Thank you, see you soon at Maison Lumière!',
};

/** What the bot says the first time it does not understand a message. */
export const NOT_UNDERSTOOD: Record<DemoLocale, string> = {
  fr: 'Désolé, je n’ai pas compris. Pouvez-vous le dire autrement ? Vous pouvez aussi écrire MENU.',
  en: "Sorry, I didn't understand. Could you say it another way? You can also write MENU.",
};

/**
 * FAQ questions whose answers say something no other answer does, so that a
 * test can tell which message a reply belongs to.
 */
export const FAQ = {
  hours: {
    fr: { question: 'Quels sont vos horaires ?', answer: /du lundi au samedi, de 9 h à 19 h/ },
    en: { question: 'what are your opening hours', answer: /Monday to Saturday, 9am to 7pm/ },
  },
  returns: {
    fr: { question: 'Comment retourner un article ?', answer: /30 jours après la livraison pour retourner un article/ },
    en: { question: 'How do I return an item?', answer: /30 days after delivery to return an item/ },
  },
  freeDelivery: {
    fr: { question: 'Livraison gratuite à partir de combien ?', answer: /offerte en France métropolitaine dès 60 €/ },
    en: { question: 'Is delivery free?', answer: /free in mainland France for orders from €60/ },
  },
  paypal: {
    fr: { question: 'Vous acceptez PayPal ?', answer: /PayPal ou virement/ },
    en: { question: 'Do you accept PayPal?', answer: /PayPal or bank transfer/ },
  },
  showroom: {
    fr: { question: 'Où se trouve votre showroom ?', answer: /12 rue des Lampes, à Lyon/ },
    en: { question: 'Where is your showroom?', answer: /12 rue des Lampes, Lyon/ },
  },
} as const;

/** The FAQ answer the menu's "Livraison" / "Delivery" option gives (faq:delivery-times). */
export const DELIVERY_TIMES: Record<DemoLocale, RegExp> = {
  fr: /Les commandes sont expédiées sous 48 h/,
  en: /Orders ship within 48 hours/,
};
