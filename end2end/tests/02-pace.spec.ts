import { expect, test } from '@playwright/test';
import { createEventFromCli, hydrated, openLive } from './helpers';

test('the waiting page turns live on Start, and a slower vote reaches the presenter within two seconds', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const presenterContext = await browser.newContext();
  // An attendee in India: the waiting view shows the start in their own time as well.
  const attendeeContext = await browser.newContext({ timezoneId: 'Asia/Kolkata', locale: 'en-GB' });
  const presenter = await presenterContext.newPage();
  const attendee = await attendeeContext.newPage();

  await presenter.goto(links.presenter);
  await expect(presenter).toHaveURL(new RegExp(`/e/${links.slug}/present$`));
  await hydrated(presenter);
  await expect(presenter.getByTestId('link-state')).toHaveText('Connected');
  await expect(presenter.getByTestId('count-slower')).toHaveText('0');

  await attendee.goto(links.attendee);
  await hydrated(attendee);
  await expect(attendee.getByTestId('link-state')).toHaveText('Connected');
  await expect(attendee.getByTestId('waiting')).toContainText('You are in the right place');
  // 17:00 in London on 10 December is 22:30 in Kolkata.
  await expect(attendee.getByTestId('viewer-time')).toContainText('22:30');
  await expect(attendee.getByTestId('viewer-time')).toContainText('10 Dec');
  await expect(attendee.getByTestId('here-count')).toHaveText('You are the first one here.');
  await expect(attendee.getByRole('link', { name: 'Launch Binder' })).toHaveClass(/button/);
  await expect(attendee.getByRole('button', { name: 'Slower' })).toHaveCount(0);
  await expect(presenter.getByTestId('online')).toHaveText('1 attendee connected');

  // Mark this page load: if the page reloads, the mark is gone.
  await attendee.evaluate(() => { (window as any).lecternMark = 'same page'; });
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await expect(presenter.getByTestId('event-state')).toContainText('Live since');
  await expect(attendee.getByTestId('waiting')).toHaveCount(0);
  await expect(attendee.getByRole('button', { name: 'Slower' })).toBeVisible();
  expect(await attendee.evaluate(() => (window as any).lecternMark)).toBe('same page');

  await attendee.getByRole('button', { name: 'Slower' }).click();
  await expect(attendee.getByRole('button', { name: 'Slower' })).toHaveAttribute('aria-pressed', 'true');
  await expect(presenter.getByTestId('count-slower')).toHaveText('1', { timeout: 2_000 });
  await expect(presenter.getByText('100% want it slower')).toBeVisible();

  // The vote is sticky: after a reload the attendee's choice is still marked.
  await attendee.reload();
  await hydrated(attendee);
  await expect(attendee.getByRole('button', { name: 'Slower' })).toHaveAttribute('aria-pressed', 'true');

  // Ending the tutorial reaches the attendee too.
  presenter.once('dialog', dialog => dialog.accept());
  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  await expect(attendee.getByTestId('ended')).toContainText('This tutorial has ended');

  await presenterContext.close();
  await attendeeContext.close();
});

test('on a phone busy when the server first spoke, a vote pressed just after Start shows as pressed', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const presenterContext = await browser.newContext();
  const attendeeContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  const attendee = await attendeeContext.newPage();
  // A slow phone: the page's thread is busy for 1.5 s just after the socket opens (as
  // when it is still hydrating), so the server's welcome, with its clock, is read late
  // and the page's reading of the server's clock lags by about that much.
  await attendee.addInitScript(() => {
    const Native = window.WebSocket;
    (window as any).WebSocket = function (url: string, protocols?: string | string[]) {
      const socket = new Native(url, protocols);
      setTimeout(() => { const until = Date.now() + 1_500; while (Date.now() < until) { /* busy */ } }, 0);
      return socket;
    };
    Object.assign((window as any).WebSocket, Native);
    (window as any).WebSocket.prototype = Native.prototype;
  });

  await openLive(presenter, links.presenter);
  await openLive(attendee, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await attendee.getByRole('button', { name: 'Slower' }).click();
  await expect(attendee.getByRole('button', { name: 'Slower' })).toHaveAttribute('aria-pressed', 'true');
  await expect(attendee.getByText('You asked for: slower')).toBeVisible();
  await expect(presenter.getByTestId('count-slower')).toHaveText('1');

  await presenterContext.close();
  await attendeeContext.close();
});

test('the presenter page stays shut to an attendee', async ({ page, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  await page.goto(links.attendee);
  const response = await page.goto(`/e/${links.slug}/present`);
  expect(response!.status()).toBe(403);
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('This page needs its secret link');
});
