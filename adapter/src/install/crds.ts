import { readdir, readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import type { KubeObject } from './kube-object.js';

/** deploy/crds of the repository (adapter/dist/install -> deploy/crds); the container image keeps that layout. */
export const CRDS_DIR = fileURLToPath(new URL('../../../deploy/crds/', import.meta.url));

/** The keda.sh CustomResourceDefinitions, in file-name order. */
export async function readCrds(dir: string = CRDS_DIR): Promise<KubeObject[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((file) => /\.ya?ml$/.test(file)).sort();
  } catch (error) {
    throw new Error(`cannot read the CRDs in ${dir}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such folder (run updraft from the repository or the container image, which keep deploy/crds)' : (error as Error).message}`);
  }
  if (files.length === 0) throw new Error(`no CRDs in ${dir}`);
  const crds: KubeObject[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(`${dir}/${file}`, 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${dir}${file}: ${document.errors[0]!.message}`);
      const object = document.toJS() as KubeObject | null;
      if (object?.kind === 'CustomResourceDefinition') crds.push(object);
    }
  }
  return crds;
}
