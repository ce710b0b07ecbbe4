// `npm run demo [-- --fresh]`: the whole product on a synthetic company, with no set-up.
// Generates the demo tenant once (seed 42), starts the Okta, Graph and Google emulators on 127.0.0.1 (port 0),
// writes a workspace (config, registry of approved apps, the tenant's proxy log), then runs the
// real CLI: `scan` (Okta and Google through their real SDKs, Entra through MSAL + Graph, the Squid log, the
// Zeek ssl/dns logs), `report` (CSV and JSON), and
// prints a summary. The workspace is reused, so a second run shows 0 new findings.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv, systemClock } from '../src/clock.js';
import { generateTenant, type Tenant } from '../fixtures/tenant/index.js';
import { writeTenant } from '../fixtures/tenant/cli.js';
import { OKTA_EMULATOR_ADMIN_TOKEN, startOktaEmulator } from '../fixtures/emulators/okta/index.js';
import { startGoogleEmulator } from '../fixtures/emulators/google/index.js';
import { generateKeyPairSync } from 'node:crypto';
import { startEntraEmulator } from '../fixtures/emulators/entra/index.js';

/** The demo's Entra app registration (the scanner) and its client secret, known to the emulator only. */
const DEMO_ENTRA_CLIENT = { clientId: '6f1d3c2b-5a4e-4f10-9a8b-7c6d5e4f3a21', secret: 'demo~entra~client~secret' };

const REPO = resolve(fileURLToPath(new URL('..', import.meta.url)));
export const DEFAULT_WORKSPACE = join(REPO, 'demo-workspace');
const SEED = 42;

export interface DemoResult {
  workspace: string;
  scanExit: number;
  scan: { results: { instance: string; stream: string; status: string; rowsWritten: number; rejects: number }[]; findings?: unknown };
  report: { findings: { rule_id: string; status: string; severity: string; resource: string; instance: string; new: boolean; reason: string | null; evidence: Record<string, unknown> }[] };
  reports: { csv: string; json: string };
  tenant: Tenant;
}

