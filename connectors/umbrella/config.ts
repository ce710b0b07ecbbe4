// Config of an `umbrella` instance: Cisco Umbrella DNS logs (S3 CSV export, or JSON lines).
import { z } from 'zod';

export const umbrellaFormats = ['csv', 'json'] as const;
export type UmbrellaFormat = (typeof umbrellaFormats)[number];

export const umbrellaConfigSchema = z.strictObject({
  type: z.literal('umbrella'),
  /** Files or globs (e.g. the dnslogs/ folder of the Umbrella-managed S3 bucket, synced locally). */
  paths: z.array(z.string().min(1)).min(1),
  format: z.enum(['auto', ...umbrellaFormats]).default('auto'),
});
export type UmbrellaConfig = z.infer<typeof umbrellaConfigSchema>;
