import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { axeFindings, createEventFromCli, hydrated, mailTo, signIn } from './helpers';

/** The seed's tutorial (registration on, with a call) starting tomorrow. */
function tomorrowsTutorial() {
  const seed = fs.readFileSync(path.join(__dirname, '..', '..', 'examples', 'dask-tutorial.toml'), 'utf8');
  const tomorrow = new Date(Date.now() + 24 * 3600 * 1000).toISOString().slice(0, 10);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-register-')), 'event.toml');
  fs.writeFileSync(file, seed.replace(/^starts_at = ".*"$/m, `starts_at = "${tomorrow}T17:00"`));
  return file;
}

test('a newcomer registers on a phone, gets the confirmation, opens the personal link, sees the call and checks in; the report counts them', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!, tomorrowsTutorial());
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  const errors: string[] = [];
  // The refused form below answers 422 on purpose (Chromium logs that status); anything
  // else is an error.
  phone.on('console', m => {
    if (m.type() === 'error' && !m.text().includes('status of 422')) errors.push(m.text());
  });

  // The plain attendee link shows where to register, not the call.
  await page.goto(links.attendee);
  await hydrated(page);
  await expect(page.getByRole('link', { name: 'Register to get the video call’s link' })).toBeVisible();
  await expect(page.getByRole('link', { name: /The video call/ })).toHaveCount(0);

  // Materials open in a new tab, so the live page stays where it was.
  const [form] = await Promise.all([
    phone.waitForEvent('page'),
    page.getByRole('link', { name: 'Register to get the video call’s link' }).click(),
  ]);
  await page.close();
  const registering = form;
  await expect(registering).toHaveURL(new RegExp(`/e/${links.slug}/register$`));
  await expect(registering.getByText('150 places left.')).toBeVisible();
  expect(await axeFindings(registering, 'registration form')).toEqual([]);
  await registering.getByLabel('Your name').fill('Noor Haddad');
  await registering.getByLabel('Your email').fill('noor@example.org');
  await registering.getByLabel('What do you hope to learn?').fill('Dask on a laptop');
  // Without the consent the form says why and keeps what was typed.
  await registering.getByRole('button', { name: 'Register' }).click();
  await expect(registering.getByTestId('register-error')).toContainText('Please tick the box');
  await expect(registering.getByLabel('Your email')).toHaveValue('noor@example.org');
  await registering.screenshot({ path: 'test-results/register-refused-390x844.png', fullPage: true });
  await registering.getByLabel(/Email me the confirmation/).check();
  await registering.getByRole('button', { name: 'Register' }).click();
  await expect(registering.getByTestId('standing')).toHaveText('You are registered');
  await expect(registering.getByTestId('call')).toContainText('https://zoom.us/j/5550100');
  await registering.screenshot({ path: 'test-results/personal-390x844.png', fullPage: true });

  // The confirmation, as the mail server received it: the personal link and the calendar file.
  const mail = await mailTo('noor@example.org', /^You are registered: Dask Tutorial/);
  expect(mail.raw).toContain('text/calendar');
  expect(mail.raw).toContain('BEGIN:VCALENDAR');
  const personal = mail.text.match(/https?:\/\/\S+\/me\/[0-9a-f]{64}/)?.[0];
  expect(personal, mail.text).toBeTruthy();

  // A new tab on the same phone, from the email.
  const fromMail = await phone.newPage();
  await fromMail.goto(personal!);
  await fromMail.getByTestId('join').click();
  await expect(fromMail).toHaveURL(new RegExp(`/e/${links.slug}$`));
  await hydrated(fromMail);
  const call = fromMail.getByRole('link', { name: 'The video call · Passcode: dask' });
  await expect(call).toHaveAttribute('href', 'https://zoom.us/j/5550100');
  await expect(fromMail.getByTestId('link-state')).toHaveText('Connected');
  await fromMail.getByLabel('City or country').fill('Amman');
  await fromMail.getByRole('button', { name: 'Check in' }).click();
  await expect(fromMail.getByTestId('checked-in')).toBeVisible();
  await fromMail.screenshot({ path: 'test-results/registrant-live-390x844.png', fullPage: true });
  expect(errors).toEqual([]);

  // The organizer: the funnel in the report, the person and their email on the registrations page.
  const desk = await browser.newContext();
  const organizer = await desk.newPage();
  await signIn(organizer);
  await organizer.goto(`/events/${links.slug}/report`);
  await hydrated(organizer);
  await expect(organizer.getByTestId('funnel-registered')).toHaveText('1');
  await expect(organizer.getByTestId('funnel-joined')).toHaveText('1');
  await expect(organizer.getByTestId('funnel-checked-in')).toHaveText('1');
  await organizer.getByTestId('funnel').screenshot({ path: 'test-results/report-funnel.png' });
  await organizer.goto(`/events/${links.slug}/registrations`);
  await hydrated(organizer);
  const row = organizer.getByTestId('registrant');
  await expect(row).toHaveCount(1);
  await expect(row).toContainText('noor@example.org');
  await expect(row).toContainText('Dask on a laptop');
  await expect(organizer.getByTestId('email-summary')).toHaveText(/^1 sent · 3 waiting · 0 failed/);
  await expect(organizer.getByTestId('mail-off')).toHaveCount(0);

  // The preview follows the choice; a test goes to the organizer.
  await organizer.getByTestId('preview-kind').selectOption('ten_minutes');
  await expect(organizer.getByTestId('email-preview')).toContainText('Subject: Starting in 10 minutes');
  await expect(organizer.frameLocator('iframe.email-html').locator('body')).toContainText('https://zoom.us/j/5550100');
  await organizer.screenshot({ path: 'test-results/registrations-1280x720.png', fullPage: true });
  await organizer.getByTestId('email-preview').screenshot({ path: 'test-results/email-preview.png' });
  await organizer.getByTestId('send-test').click();
  await expect(organizer.getByTestId('test-sent')).toHaveText('Sent to ada@example.org.');
  await mailTo('ada@example.org', /^Starting in 10 minutes/);

  // Erasing her: two steps, then she is gone from the list.
  await row.getByTestId('erase').click();
  await row.getByTestId('erase-confirm').click();
  await expect(organizer.getByTestId('registrant')).toHaveCount(0);
  await expect(organizer.getByText('Nobody has registered yet.')).toBeVisible();

  await phone.close();
  await desk.close();
});
