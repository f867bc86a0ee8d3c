/*
 * Passerelle console, what its pages share: the page's language and the
 * labels every page uses, the element builder, the JSON API client with its
 * errors, channel badges. Plain browser JavaScript, no build step: each page
 * loads this file before its own script (both with `defer`, so in that
 * order) and finds it all on `window.PasserelleConsole`. Data only ever
 * reaches a page as text (textContent, text nodes), never as HTML.
 */
(() => {
  const API = '/console/api';
  const lang = /^en\b/i.test(navigator.language || '') ? 'en' : 'fr';
  document.documentElement.lang = lang;

  /** Labels of every page; a page's own dictionary adds its labels to these. */
  const SHARED_TEXT = {
    fr: {
      console: 'Console',
      network: 'Le serveur ne répond pas. Réessayez dans un instant.',
      logout: 'Se déconnecter',
      manager: 'responsable',
      webchat: 'Chat du site',
    },
    en: {
      console: 'Console',
      network: 'The server does not answer. Try again in a moment.',
      logout: 'Log out',
      manager: 'manager',
      webchat: 'Web chat',
    },
  };

  /**
   * A page's labels, `t(key, values)`: in the page's language, with {name}
   * filled in; French when English lacks one, the key itself when both do.
   * `labelOr(key, raw)` is the label if there is one, else the raw value (a
   * status or reason added to the API after the page).
   */
  function translator(pageText = {}) {
    const text = {
      fr: { ...SHARED_TEXT.fr, ...pageText.fr },
      en: { ...SHARED_TEXT.en, ...pageText.en },
    };
    function t(key, values) {
      const label = text[lang][key] ?? text.fr[key] ?? key;
      return values
        ? label.replace(/\{(\w+)\}/g, (whole, name) => (name in values ? String(values[name]) : whole))
        : label;
    }
    const labelOr = (key, raw) => (key in text[lang] || key in text.fr ? t(key) : raw);
    return { t, labelOr };
  }

  const { t } = translator();

  // ---------------------------------------------------------------- DOM helpers

  const $ = (id) => document.getElementById(id);

  /** An element: h('li', { class: 'item', onclick: fn, 'data-id': id }, 'text', child). Strings become text nodes. */
  function h(tag, attributes, ...children) {
    const element = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes ?? {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name.startsWith('on') && typeof value === 'function') element.addEventListener(name.slice(2), value);
      else if (name === 'class') element.className = value;
      else element.setAttribute(name, value === true ? '' : String(value));
    }
    append(element, children);
    return element;
  }

  /** Children (elements, or strings as text nodes) at the end of an element; empty values are left out. */
  function append(element, children) {
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      element.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }

  /** An error line: the message as text, hidden when there is none. */
  function showError(element, message) {
    element.textContent = message ?? '';
    element.hidden = !message;
  }

  /** The page's static labels: [data-i18n] elements' text, [data-i18n-label] elements' aria-label. */
  function applyLabels(pageT) {
    for (const element of document.querySelectorAll('[data-i18n]')) element.textContent = pageT(element.dataset.i18n);
    for (const element of document.querySelectorAll('[data-i18n-label]')) {
      element.setAttribute('aria-label', pageT(element.dataset.i18nLabel));
    }
  }

  /** The logged-in operator in the top bar: their name (and role, for a manager), their email on hover. */
  function showOperator(operator) {
    $('me-name').textContent = operator.role === 'manager' ? `${operator.name} (${t('manager')})` : operator.name;
    $('me-name').title = operator.email;
  }

  // ---------------------------------------------------------------- channels

  const CHANNELS = {
    sms: { label: 'SMS', glyph: 'S' },
    whatsapp: { label: 'WhatsApp', glyph: 'W' },
    telegram: { label: 'Telegram', glyph: 'T' },
    teams: { label: 'Teams', glyph: 'T' },
    messenger: { label: 'Messenger', glyph: 'M' },
    webchat: { label: t('webchat'), glyph: 'C' },
  };
  const channelLabel = (channel) => CHANNELS[channel]?.label ?? String(channel ?? '?');

  function channelBadge(channel) {
    const known = CHANNELS[channel];
    return h(
      'span',
      { class: 'channel', 'data-channel': channel ?? 'unknown' },
      h('span', { class: 'glyph', 'aria-hidden': 'true' }, known?.glyph ?? '?'),
      channelLabel(channel),
    );
  }

  // ---------------------------------------------------------------- time

  /** A Date from a Date or what the API sends (ISO text), undefined when it is no date. */
  function toDate(value) {
    const date = value instanceof Date ? value : new Date(value);
    return Number.isNaN(date.getTime()) ? undefined : date;
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  /**
   * A page's API call: `api(method, path, body)`, JSON with the session
   * cookie; every change is sent as JSON (the API refuses anything else).
   * A failure is an ApiError with the HTTP status (0: the server did not
   * answer). On a 401 the session is over: `onUnauthorized(path)` lets the
   * page say so (show its login, or go to the console's) before the error is thrown.
   */
  function apiClient({ onUnauthorized } = {}) {
    return async function api(method, path, body) {
      const options = {
        method,
        credentials: 'same-origin',
        cache: 'no-store',
        headers: { accept: 'application/json' },
      };
      if (method !== 'GET') {
        options.headers['content-type'] = 'application/json';
        options.body = JSON.stringify(body ?? {});
      }
      let response;
      try {
        response = await fetch(`${API}${path}`, options);
      } catch {
        throw new ApiError(0, t('network'));
      }
      const text = await response.text();
      let data = {};
      if (text) {
        try {
          data = JSON.parse(text);
        } catch {
          data = {};
        }
      }
      if (!response.ok) {
        const error = new ApiError(response.status, data.error || `HTTP ${response.status}`);
        if (response.status === 401) onUnauthorized?.(path);
        throw error;
      }
      return data;
    };
  }

  /** Ends the session on the server; logged out on this side anyway (the cookie goes when it expires). */
  async function logOut(api) {
    try {
      await api('POST', '/logout', {});
    } catch {
      // Nothing to do: see above.
    }
  }

  window.PasserelleConsole = Object.freeze({
    API,
    lang,
    translator,
    $,
    h,
    append,
    showError,
    applyLabels,
    showOperator,
    channelLabel,
    channelBadge,
    toDate,
    ApiError,
    apiClient,
    logOut,
  });
})();
