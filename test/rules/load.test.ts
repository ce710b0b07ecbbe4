// The rule loader: queries/<domain>/<rule_id>.yaml + .sql, validated on load; every problem of
// every file reported at once as `file:line: field: message` (UserError → exit 2).
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { UserError } from '../../src/errors.js';
import { loadRules } from '../../src/rules/load.js';
import { tempDir } from '../helpers/cli.js';
import { GOOD_SQL, GOOD_YAML, writeRules } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir('shadowscan-rules-');
});
afterEach(() => tmp.cleanup());

/** The problem lines of the UserError that loading `files` throws. */
function problems(files: Record<string, string>): string[] {
  writeRules(tmp.dir, files);
  try {
    loadRules({ builtinDir: false, dirs: [tmp.dir] });
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).details.map((d) => d.replace(`${tmp.dir}/`, ''));
  }
  throw new Error('loadRules did not fail');
}

describe('loadRules', () => {
  it('loads a valid user rule with its metadata, SQL, thresholds and test cases', () => {
    writeRules(tmp.dir, { 'egress/busy-domain.yaml': GOOD_YAML, 'egress/busy-domain.sql': GOOD_SQL });
    const [rule, ...rest] = loadRules({ builtinDir: false, dirs: [tmp.dir] });
    expect(rest).toEqual([]);
    expect(rule).toMatchObject({
      id: 'busy-domain', domain: 'egress', severity: 'low', requires: ['norm.egress'], thresholds: { min_requests: 10 },
      references: [], tags: [], builtin: false, sql: GOOD_SQL, yamlFile: join(tmp.dir, 'egress/busy-domain.yaml'),
    });
    expect(rule!.tests.map((t) => [t.name, t.expect, t.thresholds, t.sources])).toEqual([
      ['many requests alarm', [{ resource: 'openai.com', status: 'alarm' }], {}, []],
      ['few requests are ok', [{ resource: 'openai.com', status: 'ok' }], {}, []],
    ]);
  });

  it('reports bad YAML with its line', () => {
    expect(problems({ 'egress/busy-domain.yaml': 'id: busy-domain\ntitle: Busy\ntitle: Busier\n', 'egress/busy-domain.sql': GOOD_SQL }))
      .toEqual(['egress/busy-domain.yaml:3: YAML: Map keys must be unique']);
    expect(problems({ 'egress/busy-domain.yaml': 'id: busy-domain\ntitle: [Busy\nseverity: low\n' }))
      .toEqual([expect.stringMatching(/^egress\/busy-domain\.yaml:\d+: YAML: Flow sequence .* must be .*/)]);
  });

  it('reports an unknown field, an id that is not the file name and an unknown severity, each at its line', () => {
    const yaml = GOOD_YAML.replace('id: busy-domain', 'id: busy').replace('severity: low', 'severity: urgent').replace('risk: Lots of traffic.', 'risk: Lots of traffic.\nowner: me');
    expect(problems({ 'egress/busy-domain.yaml': yaml, 'egress/busy-domain.sql': GOOD_SQL })).toEqual([
      'egress/busy-domain.yaml:3: severity: must be one of critical, high, medium, low, info, got "urgent"',
      'egress/busy-domain.yaml:6: owner: unknown field',
    ]);
    // With the schema satisfied, the id check runs.
    expect(problems({ 'egress/busy-domain.yaml': GOOD_YAML.replace('id: busy-domain', 'id: busy') })).toEqual([
      'egress/busy-domain.yaml:1: id: must equal the file name: busy-domain (got busy)',
    ]);
  });

  it('reports unknown views in requires and test inputs, unknown columns, undeclared thresholds and bad expectations', () => {
    const yaml = GOOD_YAML
      .replace('requires: [norm.egress]', 'requires: [norm.egress, norm.nope]')
      .replace('domain: openai.com, requests: 12 }', 'domain: openai.com, requests: 12, bytes: 3 }')
      .replace('- { resource: openai.com, status: ok }', '- { resource: openai.com, status: fine }');
    expect(problems({ 'egress/busy-domain.yaml': yaml, 'egress/busy-domain.sql': GOOD_SQL.replace("getvariable('min_requests')", "getvariable('max_requests')") })).toEqual([
      'egress/busy-domain.yaml:22: tests[1].expect[0].status: must be one of alarm, ok, info, skip, got "fine"',
    ]);
    expect(problems({ 'egress/busy-domain.yaml': yaml.replace('status: fine', 'status: ok') })).toEqual([
      expect.stringMatching(/^egress\/busy-domain\.yaml:7: requires\[1\]: unknown view norm\.nope; rules read norm\.apps, /),
      expect.stringMatching(/^egress\/busy-domain\.yaml:14: tests\[0\]\.given\["norm\.egress"\]\[0\]\.bytes: norm\.egress has no column bytes \(columns: hour, /),
      "egress/busy-domain.sql:2: thresholds: getvariable('max_requests') is not declared under thresholds: in busy-domain.yaml",
    ]);
  });

  it('reports a rule without its SQL, SQL without metadata, files outside a domain folder, and a missing folder', () => {
    writeRules(tmp.dir, { 'egress/lonely.yaml': GOOD_YAML.replace('id: busy-domain', 'id: lonely'), 'egress/orphan.sql': GOOD_SQL, 'stray.sql': GOOD_SQL });
    let err: unknown;
    try {
      loadRules({ builtinDir: false, dirs: [tmp.dir, join(tmp.dir, 'nope')] });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UserError);
    const lines = (err as UserError).details.map((d) => d.replace(`${tmp.dir}/`, ''));
    expect(lines).toEqual([
      'egress/lonely.yaml: file: no lonely.sql beside it (the rule\'s query)',
      'egress/orphan.sql: file: no orphan.yaml beside it (every rule has metadata and test cases)',
      'stray.sql: file: rules belong in a domain folder: <dir>/<domain>/stray.sql',
      'nope: rules.dirs: not a folder (rules live in <dir>/<domain>/<rule_id>.yaml + .sql)',
    ]);
    expect((err as UserError).message).toBe('the rules have 4 problems:');
  });

  it('refuses a user rule whose id repeats a built-in one', () => {
    writeRules(tmp.dir, {
      'identity/unregistered-app.yaml': GOOD_YAML.replace('id: busy-domain', 'id: unregistered-app'),
      'identity/unregistered-app.sql': GOOD_SQL,
    });
    expect(() => loadRules({ dirs: [tmp.dir] })).toThrow(UserError);
    try {
      loadRules({ dirs: [tmp.dir] });
    } catch (e) {
      expect((e as UserError).details).toEqual([expect.stringMatching(/identity\/unregistered-app\.yaml:1: id: duplicate rule id unregistered-app, already defined in queries\/identity\/unregistered-app\.yaml$/)]);
    }
  });

  it('requires at least one test case and well-formed ones', () => {
    const noTests = GOOD_YAML.slice(0, GOOD_YAML.indexOf('tests:')) + 'tests: []\n';
    expect(problems({ 'egress/busy-domain.yaml': noTests, 'egress/busy-domain.sql': GOOD_SQL })).toEqual([
      'egress/busy-domain.yaml:10: tests: give at least one test case (one that must alarm and one that must not)',
    ]);
    const badCase = GOOD_YAML.replace('  - name: few requests are ok\n', '  - name: few requests are ok\n    thresholds: { max_requests: 3 }\n    colour: red\n');
    expect(problems({ 'egress/busy-domain.yaml': badCase })).toEqual([
      'egress/busy-domain.yaml:19: tests[1].colour: unknown field',
    ]);
    expect(problems({ 'egress/busy-domain.yaml': badCase.replace('    colour: red\n', '') })).toEqual([
      'egress/busy-domain.yaml:18: tests[1].thresholds.max_requests: unknown threshold max_requests; the rule declares min_requests',
    ]);
  });
});
