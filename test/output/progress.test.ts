// Number and size formatting for progress lines.
import { describe, expect, it } from 'vitest';
import { formatBytes, formatCount } from '../../src/output/progress.js';

describe('formatCount', () => {
  it('groups thousands with commas, as en-US toLocaleString does, without loading ICU', () => {
    for (const n of [0, 7, 999, 1000, 12345, 999999, 1000000, 1234567, 98765432101]) {
      expect(formatCount(n)).toBe(n.toLocaleString('en-US'));
    }
    expect(formatCount(-1234567)).toBe('-1,234,567');
    expect(formatCount(1234.9)).toBe('1,234');
  });
});

describe('formatBytes', () => {
  it('uses binary units with one decimal', () => {
    expect(formatBytes(512)).toBe('512 B');
    expect(formatBytes(1536)).toBe('1.5 KB');
    expect(formatBytes(142676835)).toBe('136.1 MB');
  });
});
