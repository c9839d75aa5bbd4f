import { parseAllDocuments } from 'yaml';
import type { ManifestSource } from '@updraft/core';

/**
 * The trigger types the ScaledObjects of these files name, read without validating anything, so
 * that only those scaler packages are imported. What cannot be read here the loader reports.
 */
export function triggerTypesIn(sources: readonly ManifestSource[]): Set<string> {
  const types = new Set<string>();
  const visit = (object: unknown): void => {
    if (object === null || typeof object !== 'object') return;
    const { kind, items, spec } = object as { kind?: unknown; items?: unknown; spec?: { triggers?: unknown } };
    if (kind === 'List' && Array.isArray(items)) items.forEach(visit);
    if (kind !== 'ScaledObject' || !Array.isArray(spec?.triggers)) return;
    for (const trigger of spec.triggers as unknown[]) {
      const type = (trigger as { type?: unknown } | null)?.type;
      if (typeof type === 'string') types.add(type);
    }
  };
  for (const source of sources) {
    for (const document of parseAllDocuments(source.text)) {
      try {
        visit(document.toJS({ maxAliasCount: 100 }));
      } catch {
        // Reported by the loader.
      }
    }
  }
  return types;
}
