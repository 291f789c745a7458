// Shared steps for the end-to-end tests.
import { expect, Page } from '@playwright/test';
import { execFileSync } from 'child_process';
import * as path from 'path';

/** Waits until the WebAssembly app has hydrated the server-rendered page. */
export async function hydrated(page: Page) {
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1, { timeout: 15_000 });
}

/** Signs in the organizer that the first test set up, and waits for their events. */
export async function signIn(page: Page) {
  await page.goto('/signin');
  await hydrated(page);
  await page.getByLabel('Email').fill('ada@example.org');
  await page.getByLabel('Password').fill('correct horse battery');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/events$/);
}

export interface EventLinks { slug: string; attendee: string; presenter: string; moderator: string }

/** Creates the seed's Dask tutorial (or the event in `file`) through the CLI, as an operator would. */
export function createEventFromCli(baseURL: string, file = path.join(__dirname, '..', '..', 'examples', 'dask-tutorial.toml')): EventLinks {
  const out = execFileSync(process.env.LECTERN_BIN!, [
    'event', 'create', '--file', file,
    '--public-url', baseURL,
  ], { env: { ...process.env, DATABASE_URL: process.env.LECTERN_E2E_DATABASE_URL! } });
  return JSON.parse(out.toString());
}

/** Opens a live page (attendee, presenter or co-instructor) and waits for its socket. */
export async function openLive(page: Page, url: string) {
  await page.goto(url);
  await hydrated(page);
  await expect(page.getByTestId('link-state')).toHaveText('Connected');
}
