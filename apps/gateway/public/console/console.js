/*
 * Passerelle operator console: the page at /console/ over the JSON API under
 * /console/api (apps/gateway/src/console/*.ts). Plain browser JavaScript, no
 * build step, no dependency. Data only ever reaches the page as text
 * (textContent, text nodes), never as HTML.
 *
 * Live: an EventSource on /console/api/events (the session cookie is its
 * credential; while it is open the operator is online and gets conversations).
 * Each event refreshes what it concerns; the browser reconnects by itself, and
 * the page opens a new stream when the browser gives up.
 */
(() => {
  const {
    API,
    lang,
    translator,
    $,
    h,
    append,
    showError,
    applyLabels: applySharedLabels,
    showOperator,
    channelLabel,
    channelBadge,
    toDate,
    apiClient,
    logOut,
  } = window.PasserelleConsole;

  const TEXT = {
    fr: {
      loginTitle: 'Console opérateur',
      loginSubtitle: 'Répondez aux clients que le bot vous transmet.',
      email: 'Adresse e-mail',
      password: 'Mot de passe',
      signIn: 'Se connecter',
      signingIn: 'Connexion…',
      loginRefused: 'Connexion refusée : {error}',
      sessionEnded: 'Votre session a pris fin : reconnectez-vous.',
      online: 'En ligne',
      connecting: 'Connexion…',
      offline: 'Hors ligne, reconnexion…',
      notifyAsk: 'Être alerté quand une conversation arrive ?',
      notifyEnable: 'Activer les notifications',
      tabConversations: 'Conversations',
      tabTickets: 'Tickets',
      waiting: 'En attente',
      mine: 'Mes conversations',
      noneWaiting: 'Personne n’attend.',
      noneMine: 'Aucune conversation en cours.',
      take: 'Prendre',
      handback: 'Rendre au bot',
      close: 'Clôturer',
      waitingFor: 'attend depuis {duration}',
      withYouFor: 'avec vous depuis {duration}',
      lessThanAMinute: 'moins d’1 min',
      place: '{position}e dans la file',
      firstPlace: '1er dans la file',
      emptyCentre: 'Choisissez une conversation ou un ticket à gauche.',
      unnamed: 'Client sans nom',
      statusWaiting: 'En attente d’un conseiller',
      statusMine: 'Avec vous',
      statusOther: 'Avec un autre conseiller',
      statusEnded: 'Terminée, le bot a repris la main',
      customer: 'Client',
      bot: 'Bot',
      operator: 'Conseiller',
      joined: 'Le client a rejoint la conversation',
      left: 'Le client a quitté la conversation',
      attachment: 'Pièce jointe',
      location: 'Position',
      sharedContact: 'Contact partagé',
      pressed: 'a choisi « {title} »',
      replyPlaceholder: 'Votre réponse au client…',
      replyHint: 'Part par {channel} · Ctrl+Entrée pour envoyer',
      replyTakeFirst: 'Prenez la conversation pour répondre.',
      replyNotYours: 'Un autre conseiller a cette conversation.',
      replyEnded: 'La conversation est terminée.',
      send: 'Envoyer',
      sending: 'Envoi…',
      canned: 'Réponses types',
      notes: 'Notes internes',
      notePlaceholder: 'Une note pour l’équipe (le client ne la voit pas)…',
      addNote: 'Ajouter',
      noNotes: 'Aucune note.',
      contact: 'Contact',
      phone: 'Téléphone',
      emailShort: 'E-mail',
      channel: 'Canal',
      channels: 'Canaux',
      language: 'Langue',
      exportData: 'Exporter ses données (RGPD)',
      marketing: 'Offres',
      consent_opted_in: 'abonné(e)',
      consent_opted_out: 'désabonné(e)',
      consent_unknown: 'jamais demandé',
      unsubscribe: 'Désabonner des offres',
      unsubscribeConfirm: 'Ce client ne recevra plus aucune campagne, sur aucun canal. Continuer ?',
      crmCard: 'Fiche CRM',
      crmName: 'Nom',
      crmNone: 'Inconnu du CRM.',
      crmDown: 'Le CRM ne répond pas pour le moment.',
      ticketFilterAll: 'Tous',
      noTickets: 'Aucun ticket.',
      ticketOpen: 'Ouvert',
      ticketPending: 'En attente du client',
      ticketSolved: 'Résolu',
      ticketClosed: 'Fermé',
      setStatus: 'Statut :',
      assignToMe: 'M’attribuer',
      assignedToMe: 'Attribué à vous',
      assignedToOther: 'Attribué à un collègue',
      unassigned: 'Non attribué',
      message: 'Message',
      history: 'Historique',
      sendAnswer: 'Envoyer la réponse',
      answerPlaceholder: 'Votre réponse au client…',
      reachBy: 'La réponse partira par {channel}.',
      reachOther: 'La réponse partira par {channel}, un autre canal du client : celui du ticket ne le permet plus.',
      reachNone:
        'Aucun canal ne peut joindre ce client maintenant (Messenger et WhatsApp : 24 h après son dernier message).',
      reachEmail: 'Répondez par e-mail : {email}',
      eventCreated: 'Créé',
      eventAssigned: 'Attribué',
      eventReplied: 'Réponse envoyée',
      eventStatus: 'Statut changé',
      eventNote: 'Note',
      actorCustomer: 'le client',
      fieldName: 'Nom',
      fieldEmail: 'E-mail',
      fieldChannel: 'Canal',
      fieldFlow: 'Parcours',
      fieldPhone: 'Téléphone',
      reasonAsked: 'A demandé à parler à quelqu’un',
      newForMe: 'Nouvelle conversation pour vous',
      newWaiting: 'Un client attend un conseiller',
    },
    en: {
      loginTitle: 'Operator console',
      loginSubtitle: 'Answer the customers the bot hands over to you.',
      email: 'Email address',
      password: 'Password',
      signIn: 'Log in',
      signingIn: 'Logging in…',
      loginRefused: 'Login refused: {error}',
      sessionEnded: 'Your session has ended: please log in again.',
      online: 'Online',
      connecting: 'Connecting…',
      offline: 'Offline, reconnecting…',
      notifyAsk: 'Get an alert when a conversation arrives?',
      notifyEnable: 'Turn on notifications',
      tabConversations: 'Conversations',
      tabTickets: 'Tickets',
      waiting: 'Waiting',
      mine: 'Mine',
      noneWaiting: 'Nobody is waiting.',
      noneMine: 'No conversation in progress.',
      take: 'Take',
      handback: 'Hand back to the bot',
      close: 'Close',
      waitingFor: 'waiting for {duration}',
      withYouFor: 'with you for {duration}',
      lessThanAMinute: 'less than 1 min',
      place: 'number {position} in the queue',
      firstPlace: 'first in the queue',
      emptyCentre: 'Pick a conversation or a ticket on the left.',
      unnamed: 'Unnamed customer',
      statusWaiting: 'Waiting for an adviser',
      statusMine: 'With you',
      statusOther: 'With another adviser',
      statusEnded: 'Ended, the bot has it again',
      customer: 'Customer',
      bot: 'Bot',
      operator: 'Adviser',
      joined: 'The customer joined the conversation',
      left: 'The customer left the conversation',
      attachment: 'Attachment',
      location: 'Location',
      sharedContact: 'Shared contact',
      pressed: 'chose “{title}”',
      replyPlaceholder: 'Your answer to the customer…',
      replyHint: 'Goes by {channel} · Ctrl+Enter to send',
      replyTakeFirst: 'Take the conversation to answer.',
      replyNotYours: 'Another adviser has this conversation.',
      replyEnded: 'The conversation has ended.',
      send: 'Send',
      sending: 'Sending…',
      canned: 'Canned replies',
      notes: 'Internal notes',
      notePlaceholder: 'A note for the team (the customer does not see it)…',
      addNote: 'Add',
      noNotes: 'No notes.',
      contact: 'Contact',
      phone: 'Phone',
      emailShort: 'Email',
      channel: 'Channel',
      channels: 'Channels',
      language: 'Language',
      exportData: 'Export their data (GDPR)',
      marketing: 'Offers',
      consent_opted_in: 'subscribed',
      consent_opted_out: 'unsubscribed',
      consent_unknown: 'never asked',
      unsubscribe: 'Unsubscribe from offers',
      unsubscribeConfirm: 'This customer will receive no more campaigns, on any channel. Go on?',
      crmCard: 'CRM card',
      crmName: 'Name',
      crmNone: 'Not in the CRM.',
      crmDown: 'The CRM is not answering right now.',
      ticketFilterAll: 'All',
      noTickets: 'No tickets.',
      ticketOpen: 'Open',
      ticketPending: 'Waiting for the customer',
      ticketSolved: 'Solved',
      ticketClosed: 'Closed',
      setStatus: 'Status:',
      assignToMe: 'Assign to me',
      assignedToMe: 'Assigned to you',
      assignedToOther: 'Assigned to a colleague',
      unassigned: 'Unassigned',
      message: 'Message',
      history: 'History',
      sendAnswer: 'Send the answer',
      answerPlaceholder: 'Your answer to the customer…',
      reachBy: 'The answer goes by {channel}.',
      reachOther:
        'The answer goes by {channel}, another of the customer’s channels: the ticket’s own no longer allows it.',
      reachNone: 'No channel can reach this customer now (Messenger and WhatsApp: 24 hours after their last message).',
      reachEmail: 'Answer by email: {email}',
      eventCreated: 'Created',
      eventAssigned: 'Assigned',
      eventReplied: 'Answer sent',
      eventStatus: 'Status changed',
      eventNote: 'Note',
      actorCustomer: 'the customer',
      fieldName: 'Name',
      fieldEmail: 'Email',
      fieldChannel: 'Channel',
      fieldFlow: 'Flow',
      fieldPhone: 'Phone',
      reasonAsked: 'Asked to talk to someone',
      newForMe: 'New conversation for you',
      newWaiting: 'A customer is waiting for an adviser',
    },
  };

  const { t } = translator(TEXT);

  const TICKET_STATUSES = ['open', 'pending', 'solved', 'closed'];
  const ticketStatusLabel = (status) =>
    ({ open: t('ticketOpen'), pending: t('ticketPending'), solved: t('ticketSolved'), closed: t('ticketClosed') })[
      status
    ] ?? status;
  const BASE_TITLE = `${t('console')} · Passerelle`;

  // ---------------------------------------------------------------- time

  const timeFormat = new Intl.DateTimeFormat(lang, { hour: '2-digit', minute: '2-digit' });
  const dateTimeFormat = new Intl.DateTimeFormat(lang, {
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
  });
  const fullFormat = new Intl.DateTimeFormat(lang, { dateStyle: 'full', timeStyle: 'medium' });

  /** 14:32 today, else 3 mars 14:32. */
  function when(value) {
    const date = toDate(value);
    if (!date) return '';
    return date.toDateString() === new Date().toDateString() ? timeFormat.format(date) : dateTimeFormat.format(date);
  }

  function exactly(value) {
    const date = toDate(value);
    return date ? fullFormat.format(date) : '';
  }

  /** "3 min", "1 h 05", or "less than 1 min" since a date. */
  function duration(value) {
    const date = toDate(value);
    if (!date) return '';
    const minutes = Math.max(0, Math.floor((Date.now() - date.getTime()) / 60_000));
    if (minutes < 1) return t('lessThanAMinute');
    if (minutes < 60) return `${minutes} min`;
    return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')}`;
  }

  // ---------------------------------------------------------------- API

  /** A 401 (but a refused login) means the session is over: the login form again, saying so. */
  const api = apiClient({
    onUnauthorized: (path) => {
      if (state.me && path !== '/login') sessionEnded();
    },
  });

  /** One id per reply, kept while the same reply is retried: the API sends a reply once per id. */
  function newReplyId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
  }

  // ---------------------------------------------------------------- state

  const state = {
    me: undefined,
    canned: [],
    waiting: [],
    mine: [],
    listsLoaded: false,
    knownWaiting: new Set(),
    knownMine: new Set(),
    unread: new Set(),
    takeErrors: new Map(),
    tab: 'conversations',
    ticketStatus: 'open',
    tickets: [],
    /** What the centre shows: { kind: 'conversation' | 'ticket', id } or undefined. */
    view: undefined,
    conversation: undefined,
    ticket: undefined,
    replyId: undefined,
    ticketReplyId: undefined,
    events: undefined,
    reconnectTimer: undefined,
    reconnectDelay: 2_000,
    timers: [],
  };

  // ---------------------------------------------------------------- labels

  function applyLabels() {
    applySharedLabels(t);
    $('reply-text').placeholder = t('replyPlaceholder');
    $('ticket-reply-text').placeholder = t('answerPlaceholder');
    $('note-text').placeholder = t('notePlaceholder');
    $('canned').setAttribute('aria-label', t('canned'));
    document.title = BASE_TITLE;
  }

  // ---------------------------------------------------------------- login

  const loginForm = $('login-form');

  function showLogin(message) {
    stopLive();
    state.me = undefined;
    $('app').hidden = true;
    $('login').hidden = false;
    document.title = BASE_TITLE;
    showError($('login-error'), message);
    loginForm.elements.password.value = '';
    (loginForm.elements.email.value ? loginForm.elements.password : loginForm.elements.email).focus();
  }

  function sessionEnded() {
    if (!state.me) return;
    showLogin(t('sessionEnded'));
  }

  loginForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    unlockAudio(); // a click: the sound can be allowed now
    const button = loginForm.querySelector('button[type=submit]');
    const email = loginForm.elements.email.value.trim();
    const password = loginForm.elements.password.value;
    showError($('login-error'), '');
    button.disabled = true;
    button.textContent = t('signingIn');
    try {
      const { operator } = await api('POST', '/login', { email, password });
      loginForm.elements.password.value = '';
      await enter(operator);
    } catch (error) {
      const message = error.status ? t('loginRefused', { error: error.message }) : error.message;
      showError($('login-error'), message);
      loginForm.elements.password.select();
    } finally {
      button.disabled = false;
      button.textContent = t('signIn');
    }
  });

  $('logout').addEventListener('click', async () => {
    await logOut(api);
    state.me = undefined;
    showLogin();
  });

  // ---------------------------------------------------------------- the console

  async function enter(operator) {
    state.me = operator;
    state.listsLoaded = false;
    state.knownWaiting = new Set();
    state.knownMine = new Set();
    state.unread = new Set();
    $('login').hidden = true;
    $('app').hidden = false;
    showOperator(operator);
    updateNotifyAsk();
    startLive();
    await Promise.all([refreshLists(), loadCanned(), state.tab === 'tickets' ? refreshTickets() : undefined]);
    openFromHash();
    state.timers.push(
      // Durations move on; and a safety net should an event be lost.
      setInterval(() => renderLists(), 30_000),
      setInterval(() => void refreshLists(), 60_000),
      setInterval(() => {
        if (state.tab === 'tickets') void refreshTickets();
      }, 20_000),
    );
  }

  async function loadCanned() {
    try {
      state.canned = (await api('GET', '/canned')).replies ?? [];
    } catch {
      state.canned = [];
    }
    renderCanned();
  }

  // Tabs
  for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
    tab.addEventListener('click', () => selectTab(tab.dataset.tab));
  }

  function selectTab(name) {
    state.tab = name;
    for (const tab of document.querySelectorAll('.tabs [role=tab]')) {
      tab.setAttribute('aria-selected', String(tab.dataset.tab === name));
    }
    $('pane-conversations').hidden = name !== 'conversations';
    $('pane-tickets').hidden = name !== 'tickets';
    if (name === 'tickets') void refreshTickets();
  }

  // ---------------------------------------------------------------- lists: waiting and mine

  let listsRefresh;
  /** Queue and mine, once at a time; a call during a refresh makes one more afterwards. */
  function refreshLists() {
    if (listsRefresh) {
      listsRefresh.again = true;
      return listsRefresh.promise;
    }
    const run = { again: false };
    run.promise = (async () => {
      try {
        do {
          run.again = false;
          const [queue, mine] = await Promise.all([api('GET', '/queue'), api('GET', '/mine')]);
          takeLists(queue.waiting ?? [], mine.conversations ?? []);
        } while (run.again);
      } catch {
        // Shown as it is; the next event or the minute's refresh tries again.
      } finally {
        listsRefresh = undefined;
      }
    })();
    listsRefresh = run;
    return run.promise;
  }

  function takeLists(waiting, mine) {
    const arrivedForMe = mine.filter((handoff) => !state.knownMine.has(handoff.id));
    const arrivedWaiting = waiting.filter((handoff) => !state.knownWaiting.has(handoff.id));
    for (const handoff of mine) state.knownMine.add(handoff.id);
    for (const handoff of waiting) state.knownWaiting.add(handoff.id);
    if (state.listsLoaded) {
      for (const handoff of arrivedForMe) alertArrival(t('newForMe'), handoff);
      for (const handoff of arrivedWaiting) alertArrival(t('newWaiting'), handoff);
    }
    state.listsLoaded = true;
    state.waiting = waiting;
    state.mine = mine;
    for (const id of state.takeErrors.keys()) {
      if (!waiting.some((handoff) => handoff.id === id)) state.takeErrors.delete(id);
    }
    renderLists();
  }

  function whoOf(handoff) {
    const contact = handoff.contact;
    return (
      contact?.name ||
      contact?.phone ||
      contact?.email ||
      `${channelLabel(handoff.channel)} ${String(handoff.conversationId).slice(-6)}`
    );
  }

  function reasonLabel(reason) {
    if (!reason) return '';
    return reason === 'asked for a person' ? t('reasonAsked') : reason;
  }

  function renderLists() {
    const waitingList = $('waiting-list');
    const mineList = $('mine-list');
    const openId = state.view?.kind === 'conversation' ? state.view.id : undefined;
    waitingList.replaceChildren(
      ...(state.waiting.length === 0
        ? [h('li', { class: 'empty-line' }, t('noneWaiting'))]
        : state.waiting.map((handoff) => {
            const error = state.takeErrors.get(handoff.id);
            const position =
              handoff.position === 1
                ? t('firstPlace')
                : handoff.position
                  ? t('place', { position: handoff.position })
                  : '';
            return h(
              'li',
              {
                class: `item${handoff.conversationId === openId ? ' selected' : ''}`,
                'data-handoff': handoff.id,
                'data-conversation': handoff.conversationId,
                onclick: () => openConversation(handoff.conversationId),
              },
              h(
                'div',
                { class: 'row' },
                h('span', { class: 'name' }, whoOf(handoff)),
                h(
                  'button',
                  {
                    type: 'button',
                    class: 'primary small take',
                    onclick: (event) => {
                      event.stopPropagation();
                      void take(handoff, event.currentTarget);
                    },
                  },
                  t('take'),
                ),
              ),
              h(
                'div',
                { class: 'meta row' },
                channelBadge(handoff.channel),
                h(
                  'span',
                  { class: 'since', title: exactly(handoff.requestedAt) },
                  t('waitingFor', { duration: duration(handoff.requestedAt) }),
                ),
              ),
              h('div', { class: 'reason' }, [reasonLabel(handoff.reason), position].filter(Boolean).join(' · ')),
              error ? h('p', { class: 'error', role: 'alert' }, error) : undefined,
            );
          })),
    );
    mineList.replaceChildren(
      ...(state.mine.length === 0
        ? [h('li', { class: 'empty-line' }, t('noneMine'))]
        : state.mine.map((handoff) =>
            h(
              'li',
              {
                class: `item${handoff.conversationId === openId ? ' selected' : ''}${
                  state.unread.has(handoff.conversationId) ? ' unread' : ''
                }`,
                'data-handoff': handoff.id,
                'data-conversation': handoff.conversationId,
                onclick: () => openConversation(handoff.conversationId),
              },
              h('div', { class: 'row' }, h('span', { class: 'name' }, whoOf(handoff))),
              h(
                'div',
                { class: 'meta row' },
                channelBadge(handoff.channel),
                h(
                  'span',
                  { class: 'since', title: exactly(handoff.assignedAt ?? handoff.requestedAt) },
                  t('withYouFor', { duration: duration(handoff.assignedAt ?? handoff.requestedAt) }),
                ),
              ),
              handoff.reason ? h('div', { class: 'reason' }, reasonLabel(handoff.reason)) : undefined,
            ),
          )),
    );
    $('waiting-count').textContent = String(state.waiting.length);
    $('mine-count').textContent = String(state.mine.length);
    const tabCount = $('tab-waiting-count');
    tabCount.textContent = String(state.waiting.length);
    tabCount.hidden = state.waiting.length === 0;
    document.title = state.waiting.length > 0 ? `(${state.waiting.length}) ${BASE_TITLE}` : BASE_TITLE;
  }

  async function take(handoff, button) {
    if (button) button.disabled = true;
    state.takeErrors.delete(handoff.id);
    try {
      await api('POST', `/handoffs/${encodeURIComponent(handoff.id)}/take`, {});
      // Taken by this operator's own click: no alert for it.
      state.knownMine.add(handoff.id);
      await refreshLists();
      await openConversation(handoff.conversationId);
    } catch (error) {
      state.takeErrors.set(handoff.id, error.message);
      renderLists();
      if (state.view?.kind === 'conversation' && state.view.id === handoff.conversationId) {
        showError($('conv-error'), error.message);
      }
    } finally {
      if (button?.isConnected) button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- conversation

  function showCentre(kind) {
    $('empty').hidden = kind !== undefined;
    $('conversation').hidden = kind !== 'conversation';
    $('ticket').hidden = kind !== 'ticket';
    const withContact = kind !== undefined;
    $('contact-panel').hidden = !withContact;
    $('app').classList.toggle('no-contact', !withContact);
  }

  function setHash(hash) {
    if (location.hash !== hash) history.replaceState(null, '', hash || location.pathname);
  }

  function openFromHash() {
    const match = /^#(conversation|ticket)\/(.+)$/.exec(location.hash);
    if (!match) return;
    const id = decodeURIComponent(match[2]);
    if (match[1] === 'conversation') void openConversation(id);
    else {
      selectTab('tickets');
      void openTicket(id);
    }
  }

  async function openConversation(conversationId) {
    const switching = state.view?.kind !== 'conversation' || state.view.id !== conversationId;
    state.view = { kind: 'conversation', id: conversationId };
    setHash(`#conversation/${encodeURIComponent(conversationId)}`);
    state.unread.delete(conversationId);
    if (switching) {
      state.conversation = undefined;
      state.replyId = undefined;
      $('reply-text').value = '';
      $('note-text').value = '';
      showError($('reply-error'), '');
      showError($('note-error'), '');
      showError($('conv-error'), '');
      $('transcript').replaceChildren();
    }
    showCentre('conversation');
    renderLists();
    await loadConversation(conversationId, switching);
  }

  async function loadConversation(conversationId, scrollToEnd) {
    try {
      const detail = await api('GET', `/conversations/${encodeURIComponent(conversationId)}`);
      if (state.view?.kind !== 'conversation' || state.view.id !== conversationId) return;
      state.conversation = detail;
      renderConversation(scrollToEnd);
    } catch (error) {
      if (state.view?.kind === 'conversation' && state.view.id === conversationId) {
        showError($('conv-error'), error.message);
      }
    }
  }

  /** Who holds the conversation, as far as this operator is concerned. */
  function holding(detail) {
    const handoff = detail?.handoff;
    if (!handoff) return 'ended';
    if (handoff.status === 'waiting') return 'waiting';
    if (handoff.status === 'assigned' && handoff.operatorId === state.me?.id) return 'mine';
    if (handoff.status === 'assigned') return 'other';
    return 'ended';
  }

  function renderConversation(scrollToEnd) {
    const detail = state.conversation;
    if (!detail) return;
    const contact = detail.contact;
    const hold = holding(detail);
    $('conv-title').textContent =
      contact?.displayName ||
      contact?.phone ||
      contact?.email ||
      `${channelLabel(detail.channel)} ${detail.conversationId}`;
    const statusText = {
      waiting: t('statusWaiting'),
      mine: t('statusMine'),
      other: t('statusOther'),
      ended: t('statusEnded'),
    }[hold];
    $('conv-sub').replaceChildren(
      channelBadge(detail.channel),
      h(
        'span',
        { class: 'status', 'data-status': hold === 'mine' ? 'pending' : hold === 'waiting' ? 'open' : '' },
        statusText,
      ),
    );
    const manager = state.me?.role === 'manager';
    $('conv-take').hidden = hold !== 'waiting';
    $('conv-handback').hidden = !(hold === 'mine' || (manager && hold === 'other'));
    $('conv-close').hidden = !(hold === 'mine' || (manager && (hold === 'other' || hold === 'waiting')));

    // Transcript: keep the reader where they are unless they were at the bottom.
    const transcript = $('transcript');
    const atBottom = transcript.scrollHeight - transcript.scrollTop - transcript.clientHeight < 40;
    transcript.replaceChildren(...(detail.transcript ?? []).map(renderLine));
    if (scrollToEnd || atBottom) transcript.scrollTop = transcript.scrollHeight;

    // Composer
    const canReply = hold === 'mine';
    $('reply-text').disabled = !canReply;
    $('reply-send').disabled = !canReply;
    for (const button of $('canned').querySelectorAll('button')) button.disabled = !canReply;
    $('reply-hint').textContent = canReply
      ? t('replyHint', { channel: channelLabel(detail.channel) })
      : { waiting: t('replyTakeFirst'), other: t('replyNotYours'), ended: t('replyEnded') }[hold];

    // Notes
    const notes = detail.notes ?? [];
    $('notes-count').textContent = String(notes.length);
    $('notes-list').replaceChildren(
      ...(notes.length === 0
        ? [h('li', { class: 'empty-line' }, t('noNotes'))]
        : notes.map((note) =>
            h('li', { class: 'note' }, note.body, h('span', { class: 'when', title: exactly(note.at) }, when(note.at))),
          )),
    );
    const notesList = $('notes-list');
    notesList.scrollTop = notesList.scrollHeight;

    renderContact(contact, detail.transcript, detail.channel);
    renderCrm(detail.crm);
  }

  /** The contact as the brand's CRM knows them (bot.yaml connectors.crm), when there is one. */
  function renderCrm(crm) {
    const box = $('crm-card');
    if (!box) return;
    if (!crm) {
      box.replaceChildren();
      return;
    }
    const found = crm.found;
    const title = h('h3', {}, t('crmCard'));
    if (!found) {
      box.replaceChildren(title, h('p', { class: 'muted' }, crm.error ? t('crmDown') : t('crmNone')));
      return;
    }
    const name = [found.firstName, found.lastName].filter(Boolean).join(' ');
    const rows = [
      [t('crmName'), name],
      [t('emailShort'), found.email],
      [t('phone'), found.phone],
      ...Object.entries(found.fields ?? {}),
      ['CRM', found.id],
    ].filter(([, value]) => value);
    box.replaceChildren(
      title,
      h('dl', {}, ...rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, String(value))])),
    );
  }

  /** One transcript line: who wrote it (customer, bot, operator), on which channel, when. */
  function renderLine(line) {
    const channel = line.channel;
    if (line.direction === 'in' && (line.kind === 'join' || line.kind === 'leave')) {
      return h(
        'li',
        { class: 'line event', 'data-kind': line.kind },
        `${line.kind === 'join' ? t('joined') : t('left')} · ${channelLabel(channel)} · ${when(line.createdAt)}`,
      );
    }
    const who = line.direction === 'in' ? 'customer' : line.kind === 'operator' ? 'operator' : 'bot';
    const bubble = h('div', { class: 'bubble' });
    if (line.direction === 'in') append(bubble, inboundContent(line.body ?? {}));
    else append(bubble, outboundContent(Array.isArray(line.body) ? line.body : []));
    return h(
      'li',
      { class: `line ${who}`, 'data-who': who, 'data-channel': channel, 'data-id': line.id },
      bubble,
      h(
        'div',
        { class: 'meta' },
        h('span', { class: 'who' }, t(who)),
        '·',
        h('span', { class: 'line-channel' }, channelLabel(channel)),
        '·',
        h('time', { datetime: line.createdAt, title: exactly(line.createdAt) }, when(line.createdAt)),
      ),
    );
  }

  function safeLink(url, label) {
    return /^https?:\/\//i.test(String(url ?? ''))
      ? h('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, label)
      : label;
  }

  function inboundContent(content) {
    const parts = [];
    if (content.text) parts.push(content.text);
    if (content.postback && !content.text) {
      parts.push(
        h('span', { class: 'postback' }, t('pressed', { title: content.postback.title || content.postback.payload })),
      );
    }
    for (const media of content.media ?? []) {
      if (parts.length > 0) parts.push('\n');
      parts.push(safeLink(media.url, `${t('attachment')} (${media.contentType ?? media.type ?? '?'})`));
      if (media.caption) parts.push(`\n${media.caption}`);
    }
    if (content.location) {
      const { latitude, longitude, name, address } = content.location;
      if (parts.length > 0) parts.push('\n');
      parts.push(`${t('location')} : ${[name, address, `${latitude}, ${longitude}`].filter(Boolean).join(', ')}`);
    }
    if (content.contact) {
      const { name, phone, email } = content.contact;
      if (parts.length > 0) parts.push('\n');
      parts.push(`${t('sharedContact')} : ${[name, phone, email].filter(Boolean).join(', ')}`);
    }
    return parts.length > 0 ? parts : ['…'];
  }

  function outboundContent(parts) {
    const out = [];
    for (const part of parts) {
      if (out.length > 0) out.push('\n');
      const choices = part.buttons ?? part.replies ?? part.items;
      if (part.type === 'media') {
        out.push(
          safeLink(part.media?.url, `${t('attachment')} (${part.media?.contentType ?? part.media?.type ?? '?'})`),
        );
        if (part.media?.caption) out.push(`\n${part.media.caption}`);
      } else if (part.type === 'card') {
        out.push(h('strong', {}, part.title));
        if (part.subtitle) out.push(`\n${part.subtitle}`);
      } else if (part.text) {
        out.push(part.text);
      }
      if (Array.isArray(choices) && choices.length > 0) {
        out.push(
          h('span', { class: 'choices' }, ...choices.map((choice) => h('span', { class: 'choice' }, choice.title))),
        );
      }
    }
    return out;
  }

  // Reply
  const replyForm = $('reply-form');
  const replyText = $('reply-text');

  replyText.addEventListener('input', () => {
    // A new text is a new reply; the same text sent again after a failure keeps its id.
    state.replyId = undefined;
  });
  replyText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      replyForm.requestSubmit();
    }
  });

  replyForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    const detail = state.conversation;
    const text = replyText.value.trim();
    if (!detail || !text || holding(detail) !== 'mine') return;
    state.replyId ??= newReplyId();
    const send = $('reply-send');
    send.disabled = true;
    send.textContent = t('sending');
    showError($('reply-error'), '');
    try {
      await api('POST', `/conversations/${encodeURIComponent(detail.conversationId)}/reply`, {
        id: state.replyId,
        text,
      });
      state.replyId = undefined;
      if (state.conversation?.conversationId === detail.conversationId) replyText.value = '';
      await loadConversation(detail.conversationId, true);
    } catch (error) {
      showError($('reply-error'), error.message);
    } finally {
      send.textContent = t('send');
      send.disabled = holding(state.conversation) !== 'mine';
    }
  });

  function renderCanned() {
    const detail = state.conversation;
    $('canned').replaceChildren(
      ...state.canned.map((reply) =>
        h(
          'button',
          {
            type: 'button',
            'data-canned': reply.id,
            title: pick(reply.text, lang),
            disabled: detail ? holding(detail) !== 'mine' : true,
            onclick: () => useCanned(reply),
          },
          pick(reply.title, lang),
        ),
      ),
    );
  }

  /** A localised text in the wanted language, else French, else the first there is. */
  function pick(texts, wanted) {
    if (!texts) return '';
    return texts[wanted] ?? texts.fr ?? Object.values(texts)[0] ?? '';
  }

  /** Puts a canned reply where the cursor is, in the customer's language, with the operator's name. */
  function useCanned(reply) {
    const customerLang = String(state.conversation?.contact?.locale ?? '').slice(0, 2) || lang;
    const text = pick(reply.text, customerLang).replace(/\{\{\s*operator\s*\}\}/g, state.me?.name ?? '');
    const start = replyText.selectionStart ?? replyText.value.length;
    const end = replyText.selectionEnd ?? replyText.value.length;
    replyText.setRangeText(text, start, end, 'end');
    state.replyId = undefined;
    replyText.focus();
  }

  // Take, hand back, close
  $('conv-take').addEventListener('click', async (event) => {
    const handoff = state.conversation?.handoff;
    if (!handoff) return;
    showError($('conv-error'), '');
    await take(handoff, event.currentTarget);
    await loadConversation(handoff.conversationId, false);
  });

  for (const [id, how] of [
    ['conv-handback', 'handback'],
    ['conv-close', 'close'],
  ]) {
    $(id).addEventListener('click', async (event) => {
      const detail = state.conversation;
      const handoff = detail?.handoff;
      if (!handoff) return;
      const button = event.currentTarget;
      button.disabled = true;
      showError($('conv-error'), '');
      try {
        await api('POST', `/handoffs/${encodeURIComponent(handoff.id)}/${how}`, {});
        await Promise.all([refreshLists(), loadConversation(detail.conversationId, false)]);
      } catch (error) {
        showError($('conv-error'), error.message);
      } finally {
        button.disabled = false;
      }
    });
  }

  // Notes
  $('note-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const detail = state.conversation;
    const input = $('note-text');
    const body = input.value.trim();
    if (!detail || !body) return;
    showError($('note-error'), '');
    try {
      await api('POST', `/conversations/${encodeURIComponent(detail.conversationId)}/notes`, { body });
      input.value = '';
      await loadConversation(detail.conversationId, false);
    } catch (error) {
      showError($('note-error'), error.message);
    }
  });

  // ---------------------------------------------------------------- contact card

  function renderContact(contact, lines, channel) {
    const card = $('contact-card');
    if (!contact) {
      card.replaceChildren(h('p', { class: 'muted' }, t('unnamed')));
      return;
    }
    const name = contact.displayName || contact.name || t('unnamed');
    const initials =
      (contact.displayName || contact.name || '')
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 2)
        .map((word) => word[0]?.toUpperCase())
        .join('') || '?';
    const channels = [...new Set([channel, ...(lines ?? []).map((line) => line.channel)].filter(Boolean))];
    const rows = [
      [t('phone'), contact.phone],
      [t('emailShort'), contact.email],
      [channels.length > 1 ? t('channels') : t('channel'), channels.map(channelLabel).join(', ')],
      [t('language'), contact.locale],
    ].filter(([, value]) => value);
    card.replaceChildren(
      h(
        'div',
        { class: 'who' },
        h('span', { class: 'avatar', 'aria-hidden': 'true' }, initials),
        h('span', { class: 'contact-name' }, name),
      ),
      h('dl', {}, ...rows.flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)])),
      h(
        'a',
        {
          class: 'export',
          href: `${API}/contacts/${encodeURIComponent(contact.id)}/export`,
          download: `contact-${contact.id}.json`,
        },
        t('exportData'),
      ),
      h('div', { id: 'contact-consent', class: 'consent' }),
    );
    void renderConsent(contact.id);
  }

  /** Campaign consent per channel, and the operator's way to end it for the customer. */
  async function renderConsent(contactId) {
    const box = $('contact-consent');
    if (!box) return;
    let identities;
    try {
      ({ identities } = await api('GET', `/contacts/${encodeURIComponent(contactId)}/consent`));
    } catch {
      return;
    }
    const states = [...new Set(identities.map((identity) => identity.state))];
    const label = states.map((state) => t(`consent_${state}`)).join(' / ');
    const children = [h('span', { class: 'consent-state' }, `${t('marketing')} — ${label}`)];
    if (identities.some((identity) => identity.state !== 'opted_out')) {
      const button = h('button', { type: 'button', class: 'unsubscribe secondary' }, t('unsubscribe'));
      button.addEventListener('click', async () => {
        if (!window.confirm(t('unsubscribeConfirm'))) return;
        button.disabled = true;
        try {
          await api('POST', `/contacts/${encodeURIComponent(contactId)}/opt-out`);
        } finally {
          await renderConsent(contactId);
        }
      });
      children.push(button);
    }
    box.replaceChildren(...children);
  }

  // ---------------------------------------------------------------- tickets

  function renderTicketFilters() {
    const filters = [...TICKET_STATUSES, ''];
    $('ticket-filters').replaceChildren(
      ...filters.map((status) =>
        h(
          'button',
          {
            type: 'button',
            'data-status': status || 'all',
            'aria-pressed': String(state.ticketStatus === status),
            onclick: () => {
              state.ticketStatus = status;
              renderTicketFilters();
              void refreshTickets();
            },
          },
          status ? ticketStatusLabel(status) : t('ticketFilterAll'),
        ),
      ),
    );
  }

  async function refreshTickets() {
    const status = state.ticketStatus;
    try {
      const { tickets } = await api('GET', `/tickets${status ? `?status=${encodeURIComponent(status)}` : ''}`);
      if (status !== state.ticketStatus) return;
      state.tickets = tickets ?? [];
      renderTickets();
    } catch {
      // Tried again at the next event, tab click or 20 s.
    }
  }

  function renderTickets() {
    const openId = state.view?.kind === 'ticket' ? state.view.id : undefined;
    $('ticket-list').replaceChildren(
      ...(state.tickets.length === 0
        ? [h('li', { class: 'empty-line' }, t('noTickets'))]
        : state.tickets.map((ticket) =>
            h(
              'li',
              {
                class: `item${ticket.id === openId ? ' selected' : ''}`,
                'data-ticket': ticket.id,
                onclick: () => openTicket(ticket.id),
              },
              h('div', { class: 'row' }, h('span', { class: 'name' }, ticket.subject)),
              h(
                'div',
                { class: 'meta row' },
                h('span', { class: 'status', 'data-status': ticket.status }, ticketStatusLabel(ticket.status)),
                ticket.fields?.channel ? channelBadge(ticket.fields.channel) : undefined,
                h('span', {}, ticket.id),
                h('span', { title: exactly(ticket.createdAt) }, when(ticket.createdAt)),
              ),
            ),
          )),
    );
  }

  async function openTicket(id) {
    const switching = state.view?.kind !== 'ticket' || state.view.id !== id;
    state.view = { kind: 'ticket', id };
    setHash(`#ticket/${encodeURIComponent(id)}`);
    if (switching) {
      state.ticket = undefined;
      state.ticketReplyId = undefined;
      $('ticket-reply-text').value = '';
      showError($('ticket-error'), '');
      showError($('ticket-reply-error'), '');
      $('ticket-title').textContent = '';
      $('ticket-sub').replaceChildren();
      $('ticket-body').textContent = '';
      $('ticket-fields').replaceChildren();
      $('ticket-history').replaceChildren();
    }
    showCentre('ticket');
    renderTickets();
    renderLists();
    await loadTicket(id);
  }

  async function loadTicket(id) {
    try {
      const detail = await api('GET', `/tickets/${encodeURIComponent(id)}`);
      if (state.view?.kind !== 'ticket' || state.view.id !== id) return;
      state.ticket = detail;
      renderTicket();
    } catch (error) {
      if (state.view?.kind === 'ticket' && state.view.id === id) showError($('ticket-error'), error.message);
    }
  }

  const FIELD_LABELS = {
    name: 'fieldName',
    email: 'fieldEmail',
    phone: 'fieldPhone',
    channel: 'fieldChannel',
    flow: 'fieldFlow',
  };
  const EVENT_LABELS = {
    created: 'eventCreated',
    assigned: 'eventAssigned',
    replied: 'eventReplied',
    status: 'eventStatus',
    note: 'eventNote',
  };

  function renderTicket() {
    const detail = state.ticket;
    if (!detail) return;
    const { ticket, history, contact, reach } = detail;
    $('ticket-title').textContent = ticket.subject;
    const assigned = ticket.assignee
      ? ticket.assignee === state.me?.id
        ? t('assignedToMe')
        : t('assignedToOther')
      : t('unassigned');
    $('ticket-sub').replaceChildren(
      h(
        'span',
        { class: 'status', 'data-status': ticket.status, id: 'ticket-status-badge' },
        ticketStatusLabel(ticket.status),
      ),
      h('span', {}, ticket.id),
      h('span', { title: exactly(ticket.createdAt) }, when(ticket.createdAt)),
      h('span', {}, assigned),
    );
    $('ticket-assign').hidden = ticket.assignee === state.me?.id;
    $('ticket-body').textContent = ticket.body;
    // The fields a person reads first, first; the rest (the flow's own) after.
    const order = Object.keys(FIELD_LABELS);
    const rank = (name) => (order.includes(name) ? order.indexOf(name) : order.length);
    const fields = Object.entries(ticket.fields ?? {}).sort(([a], [b]) => rank(a) - rank(b));
    $('ticket-fields').replaceChildren(
      ...fields.flatMap(([name, value]) => [
        h('dt', {}, FIELD_LABELS[name] ? t(FIELD_LABELS[name]) : name),
        h('dd', { 'data-field': name }, name === 'channel' ? channelLabel(value) : value),
      ]),
    );
    $('ticket-history').replaceChildren(
      ...(history ?? []).map((event) =>
        h(
          'li',
          { 'data-kind': event.kind },
          h('span', { class: 'what' }, EVENT_LABELS[event.kind] ? t(EVENT_LABELS[event.kind]) : event.kind),
          ` · ${event.actor === 'customer' ? t('actorCustomer') : event.actor}`,
          h('span', { class: 'when', title: exactly(event.at) }, when(event.at)),
          event.body
            ? h('div', { class: 'body' }, event.kind === 'status' ? ticketStatusLabel(event.body) : event.body)
            : undefined,
        ),
      ),
    );
    const reachLine = $('ticket-reach');
    if (reach) {
      reachLine.className = 'reach';
      reachLine.textContent = t(reach.otherChannel ? 'reachOther' : 'reachBy', {
        channel: channelLabel(reach.channel),
      });
    } else {
      reachLine.className = 'reach none';
      const email = ticket.fields?.email;
      reachLine.textContent = email ? `${t('reachNone')} ${t('reachEmail', { email })}` : t('reachNone');
    }
    $('ticket-status').replaceChildren(
      h('span', { class: 'muted' }, t('setStatus')),
      ...TICKET_STATUSES.map((status) =>
        h(
          'button',
          {
            type: 'button',
            'data-status': status,
            'aria-pressed': String(ticket.status === status),
            onclick: () => setTicketStatus(ticket.id, status),
          },
          ticketStatusLabel(status),
        ),
      ),
    );
    renderContact(
      // What the customer left in the message fills in what the channel did not tell.
      contact && {
        ...contact,
        displayName: contact.displayName || ticket.fields?.name,
        email: contact.email || ticket.fields?.email,
      },
      [],
      reach?.channel ?? ticket.fields?.channel,
    );
  }

  async function setTicketStatus(id, status) {
    showError($('ticket-error'), '');
    try {
      await api('POST', `/tickets/${encodeURIComponent(id)}/status`, { status });
      await Promise.all([loadTicket(id), refreshTickets()]);
    } catch (error) {
      showError($('ticket-error'), error.message);
    }
  }

  $('ticket-assign').addEventListener('click', async () => {
    const id = state.ticket?.ticket.id;
    if (!id) return;
    showError($('ticket-error'), '');
    try {
      await api('POST', `/tickets/${encodeURIComponent(id)}/assign`, {});
      await Promise.all([loadTicket(id), refreshTickets()]);
    } catch (error) {
      showError($('ticket-error'), error.message);
    }
  });

  const ticketReplyText = $('ticket-reply-text');
  ticketReplyText.addEventListener('input', () => {
    state.ticketReplyId = undefined;
  });
  ticketReplyText.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      $('ticket-reply-form').requestSubmit();
    }
  });

  $('ticket-reply-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const id = state.ticket?.ticket.id;
    const text = ticketReplyText.value.trim();
    if (!id || !text) return;
    state.ticketReplyId ??= newReplyId();
    const send = $('ticket-send');
    send.disabled = true;
    send.textContent = t('sending');
    showError($('ticket-reply-error'), '');
    try {
      await api('POST', `/tickets/${encodeURIComponent(id)}/reply`, { id: state.ticketReplyId, text });
      state.ticketReplyId = undefined;
      if (state.ticket?.ticket.id === id) ticketReplyText.value = '';
      await Promise.all([loadTicket(id), refreshTickets()]);
    } catch (error) {
      // 409: no channel can reach the customer now; the API says why (and the email to use).
      showError($('ticket-reply-error'), error.message);
    } finally {
      send.disabled = false;
      send.textContent = t('sendAnswer');
    }
  });

  // ---------------------------------------------------------------- live events

  function setPresence(presence) {
    const element = $('presence');
    element.dataset.state = presence;
    $('presence-label').textContent = t(presence);
  }

  function startLive() {
    stopLive();
    setPresence('connecting');
    const events = new EventSource(`${API}/events`);
    state.events = events;
    events.onopen = () => {
      state.reconnectDelay = 2_000;
      setPresence('online');
      // Whatever happened while the stream was down: read it all again.
      void refreshAll();
    };
    events.onmessage = (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      onEvent(event);
    };
    events.onerror = () => {
      if (state.events !== events) return;
      if (events.readyState === EventSource.CLOSED) {
        // The browser gave up (an answer that is not a stream: the session ended, or a proxy's error page).
        setPresence('offline');
        state.events = undefined;
        void api('GET', '/me')
          .then(() => {
            if (!state.me) return;
            state.reconnectTimer = setTimeout(startLive, state.reconnectDelay);
            state.reconnectDelay = Math.min(30_000, state.reconnectDelay * 2);
          })
          .catch((error) => {
            if (error.status !== 401 && state.me) {
              state.reconnectTimer = setTimeout(startLive, state.reconnectDelay);
              state.reconnectDelay = Math.min(30_000, state.reconnectDelay * 2);
            }
          });
      } else {
        // The browser reconnects by itself (the server asks for 3 s).
        setPresence('offline');
      }
    };
  }

  function stopLive() {
    clearTimeout(state.reconnectTimer);
    state.events?.close();
    state.events = undefined;
    for (const timer of state.timers) clearInterval(timer);
    state.timers = [];
  }

  const pending = { lists: false, conversation: false, tickets: false, ticket: false, timer: undefined };
  /** Events come in bursts (assigned + queue): one refresh of each thing per burst. */
  function schedule(what) {
    pending[what] = true;
    pending.timer ??= setTimeout(() => {
      pending.timer = undefined;
      if (pending.lists) void refreshLists();
      if (pending.conversation && state.view?.kind === 'conversation') {
        void loadConversation(state.view.id, false);
      }
      if (pending.tickets && state.tab === 'tickets') void refreshTickets();
      if (pending.ticket && state.view?.kind === 'ticket') void loadTicket(state.view.id);
      pending.lists = pending.conversation = pending.tickets = pending.ticket = false;
    }, 120);
  }

  function refreshAll() {
    schedule('lists');
    schedule('conversation');
    schedule('tickets');
    schedule('ticket');
  }

  /** The conversations of the open contact (its transcript spans all of them). */
  function openConversationIds() {
    if (state.view?.kind !== 'conversation') return new Set();
    const ids = new Set([state.view.id]);
    for (const line of state.conversation?.transcript ?? []) if (line.conversationId) ids.add(line.conversationId);
    return ids;
  }

  function onEvent(event) {
    switch (event.type) {
      case 'queue':
        schedule('lists');
        break;
      case 'assigned':
      case 'ended':
        schedule('lists');
        if (openConversationIds().has(event.conversationId)) schedule('conversation');
        break;
      case 'message':
        if (openConversationIds().has(event.conversationId)) {
          schedule('conversation');
        } else if (
          event.direction === 'in' &&
          state.mine.some((handoff) => handoff.conversationId === event.conversationId)
        ) {
          state.unread.add(event.conversationId);
          renderLists();
        }
        break;
      case 'ticket':
        schedule('tickets');
        if (state.view?.kind === 'ticket' && state.view.id === event.ticketId) schedule('ticket');
        break;
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- notifications and sound

  let audio;
  /** Browsers let a page play sound once the person has clicked in it. */
  function unlockAudio() {
    try {
      const Context = window.AudioContext || window.webkitAudioContext;
      if (!Context) return;
      audio ??= new Context();
      if (audio.state === 'suspended') void audio.resume().catch(() => {});
    } catch {
      // No sound then.
    }
  }
  document.addEventListener('pointerdown', unlockAudio, { capture: true });

  /** Two soft notes, made here: no sound file to load. */
  function chime() {
    unlockAudio();
    if (!audio) return;
    try {
      const start = audio.currentTime + 0.02;
      for (const [offset, frequency] of [
        [0, 880],
        [0.16, 1318.5],
      ]) {
        const oscillator = audio.createOscillator();
        const gain = audio.createGain();
        oscillator.type = 'sine';
        oscillator.frequency.value = frequency;
        gain.gain.setValueAtTime(0.0001, start + offset);
        gain.gain.exponentialRampToValueAtTime(0.12, start + offset + 0.02);
        gain.gain.exponentialRampToValueAtTime(0.0001, start + offset + 0.3);
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(start + offset);
        oscillator.stop(start + offset + 0.32);
      }
    } catch {
      // No sound then.
    }
  }

  let lastChime = 0;
  function alertArrival(title, handoff) {
    if (Date.now() - lastChime > 1_500) {
      lastChime = Date.now();
      chime();
    }
    if (!('Notification' in window) || Notification.permission !== 'granted') return;
    try {
      const notification = new Notification(title, {
        body: `${whoOf(handoff)} · ${channelLabel(handoff.channel)}`,
        tag: `passerelle-${handoff.id}`,
        lang,
      });
      notification.onclick = () => {
        window.focus();
        void openConversation(handoff.conversationId);
        notification.close();
      };
    } catch {
      // Some browsers only notify from a service worker: the sound and the title still tell.
    }
  }

  function updateNotifyAsk() {
    $('notify-ask').hidden = !('Notification' in window) || Notification.permission !== 'default';
  }

  $('notify-enable').addEventListener('click', async () => {
    unlockAudio();
    try {
      await Notification.requestPermission();
    } catch {
      // Refused or unsupported: nothing more to ask.
    }
    updateNotifyAsk();
  });

  // ---------------------------------------------------------------- start

  applyLabels();
  renderTicketFilters();
  showCentre(undefined);
  api('GET', '/me')
    .then(({ operator }) => enter(operator))
    .catch((error) => showLogin(error.status === 401 ? '' : error.message));
})();
