// sourceStatus: whether the sources behind each norm view are complete per instance, judged from
// the latest sync of every stream that feeds the view (DESIGN.md "Partial is never complete").
import { describe, expect, it } from 'vitest';
import { oktaConnector } from '../../connectors/okta/index.js';
import { squidConnector } from '../../connectors/squid/index.js';
import { sourceStatus, streamsFeeding, type SyncFact } from '../../src/rules/sources.js';

const connectors = [oktaConnector, squidConnector];
const OKTA_SNAPSHOTS = ['users', 'apps', 'app_grants', 'user_grants'];

let n = 0;
function sync(instance: string, stream: string, status: SyncFact['status'], complete: boolean, startedAt: string, connector = 'okta'): SyncFact {
  return { sync_id: `s${String(++n).padStart(4, '0')}`, instance, stream, connector, status, complete, started_at: startedAt };
}
/** A clean okta scan at `at`: every stream ok, snapshots complete. */
function cleanOkta(instance: string, at: string): SyncFact[] {
  return [...OKTA_SNAPSHOTS.map((s) => sync(instance, s, 'ok', true, at)), sync(instance, 'system_log', 'ok', false, at)];
}
const stateOf = (rows: ReturnType<typeof sourceStatus>, instance: string, view: string) => rows.find((r) => r.instance === instance && r.view === view);

describe('streamsFeeding', () => {
  it('reads the raw streams each norm mapping selects from', () => {
    const okta = streamsFeeding(oktaConnector);
    expect(okta.get('norm.grants')?.sort()).toEqual(['app_grants', 'user_grants', 'users']);
    expect(okta.get('norm.apps')).toEqual(['apps']);
    expect(okta.get('norm.signins')).toEqual(['system_log']);
    expect(streamsFeeding(squidConnector).get('norm.egress')).toEqual(['egress_hourly']);
  });
});

describe('sourceStatus', () => {
  it('is complete for every view of a clean scan, and only for the views the connector feeds', () => {
    const rows = sourceStatus({ syncs: cleanOkta('okta-prod', '2025-06-15T10:00:00Z'), connectors });
    expect(rows.map((r) => [r.view, r.state]).sort()).toEqual([
      ['norm.admin_events', 'complete'], ['norm.apps', 'complete'], ['norm.grants', 'complete'], ['norm.people', 'complete'], ['norm.signins', 'complete'],
    ]);
  });

  it('is partial when the latest sync of a feeding stream failed, even after an earlier complete one, naming the stream', () => {
    const syncs = [...cleanOkta('okta-prod', '2025-06-14T10:00:00Z'), sync('okta-prod', 'user_grants', 'failed', false, '2025-06-15T10:00:00Z')];
    const rows = sourceStatus({ syncs, connectors });
    expect(stateOf(rows, 'okta-prod', 'norm.grants')).toMatchObject({ state: 'partial', detail: expect.stringContaining('okta-prod/user_grants: latest sync (2025-06-15T10:00:00.000Z) is failed') });
    expect(stateOf(rows, 'okta-prod', 'norm.apps')?.state).toBe('complete');
  });

  it('is complete again once a later sync of that stream finishes ok and complete', () => {
    const syncs = [
      ...cleanOkta('okta-prod', '2025-06-14T10:00:00Z'),
      sync('okta-prod', 'user_grants', 'interrupted', false, '2025-06-15T10:00:00Z'),
      sync('okta-prod', 'user_grants', 'ok', true, '2025-06-15T11:00:00Z'),
    ];
    expect(stateOf(sourceStatus({ syncs, connectors }), 'okta-prod', 'norm.grants')?.state).toBe('complete');
  });

  it('counts a snapshot that finished ok but is not complete (import without --complete) as partial', () => {
    const syncs = [...cleanOkta('okta-prod', '2025-06-14T10:00:00Z'), sync('okta-prod', 'apps', 'ok', false, '2025-06-15T10:00:00Z')];
    const apps = stateOf(sourceStatus({ syncs, connectors }), 'okta-prod', 'norm.apps');
    expect(apps).toMatchObject({ state: 'partial', detail: expect.stringContaining('--complete') });
  });

  it('counts an event stream that finished ok as complete (events are never "complete" snapshots)', () => {
    const syncs = [sync('proxy-hq', 'egress_hourly', 'ok', false, '2025-06-15T10:00:00Z', 'squid')];
    expect(sourceStatus({ syncs, connectors })).toEqual([{ instance: 'proxy-hq', view: 'norm.egress', state: 'complete' }]);
  });

  it('is missing for a configured instance that never synced, and partial when only some feeding streams ever ran', () => {
    const syncs = [sync('okta-dev', 'user_grants', 'ok', true, '2025-06-15T10:00:00Z')];
    const rows = sourceStatus({ syncs, connectors, instances: { 'okta-prod': 'okta', 'okta-dev': 'okta', 'proxy-hq': 'squid' } });
    expect(stateOf(rows, 'okta-prod', 'norm.grants')).toMatchObject({ state: 'missing' });
    expect(stateOf(rows, 'proxy-hq', 'norm.egress')).toMatchObject({ state: 'missing', detail: 'proxy-hq/egress_hourly was never synced' });
    expect(stateOf(rows, 'okta-dev', 'norm.grants')).toMatchObject({ state: 'partial', detail: expect.stringContaining('okta-dev/users was never synced') });
    expect(stateOf(rows, 'proxy-hq', 'norm.grants')).toBeUndefined();
  });

  it('treats a sync still running as partial', () => {
    const syncs = [sync('proxy-hq', 'egress_hourly', 'running', false, '2025-06-15T10:00:00Z', 'squid')];
    expect(sourceStatus({ syncs, connectors })[0]).toMatchObject({ state: 'partial', detail: expect.stringContaining('is running') });
  });
});
