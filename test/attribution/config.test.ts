// The `attribution` config key: off (0) by default, strict (a misspelt key is an error, never a
// silently disabled feature), whole minutes from 0 to 1440; and the `init` template documents it.
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configSchema } from '../../src/config/schema.js';
import { CONFIG_TEMPLATE } from '../../src/commands/init.js';
import { attributionSettings } from '../../src/norm/attribution.js';

const issues = (input: unknown) => {
  const r = configSchema.safeParse(input);
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('attribution config', () => {
  it('is off by default', () => {
    const config = configSchema.parse({});
    expect(config.attribution).toEqual({ ip_window_minutes: 0 });
    expect(attributionSettings(config)).toEqual({ ipWindowMinutes: 0 });
  });

  it('takes a window in whole minutes', () => {
    expect(attributionSettings(configSchema.parse({ attribution: { ip_window_minutes: 10 } }))).toEqual({ ipWindowMinutes: 10 });
  });

  it('rejects misspelt keys, negative, fractional and over-a-day windows with the path', () => {
    expect(issues({ attribution: { ip_window_minute: 10 } })).toEqual([expect.stringMatching(/^attribution: .*ip_window_minute/)]);
    expect(issues({ attribution: { ip_window_minutes: -1 } })).toEqual([expect.stringMatching(/^attribution\.ip_window_minutes: /)]);
    expect(issues({ attribution: { ip_window_minutes: 2.5 } })).toEqual([expect.stringMatching(/^attribution\.ip_window_minutes: /)]);
    expect(issues({ attribution: { ip_window_minutes: 1441 } })).toEqual([expect.stringMatching(/^attribution\.ip_window_minutes: /)]);
  });

  it('is in the init template, commented out, and valid when uncommented', () => {
    expect(CONFIG_TEMPLATE).toContain('# attribution:\n#   ip_window_minutes: 10\n');
    const uncommented = CONFIG_TEMPLATE.replace('# attribution:\n#   ip_window_minutes: 10\n', 'attribution:\n  ip_window_minutes: 10\n');
    expect(configSchema.parse(parse(uncommented)).attribution).toEqual({ ip_window_minutes: 10 });
  });
});
