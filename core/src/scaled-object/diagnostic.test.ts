import { describe, expect, it } from 'vitest';
import { formatDiagnostic, type Diagnostic } from './diagnostic.js';
import { formatPath } from './object-path.js';

describe('formatDiagnostic', () => {
  it.each<[Diagnostic, string]>([
    [
      { severity: 'error', file: 'so.yaml', line: 14, col: 19, object: 'default/worker', path: 'spec.triggers[0].metadata.threshold', message: 'must be a number, got "ten"' },
      'so.yaml:14:19: default/worker: spec.triggers[0].metadata.threshold: must be a number, got "ten"',
    ],
    [
      { severity: 'warning', file: 'so.yaml', line: 3, col: 1, object: 'default/worker', path: 'spec.triggers[1].type', message: 'cpu is a Resource metric' },
      'so.yaml:3:1: default/worker: spec.triggers[1].type: warning: cpu is a Resource metric',
    ],
    [{ severity: 'notice', file: 'dir/a.yaml', line: 1, col: 1, message: 'empty file: it holds no YAML document' }, 'dir/a.yaml:1:1: notice: empty file: it holds no YAML document'],
    [{ severity: 'error', file: 'a.yaml', line: 2, col: 5, path: 'items[1]', message: 'bad' }, 'a.yaml:2:5: items[1]: bad'],
  ])('%# %s', (diagnostic, expected) => {
    expect(formatDiagnostic(diagnostic)).toBe(expected);
  });
});

describe('formatPath', () => {
  it('writes fields with dots, indexes in brackets, and odd keys quoted', () => {
    expect(formatPath(['spec', 'triggers', 0, 'metadata', 'threshold'])).toBe('spec.triggers[0].metadata.threshold');
    expect(formatPath(['metadata', 'annotations', 'autoscaling.keda.sh/paused'])).toBe('metadata.annotations["autoscaling.keda.sh/paused"]');
    expect(formatPath([])).toBe('');
  });
});
