import { expect, test } from '@playwright/test';
import { axeAt, axeFindings, createEventFromCli, openLive, signIn } from './helpers';

// axe-core (WCAG 2.0–2.2 A and AA, and its best practices) finds nothing on any page, in
// the light scheme and the dark one, with each page in the state it is most used in:
// the attendee's waiting view, the live view with a poll open in a lab (Done / Stuck,
// the pace buttons pressed), the survey after the end; the presenter's and
// co-instructor's panels in a lab with a question and stuck notes; the organizer's pages.

test('axe finds nothing on any page, light or dark', async ({ browser, baseURL }) => {
  test.setTimeout(240_000);
  const links = createEventFromCli(baseURL!);
  const signedIn = await browser.newContext();
  const organizer = await signedIn.newPage();
  await signIn(organizer);
  const session = await signedIn.storageState();
  await signedIn.close();

  const found: string[] = [];
  const check = async (url: string, state?: object) => {
    for (const scheme of ['light', 'dark'] as const) found.push(...await axeAt(browser, url, { scheme, storageState: state }));
  };

  await check('/');
  await check('/signin');
  await check('/events', session);
  await check('/events/new', session);
  await check(`/events/${links.slug}`, session);
  await check(links.attendee);
  await check(`${links.attendee}/stage`);

  // A lab with an open poll, a stuck note, a question, and an attendee who pressed.
  const contexts = await Promise.all([0, 1].map(() => browser.newContext()));
  const [presenter, attendee] = await Promise.all(contexts.map(c => c.newPage()));
  presenter.on('dialog', dialog => dialog.accept());
  await openLive(presenter, links.presenter);
  await openLive(attendee, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await presenter.getByRole('button', { name: 'Next section' }).click();
  await presenter.getByRole('button', { name: 'Ask: Have you managed to launch the Binder?' }).click();
  await attendee.getByRole('button', { name: 'Stuck' }).click();
  await attendee.getByLabel('Tell the co-instructors what is wrong').fill('The kernel keeps dying');
  await attendee.getByRole('button', { name: 'Send to the co-instructors' }).click();
  await attendee.getByLabel('Your question').fill('Can I run the lab on my laptop instead?');
  await attendee.getByRole('button', { name: 'Ask', exact: true }).click();
  await attendee.getByRole('button', { name: 'Slower' }).click();
  await attendee.getByTestId('poll-card').getByRole('button', { name: 'Yes' }).click();
  await expect(presenter.getByTestId('lab-stuck')).toHaveText('1 stuck');
  for (const scheme of ['light', 'dark'] as const) {
    // The attendee's own page as they left it, pressed buttons and all.
    await attendee.emulateMedia({ colorScheme: scheme });
    found.push(...await axeFindings(attendee, `${scheme} attendee (lab, pressed)`));
  }
  await presenter.getByTestId('overlay-picker').getByRole('button', { name: 'Poll' }).click();
  await check(`${links.attendee}/overlay`);
  await check(links.presenter);
  await check(links.moderator);
  await check(links.attendee);

  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  await expect(presenter.getByText(/Ended at/)).toBeVisible();
  await check(links.attendee);
  await check(`${links.attendee}/feedback`);
  await check(`/events/${links.slug}/report`, session);
  await Promise.all(contexts.map(c => c.close()));

  expect(found, found.join('\n')).toEqual([]);
});
