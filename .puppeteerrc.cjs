/**
 * Puppeteer (pulled in by whatsapp-web.js) would download its own Chrome at
 * install time. The gateway drives Debian's Chromium (CHROMIUM_PATH, default
 * /usr/bin/chromium) instead, so a plain `npm ci` downloads no browser.
 * Puppeteer finds this file by searching upward from its own folder.
 * @type {import('puppeteer').Configuration}
 */
module.exports = {
  skipDownload: true,
};
