// A freshly initialised PGlite data folder, made once per test run and copied into each test
// gateway's DATA_DIR: initdb takes seconds of CPU (5 s here idle) and every test gateway on the
// embedded database would otherwise run it again. The copy is the same empty database that
// PGlite.create() makes; nothing is migrated in it. Plain JavaScript: it runs before anything is built.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The variable test/support/gateway-process.ts reads to find the template. */
export const PGLITE_TEMPLATE_VARIABLE = 'PASSERELLE_TEST_PGLITE_TEMPLATE';

export async function makePgliteTemplate() {
  const { PGlite } = await import('@electric-sql/pglite');
  const root = await mkdtemp(join(tmpdir(), 'passerelle-pglite-template-'));
  const dir = join(root, 'pglite');
  const lite = await PGlite.create(dir);
  await lite.close();
  return { dir, remove: () => rm(root, { recursive: true, force: true }) };
}
