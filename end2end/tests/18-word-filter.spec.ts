import { expect, test } from '@playwright/test';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { createEventFromCli, hydrated, openLive } from './helpers';

/** The seed's tutorial with its word filter set to `mode`. */
function filtered(mode: string) {
  const example = path.join(__dirname, '..', '..', 'examples', 'dask-tutorial.toml');
  const text = fs.readFileSync(example, 'utf8').replace(/^mode = .*$/m, `mode = "${mode}"`);
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'lectern-filter-')), 'event.toml');
  fs.writeFileSync(file, text);
  return file;
}

// With the filter on "refuse", a question with a listed word (spelled to slip past) is
// refused in the attendee's own language and comes back to the field to be reworded;
// nobody else ever sees it. A place that merely contains such a word passes.
test('a refused question is explained in Spanish, given back, and reaches nobody', async ({ browser, baseURL }) => {
  const links = createEventFromCli(baseURL!, filtered('refuse'));
  const rosaContext = await browser.newContext({ locale: 'es-ES', viewport: { width: 390, height: 844 } });
  const benContext = await browser.newContext();
  const staffContext = await browser.newContext();
  const [rosa, ben, presenter] = await Promise.all([rosaContext, benContext, staffContext].map(c => c.newPage()));
  await openLive(presenter, links.presenter);
  await rosa.goto(links.attendee);
  await hydrated(rosa);
  await expect(rosa.getByTestId('link-state')).toHaveText('Conectado');
  await openLive(ben, links.attendee);
  await presenter.getByRole('button', { name: 'Start the tutorial' }).click();

  const rude = '¿Por qué este f.u.c.k.i.n.g kernel se cae?';
  await rosa.getByLabel('Tu pregunta').fill(rude);
  await rosa.getByRole('button', { name: 'Preguntar', exact: true }).click();
  await expect(rosa.getByTestId('notice')).toHaveText(
    'Eso contiene una palabra que este evento no permite, así que no se envió. Dilo de otra manera, por favor.');
  await expect(rosa.getByLabel('Tu pregunta')).toHaveValue(rude);

  await rosa.getByLabel('Tu pregunta').fill('¿Por qué este kernel se cae?');
  await rosa.getByRole('button', { name: 'Preguntar', exact: true }).click();
  await expect(ben.getByTestId('public-questions')).toContainText('¿Por qué este kernel se cae?');
  await expect(ben.getByTestId('public-questions')).not.toContainText('f.u.c.k');

  await rosa.getByLabel('Ciudad o país').fill('Scunthorpe');
  await rosa.getByRole('button', { name: 'Enviar', exact: true }).click();
  await expect(rosa.getByTestId('checked-in')).toContainText('Scunthorpe');
  await Promise.all([rosaContext, benContext, staffContext].map(c => c.close()));
});
