import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { axeAt, axeFindings, createEventFromCli, hydrated, openLive } from './helpers';

// The attendee-facing pages speak English, Spanish, Portuguese (Brazil), German and
// French: chosen from the browser's Accept-Language, changed by the switch without
// losing what the page holds, remembered for the next visit; dates read in the
// language, in the event's zone and in the attendee's own, summer time included.

/** The seed's tutorial, starting at `startsAt` (wall time) in `zone`. */
function eventAt(startsAt: string, zone: string) {
  const example = path.join(__dirname, '..', '..', 'examples', 'dask-tutorial.toml');
  const text = fs.readFileSync(example, 'utf8')
    .replace(/^starts_at = .*$/m, `starts_at = "${startsAt}"`)
    .replace(/^time_zone = .*$/m, `time_zone = "${zone}"`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-lang-')), 'event.toml');
  fs.writeFileSync(file, text);
  return file;
}

test('Accept-Language picks Spanish; the switch changes the language, keeps the check-in and is remembered', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const context = await browser.newContext({ locale: 'es-ES' });
  const page = await context.newPage();
  await page.goto(links.attendee);
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'es');
  await expect(page.getByTestId('waiting')).toContainText('Estás en el lugar correcto');
  await expect(page.getByRole('heading', { name: 'El tutorial empieza pronto' })).toBeVisible();
  await expect(page.getByTestId('link-state')).toHaveText('Conectado');
  await expect(page.getByTestId('language')).toHaveValue('es');
  await expect(page.getByTestId('agenda')).toContainText('Ejercicio');

  await page.getByLabel('Ciudad o país').fill('Lima');
  await page.getByLabel('Tu nombre (opcional)').fill('Rosa');
  await page.getByRole('button', { name: 'Enviar' }).click();
  await expect(page.getByTestId('checked-in')).toContainText('Te conectas desde Lima');

  // German, at once and in place: the check-in, the form and the live link all stay.
  await page.getByTestId('language').selectOption('de');
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('heading', { name: 'Das Tutorial beginnt bald' })).toBeVisible();
  await expect(page.getByTestId('checked-in')).toContainText('Du bist dabei aus Lima');
  await expect(page.getByLabel('Stadt oder Land')).toHaveValue('Lima');
  await expect(page.getByLabel('Dein Name (freiwillig)')).toHaveValue('Rosa');
  await expect(page.getByTestId('link-state')).toHaveText('Verbunden');
  await expect(page.getByTestId('agenda')).toContainText('Übung');

  // The next visit speaks German, whatever the browser says.
  await page.reload();
  await hydrated(page);
  await expect(page.locator('html')).toHaveAttribute('lang', 'de');
  await expect(page.getByRole('heading', { name: 'Das Tutorial beginnt bald' })).toBeVisible();
  await expect(page.getByTestId('checked-in')).toContainText('Du bist dabei aus Lima');
  await context.close();
});

test('the start reads in the language, in the event zone and in the attendee zone, across summer time', async ({ browser, baseURL }) => {
  // 03:30 in Berlin on 29 March 2026: half an hour after the clocks went forward, so
  // 01:30 UTC; a page that adds the wrong offset is two hours out.
  const links = createEventFromCli(baseURL!, eventAt('2026-03-29T03:30', 'Europe/Berlin'));

  const brazil = await browser.newContext({ locale: 'pt-BR', timezoneId: 'America/Sao_Paulo' });
  const pt = await brazil.newPage();
  await pt.goto(links.attendee);
  await hydrated(pt);
  await expect(pt.getByTestId('starts-local')).toHaveText('dom, 29 de mar de 2026, 03:30 CEST');
  // São Paulo keeps UTC−3 all year: 22:30 the evening before.
  await expect(pt.getByTestId('viewer-time')).toContainText('28 de mar');
  await expect(pt.getByTestId('viewer-time')).toContainText('22:30');
  await expect(pt.getByTestId('viewer-time')).toContainText('Seu horário');
  await brazil.close();

  const germany = await browser.newContext({ locale: 'de-DE', timezoneId: 'America/New_York' });
  const de = await germany.newPage();
  await de.goto(links.attendee);
  await hydrated(de);
  await expect(de.getByTestId('starts-local')).toHaveText('So, 29. Mär 2026, 03:30 CEST');
  // New York moved its clocks on 8 March: UTC−4, so 21:30 on the Saturday.
  await expect(de.getByTestId('viewer-time')).toContainText('28. März 2026');
  await expect(de.getByTestId('viewer-time')).toContainText('21:30');
  // A switch writes the event's time anew, still in the event's zone.
  await de.getByTestId('language').selectOption('fr');
  await expect(de.getByTestId('starts-local')).toContainText('29 mars 2026');
  await expect(de.getByTestId('starts-local')).toContainText('03:30');
  await expect(de.getByTestId('viewer-time')).toContainText('21:30');
  await expect(de.getByTestId('viewer-time')).toContainText('Votre heure');
  await germany.close();
});

