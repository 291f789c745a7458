import { expect, Locator, Page, test } from '@playwright/test';
import { createEventFromCli, openLive } from './helpers';

/** Whether the element lies wholly inside the page's viewport, unscrolled. */
async function inView(page: Page, element: Locator, what: string) {
  await expect(element, what).toBeVisible();
  const box = await element.boundingBox();
  const size = page.viewportSize()!;
  expect(box, what).not.toBeNull();
  expect(box!.y, `${what}: top`).toBeGreaterThanOrEqual(0);
  expect(box!.x, `${what}: left`).toBeGreaterThanOrEqual(0);
  expect(box!.y + box!.height, `${what}: bottom at ${size.width}×${size.height}`).toBeLessThanOrEqual(size.height);
  expect(box!.x + box!.width, `${what}: right at ${size.width}×${size.height}`).toBeLessThanOrEqual(size.width);
}

test('during a lab with an open poll, two stuck notes and a bubbled question, the presenter sees all of it without scrolling', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [presenter, moderator, ana, ben] = await Promise.all(contexts.map(c => c.newPage()));
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  for (const attendee of [ana, ben]) await openLive(attendee, links.attendee);

  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await presenter.getByRole('button', { name: 'Next section' }).click();
  await expect(ana.getByTestId('current-section-title')).toHaveText('Introductory Lab and results');
  for (const [attendee, note] of [[ana, 'The kernel keeps dying'], [ben, 'Binder will not start']] as const) {
    await attendee.getByRole('button', { name: 'Stuck' }).click();
    await attendee.getByLabel('Tell the co-instructors what is wrong').fill(note);
    await attendee.getByRole('button', { name: 'Send to the co-instructors' }).click();
  }
  await presenter.getByRole('button', { name: 'Ask: Have you managed to launch the Binder?' }).click();
  await ana.getByTestId('poll-card').getByRole('button', { name: 'Yes' }).click();
  await ana.getByLabel('Your question').fill('Can I run the lab on my laptop instead?');
  await ana.getByRole('button', { name: 'Ask', exact: true }).click();
  const inQueue = moderator.getByTestId('queue-item').filter({ hasText: 'on my laptop' });
  await inQueue.getByRole('button', { name: 'Bubble up' }).click();
  await expect(presenter.getByTestId('lab-stuck')).toHaveText('2 stuck');
  await expect(presenter.getByTestId('bubbled-question')).toBeVisible();

  for (const [width, height] of [[1920, 1080], [1280, 800], [960, 1080]]) {
    await presenter.setViewportSize({ width, height });
    await presenter.evaluate(() => window.scrollTo(0, 0));
    const clock = presenter.getByTestId('section-clock');
    await inView(presenter, clock.getByTestId('current-section-title'), 'the section title');
    await inView(presenter, clock.getByTestId('clock-status'), 'the clock');
    await inView(presenter, clock.getByRole('button', { name: 'Next section' }), 'Next');
    await inView(presenter, clock.getByTestId('projected-finish'), 'the projected finish');
    await inView(presenter, presenter.locator('.meter-card'), 'the pace meter');
    const poll = presenter.getByTestId('poll-result').first();
    await inView(presenter, poll.getByTestId('poll-count-0'), 'the open poll\'s first bar');
    await inView(presenter, poll.getByTestId('poll-count-1'), 'the open poll\'s last bar');
    await inView(presenter, presenter.getByTestId('lab-stuck'), 'the lab counts');
    await inView(presenter, presenter.getByTestId('lab-panel').getByText('Binder will not start'), 'the newest stuck note');
    await inView(presenter, presenter.getByTestId('bubbled-question'), 'the bubbled-up question');
    await presenter.screenshot({ path: `test-results/presenter-${width}x${height}.png` });
  }

  await Promise.all(contexts.map(c => c.close()));
});

