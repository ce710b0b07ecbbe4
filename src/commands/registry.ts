// `shadowscan registry [list|validate|add]`: the approved-app registry (a folder of YAML files).
import { resolve } from 'node:path';
import { Command, Option } from 'commander';
import { ExitWith } from '../errors.js';
import { createContext, type Context } from '../context.js';
import { renderRows, type OutputFormat } from '../output/render.js';
import { shownPath } from '../catalog/yaml-file.js';
import { addRegistryEntry, checkRegistry, dataClassifications, loadRegistry, registryDir, registryError, registryStatuses, type RegistryEntry } from '../registry/index.js';
import { formatOption, globals } from './common.js';

const LIST_COLUMNS = ['id', 'name', 'owner', 'status', 'identities', 'domains', 'file'];

const dirOption = () => new Option('--dir <dir>', 'registry folder (default: registry.dir from the config, ./registry)');
const collect = (value: string, previous: string[]) => [...previous, value];

function folder(ctx: Context, dir: string | undefined): string {
  return dir ? resolve(dir) : registryDir(ctx.loaded);
}

/** An entry as `list --json` prints it: every field, identities as objects, file relative. */
function entryJson(e: RegistryEntry): Record<string, unknown> {
  const { file, line, ...fields } = e;
  return { ...fields, file: shownPath(file), line };
}

export function registryCommand(): Command {
  const cmd = new Command('registry')
    .description('the approved-app registry: list, validate and add entries (`registry` alone = `registry list`)')
    .addHelpText('after', `
The registry is a folder of YAML files (config registry.dir, default ./registry), one entry or a
list of entries per file, reviewed in pull requests. Apps match an entry by identity
(provider:app_id) first, then by domain; a similar name is only ever a suggestion.

Examples:
  shadowscan registry validate
  shadowscan registry add --id slack --name Slack --owner it@acme.example --identity okta:0oa1slack --domain slack.com
  shadowscan registry list --json`);

  const list = new Command('list')
    .description('list the registry entries')
    .addOption(dirOption())
    .addOption(formatOption())
    .addHelpText('after', `
Examples:
  shadowscan registry
  shadowscan registry list --json | jq '.[] | select(.status == "approved") | .id'
  shadowscan registry list --format csv > registry.csv`)
    .action((opts: { dir?: string; format?: OutputFormat }, c: Command) => {
      const ctx = createContext(globals(c));
      const dir = folder(ctx, opts.dir);
      const entries = loadRegistry(dir);
      const format: OutputFormat = ctx.json ? 'json' : (opts.format ?? 'table');
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify(entries.map(entryJson), null, 2)}\n`);
        return;
      }
      if (entries.length === 0 && format === 'table') {
        process.stdout.write(`no entries in ${shownPath(dir)} (add one with \`shadowscan registry add --id ID --name NAME\`)\n`);
        return;
      }
      const rows = entries.map((e) => ({
        ...e,
        identities: e.identities.map((i) => `${i.provider}:${i.app_id}`),
        file: shownPath(e.file),
      }));
      process.stdout.write(renderRows(rows, LIST_COLUMNS, format));
    });

  const validate = new Command('validate')
    .description('check every registry file; exit 2 listing every problem as file:line: field: message')
    .addOption(dirOption())
    .addHelpText('after', `
Examples:
  shadowscan registry validate                 # in CI, before merging a registry change
  shadowscan registry validate --dir ./registry --json`)
    .action((opts: { dir?: string }, c: Command) => {
      const ctx = createContext(globals(c));
      const check = checkRegistry(folder(ctx, opts.dir));
      const summary = { dir: shownPath(check.dir), files: check.files.length, entries: check.entries.length, problems: check.problems };
      if (ctx.json) {
        process.stdout.write(`${JSON.stringify({ ok: check.problems.length === 0, ...summary }, null, 2)}\n`);
        if (check.problems.length) throw new ExitWith(2);
        return;
      }
      if (check.problems.length) throw registryError(check.problems);
      process.stdout.write(`registry ${summary.dir}: ${summary.entries} entr${summary.entries === 1 ? 'y' : 'ies'} in ${summary.files} file${summary.files === 1 ? '' : 's'}, no problems\n`);
    });

  const add = new Command('add')
    .description('write a new entry to <registry dir>/<id>.yaml (validated first; never overwrites)')
    .requiredOption('--id <id>', 'registry id: lowercase letters, digits, - and _ (also the file name)')
    .requiredOption('--name <name>', 'the app as people call it')
    .option('--owner <owner>', 'who answers for it (an email or a team)')
    .option('--purpose <text>', 'what it is for')
    .addOption(new Option('--data-classification <level>', 'the most sensitive data it touches').choices([...dataClassifications]))
    .option('--identity <provider:app_id>', 'an identity key, e.g. okta:0oa1b2c3 (repeatable)', collect, [])
    .option('--domain <domain>', 'a registrable domain or a platform app host, e.g. example.com or my-app.vercel.app (repeatable)', collect, [])
    .option('--approved-scope <scope>', 'a scope the app may hold (repeatable)', collect, [])
    .option('--review-by <date>', 'when to review it again (YYYY-MM-DD)')
    .addOption(new Option('--status <status>', 'review state').choices([...registryStatuses]).default('approved'))
    .addOption(dirOption())
    .addHelpText('after', `
Examples:
  shadowscan registry add --id notion-sync --name "Notion to Sheets sync" --owner ops@acme.example \\
      --identity okta:0oa8x2k1 --approved-scope openid --approved-scope email
  shadowscan registry add --id expense-helper --name "Expense helper" --domain expense-helper.vercel.app --status pending
  shadowscan registry add --id openai-api --name "OpenAI API" --domain openai.com --review-by 2026-01-31`)
    .action((opts: AddOptions, c: Command) => {
      const ctx = createContext(globals(c));
      const added = addRegistryEntry(folder(ctx, opts.dir), {
        id: opts.id,
        name: opts.name,
        owner: opts.owner,
        purpose: opts.purpose,
        data_classification: opts.dataClassification,
        identities: opts.identity,
        domains: opts.domain,
        approved_scopes: opts.approvedScope,
        review_by: opts.reviewBy,
        status: opts.status,
      });
      if (ctx.json) process.stdout.write(`${JSON.stringify({ entry: entryJson(added.entry), file: shownPath(added.file) }, null, 2)}\n`);
      else process.stdout.write(`added ${added.entry.id} (${added.entry.status}) to ${shownPath(added.file)}\n`);
      if (added.otherProblems.length) {
        process.stderr.write(`note: the registry has ${added.otherProblems.length} other problem(s); run \`shadowscan registry validate\`\n`);
      }
    });

  cmd.addCommand(list.exitOverride(), { isDefault: true });
  for (const sub of [validate, add]) cmd.addCommand(sub.exitOverride());
  return cmd;
}

interface AddOptions {
  id: string;
  name: string;
  owner?: string;
  purpose?: string;
  dataClassification?: string;
  identity: string[];
  domain: string[];
  approvedScope: string[];
  reviewBy?: string;
  status: string;
  dir?: string;
}