test('the stage and the overlay speak the language their link asks for', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${links.attendee}/stage?lang=fr`);
  await hydrated(page);
  await expect(page.getByText('Rejoignez-nous sur')).toBeVisible();
  await expect(page.getByTestId('stage-headline')).toContainText('Commence');
  await expect(page.locator('main')).toHaveAttribute('lang', 'fr');
  await page.goto(`${links.attendee}/overlay?lang=pt-BR`);
  await hydrated(page);
  await expect(page.locator('main')).toHaveAttribute('lang', 'pt-BR');
  await context.close();
});

test('axe finds nothing on the attendee pages in any language, light or dark', async ({ browser, baseURL }) => {
  test.setTimeout(300_000);
  const links = createEventFromCli(baseURL!);
  // The waiting page on a phone in each language, each in a zone of its own, for the
  // README's picture (docs-images.js).
  for (const [locale, timezoneId] of [['es-ES', 'America/Mexico_City'], ['pt-BR', 'America/Sao_Paulo'],
    ['de-DE', 'Europe/Berlin'], ['fr-FR', 'Africa/Dakar']]) {
    const context = await browser.newContext({ locale, timezoneId, viewport: { width: 360, height: 640 } });
    const page = await context.newPage();
    await page.goto(links.attendee);
    await hydrated(page);
    await expect(page.getByTestId('viewer-time')).toBeVisible();
    await page.screenshot({ path: `test-results/waiting-${locale}.png` });
    await context.close();
  }
  const found: string[] = [];
  for (const locale of ['es', 'pt-BR', 'de', 'fr']) {
    for (const scheme of ['light', 'dark'] as const) {
      found.push(...await axeAt(browser, links.attendee, { scheme, locale }));
      found.push(...await axeAt(browser, `${links.attendee}/stage?lang=${locale}`, { scheme, locale }));
    }
  }
  // The live view in a lab with a poll open, pressed, in each language.
  const presenterContext = await browser.newContext();
  const presenter = await presenterContext.newPage();
  presenter.on('dialog', dialog => dialog.accept());
  await openLive(presenter, links.presenter);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();
  await presenter.getByRole('button', { name: 'Next section' }).click();
  await presenter.getByRole('button', { name: 'Ask: Have you managed to launch the Binder?' }).click();
  for (const locale of ['es', 'pt-BR', 'de', 'fr']) {
    const context = await browser.newContext({ locale });
    const page = await context.newPage();
    await page.goto(links.attendee);
    await hydrated(page);
    await page.getByTestId('lab-stuck-button').click();
    await page.getByTestId('pace-slower').click();
    await page.getByTestId('poll-card').getByRole('button').first().click();
    for (const scheme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: scheme });
      found.push(...await axeFindings(page, `${locale} ${scheme} attendee (lab, pressed)`));
    }
    await context.close();
  }
  // The overlay with the poll's bars on it, each language by its link.
  await presenter.getByTestId('overlay-picker').getByRole('button', { name: 'Poll' }).click();
  for (const locale of ['es', 'pt-BR', 'de', 'fr']) {
    for (const scheme of ['light', 'dark'] as const) {
      found.push(...await axeAt(browser, `${links.attendee}/overlay?lang=${locale}`, { scheme, locale }));
    }
  }
  await presenter.getByRole('button', { name: 'End the tutorial' }).click();
  await expect(presenter.getByText(/Ended at/)).toBeVisible();
  // The thank-you with the survey, and the survey's own link.
  for (const locale of ['es', 'pt-BR', 'de', 'fr']) {
    for (const scheme of ['light', 'dark'] as const) {
      found.push(...await axeAt(browser, links.attendee, { scheme, locale }));
      found.push(...await axeAt(browser, `${links.attendee}/feedback`, { scheme, locale }));
    }
  }
  await presenterContext.close();
  expect(found, found.join('\n')).toEqual([]);
});
