/** TEST SCAFFOLDING for @hermit/ui's browser tests (Debian Chromium through puppeteer-core). */
export { chromiumPath, launchChromium, CHROMIUM_FLAGS, CHROMIUM_INSTALL_MS } from './chromium.ts'