function run(args: string[], cwd: string, env: NodeJS.ProcessEnv): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((ok, fail) => {
    const child = spawn(process.execPath, [join(REPO, 'bin/shadowscan.js'), ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('error', fail);
    child.on('close', (code) => ok({ code: code ?? 70, stdout, stderr }));
  });
}

export async function runDemo(
  opts: { workspace?: string; fresh?: boolean; log?: (s: string) => void; /** Tests: run the emulator and CLI on a shared clock this many times faster. */ timeScale?: number } = {},
): Promise<DemoResult> {
  const ws = opts.workspace ?? DEFAULT_WORKSPACE;
  const say = opts.log ?? (() => {});
  if (opts.fresh) rmSync(ws, { recursive: true, force: true });
  mkdirSync(ws, { recursive: true });

  // The tenant is anchored at the workspace's creation, so every run sees the same company.
  const metaPath = join(ws, 'tenant-meta.json');
  const meta = existsSync(metaPath) ? (JSON.parse(readFileSync(metaPath, 'utf8')) as { seed: number; now: number }) : { seed: SEED, now: Math.floor(Date.now() / 60_000) * 60_000 };
  const tenant = generateTenant({ seed: meta.seed, size: 'demo', now: meta.now });
  const tenantDir = join(ws, 'tenant');
  if (!existsSync(metaPath)) {
    say('generating the demo tenant (60 people, 25 Okta apps, 20,000 proxy log lines and the Zeek ssl/dns logs of the same traffic)…');
    await writeTenant(tenant, tenantDir);
    writeFileSync(metaPath, `${JSON.stringify(meta)}\n`);
  }

  const scale = opts.timeScale ?? 1;
  const anchorReal = Date.now();
  // A time-scaled run ends ahead of the wall clock; the next run starts from there, so its
  // scans never happen "before" the previous ones (findings would look new again).
  const clockPath = join(ws, 'demo-clock.json');
  const resumeAt = scale !== 1 && existsSync(clockPath) ? (JSON.parse(readFileSync(clockPath, 'utf8')) as { virtualEnd: number }).virtualEnd : 0;
  const anchorVirtual = Math.max(anchorReal, resumeAt);
  const clock = scale === 1 ? systemClock : anchoredClock(scale, anchorReal, anchorVirtual);
  const emulator = await startOktaEmulator({ tenant, clock });
  const entra = await startEntraEmulator({ tenant, clock, clients: [DEMO_ENTRA_CLIENT] });
  // The Entra tenant's approved apps join the registry (their own files, rewritten every run).
  mkdirSync(join(tenantDir, 'registry'), { recursive: true });
  for (const entry of tenant.entra.registry) writeFileSync(join(tenantDir, 'registry', `${entry.id}.yaml`), stringify(entry));
  // Google Workspace: a service account (fresh key each run) with domain-wide delegation.
  const saKey = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const saEmail = 'shadowscan-demo@acme-sec.iam.gserviceaccount.com';
  const google = await startGoogleEmulator({ tenant, clock, serviceAccounts: [{ clientEmail: saEmail, clientId: '104857600000000000777', publicKey: saKey.publicKey.export({ type: 'spki', format: 'pem' }) as string }] });
  const saFile = join(ws, 'google-sa-key.json');
  writeFileSync(saFile, JSON.stringify({ type: 'service_account', client_email: saEmail, client_id: '104857600000000000777', private_key: saKey.privateKey.export({ type: 'pkcs8', format: 'pem' }) }), { mode: 0o600 });
  const googleAdmin = [...tenant.google.users].find((u) => u.isAdmin)!.primaryEmail;
  try {
    say(`Okta emulator listening on ${emulator.url}, Graph emulator on ${entra.url}, Google Workspace emulator on ${google.url}`);
    const config = {
      data_dir: '.shadowscan',
      operator: 'demo@acme-corp.example',
      registry: { dir: 'tenant/registry' },
      company_domains: tenant.ownDomains,
      // A vendor the shipped catalog does not know yet, added the way a company would.
      catalog: { domains: [{ domain: 'minutesbot.ai', vendor: 'MinutesBot', category: 'ai' }] },
      rules: { window_days: 30 },
      instances: {
        'okta-demo': { type: 'okta', orgUrl: emulator.url, token: '${DEMO_OKTA_TOKEN}', page_size: 50 },
        'proxy-demo': { type: 'squid', paths: ['tenant/squid/access.log'] },
        // MSAL client credentials against the local token endpoint, then Graph v1.0.
        'entra-demo': {
          type: 'entra', tenant_id: entra.tenantId, client_id: DEMO_ENTRA_CLIENT.clientId, client_secret: '${DEMO_ENTRA_SECRET}',
          authority_host: 'https://login.emu.local', token_endpoint: entra.tokenEndpoint, graph_url: entra.url,
          // The directory streams the findings need; sign-ins and audits (Graph's 5 requests / 10 s
          // audit bucket) would add real-time waits to the demo. `streams:` unset reads them too.
          streams: ['users', 'service_principals', 'applications', 'app_credentials', 'oauth2_permission_grants', 'app_role_assignments'],
        },
        // The office Zeek sensor: TLS SNI (ssl.log) and DNS queries (dns.log) of the same traffic.
        'zeek-demo': { type: 'zeek', paths: ['tenant/zeek/ssl.log', 'tenant/zeek/dns.log'] },
        'google-demo': {
          type: 'google', service_account_key: `file:${saFile}`, subject: googleAdmin, root_url: google.url, token_url: google.tokenUrl,
          reports: { since_days: 15, overlap_minutes: 60, page_size: 1000 },
        },
      },
    };
    writeFileSync(join(ws, 'shadowscan.yaml'), `# Written by npm run demo; rewritten on every run (the emulator's port changes).\n${stringify(config)}`, { mode: 0o600 });
    const env: NodeJS.ProcessEnv = { DEMO_OKTA_TOKEN: OKTA_EMULATOR_ADMIN_TOKEN, DEMO_ENTRA_SECRET: DEMO_ENTRA_CLIENT.secret, NO_PROXY: '127.0.0.1,localhost' };
    if (scale !== 1) env.SHADOWSCAN_CLOCK = clockEnv(scale, anchorReal, anchorVirtual);
    say('scanning: Okta and Google Workspace through their real SDKs, Entra through MSAL + Graph, the proxy log and the Zeek ssl/dns logs…');
    const scan = await run(['scan', '--json'], ws, env);
    if (![0, 1, 3].includes(scan.code)) throw new Error(`scan failed (exit ${scan.code}):\n${scan.stderr}`);
    mkdirSync(join(ws, 'reports'), { recursive: true });
    const reports = { csv: join(ws, 'reports/findings.csv'), json: join(ws, 'reports/findings.json') };
    for (const [format, out] of Object.entries(reports)) {
      const r = await run(['report', '--format', format, '--out', out], ws, env);
      if (r.code !== 0) throw new Error(`report --format ${format} failed (exit ${r.code}):\n${r.stderr}`);
    }
    return {
      workspace: ws,
      scanExit: scan.code,
      scan: JSON.parse(scan.stdout) as DemoResult['scan'],
      report: JSON.parse(readFileSync(reports.json, 'utf8')) as DemoResult['report'],
      reports,
      tenant,
    };
  } finally {
    await emulator.close();
    await entra.close();
    await google.close();
    if (scale !== 1) writeFileSync(clockPath, `${JSON.stringify({ virtualEnd: clock.now() })}\n`);
  }
}

function printSummary(r: DemoResult): void {
  const out = (s = '') => process.stdout.write(`${s}\n`);
  out('\nInstances');
  for (const s of r.scan.results) out(`  ${s.instance.padEnd(12)} ${s.stream.padEnd(14)} ${s.status.padEnd(8)} ${String(s.rowsWritten).padStart(7)} rows  ${s.rejects} rejects`);
  const open = r.report.findings.filter((f) => f.status === 'open');
  const bySeverity = new Map<string, number>();
  for (const f of open) bySeverity.set(f.severity, (bySeverity.get(f.severity) ?? 0) + 1);
  out('\nOpen findings by severity');
  for (const sev of ['critical', 'high', 'medium', 'low', 'info']) if (bySeverity.get(sev)) out(`  ${sev.padEnd(9)} ${bySeverity.get(sev)}`);
  out(`  new since the last run: ${open.filter((f) => f.new).length}`);
  out('\nFindings');
  for (const f of open) out(`  [${f.severity}] ${f.rule_id}  ${f.instance}  ${f.resource}${f.new ? '  (new)' : ''}`);
  out('\nReports');
  out(`  ${r.reports.csv}`);
  out(`  ${r.reports.json}`);
  out('\nNext, in the workspace (cd demo-workspace):');
  out('  npx shadowscan findings                 # open findings');
  out('  npx shadowscan findings show <id>       # evidence and history');
  out('  npx shadowscan query "select domain, count(distinct user) users from norm.egress group by 1 order by 2 desc limit 10"');
  out('  npx shadowscan findings suppress <id> --reason "pilot approved" --until 2027-01-31');
  out('  npm run demo -- --fresh                 # start over');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const started = performance.now();
  const fresh = process.argv.includes('--fresh');
  runDemo({ fresh, log: (s) => process.stderr.write(`${s}\n`) })
    .then((r) => {
      printSummary(r);
      process.stdout.write(`\ndone in ${((performance.now() - started) / 1000).toFixed(1)}s (workspace: ${r.workspace})\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`demo failed: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 1;
    });
}
