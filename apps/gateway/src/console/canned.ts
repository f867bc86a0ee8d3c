/**
 * Canned replies, written by the brand in the bot folder (canned.yaml) next
 * to the flows, in each language: GET /console/api/canned. Read on each
 * request, so an edit shows at the console's next load without a restart.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import express, { type RequestHandler } from 'express';
import { parse } from 'yaml';
import { z } from 'zod';

const Localised = z.record(z.string(), z.string().min(1));
export const CannedFile = z
  .object({
    replies: z.array(z.object({ id: z.string().regex(/^[a-z0-9-]+$/), title: Localised, text: Localised }).strict()),
  })
  .strict();
export type CannedFile = z.infer<typeof CannedFile>;

export function cannedApi(deps: { botDir: string; requireOperator: () => RequestHandler }): express.Router {
  const router = express.Router();
  router.get('/console/api/canned', deps.requireOperator(), async (_req, res) => {
    let text: string;
    try {
      text = await readFile(join(deps.botDir, 'canned.yaml'), 'utf8');
    } catch {
      return res.json({ replies: [] });
    }
    const parsed = CannedFile.safeParse(parse(text));
    if (!parsed.success) {
      return res.status(500).json({ error: `canned.yaml is not valid: ${parsed.error.issues[0]?.message ?? ''}` });
    }
    res.json(parsed.data);
  });
  return router;
}
