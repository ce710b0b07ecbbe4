// The run result of one stream (what scan/import print and return), from its sync's counters.
import type { SyncWriter } from '../../store/sync.js';
import type { StreamRunResult } from '../types.js';

export function syncResult(
  sync: SyncWriter,
  status: StreamRunResult['status'],
  extra: Partial<StreamRunResult> = {},
): StreamRunResult {
  const c = sync.counters;
  return {
    instance: sync.init.instance,
    stream: sync.init.stream,
    syncId: sync.syncId,
    status,
    linesRead: c.lines_read,
    rowsWritten: c.rows_written,
    rejects: c.rejects,
    rejectExamples: sync.rejectExamples,
    bytesRead: c.bytes_read,
    files: 0,
    ...extra,
  };
}
