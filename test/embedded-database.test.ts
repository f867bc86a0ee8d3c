/**
 * The embedded database as a user meets it (issue: writes from the CLI were
 * lost when the running gateway stopped, and a second gateway on the same
 * folder started, then a third crashed): with `gateway start` running on
 * PGlite, CLI commands write through it and their writes survive restarts,
 * including a kill -9; a second `gateway start` on the folder is refused at
 * once, naming the first; `gateway worker` can run beside it.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type GatewayProcess, runCliToEnd, startGateway } from './support/gateway-process.js';
import { deletePrefix, openRedis, uniquePrefix } from './support/services.js';

describe('embedded database: CLI commands beside a running gateway, restarts, one owner', () => {
  let dataDir = '';
  let env: Record<string, string>;
  let gateway: GatewayProcess | undefined;
  const extra: GatewayProcess[] = [];

  const start = () => startGateway({ env, timeoutMs: 60_000 });
  const cli = (args: string[], more: Record<string, string> = {}) => runCliToEnd(args, { ...env, ...more });

  before(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'passerelle-embedded-e2e-'));
    env = { DATA_DIR: dataDir, DATABASE_URL: '', REDIS_KEY_PREFIX: uniquePrefix('embedded-e2e'), BOT_DIR: 'bots/demo' };
    gateway = await start();
  });

  after(async () => {
    for (const process of [gateway, ...extra]) await process?.stop('SIGKILL');
    const redis = openRedis('embedded-e2e-cleanup');
    await deletePrefix(redis, env.REDIS_KEY_PREFIX as string);
    await redis.quit();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('writes from CLI commands into the running gateway’s database', async () => {
    const added = await cli(['operators', 'add', '--email', 'ana@example.com', '--name', 'Ana Martin'], {
      OPERATOR_PASSWORD: 'a-long-enough-password',
    });
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /^added .*ana@example\.com/m);

    const csv = join(dataDir, 'clients.csv');
    await writeFile(
      csv,
      'Téléphone;Nom;Langue;Consentement\r\n06 12 34 56 78;Zoé;fr;oui\r\n06 12 34 56 79;Léo;fr;non\r\n',
    );
    const created = await cli([
      'broadcast',
      'create',
      '--campaign',
      'ventes-privees',
      '--channel',
      'sms',
      '--account',
      '+33700000000',
      '--contacts',
      csv,
    ]);
    assert.equal(created.code, 0, created.stderr);

    const listed = await cli(['operators', 'list']);
    assert.match(listed.stdout, /ana@example\.com/);
  });

  it('refuses a second gateway on the same folder at once, naming the first, and the first carries on', async () => {
    const second = await runCliToEnd(['start'], { ...env, PORT: '0' });
    assert.equal(second.code, 1);
    const first = gateway?.child.pid;
    assert.match(second.stdout, new RegExp(`already open in process ${first} \\(gateway start, since `));
    assert.match(second.stdout, /stop that process first/);
    const ready = await fetch(`${gateway?.url}/readyz`);
    assert.equal(ready.status, 200);
  });

  it('runs `gateway worker` beside it, on the same database', async () => {
    const worker = await startGateway({ env, command: ['worker'], timeoutMs: 60_000 });
    extra.push(worker);
    const lines = worker.logs.filter((line) => line.msg === 'worker ready');
    assert.equal(lines[0]?.database, 'pglite');
    await worker.stop();
  });

  it('still has what the commands wrote after the gateway stops and starts again', async () => {
    assert.equal(await gateway?.stop('SIGTERM'), 0);
    gateway = await start();
    const operators = await cli(['operators', 'list']);
    assert.match(operators.stdout, /ana@example\.com +Ana Martin/);
    const broadcasts = await cli(['broadcast', 'list', '--campaign', 'ventes-privees']);
    assert.equal(broadcasts.code, 0, broadcasts.stderr);
    assert.match(broadcasts.stdout, /ventes-privees/);
  });

  it('starts again after a kill -9 (the dead holder’s lock is taken over) with the data intact', async () => {
    await gateway?.stop('SIGKILL');
    gateway = await start();
    const operators = await cli(['operators', 'list']);
    assert.match(operators.stdout, /ana@example\.com/);
  });
});
