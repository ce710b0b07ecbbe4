// Live sync of an Entra tenant (in progress on branch entra).
import { ExternalError } from '../../src/errors.js';
import type { RunContext, StreamRunResult } from '../../src/connectors/types.js';
import type { EntraConfig } from './config.js';

export async function scanEntra(_ctx: RunContext, _config: EntraConfig): Promise<StreamRunResult[]> {
  throw new ExternalError('entra', 'live scan not implemented yet', { hint: 'use `shadowscan import entra`' });
}
