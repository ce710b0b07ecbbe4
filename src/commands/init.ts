// `shadowscan init`: writes a commented shadowscan.yaml to start from.
import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Command } from 'commander';
import { UserError } from '../errors.js';
import { DEFAULT_CONFIG_FILE } from '../config/load.js';
import { globals } from './common.js';

export const CONFIG_TEMPLATE = `# shadowscan configuration. Every key is checked: a misspelt key is an error, not ignored.
# Secrets are never written here literally: use \${ENV_VAR} or file:/path/to/secret.

# Where the lake (Parquet), the state DB and logs live (relative to this file).
data_dir: .shadowscan

# DuckDB limits for scans and queries (DuckDB's own default is 80 % of RAM).
duckdb:
  memory_limit: 512MB
  threads: 2

# Event streams older than this many days are not shown to rules.
rules:
  window_days: 30
  # thresholds:            # see \`shadowscan rules list\`
  #   egress_min_users: 2

# Egress attribution (docs/attribution.md): for proxy lines without a user, take the user of
# the successful IdP sign-in from the same IP nearest in time (user_inferred = true). Off (0)
# by default: only right where the IdP sees the address the proxy logs (no NAT in between).
# attribution:
#   ip_window_minutes: 10

# The approved-app registry: a folder of YAML files, one entry per app (\`shadowscan registry add\`).
registry:
  dir: registry

# The company's own domains: traffic to them is never an egress finding.
company_domains:
  - example.com

# Vendors the shipped catalogs (catalogs/*.yaml) do not list yet.
catalog:
  domains: []
  #  - { domain: notes-ai.example, vendor: NotesAI, category: ai }

# Days of lake data kept per stream; older day partitions are removed after each scan.
retention_days:
  egress_hourly: 400

# Named instances: one per tenant, account or log source. The name scopes everything it produces.
instances:
  proxy-hq:
    type: squid
    # Files or globs; rotated and .gz copies are recognised, and only new lines are read.
    paths:
      - /var/log/squid/access.log*
    format: auto          # auto | native | common | combined
  # More egress sources (field mapping and every setting: docs/egress-formats.md):
  # zeek-hq:
  #   type: zeek            # conn, dns, ssl, http; TSV or JSON
  #   paths: [/opt/zeek/logs/current/ssl.log, /opt/zeek/logs/current/dns.log]
  # pa-hq:
  #   type: paloalto        # TRAFFIC and THREAT/url, syslog or CSV
  #   paths: [/var/log/remote/pa-*.log]
  #   timezone: UTC         # the firewall's time zone (PAN-OS logs local time)
  # r53:
  #   type: route53         # also: zscaler, umbrella, generic_egress
  #   paths: ['/data/route53/**/*.log.gz']
  #   instance_users: ec2-owners.csv   # instance_id,user
`;

export function initCommand(): Command {
  return new Command('init')
    .description('write a commented shadowscan.yaml in the current directory')
    .option('--force', 'overwrite an existing file')
    .addHelpText('after', `
Examples:
  shadowscan init
  shadowscan init --config /etc/shadowscan/shadowscan.yaml`)
    .action((opts: { force?: boolean }, cmd: Command) => {
      const g = globals(cmd);
      const file = resolve(g.config ?? DEFAULT_CONFIG_FILE);
      if (existsSync(file) && !opts.force) throw new UserError(`${file} already exists`, { hint: 'pass --force to overwrite it' });
      writeFileSync(file, CONFIG_TEMPLATE, { mode: 0o600 });
      process.stdout.write(g.json ? `${JSON.stringify({ written: file })}\n` : `wrote ${file}\nnext: edit the instances, then run \`shadowscan scan\` (or \`shadowscan import squid <file>\`)\n`);
    });
}
