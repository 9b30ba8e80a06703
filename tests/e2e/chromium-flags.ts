/**
 * Flags for Debian Chromium with the built extension, shared by the e2e tests and `npm start`'s tour.
 * The network flags keep Chromium from calling Google hosts, which this machine's network refuses
 * (shared/notes/toolchain.md).
 */
export function extensionChromiumArgs(extensionDir: string): string[] {
  return [
    `--disable-extensions-except=${extensionDir}`,
    `--load-extension=${extensionDir}`,
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--lang=ja',
  ];
}
