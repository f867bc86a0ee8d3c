/*
 * Passerelle console, campaigns page: /console/campaigns.html over the JSON
 * API under /console/api (apps/gateway/src/console/campaigns-api.ts). Plain
 * browser JavaScript, no build step; the charts are Chart.js's browser build
 * (window.Chart), served by the gateway. Every chart has a table with the same
 * numbers, so nothing depends on seeing the canvas. Data only ever reaches
 * the page as text (textContent, text nodes), never as HTML.
 *
 * Same session as the console: without it, the page sends the browser to the
 * console's login. Broadcasts being sent are read again every 2 seconds.
 */
(() => {
  const {
    API,
    lang,
    translator,
    $,
    h,
    showError,
    applyLabels: applySharedLabels,
    showOperator,
    channelLabel,
    channelBadge,
    toDate,
    apiClient,
    logOut,
  } = window.PasserelleConsole;
  const LOGIN_PAGE = '/console/';
  const BROADCAST_REFRESH_MS = 2_000;
  /** A draft or paused broadcast is started or resumed elsewhere too (the CLI, another manager). */
  const WAITING_BROADCAST_REFRESH_MS = 5_000;
  /** While a broadcast runs, its campaign's figures move too: read again at this pace. */
  const RESULTS_REFRESH_MS = 10_000;
  /** A safety net for everything else (a window opening, someone entering a campaign). */
  const IDLE_REFRESH_MS = 60_000;

  const TEXT = {
    fr: {
      pageTitle: 'Campagnes',
      navConversations: 'Conversations',
      navCampaigns: 'Campagnes',
      campaigns: 'Campagnes',
      noCampaigns: 'Aucune campagne dans le dossier du bot (campaigns/*.yaml).',
      pickCampaign: 'Choisissez une campagne à gauche.',
      stateBefore: 'À venir',
      stateOpen: 'En cours',
      stateAfter: 'Terminée',
      windowDates: 'Du {start} au {end}',
      windowDetail: 'Du {start} au {end} ({timeZone})',
      allChannels: 'tous les canaux',
      flowGoal: 'parcours « {flow} », objectif « {goal} »',
      flowOnly: 'parcours « {flow} »',
      enteredShort: '{count} entrées',
      downloadCsv: 'Télécharger le CSV',
      keyFigures: 'Chiffres clés',
      metricEntered: 'Entrées',
      metricCompleted: 'Parcours terminés',
      metricCompletionRate: 'Taux de complétion',
      metricConverted: 'Conversions',
      metricConversionRate: 'Taux de conversion',
      metricHandoff: 'Transferts à un conseiller',
      metricOptedOut: 'Désinscriptions',
      ofEntered: '{rate} des entrées',
      emptyCampaign: 'Pas encore de données : personne n’est encore entré dans cette campagne.',
      charts: 'Graphiques',
      chartByDay: 'Par jour',
      chartByChannel: 'Par canal',
      chartSteps: 'Abandons par étape',
      chartByEntry: 'Par origine',
      chartAlt: '{title} : graphique ; les chiffres sont dans le tableau qui suit.',
      showNumbers: 'Voir les chiffres',
      noRows: 'Aucune donnée.',
      colDay: 'Jour',
      colChannel: 'Canal',
      colStep: 'Étape',
      colEntry: 'Origine',
      colPeople: 'Personnes',
      entered: 'Entrées',
      completed: 'Terminés',
      converted: 'Conversions',
      handoff: 'Transferts',
      opted_out: 'Désinscriptions',
      reached: 'Atteinte',
      dropped: 'Arrêtés là',
      entryKeyword: 'Mot-clé',
      entryLink: 'Lien',
      entryPrefilled: 'Texte WhatsApp',
      entryBroadcast: 'Diffusion',
      entryFlow: 'Depuis un autre parcours',
      entryUnknown: 'Inconnue',
      broadcasts: 'Diffusions',
      noBroadcasts: 'Aucune diffusion pour cette campagne.',
      createdAt: 'créée le {date}',
      statusDraft: 'Brouillon',
      statusRunning: 'En cours',
      statusPaused: 'En pause',
      statusCancelled: 'Annulée',
      statusDone: 'Terminée',
      progressLabel: 'Avancement de la diffusion',
      progressFigure: '{handled} sur {total} traités ({percent})',
      figMessaged: 'Envoyés',
      figSkipped: 'Ignorés',
      figWaiting: 'À traiter',
      figRate: 'Cadence',
      rateTarget: '{rate} /s (visée : {target} /s)',
      deliveries: 'Remise',
      noDeliveries: 'rien encore',
      skipReasons: 'Raisons',
      labelCount: '{label} : {count}',
      pause: 'Mettre en pause',
      resume: 'Reprendre',
      cancel: 'Annuler la diffusion',
      confirmCancel: 'Annuler cette diffusion ? Les personnes qui ne l’ont pas encore reçue ne la recevront pas.',
      noCharts: 'Les graphiques n’ont pas pu être chargés : les chiffres sont dans les tableaux.',
      skip_opted_out: 'désinscrits',
      skip_no_opt_in: 'sans accord pour les offres',
      skip_quiet_hours: 'heures calmes',
      skip_outside_24h_window: 'hors fenêtre de 24 h',
      skip_never_wrote: 'jamais écrit sur ce canal',
      skip_campaign_ended: 'campagne terminée',
      skip_campaign_removed: 'campagne retirée',
      skip_campaign_not_started: 'campagne pas commencée',
      skip_channel_not_in_campaign: 'canal hors campagne',
      skip_with_an_operator: 'avec un conseiller',
      skip_in_a_conversation: 'au milieu d’une conversation',
      skip_nothing_to_say: 'rien à dire',
      delivery_sending: 'en cours d’envoi',
      delivery_queued: 'en file',
      delivery_sent: 'envoyés',
      delivery_delivered: 'distribués',
      delivery_read: 'lus',
      delivery_failed: 'échecs',
      delivery_unknown: 'inconnus',
    },
    en: {
      pageTitle: 'Campaigns',
      navConversations: 'Conversations',
      navCampaigns: 'Campaigns',
      campaigns: 'Campaigns',
      noCampaigns: 'No campaign in the bot folder (campaigns/*.yaml).',
      pickCampaign: 'Pick a campaign on the left.',
      stateBefore: 'Upcoming',
      stateOpen: 'Running',
      stateAfter: 'Over',
      windowDates: '{start} to {end}',
      windowDetail: '{start} to {end} ({timeZone})',
      allChannels: 'every channel',
      flowGoal: 'flow “{flow}”, goal “{goal}”',
      flowOnly: 'flow “{flow}”',
      enteredShort: '{count} entered',
      downloadCsv: 'Download the CSV',
      keyFigures: 'Key figures',
      metricEntered: 'Entered',
      metricCompleted: 'Completed',
      metricCompletionRate: 'Completion rate',
      metricConverted: 'Conversions',
      metricConversionRate: 'Conversion rate',
      metricHandoff: 'Handed to an adviser',
      metricOptedOut: 'Opt-outs',
      ofEntered: '{rate} of those who entered',
      emptyCampaign: 'No data yet: nobody has entered this campaign so far.',
      charts: 'Charts',
      chartByDay: 'By day',
      chartByChannel: 'By channel',
      chartSteps: 'Drop-off by step',
      chartByEntry: 'By entry',
      chartAlt: '{title}: chart; the numbers are in the table that follows.',
      showNumbers: 'Show the numbers',
      noRows: 'No data.',
      colDay: 'Day',
      colChannel: 'Channel',
      colStep: 'Step',
      colEntry: 'Entry',
      colPeople: 'People',
      entered: 'Entered',
      completed: 'Completed',
      converted: 'Conversions',
      handoff: 'Handoffs',
      opted_out: 'Opt-outs',
      reached: 'Reached',
      dropped: 'Stopped there',
      entryKeyword: 'Keyword',
      entryLink: 'Link',
      entryPrefilled: 'WhatsApp text',
      entryBroadcast: 'Broadcast',
      entryFlow: 'From another flow',
      entryUnknown: 'Unknown',
      broadcasts: 'Broadcasts',
      noBroadcasts: 'No broadcast for this campaign.',
      createdAt: 'created {date}',
      statusDraft: 'Draft',
      statusRunning: 'Running',
      statusPaused: 'Paused',
      statusCancelled: 'Cancelled',
      statusDone: 'Done',
      progressLabel: 'Broadcast progress',
      progressFigure: '{handled} of {total} handled ({percent})',
      figMessaged: 'Messaged',
      figSkipped: 'Skipped',
      figWaiting: 'To do',
      figRate: 'Pace',
      rateTarget: '{rate}/s (aiming at {target}/s)',
      deliveries: 'Delivery',
      noDeliveries: 'nothing yet',
      skipReasons: 'Reasons',
      labelCount: '{label}: {count}',
      pause: 'Pause',
      resume: 'Resume',
      cancel: 'Cancel the broadcast',
      confirmCancel: 'Cancel this broadcast? Those who have not had it yet will not get it.',
      noCharts: 'The charts could not be loaded: the numbers are in the tables.',
      skip_opted_out: 'opted out',
      skip_no_opt_in: 'no consent to offers',
      skip_quiet_hours: 'quiet hours',
      skip_outside_24h_window: 'outside the 24-hour window',
      skip_never_wrote: 'never wrote on this channel',
      skip_campaign_ended: 'campaign over',
      skip_campaign_removed: 'campaign removed',
      skip_campaign_not_started: 'campaign not started',
      skip_channel_not_in_campaign: 'channel not in the campaign',
      skip_with_an_operator: 'with an adviser',
      skip_in_a_conversation: 'in the middle of a conversation',
      skip_nothing_to_say: 'nothing to say',
      delivery_sending: 'being sent',
      delivery_queued: 'queued',
      delivery_sent: 'sent',
      delivery_delivered: 'delivered',
      delivery_read: 'read',
      delivery_failed: 'failed',
      delivery_unknown: 'unknown',
    },
  };

  /** labelOr: a skip reason or status added to the API after the page shows as it is. */
  const { t, labelOr } = translator(TEXT);

  const ENTRY_KEYS = {
    keyword: 'entryKeyword',
    link: 'entryLink',
    prefilled: 'entryPrefilled',
    broadcast: 'entryBroadcast',
    flow: 'entryFlow',
    unknown: 'entryUnknown',
  };
  const entryLabel = (entry) => (ENTRY_KEYS[entry] ? t(ENTRY_KEYS[entry]) : entry);
  const STATE_KEYS = { before: 'stateBefore', open: 'stateOpen', after: 'stateAfter' };
  const STATUS_KEYS = {
    draft: 'statusDraft',
    running: 'statusRunning',
    paused: 'statusPaused',
    cancelled: 'statusCancelled',
    done: 'statusDone',
  };
  /** Which buttons a broadcast in each status offers (the API checks again). */
  const ACTIONS_BY_STATUS = { draft: ['cancel'], running: ['pause', 'cancel'], paused: ['resume', 'cancel'] };
  const KINDS = ['entered', 'completed', 'converted', 'handoff', 'opted_out'];
  const COLOURS = {
    entered: '#2f5bd3',
    completed: '#12805c',
    converted: '#f79009',
    handoff: '#7a5af8',
    opted_out: '#d92d20',
    reached: '#2f5bd3',
    dropped: '#f04438',
  };
  const PALETTE = ['#2f5bd3', '#12805c', '#f79009', '#7a5af8', '#0ba5ec', '#d92d20', '#667085'];
  const BASE_TITLE = `${t('pageTitle')} · Passerelle`;

  // ---------------------------------------------------------------- numbers and dates

  const numberFormat = new Intl.NumberFormat(lang);
  const percentFormat = new Intl.NumberFormat(lang, { style: 'percent', maximumFractionDigits: 1 });
  const rateFormat = new Intl.NumberFormat(lang, { maximumFractionDigits: 2 });
  const count = (value) => numberFormat.format(Number(value) || 0);
  const percent = (value) => percentFormat.format(Number(value) || 0);

  function formatInstant(value, timeZone, withTime) {
    const date = toDate(value);
    if (!date) return '';
    const options = withTime ? { dateStyle: 'medium', timeStyle: 'short' } : { dateStyle: 'medium' };
    try {
      return new Intl.DateTimeFormat(lang, { ...options, timeZone }).format(date);
    } catch {
      return new Intl.DateTimeFormat(lang, options).format(date);
    }
  }

  /** '2026-11-23' (a day in the campaign's time zone, as the API counts it) as a short local date. */
  function formatDay(day) {
    const date = toDate(`${day}T12:00:00Z`);
    if (!date) return day;
    return new Intl.DateTimeFormat(lang, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date);
  }

  // ---------------------------------------------------------------- API

  /** A 401 means the session is over: back to the console's login. */
  const api = apiClient({
    onUnauthorized: (path) => {
      if (path !== '/logout') toLogin();
    },
  });

  function toLogin() {
    stopTimers();
    window.location.replace(LOGIN_PAGE);
  }

  // ---------------------------------------------------------------- state

  const state = {
    me: undefined,
    campaigns: [],
    selectedId: undefined,
    results: undefined,
    broadcasts: [],
    /** The campaign `broadcasts` belong to. */
    broadcastsOf: undefined,
    /** Broadcast ids with an action in flight (their buttons wait). */
    acting: new Set(),
    broadcastTimer: undefined,
    lastResultsAt: 0,
    idleTimer: undefined,
  };

  function stopTimers() {
    clearTimeout(state.broadcastTimer);
    clearInterval(state.idleTimer);
  }

  function applyLabels() {
    applySharedLabels(t);
    document.title = BASE_TITLE;
  }

  // ---------------------------------------------------------------- campaigns list

  async function loadCampaigns() {
    const { campaigns } = await api('GET', `/campaigns?lang=${lang}`);
    state.campaigns = campaigns ?? [];
    renderCampaignList();
  }

  function stateBadge(windowState) {
    return h('span', { class: 'state-badge', 'data-state': windowState }, t(STATE_KEYS[windowState] ?? windowState));
  }

  function renderCampaignList() {
    const list = $('campaign-list');
    $('campaign-count').textContent = String(state.campaigns.length);
    if (state.campaigns.length === 0) {
      list.replaceChildren(h('li', { class: 'empty-line' }, t('noCampaigns')));
      return;
    }
    list.replaceChildren(
      ...state.campaigns.map(({ summary, totals }) =>
        h(
          'li',
          {},
          h(
            'a',
            {
              class: `item campaign-item${summary.id === state.selectedId ? ' selected' : ''}`,
              href: `#${encodeURIComponent(summary.id)}`,
              'data-campaign': summary.id,
              'aria-current': summary.id === state.selectedId ? 'true' : undefined,
            },
            h('span', { class: 'row' }, h('span', { class: 'name' }, summary.title), stateBadge(summary.state)),
            h(
              'span',
              { class: 'meta row' },
              t('windowDates', {
                start: formatInstant(summary.opensAt, summary.timeZone, false),
                end: formatInstant(summary.closesAt, summary.timeZone, false),
              }),
            ),
            h('span', { class: 'meta row' }, t('enteredShort', { count: count(totals.entered) })),
          ),
        ),
      ),
    );
  }

  /** The campaign in the address (#id), else the first of the list (running ones come first). */
  function campaignFromHash() {
    const wanted = decodeURIComponent(window.location.hash.slice(1));
    if (state.campaigns.some((campaign) => campaign.summary.id === wanted)) return wanted;
    return state.campaigns[0]?.summary.id;
  }

  async function selectCampaign(id) {
    if (!id) {
      state.selectedId = undefined;
      $('campaign').hidden = true;
      $('no-campaign').hidden = false;
      return;
    }
    const changed = id !== state.selectedId;
    state.selectedId = id;
    renderCampaignList();
    $('no-campaign').hidden = true;
    $('campaign').hidden = false;
    $('csv-slot').replaceChildren(
      h(
        'a',
        {
          id: 'csv-link',
          class: 'button-link',
          href: `${API}/campaigns/${encodeURIComponent(id)}/results.csv`,
          download: true,
        },
        t('downloadCsv'),
      ),
    );
    if (changed) {
      state.results = undefined;
      state.broadcasts = [];
      renderBroadcasts();
    }
    await Promise.all([loadResults(id), loadBroadcasts(id)]);
  }

  window.addEventListener('hashchange', () => void selectCampaign(campaignFromHash()));

  // ---------------------------------------------------------------- results

  async function loadResults(id) {
    try {
      const results = await api('GET', `/campaigns/${encodeURIComponent(id)}/results?lang=${lang}`);
      if (state.selectedId !== id) return;
      state.results = results;
      state.lastResultsAt = Date.now();
      // The list on the left says how many entered too: it follows.
      const listed = state.campaigns.find((campaign) => campaign.summary.id === id);
      if (listed) {
        listed.summary = results.summary;
        listed.totals = results.totals;
        renderCampaignList();
      }
      showError($('page-error'), '');
      renderResults(results);
    } catch (error) {
      if (state.selectedId === id && error.status !== 401) showError($('page-error'), error.message);
    }
  }

  function renderResults(results) {
    const { summary, totals } = results;
    $('campaign-title').textContent = summary.title;
    document.title = `${summary.title} · ${BASE_TITLE}`;
    const channels = summary.channels === 'all' ? t('allChannels') : summary.channels.map(channelLabel).join(', ');
    const flow = summary.goal
      ? t('flowGoal', { flow: summary.flow, goal: summary.goal })
      : t('flowOnly', { flow: summary.flow });
    $('campaign-sub').replaceChildren(
      stateBadge(summary.state),
      ' ',
      t('windowDetail', {
        start: formatInstant(summary.opensAt, summary.timeZone, true),
        end: formatInstant(summary.closesAt, summary.timeZone, true),
        timeZone: summary.timeZone,
      }),
      ` · ${channels} · ${flow}`,
    );
    renderMetrics(totals);
    const empty = totals.entered === 0 && results.steps.length === 0;
    $('campaign-empty').textContent = t('emptyCampaign');
    $('campaign-empty').hidden = !empty;
    $('charts').hidden = empty;
    if (!empty) renderCharts(results);
  }

  function renderMetrics(totals) {
    const metric = (key, label, value, note) =>
      h(
        'div',
        { class: 'metric', 'data-metric': key },
        h('span', { class: 'metric-value' }, value),
        h('span', { class: 'metric-label' }, label),
        note ? h('span', { class: 'metric-note' }, note) : undefined,
      );
    $('metrics').replaceChildren(
      metric('entered', t('metricEntered'), count(totals.entered)),
      metric('completed', t('metricCompleted'), count(totals.completed)),
      metric('completionRate', t('metricCompletionRate'), percent(totals.completionRate)),
      metric('converted', t('metricConverted'), count(totals.converted)),
      metric('conversionRate', t('metricConversionRate'), percent(totals.conversionRate)),
      metric(
        'handoff',
        t('metricHandoff'),
        count(totals.handoff),
        totals.entered > 0 ? t('ofEntered', { rate: percent(totals.handoff / totals.entered) }) : undefined,
      ),
      metric(
        'opted_out',
        t('metricOptedOut'),
        count(totals.opted_out),
        totals.entered > 0 ? t('ofEntered', { rate: percent(totals.opted_out / totals.entered) }) : undefined,
      ),
    );
  }

  // ---------------------------------------------------------------- charts and their tables

  const reducedMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches ?? false;

  function renderCharts(results) {
    const kindsOf = (rows, kinds) =>
      kinds.map((kind) => ({ label: t(kind), key: kind, values: rows.map((row) => row[kind] ?? 0) }));

    const days = results.byDay.map((row) => formatDay(row.day));
    const dayKinds = kindsOf(results.byDay, ['entered', 'completed', 'converted']);
    // Bars read better for a few days, a line for a long campaign.
    drawChart('chart-by-day', t('chartByDay'), days.length > 10 ? 'line' : 'bar', days, dayKinds);
    fillTable(
      'table-by-day',
      [t('colDay'), ...KINDS.map((kind) => t(kind))],
      results.byDay.map((row) => [formatDay(row.day), ...KINDS.map((kind) => count(row[kind]))]),
    );

    const channels = results.byChannel.map((row) => channelLabel(row.channel));
    drawChart(
      'chart-by-channel',
      t('chartByChannel'),
      'bar',
      channels,
      kindsOf(results.byChannel, ['entered', 'completed', 'converted']),
    );
    fillTable(
      'table-by-channel',
      [t('colChannel'), ...KINDS.map((kind) => t(kind))],
      results.byChannel.map((row) => [channelLabel(row.channel), ...KINDS.map((kind) => count(row[kind]))]),
    );

    const steps = results.steps.map((row) => row.node);
    drawChart('chart-steps', t('chartSteps'), 'bar', steps, kindsOf(results.steps, ['reached', 'dropped']), {
      indexAxis: 'y',
    });
    fillTable(
      'table-steps',
      [t('colStep'), t('reached'), t('dropped')],
      results.steps.map((row) => [row.node, count(row.reached), count(row.dropped)]),
    );

    const entries = results.byEntry.map((row) => entryLabel(row.entry));
    drawChart('chart-by-entry', t('chartByEntry'), 'doughnut', entries, [
      { label: t('entered'), key: 'entered', values: results.byEntry.map((row) => row.entered) },
    ]);
    fillTable(
      'table-by-entry',
      [t('colEntry'), t('colPeople')],
      results.byEntry.map((row) => [entryLabel(row.entry), count(row.entered)]),
    );
  }

  /**
   * One chart on its canvas, made the first time and updated in place after
   * (no flicker every refresh). Without Chart.js (the script did not load) the
   * tables are opened instead.
   */
  function drawChart(canvasId, title, type, labels, series, extra = {}) {
    const canvas = $(canvasId);
    canvas.setAttribute('aria-label', t('chartAlt', { title }));
    if (typeof window.Chart !== 'function') {
      for (const details of document.querySelectorAll('#charts details')) details.open = true;
      showError($('page-error'), t('noCharts'));
      return;
    }
    const doughnut = type === 'doughnut';
    const datasets = series.map((serie) => ({
      label: serie.label,
      data: serie.values,
      backgroundColor: doughnut ? labels.map((_, index) => PALETTE[index % PALETTE.length]) : COLOURS[serie.key],
      borderColor: doughnut ? '#ffffff' : COLOURS[serie.key],
      borderWidth: doughnut ? 2 : type === 'line' ? 2 : 0,
      borderRadius: type === 'bar' ? 4 : 0,
      maxBarThickness: 36,
      tension: 0.25,
    }));
    const existing = window.Chart.getChart(canvas);
    if (existing && existing.config.type === type) {
      existing.data.labels = labels;
      existing.data.datasets = datasets;
      existing.update('none');
      return;
    }
    existing?.destroy();
    const axis = { beginAtZero: true, ticks: { precision: 0 }, grid: { color: '#eef0f4' } };
    new window.Chart(canvas, {
      type,
      data: { labels, datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion ? false : { duration: 300 },
        plugins: { legend: { position: 'bottom', labels: { boxWidth: 12, usePointStyle: true } } },
        scales: doughnut
          ? {}
          : extra.indexAxis === 'y'
            ? { x: axis, y: { grid: { display: false } } }
            : { x: { grid: { display: false } }, y: axis },
        ...extra,
      },
    });
  }

  function fillTable(tableId, headers, rows) {
    const table = $(tableId);
    const body =
      rows.length === 0
        ? [h('tr', {}, h('td', { colspan: headers.length }, t('noRows')))]
        : rows.map(([first, ...rest]) =>
            h('tr', {}, h('th', { scope: 'row' }, first), ...rest.map((v) => h('td', {}, v))),
          );
    table.replaceChildren(
      h('thead', {}, h('tr', {}, ...headers.map((header) => h('th', { scope: 'col' }, header)))),
      h('tbody', {}, ...body),
    );
  }

  // ---------------------------------------------------------------- broadcasts

  async function loadBroadcasts(id) {
    clearTimeout(state.broadcastTimer);
    try {
      const { broadcasts } = await api('GET', `/broadcasts?campaign=${encodeURIComponent(id)}`);
      if (state.selectedId !== id) return;
      // Compared with what this campaign showed before (a campaign just opened has its results on the way).
      const before = state.broadcastsOf === id ? broadcastsSignature(state.broadcasts) : undefined;
      state.broadcasts = broadcasts ?? [];
      state.broadcastsOf = id;
      showError($('broadcast-error'), '');
      renderBroadcasts();
      // The campaign's own figures move as a broadcast brings people in: read them again now and then
      // while it runs, and at once when it stops.
      const moved = before !== undefined && before !== broadcastsSignature(state.broadcasts);
      const running = state.broadcasts.some((item) => item.broadcast.status === 'running');
      if (moved && (!running || Date.now() - state.lastResultsAt >= RESULTS_REFRESH_MS)) void loadResults(id);
    } catch (error) {
      if (state.selectedId === id && error.status !== 401) showError($('broadcast-error'), error.message);
    } finally {
      if (state.selectedId === id) {
        clearTimeout(state.broadcastTimer);
        const statuses = new Set(state.broadcasts.map((item) => item.broadcast.status));
        // A running one moves every moment; a draft or a paused one only when someone starts or resumes it.
        const delay = statuses.has('running')
          ? BROADCAST_REFRESH_MS
          : statuses.has('draft') || statuses.has('paused')
            ? WAITING_BROADCAST_REFRESH_MS
            : undefined;
        state.broadcastTimer = delay ? setTimeout(() => void loadBroadcasts(id), delay) : undefined;
      }
    }
  }

  const broadcastsSignature = (broadcasts) =>
    broadcasts.map(({ broadcast, progress }) => `${broadcast.id}:${broadcast.status}:${progress.messaged}`).join(',');

  function renderBroadcasts() {
    const list = $('broadcast-list');
    $('broadcast-count').textContent = String(state.broadcasts.length);
    if (state.broadcasts.length === 0) {
      list.replaceChildren(h('li', { class: 'empty-line' }, t('noBroadcasts')));
      return;
    }
    list.replaceChildren(...state.broadcasts.map(renderBroadcast));
  }

  function renderBroadcast({ broadcast, progress, achievedRate }) {
    const handled = progress.messaged + progress.skipped;
    const share = progress.total > 0 ? handled / progress.total : 0;
    const reasons = Object.entries(progress.skippedBy ?? {});
    const deliveries = Object.entries(progress.delivery ?? {});
    const figure = (key, label, value, detail) =>
      h(
        'div',
        { class: 'figure', 'data-figure': key },
        h('dt', {}, label),
        h('dd', {}, h('span', { class: 'figure-value' }, value), detail),
      );
    const actions = state.me?.role === 'manager' ? (ACTIONS_BY_STATUS[broadcast.status] ?? []) : [];
    return h(
      'li',
      { class: 'broadcast', 'data-broadcast': broadcast.id, 'data-status': broadcast.status },
      h(
        'div',
        { class: 'broadcast-head' },
        h(
          'span',
          { class: 'status-badge', 'data-status': broadcast.status },
          labelOr(STATUS_KEYS[broadcast.status] ?? '', broadcast.status),
        ),
        h('span', { class: 'broadcast-title' }, channelBadge(broadcast.channel), ` ${broadcast.account}`),
        h(
          'span',
          { class: 'muted broadcast-meta' },
          t('createdAt', { date: formatInstant(broadcast.createdAt, undefined, true) }),
        ),
        h('code', { class: 'broadcast-id', title: broadcast.id }, broadcast.id),
        actions.length > 0
          ? h(
              'span',
              { class: 'actions' },
              actions.map((action) =>
                h(
                  'button',
                  {
                    type: 'button',
                    class: `small ${action === 'cancel' ? 'ghost danger' : 'ghost'}`,
                    'data-action': action,
                    disabled: state.acting.has(broadcast.id),
                    onclick: () => void act(broadcast, action),
                  },
                  t(action),
                ),
              ),
            )
          : undefined,
      ),
      h('progress', {
        class: 'broadcast-progress',
        max: Math.max(progress.total, 1),
        value: handled,
        'aria-label': t('progressLabel'),
      }),
      h(
        'p',
        { class: 'progress-figure' },
        t('progressFigure', { handled: count(handled), total: count(progress.total), percent: percent(share) }),
      ),
      h(
        'dl',
        { class: 'figures' },
        figure('messaged', t('figMessaged'), count(progress.messaged)),
        figure(
          'skipped',
          t('figSkipped'),
          count(progress.skipped),
          reasons.length > 0
            ? h(
                'ul',
                { class: 'reasons', 'aria-label': t('skipReasons') },
                reasons.map(([reason, n]) =>
                  h(
                    'li',
                    { 'data-reason': reason },
                    t('labelCount', { label: labelOr(`skip_${reason}`, reason), count: count(n) }),
                  ),
                ),
              )
            : undefined,
        ),
        figure('waiting', t('figWaiting'), count(progress.pending + progress.queued)),
        figure(
          'delivery',
          t('deliveries'),
          deliveries.length === 0 ? t('noDeliveries') : '',
          deliveries.length > 0
            ? h(
                'ul',
                { class: 'reasons' },
                deliveries.map(([status, n]) =>
                  h(
                    'li',
                    { 'data-delivery': status },
                    t('labelCount', { label: labelOr(`delivery_${status}`, status), count: count(n) }),
                  ),
                ),
              )
            : undefined,
        ),
        figure(
          'rate',
          t('figRate'),
          achievedRate === null || achievedRate === undefined
            ? '—'
            : t('rateTarget', {
                rate: rateFormat.format(achievedRate),
                target: rateFormat.format(broadcast.ratePerSecond),
              }),
        ),
      ),
    );
  }

  async function act(broadcast, action) {
    if (action === 'cancel' && !window.confirm(t('confirmCancel'))) return;
    state.acting.add(broadcast.id);
    showError($('broadcast-error'), '');
    renderBroadcasts();
    try {
      await api('POST', `/broadcasts/${encodeURIComponent(broadcast.id)}/${action}`, {});
    } catch (error) {
      if (error.status !== 401) showError($('broadcast-error'), error.message);
    } finally {
      state.acting.delete(broadcast.id);
    }
    if (state.selectedId) await loadBroadcasts(state.selectedId);
  }

  // ---------------------------------------------------------------- session

  $('logout').addEventListener('click', async () => {
    await logOut(api);
    toLogin();
  });

  async function enter(operator) {
    state.me = operator;
    showOperator(operator);
    $('app').hidden = false;
    try {
      await loadCampaigns();
    } catch (error) {
      if (error.status !== 401) showError($('page-error'), error.message);
      return;
    }
    await selectCampaign(campaignFromHash());
    state.idleTimer = setInterval(async () => {
      try {
        await loadCampaigns();
      } catch {
        return; // tried again at the next beat
      }
      if (state.selectedId) {
        void loadResults(state.selectedId);
        if (!state.broadcastTimer) void loadBroadcasts(state.selectedId);
      }
    }, IDLE_REFRESH_MS);
  }

  // ---------------------------------------------------------------- start

  applyLabels();
  api('GET', '/me')
    .then(({ operator }) => enter(operator))
    .catch((error) => {
      if (error.status === 401) return; // on its way to the login page
      $('app').hidden = false;
      showError($('page-error'), error.message);
    });
})();
