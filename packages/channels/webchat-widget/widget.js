/*
 * Passerelle web chat widget. Embed with one tag:
 *   <script src="https://YOUR-GATEWAY/webchat/widget.js" data-title="Chat with us" async></script>
 * Options (data-*): site, locale (or lang), open ("true" starts open), color, ref (a campaign link's
 * reference: when the chat opens, the bot starts that campaign), and any of the widget's words below.
 * A button of the site can do the same: window.PasserelleChat.open({ ref: 'ventes-privees' })
 * opens the chat and starts the campaign; PasserelleChat.open() and .close() just open and close it.
 * Plain browser JavaScript, no build step, no dependency: it must load on any site.
 */
(() => {
  const script = document.currentScript;
  if (!script || window.__passerelleWidget) return;
  window.__passerelleWidget = true;

  const base = new URL(script.src, location.href);
  const socketUrl = (base.protocol === 'https:' ? 'wss:' : 'ws:') + '//' + base.host + '/webchat/socket';
  const opts = script.dataset;
  const site = opts.site || 'default';

  // The widget's own words, each replaced by the data-* attribute of its name in kebab case
  // (inputLabel: data-input-label). {seconds} is filled in.
  const WORDS = {
    en: {
      title: 'Chat with us',
      subtitle: 'We answer in seconds',
      placeholder: 'Type your message…',
      inputLabel: 'Your message',
      sendLabel: 'Send',
      openLabel: 'Open the chat',
      closeLabel: 'Close the chat',
      logLabel: 'Conversation',
      youLabel: 'You:',
      botLabel: 'Us:',
      reconnectingText: 'Reconnecting…',
      tooFastText: 'Too fast: your message will be sent in {seconds} s.',
      retryingText: 'We could not take your message yet: trying again in {seconds} s.',
      notSentText: 'Your message could not be sent.',
    },
    fr: {
      title: 'Discutons',
      subtitle: 'Nous répondons en quelques secondes',
      placeholder: 'Votre message…',
      inputLabel: 'Votre message',
      sendLabel: 'Envoyer',
      openLabel: 'Ouvrir la discussion',
      closeLabel: 'Fermer la discussion',
      logLabel: 'Conversation',
      youLabel: 'Vous\u00a0:',
      botLabel: 'Nous\u00a0:',
      reconnectingText: 'Reconnexion…',
      tooFastText: 'Trop rapide\u00a0: votre message partira dans {seconds}\u00a0s.',
      retryingText: 'Votre message n’a pas encore pu être pris\u00a0: nouvel essai dans {seconds}\u00a0s.',
      notSentText: 'Votre message n’a pas pu être envoyé.',
    },
  };
  // The language: the tag's data-locale (or data-lang), else the page's <html lang>, else the browser's,
  // else English. The widget has words for French and English (fr-CA is French), English for any other.
  const languageTag = (value) => {
    const tag = String(value || '')
      .trim()
      .replace(/_/g, '-');
    return tag.length <= 35 && /^[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*$/.test(tag) ? tag : '';
  };
  const languageOf = (tag) => tag.split('-')[0].toLowerCase();
  const browserLocale = languageTag(navigator.language);
  let locale =
    languageTag(opts.locale) ||
    languageTag(opts.lang) ||
    languageTag(document.documentElement.getAttribute('lang')) ||
    browserLocale ||
    'en';
  // The browser's tag is more precise for the same language (fr-CA on a page in fr): the bot is told that one.
  if (locale.indexOf('-') < 0 && browserLocale && languageOf(browserLocale) === languageOf(locale)) {
    locale = browserLocale;
  }
  const lang = WORDS[languageOf(locale)] ? languageOf(locale) : 'en';
  const text = {};
  Object.keys(WORDS.en).forEach((key) => {
    text[key] = opts[key] || WORDS[lang][key];
  });
  // The socket's rule for a reference (1-64 of A-Z a-z 0-9 _ -), checked here too so a mistake shows on the site.
  const REF = /^[A-Za-z0-9_-]{1,64}$/;
  let pageRef = opts.ref || null;
  if (pageRef && !REF.test(pageRef)) {
    console.error('Passerelle web chat: data-ref must be 1-64 letters, digits, _ or - (ignored): ' + pageRef);
    pageRef = null;
  }
  const storeKey = 'passerelle:' + site + ':';
  const store = {
    get: (k) => {
      try {
        return localStorage.getItem(storeKey + k);
      } catch {
        return null;
      }
    },
    set: (k, v) => {
      try {
        localStorage.setItem(storeKey + k, v);
      } catch {
        /* private mode */
      }
    },
  };
  // For this tab only: a reload of the page must not start the page's campaign over.
  const tabStore = {
    get: (k) => {
      try {
        return sessionStorage.getItem(storeKey + k);
      } catch {
        return null;
      }
    },
    set: (k, v) => {
      try {
        sessionStorage.setItem(storeKey + k, v);
      } catch {
        /* private mode */
      }
    },
  };

  const host = document.createElement('div');
  host.id = 'passerelle-webchat';
  const root = host.attachShadow({ mode: 'open' });

  // The brand colour (data-color) as the browser reads it; one it cannot read leaves the default.
  let color = '#1f5eff';
  const paint = opts.color ? document.createElement('canvas').getContext('2d') : null;
  if (paint) {
    paint.fillStyle = color;
    paint.fillStyle = opts.color;
    color = paint.fillStyle;
  }
  // WCAG's relative luminance, a see-through colour taken over the white panel.
  function luminance(css) {
    const hex = /^#([0-9a-f]{6})$/i.exec(css);
    const values = hex
      ? [0, 2, 4].map((at) => parseInt(hex[1].slice(at, at + 2), 16))
      : (css.match(/[\d.]+/g) || []).map(Number);
    const alpha = values.length > 3 ? values[3] : 1;
    const [r, g, b] = values.slice(0, 3).map((value) => {
      const channel = (alpha * value + (1 - alpha) * 255) / 255;
      return channel <= 0.03928 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  }
  // Words must read at 4.5:1 at least (WCAG 2.1 AA). On the brand colour they are white when that
  // reads so, else black; the brand colour is used for words on white only when it reads so, else near-black.
  const readsOnWhite = 1.05 / (luminance(color) + 0.05) >= 4.5;
  const ink = readsOnWhite ? '#fff' : '#000';
  const accent = readsOnWhite ? color : '#1a1a1a';
  const css =
    ':host{all:initial;font:15px/1.4 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}' +
    '.launcher{display:flex;align-items:center;justify-content:center;position:fixed;right:20px;bottom:20px;width:56px;height:56px;border-radius:50%;border:0;background:' +
    color +
    ';color:' +
    ink +
    ';font-size:26px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);z-index:2147483000}' +
    '.panel{position:fixed;right:20px;bottom:90px;width:360px;max-width:calc(100vw - 40px);height:520px;max-height:calc(100vh - 120px);background:#fff;color:#1a1a1a;border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.25);display:none;flex-direction:column;overflow:hidden;z-index:2147483000}' +
    '.panel.open{display:flex}' +
    // A plain block, not a <header>: inside the page that would be a second banner landmark.
    '.head{background:' +
    color +
    ';color:' +
    ink +
    ';padding:12px 16px;display:flex;justify-content:space-between;align-items:center}' +
    '.head h2{margin:0;font-size:16px}.head p{margin:2px 0 0;font-size:12px}' +
    '.head button{background:none;border:0;color:inherit;font-size:20px;cursor:pointer}' +
    '.log{flex:1;overflow-y:auto;padding:12px;background:#f5f6f8;display:flex;flex-direction:column;gap:8px}' +
    '.msg{max-width:80%;padding:8px 12px;border-radius:12px;white-space:pre-wrap;word-wrap:break-word}' +
    '.bot{background:#fff;border:1px solid #e2e4e8;align-self:flex-start;border-bottom-left-radius:4px}' +
    '.visitor{background:' +
    color +
    ';color:' +
    ink +
    ';border:1px solid ' +
    color +
    ';align-self:flex-end;border-bottom-right-radius:4px}' +
    '.visitor a{color:inherit}' +
    // Not yet acknowledged: drawn in outline, not faded (faded words would not read at 4.5:1).
    '.visitor.pending{background:#fff;color:' +
    accent +
    ';border-style:dashed}' +
    '.choices{display:flex;flex-wrap:wrap;gap:6px;margin-top:6px}' +
    '.choices button{border:1px solid ' +
    color +
    ';background:#fff;color:' +
    accent +
    ';border-radius:14px;padding:4px 10px;cursor:pointer;font:inherit;font-size:13px}' +
    '.msg img{max-width:100%;border-radius:8px;display:block}' +
    '.status{font-size:12px;color:#555;text-align:center;padding:2px}.status:empty{padding:0}' +
    'form{display:flex;border-top:1px solid #e2e4e8}' +
    'input{flex:1;border:0;padding:12px;font:inherit;color:inherit;background:#fff}' +
    'input::placeholder{color:#6b6b6b;opacity:1}' +
    'input:focus,.log:focus-visible{outline:2px solid ' +
    accent +
    ';outline-offset:-2px}' +
    'form button{border:0;background:none;color:' +
    accent +
    ';font-weight:600;padding:0 14px;cursor:pointer}' +
    // Read by screen readers, not shown: who wrote each message.
    '.sr{position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap;border:0}';
  // A constructed style sheet, not a <style> element: a site whose Content-Security-Policy forbids
  // inline styles (the gateway's own pages do) still lets a script style its shadow root this way.
  if (window.CSSStyleSheet && 'adoptedStyleSheets' in root && 'replaceSync' in CSSStyleSheet.prototype) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(css);
    root.adoptedStyleSheets = [sheet];
  } else {
    const style = document.createElement('style');
    style.textContent = css;
    root.appendChild(style);
  }
  // The words go in with textContent and setAttribute, never as HTML: a data-* value may hold anything.
  root.innerHTML +=
    '<button type="button" class="launcher" part="launcher" aria-expanded="false" aria-controls="passerelle-panel">' +
    '<svg width="26" height="26" viewBox="0 0 24 24" fill="currentColor" aria-hidden="true">' +
    '<path d="M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z"/></svg></button>' +
    '<div class="panel" id="passerelle-panel" role="dialog">' +
    '<div class="head"><div><h2></h2><p></p></div><button type="button" class="close">×</button></div>' +
    '<div class="log" role="log" aria-live="polite" tabindex="0"></div>' +
    '<div class="status" role="status"></div>' +
    '<form><input name="text" autocomplete="off" maxlength="4000"><button type="submit"></button></form>' +
    '</div>';
  const launcher = root.querySelector('.launcher');
  const panel = root.querySelector('.panel');
  const log = root.querySelector('.log');
  const status = root.querySelector('.status');
  const input = root.querySelector('input');
  // The widget's language, for screen readers and spelling, whatever the page's is.
  launcher.setAttribute('lang', lang);
  panel.setAttribute('lang', lang);
  launcher.setAttribute('aria-label', text.openLabel);
  panel.setAttribute('aria-label', text.title);
  root.querySelector('h2').textContent = text.title;
  root.querySelector('.head p').textContent = text.subtitle;
  root.querySelector('.close').setAttribute('aria-label', text.closeLabel);
  log.setAttribute('aria-label', text.logLabel);
  root.querySelector('form button').textContent = text.sendLabel;
  input.placeholder = text.placeholder;
  input.setAttribute('aria-label', text.inputLabel);

  // `byVisitor`: the visitor asked (a click, PasserelleChat.open): focus goes into the chat, and back to
  // the launcher when it closes. A chat that opens by itself (data-open) leaves the page's focus alone.
  function setOpen(open, byVisitor) {
    const focusInside = panel.contains(root.activeElement);
    panel.classList.toggle('open', open);
    launcher.setAttribute('aria-expanded', String(open));
    launcher.setAttribute('aria-label', open ? text.closeLabel : text.openLabel);
    if (open) {
      if (byVisitor) input.focus();
      connect();
      // data-ref: the chat's first opening on the page starts the campaign, once per tab.
      const ref = pageRef;
      pageRef = null;
      if (ref && !tabStore.get('ref-started:' + ref)) sendReferral(ref);
    } else if (focusInside) {
      launcher.focus();
    }
  }
  launcher.addEventListener('click', () => {
    setOpen(!panel.classList.contains('open'), true);
  });
  root.querySelector('.close').addEventListener('click', () => {
    setOpen(false, true);
  });
  panel.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') setOpen(false, true);
  });

  let socket = null;
  let ready = false;
  let retryMs = 500;
  let lastSeq = 0;
  const shown = {}; // message id -> element, so a replayed or echoed message is drawn once
  const pending = {}; // client id -> frame not yet acked, sent again after a reconnect
  const referrals = {}; // client id -> reference of a referral frame not yet acked

  function newId() {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, (b) => ('0' + b.toString(16)).slice(-2)).join('');
  }

  function bubble(id, who, parts) {
    let el = shown[id];
    if (el) {
      el.classList.remove('pending');
      return el;
    }
    el = document.createElement('div');
    el.className = 'msg ' + who;
    el.dataset.id = id;
    const author = document.createElement('span');
    author.className = 'sr';
    author.textContent = (who === 'bot' ? text.botLabel : text.youLabel) + ' ';
    el.appendChild(author);
    parts.forEach((part) => {
      el.appendChild(renderPart(part));
    });
    log.appendChild(el);
    log.scrollTop = log.scrollHeight;
    shown[id] = el;
    return el;
  }

  // French puts a space before ? ! : ; and inside « »; a non-breaking one keeps "?" from
  // wrapping alone onto the next line. Links become clickable. Text nodes only: no HTML from a message.
  function appendText(element, text) {
    const typeset = String(text)
      .replace(/ ([?!:;»])/g, '\u00a0$1')
      .replace(/« /g, '«\u00a0');
    const pieces = typeset.split(/(https?:\/\/[^\s<>"]+[^\s<>".,;:!?)])/);
    pieces.forEach((piece, index) => {
      if (index % 2 === 0) {
        if (piece) element.appendChild(document.createTextNode(piece));
        return;
      }
      const link = document.createElement('a');
      link.href = piece;
      link.target = '_blank';
      link.rel = 'noopener noreferrer';
      link.textContent = piece;
      element.appendChild(link);
    });
  }

  function renderPart(part) {
    const frag = document.createElement('div');
    if (part.type === 'media') {
      if (/^image\//.test(part.mimeType)) {
        const img = document.createElement('img');
        img.src = part.url;
        img.alt = part.caption || '';
        frag.appendChild(img);
      } else {
        const a = document.createElement('a');
        a.href = part.url;
        a.target = '_blank';
        a.rel = 'noopener';
        a.textContent = part.caption || part.url;
        frag.appendChild(a);
      }
      return frag;
    }
    if (part.type === 'card' && part.imageUrl) {
      const picture = document.createElement('img');
      picture.src = part.imageUrl;
      picture.alt = part.title;
      frag.appendChild(picture);
    }
    const body = document.createElement('div');
    appendText(body, part.type === 'card' ? part.title + (part.subtitle ? '\n' + part.subtitle : '') : part.text);
    frag.appendChild(body);
    const buttons = part.buttons || [];
    if (buttons.length) {
      const row = document.createElement('div');
      row.className = 'choices';
      buttons.forEach((b) => {
        const btn = document.createElement('button');
        btn.type = 'button';
        btn.textContent = b.title;
        btn.addEventListener('click', () => {
          sendFrame({ postback: { payload: b.payload, title: b.title } }, b.title);
        });
        row.appendChild(btn);
      });
      frag.appendChild(row);
    }
    return frag;
  }

  function sendFrame(content, shownText) {
    const frame = { type: 'message', id: newId() };
    if (content.text) frame.text = content.text;
    if (content.postback) frame.postback = content.postback;
    pending[frame.id] = frame;
    bubble(frame.id, 'visitor pending', [{ type: 'text', text: shownText }]);
    if (ready) socket.send(JSON.stringify(frame));
    else connect();
  }

  // The visitor came through a link: the bot answers at once. No bubble: the visitor wrote nothing.
  function sendReferral(ref) {
    const frame = { type: 'message', id: newId(), referral: { ref: ref } };
    pending[frame.id] = frame;
    referrals[frame.id] = ref;
    if (ready) socket.send(JSON.stringify(frame));
    else connect();
  }

  root.querySelector('form').addEventListener('submit', (e) => {
    e.preventDefault();
    const value = input.value.trim();
    if (!value) return;
    input.value = '';
    sendFrame({ text: value }, value);
  });

  // A polite live region, always in the page (empty and flat when there is nothing to say), so that
  // screen readers announce what is put in it.
  function setStatus(message) {
    status.textContent = message || '';
  }

  function connect() {
    if (socket && socket.readyState <= 1) return;
    socket = new WebSocket(socketUrl);
    socket.onopen = () => {
      socket.send(
        JSON.stringify({
          type: 'hello',
          site: site,
          locale: locale,
          lastSeq: lastSeq,
          visitorId: store.get('visitorId') || undefined,
          token: store.get('token') || undefined,
        }),
      );
    };
    socket.onmessage = (event) => {
      const frame = JSON.parse(event.data);
      if (frame.type === 'welcome') {
        store.set('visitorId', frame.visitorId);
        store.set('token', frame.token);
        ready = true;
        retryMs = 500;
        setStatus('');
        Object.keys(pending).forEach((id) => {
          socket.send(JSON.stringify(pending[id]));
        });
      } else if (frame.type === 'ack') {
        delete pending[frame.id];
        if (referrals[frame.id]) tabStore.set('ref-started:' + referrals[frame.id], '1');
        delete referrals[frame.id];
        if (shown[frame.id]) shown[frame.id].classList.remove('pending');
      } else if (frame.type === 'message') {
        lastSeq = Math.max(lastSeq, frame.seq);
        bubble(frame.id, frame.from === 'visitor' ? 'visitor' : 'bot', frame.parts);
      } else if (frame.type === 'error' && (frame.code === 'rate-limited' || frame.code === 'unavailable')) {
        // Too fast, or the gateway could not queue it (Redis away): the message was not taken.
        // It stays pending and goes again after the wait (and after a reconnect, as every pending one).
        const seconds = frame.retryAfterSeconds || 1;
        const wait = frame.code === 'rate-limited' ? text.tooFastText : text.retryingText;
        setStatus(wait.replace('{seconds}', String(seconds)));
        const id = frame.id;
        setTimeout(() => {
          if (!id || !pending[id] || !ready) return;
          setStatus('');
          socket.send(JSON.stringify(pending[id]));
        }, seconds * 1000);
      } else if (frame.type === 'error' && frame.id && pending[frame.id]) {
        delete pending[frame.id]; // refused for good: do not resend
        delete referrals[frame.id];
        // The visitor reads it in the widget's language; the site's developer gets the gateway's reason.
        console.warn('Passerelle web chat: message refused (' + frame.code + '): ' + frame.message);
        setStatus(text.notSentText);
      }
    };
    socket.onclose = () => {
      ready = false;
      if (!panel.classList.contains('open')) return;
      setStatus(text.reconnectingText);
      setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 10000);
    };
  }

  // For the site's own buttons: PasserelleChat.open({ ref: 'ventes-privees' }).
  window.PasserelleChat = {
    open: (options) => {
      const ref = options?.ref;
      if (ref !== undefined && !(typeof ref === 'string' && REF.test(ref))) {
        throw new TypeError('PasserelleChat.open: ref must be 1-64 letters, digits, _ or -');
      }
      // An explicit link wins over the page's data-ref: one campaign start, not two.
      if (ref) pageRef = null;
      setOpen(true, true);
      if (ref) sendReferral(ref);
    },
    close: () => {
      setOpen(false, true);
    },
  };

  function mount() {
    document.body.appendChild(host);
    if (opts.open === 'true') setOpen(true, false);
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);
})();
