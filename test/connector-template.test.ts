/**
 * docs/connectors.md, followed from scratch: copy the template, make it
 * another CRM's connector, run the contract kit on it, plug it into a bot
 * folder by its path, check the folder, and hold a scripted conversation
 * whose flow records a lead through it. Everything a newcomer would do,
 * except `npm install`: this machine is offline, so the copy's node_modules
 * is a link to this checkout's (the guide says how to do the same).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type FakeAcme, startFakeAcme } from '../templates/crm-connector/test/fake-acme.js';

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'apps/gateway/src/cli.ts');

/** The environment of a child process, without this test runner's own variables. */
function childEnv(extra: Record<string, string>): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const key of Object.keys(env)) if (key.startsWith('NODE_TEST') || key === 'NODE_OPTIONS') delete env[key];
  return env;
}

describe('writing a connector from the template, as docs/connectors.md says', () => {
  let work: string;
  let connectorDir: string;
  let botDir: string;
  let fake: FakeAcme;

  before(async () => {
    work = await mkdtemp(join(tmpdir(), 'passerelle-integrator-'));
    connectorDir = join(work, 'zenith-connector');
    botDir = join(work, 'bot');
    fake = await startFakeAcme('zenith-secret-token');
  });
  after(async () => {
    await fake?.close();
    await rm(work, { recursive: true, force: true });
  });

  it('step 1-2: copy the template and give the connector its own name', async () => {
    await cp(join(ROOT, 'templates/crm-connector'), connectorDir, { recursive: true });
    const source = join(connectorDir, 'src/index.ts');
    await writeFile(source, (await readFile(source, 'utf8')).replaceAll("'acme-crm'", "'zenith-crm'"));
    const test = join(connectorDir, 'test/contract.test.ts');
    await writeFile(test, (await readFile(test, 'utf8')).replaceAll('acme-crm', 'zenith-crm'));
    const pkg = JSON.parse(await readFile(join(connectorDir, 'package.json'), 'utf8')) as { name: string };
    pkg.name = 'passerelle-connector-zenith';
    await writeFile(join(connectorDir, 'package.json'), JSON.stringify(pkg, null, 2));
    // Step 3 would be `npm install`; offline, the checkout's packages stand in for it.
    await symlink(join(ROOT, 'node_modules'), join(connectorDir, 'node_modules'), 'dir');
  });

  it('step 4: the contract kit passes against the connector and its fake API', async () => {
    const { stdout } = await run(
      process.execPath,
      ['--conditions=@passerelle/source', '--import', 'tsx', '--test', 'test/contract.test.ts'],
      { cwd: connectorDir, env: childEnv({}) },
    );
    assert.match(stdout, /# pass 4\n# fail 0/, stdout);
    assert.match(stdout, /crm contract: zenith-crm/);
  });

  it('step 5-6: a bot folder uses it by path; check-bot and a scripted conversation record a lead through it', async () => {
    await cp(join(ROOT, 'bots/demo'), botDir, { recursive: true });
    await rm(join(botDir, 'tests'), { recursive: true });
    await mkdir(join(botDir, 'tests'));
    const botYaml = await readFile(join(botDir, 'bot.yaml'), 'utf8');
    await writeFile(
      join(botDir, 'bot.yaml'),
      botYaml.replace(
        '  crm: demo\n',
        [
          '  crm:',
          '    package: ../zenith-connector/src/index.ts',
          `    base_url: ${fake.url}`,
          '    token: { env: ZENITH_TOKEN }',
          '',
        ].join('\n'),
      ),
    );
    await writeFile(
      join(botDir, 'flows/quote.yaml'),
      [
        'id: quote',
        'title: { fr: Devis, en: Quote }',
        'triggers: { fr: [devis], en: [quote] }',
        'start: what',
        'nodes:',
        '  what:',
        '    ask: { fr: "Que souhaitez-vous ?", en: "What would you like?" }',
        '    save: wish',
        '    next: record',
        '  record:',
        '    call: crm.lead',
        '    with: { subject: "Devis : {{wish}}" }',
        '    save: lead',
        '    on_error: sorry',
        '    next: done',
        '  done:',
        '    end: { fr: "C\'est noté (dossier {{lead.id}}).", en: "Noted (file {{lead.id}})." }',
        '  sorry:',
        '    end: { fr: "Le CRM ne répond pas.", en: "The CRM is not answering." }',
        '',
      ].join('\n'),
    );
    await writeFile(
      join(botDir, 'tests/quote.yaml'),
      [
        'conversations:',
        '  - name: a quote request becomes a lead in the CRM',
        '    locale: fr',
        '    steps:',
        '      - user: je voudrais un devis',
        '        bot: Que souhaitez-vous',
        '      - user: douze suspensions en laiton',
        '        bot: /dossier o\\d+/',
        '',
      ].join('\n'),
    );

    const env = childEnv({ ZENITH_TOKEN: 'zenith-secret-token' });
    const cli = (...args: string[]) =>
      run(process.execPath, ['--conditions=@passerelle/source', '--import', 'tsx', CLI, ...args], { cwd: ROOT, env });

    const checked = await cli('check-bot', botDir);
    assert.match(checked.stdout, /no problem found/);
    const tested = await cli('chat', '--test', '--bot-dir', botDir);
    assert.match(tested.stdout, /✓ .*quote\.yaml: a quote request becomes a lead in the CRM/);
    assert.match(tested.stdout, /1 passed, 0 failed/);
    assert.deepEqual(
      fake.opportunities.map(({ title, type }) => ({ title, type })),
      [{ title: 'Devis : douze suspensions en laiton', type: 'sale' }],
    );

    // Without the secret in the environment, the bot folder is refused at its bot.yaml line.
    const missing = await run(
      process.execPath,
      ['--conditions=@passerelle/source', '--import', 'tsx', CLI, 'check-bot', botDir],
      {
        cwd: ROOT,
        env: childEnv({}),
      },
    ).catch((error: { code: number; stderr: string }) => error);
    assert.equal((missing as { code?: number }).code, 1);
    assert.match(
      (missing as { stderr: string }).stderr,
      /bot\.yaml:\d+:\d+: connectors\.crm\.token: the environment variable ZENITH_TOKEN is not set/,
    );
  });
});
