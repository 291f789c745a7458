import { expect, test } from '@playwright/test';
import { createEventFromCli } from './helpers';

test('the attendee page loads the attendee bundle, and every file it loads comes compressed and cached for good', async ({ page, request, baseURL }) => {
  const links = createEventFromCli(baseURL!);
  const loaded: string[] = [];
  page.on('request', r => { if (new URL(r.url()).pathname.startsWith('/pkg/')) loaded.push(new URL(r.url()).pathname); });
  await page.goto(links.attendee);
  await expect(page.locator('body[data-hydrated]')).toHaveCount(1, { timeout: 15_000 });

  expect(loaded.some(p => /^\/pkg\/attendee-[0-9a-f]{16}\.wasm$/.test(p)), loaded.join(' ')).toBe(true);
  expect(loaded.some(p => p.startsWith('/pkg/staff-')), loaded.join(' ')).toBe(false);
  for (const path of loaded) {
    for (const [accept, encoding] of [['br, gzip', 'br'], ['gzip', 'gzip']]) {
      const response = await request.get(path, { headers: { 'Accept-Encoding': accept } });
      expect(response.status(), path).toBe(200);
      expect(response.headers()['content-encoding'], `${path} (${accept})`).toBe(encoding);
      expect(response.headers()['cache-control'], path).toBe('public, max-age=31536000, immutable');
    }
  }
  const html = await request.get(links.attendee, { headers: { 'Accept-Encoding': 'br' } });
  expect(html.headers()['content-encoding']).toBe('br');
});
