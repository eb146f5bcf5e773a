/** The server loads date-fns locales one by one, on demand: each code the browser may load must load here too. */
import * as dateFnsLocales from 'date-fns/locale';
import { DATE_FNS_LOCALES } from '../../shared/locales';
import { TimeFormat } from '../../shared/time-format';
import { timeFormatFor } from '../../server/render/time-context';

const NOW = Date.parse('2026-01-01T12:00:00Z');
const HOUR_AGO = new Date(NOW - 3_600_000).toISOString();

test.each(DATE_FNS_LOCALES)('%s writes relative times with its own date-fns locale', (code) => {
  const bundled = Object.values(dateFnsLocales).find((locale) => locale.code === code);
  expect(bundled).toBeDefined();
  const { time, localeCode } = timeFormatFor(code, 'UTC');
  expect(localeCode).toBe(code);
  expect(time.relative(HOUR_AGO, NOW)).toBe(new TimeFormat(code, bundled, 'UTC').relative(HOUR_AGO, NOW));
});

test('a locale date-fns lacks falls back to English words', () => {
  expect(timeFormatFor('xx', 'UTC').time.relative(HOUR_AGO, NOW)).toBe('about 1 hour ago');
});