test('the co-instructor sees the first ten questions of the queue and their actions without scrolling', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const contexts = await Promise.all([0, 1, 2, 3].map(() => browser.newContext()));
  const [presenter, moderator, ana, ben] = await Promise.all(contexts.map(c => c.newPage()));
  await openLive(presenter, links.presenter);
  await openLive(moderator, links.moderator);
  for (const attendee of [ana, ben]) await openLive(attendee, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();

  // Five each: the most one attendee may ask in a minute. Some long, as people write.
  const questions: string[] = [];
  for (const [who, attendee] of [['Ana', ana], ['Ben', ben]] as const) {
    for (let i = 1; i <= 5; i++) {
      const text = i % 2
        ? `${who}'s question ${i}: does this work with Dask arrays as well as with dataframes, and what changes if the data does not fit in memory on my laptop?`
        : `${who}'s question ${i}: is the recording shared afterwards?`;
      questions.push(text);
      await attendee.getByLabel('Your question').fill(text);
      await attendee.getByRole('button', { name: 'Ask', exact: true }).click();
      await expect(attendee.getByTestId('my-questions').locator('li')).toHaveCount(i);
    }
  }
  await expect(moderator.getByTestId('queue-item')).toHaveCount(10);

  for (const [width, height] of [[1920, 1080], [1280, 800]]) {
    await moderator.setViewportSize({ width, height });
    await moderator.evaluate(() => window.scrollTo(0, 0));
    await moderator.screenshot({ path: `test-results/co-instructor-${width}x${height}.png` });
    for (const text of questions) {
      const item = moderator.getByTestId('queue-item').filter({ hasText: text.slice(0, 20) });
      await inView(moderator, item.locator('.question-text'), `"${text.slice(0, 20)}…"`);
      for (const action of ['Bubble up', 'For the break', 'Pin', 'Dismiss', 'Note or answer…']) {
        await inView(moderator, item.getByRole('button', { name: action, exact: true }), `${action} of "${text.slice(0, 20)}…"`);
      }
    }
  }

  // The note and the answer open below their question, and work from there.
  const first = moderator.getByTestId('queue-item').filter({ hasText: questions[1] });
  await first.getByRole('button', { name: 'Note or answer…' }).click();
  await first.getByLabel('Answer').fill('Yes, on YouTube the day after.');
  await first.getByRole('button', { name: 'Answer', exact: true }).click();
  await expect(first).toContainText('Answer: Yes, on YouTube the day after.');

  await Promise.all(contexts.map(c => c.close()));
});

test('on a phone the pace row stays on screen, Done and Stuck come first in a lab, and an earlier section\'s closed poll gives way', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const presenterContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  await openLive(presenter, links.presenter);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await presenter.getByRole('button', { name: 'Ask: Are you a pandas user?' }).click();

  for (const [width, height] of [[390, 844], [360, 640]]) {
    const context = await browser.newContext({ viewport: { width, height }, isMobile: true, hasTouch: true });
    const phone = await context.newPage();
    await openLive(phone, links.attendee);
    const size = `${width}×${height}`;
    const pace = phone.getByRole('group', { name: 'Pace' });
    await expect(phone.getByTestId('poll-card')).toBeVisible();
    await inView(phone, pace, `the pace row with a poll open, ${size}`);
    await phone.getByRole('button', { name: 'Slower' }).click();
    await inView(phone, pace, `the pace row after a vote, ${size}`);
    // Scrolled to the end, the row is still there and covers nothing: the agenda's last
    // line sits above it.
    await phone.evaluate(() => window.scrollTo(0, document.body.scrollHeight));
    await inView(phone, pace, `the pace row at the end of the page, ${size}`);
    const lastLine = phone.getByTestId('agenda').locator('li').last();
    const [line, card] = [await lastLine.boundingBox(), await phone.locator('.pace-card').boundingBox()];
    expect(line!.y + line!.height, `the agenda's last line clear of the pace row, ${size}`).toBeLessThanOrEqual(card!.y);
    await context.close();
  }

  // The lab begins with the pandas poll closed: Done / Stuck lead, the old poll is gone;
  // a poll asked in the lab shows below them.
  const phoneContext = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const phone = await phoneContext.newPage();
  await openLive(phone, links.attendee);
  await phone.getByTestId('poll-card').getByRole('button', { name: 'Yes' }).click();
  await presenter.getByRole('button', { name: 'Close the poll' }).click();
  await expect(phone.getByTestId('poll-card')).toContainText('This poll has closed.');
  await presenter.getByRole('button', { name: 'Next section' }).click();
  await expect(phone.getByTestId('lab-card')).toBeVisible();
  await expect(phone.getByTestId('poll-card')).toHaveCount(0);
  await presenter.getByRole('button', { name: 'Ask: Have you managed to launch the Binder?' }).click();
  await expect(phone.getByTestId('poll-card')).toContainText('launch the Binder');
  const [lab, poll] = [await phone.getByTestId('lab-card').boundingBox(), await phone.getByTestId('poll-card').boundingBox()];
  expect(lab!.y, 'Done / Stuck above the poll').toBeLessThan(poll!.y);
  await inView(phone, phone.getByRole('button', { name: 'Stuck' }), 'Stuck');
  await inView(phone, phone.getByRole('group', { name: 'Pace' }), 'the pace row in the lab');

  // A pressed button says "pressed" once: the drawn check mark is not part of its name.
  await phone.getByRole('button', { name: 'Faster' }).click();
  await expect(phone.getByTestId('pace-faster')).toHaveAttribute('aria-pressed', 'true');
  await expect(phone.getByTestId('pace-faster')).toHaveAccessibleName('Faster');
  await phone.getByTestId('poll-card').getByRole('button', { name: 'No' }).click();
  await expect(phone.getByTestId('poll-card').getByRole('button', { pressed: true })).toHaveAccessibleName('No');
  await phone.screenshot({ path: 'test-results/attendee-lab-390x844.png' });

  await Promise.all([phoneContext.close(), presenterContext.close()]);
});
