import { metadataJsonSchema, scaledObjectJsonSchema } from '@updraft/core';
import { createRegistry, type CompositionOptions } from '../composition.js';
import type { Output } from '../output.js';

/**
 * `updraft schema`: the JSON Schema of a ScaledObject with every loaded trigger type's metadata,
 * for editors and kubeconform; with `--trigger`, one trigger type's metadata only.
 */
export async function schema(options: CompositionOptions & { trigger?: string }, out: Output): Promise<number> {
  const registry = await createRegistry(options);
  const document = options.trigger ? metadataJsonSchema(registry.get(options.trigger).metadata) : scaledObjectJsonSchema(registry);
  out.stdout(JSON.stringify(document, null, 2));
  return 0;
}
