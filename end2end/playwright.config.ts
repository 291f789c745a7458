// Lectern's end-to-end suite: the real `lectern` binary on a fresh SQLite database,
// driven in Debian's Chromium (no browser download).
import { defineConfig } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Below the kernel's ephemeral range (32768–60999 here): a port in it can be held by
// any outgoing connection of the moment (the SMTP sink once failed to bind 38418,
// "address already in use", right after the load run).
const port = Number(process.env.LECTERN_E2E_PORT ?? 28417);
export const baseURL = `http://127.0.0.1:${port}`;

// One data folder for the whole run: the config is read again in each worker, which
// inherits this variable from the main process.
process.env.LECTERN_E2E_DATA ??= fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-e2e-'));
process.env.LECTERN_E2E_DATABASE_URL = `sqlite://${process.env.LECTERN_E2E_DATA}/lectern.db?mode=rwc`;
// The test SMTP server (aiosmtpd, installed by scripts/test) beside the server: each
// email a registrant gets lands in this folder as a file (see helpers.ts, `mailTo`).
const smtpPort = Number(process.env.LECTERN_E2E_SMTP_PORT ?? port + 1);
process.env.LECTERN_E2E_MAIL ??= path.join(process.env.LECTERN_E2E_DATA, 'mail');
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(__dirname, '..', 'target');
process.env.LECTERN_BIN ??= path.join(targetDir, 'debug', 'lectern');

export default defineConfig({
  testDir: './tests',
  // The first-run test must meet a server with no organizer yet: one worker, files in order.
  workers: 1,
  fullyParallel: false,
  timeout: 30_000,
  expect: { timeout: 5_000 },
  reporter: [['list']],
  use: {
    baseURL,
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
        '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    },
  },
  webServer: [{
    command: `python3 ../tools/smtp-sink/smtp_sink.py --dir ${process.env.LECTERN_E2E_MAIL} --port ${smtpPort} --until-stopped`,
    port: smtpPort,
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  }, {
    command: `${process.env.LECTERN_BIN} serve --addr 127.0.0.1:${port} --site-root ../target/site`,
    url: `${baseURL}/healthz`,
    env: {
      DATABASE_URL: process.env.LECTERN_E2E_DATABASE_URL!,
      LECTERN_SMTP_URL: `smtp://127.0.0.1:${smtpPort}`,
      LECTERN_MAIL_FROM: 'Lectern tests <lectern@example.org>',
      RUST_LOG: 'warn',
    },
    reuseExistingServer: false,
    timeout: 30_000,
    stdout: 'ignore',
    stderr: 'pipe',
  }],
});
