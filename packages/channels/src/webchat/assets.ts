import { fileURLToPath } from 'node:url';

/** The widget script served at /webchat/widget.js; same relative place from src/ and dist/. */
export const WEBCHAT_WIDGET_FILE = fileURLToPath(new URL('../../webchat-widget/widget.js', import.meta.url));
