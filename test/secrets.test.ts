/**
 * Secrets: a password asked through the API reaches the node, is kept only when the user asks and then only
 * encrypted, and never reaches the page, the saved nodes, or the logs.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ApiEvent } from '../shared/api';
import { createService } from '../electron/app/service';
import { type Cipher, FileVault, type SafeStorageLike, vaultFor } from '../electron/app/stores';
import { type Sshd, ensureUser, makeTempDir, sshdUnavailable, startSshd } from './helpers/sshd';

const skipReason = sshdUnavailable();
if (skipReason) console.warn(`SKIP secrets tests: ${skipReason}`);

/** Stands in for Electron's safeStorage (the OS keychain) outside Electron: AES-256-GCM with a key only this test holds. */
function testCipher(): Cipher {
  const key = randomBytes(32);
  return {
    encrypt(plain) {
      const iv = randomBytes(12);
      const c = createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([c.update(plain, 'utf8'), c.final()]);
      return Buffer.concat([iv, c.getAuthTag(), body]);
    },
    decrypt(buf) {
      const d = createDecipheriv('aes-256-gcm', key, buf.subarray(0, 12));
      d.setAuthTag(buf.subarray(12, 28));
      return Buffer.concat([d.update(buf.subarray(28)), d.final()]).toString('utf8');
    },
  };
}

const PASSWORD = 'Tr0ub4dor&3-secret';

describe.skipIf(skipReason !== null)('secrets', () => {
  let sshd: Sshd;
  let dir: string;
  beforeAll(async () => {
    ensureUser('psc-vault', PASSWORD);
    sshd = await startSshd();
    dir = makeTempDir('secrets');
    writeFileSync(join(dir, 'known_hosts'), sshd.knownHostsLine() + '\n');
  });
  afterAll(async () => sshd?.stop());

  it('asks for a password, keeps it only encrypted, and never shows it to the page or the logs', async () => {
    const configDir = join(dir, 'config');
    const events: { event: ApiEvent; payload: unknown }[] = [];
    const logged = vi.spyOn(console, 'log');
    const errors = vi.spyOn(console, 'error');
    const service = createService({
      configDir,
      vault: new FileVault(configDir, testCipher()),
      transport: 'electron',
      knownHostsFile: join(dir, 'known_hosts'),
      emit: (event, payload) => {
        events.push({ event, payload });
        if (event === 'secretPrompt') void service.handlers.answerSecret((payload as { promptId: string }).promptId, PASSWORD, true);
      },
    });
    const nodes = await service.handlers.saveNode({ id: 'pw1', name: 'pw', host: '127.0.0.1', port: sshd.port, user: 'psc-vault', auth: 'password' });
    expect(nodes[0]!.hasSavedSecret).toBe(false);
    const status = await service.handlers.connect('pw1');
    expect(status.state).toBe('connected');
    const snapshot = await service.handlers.collect(status.connectionId);
    expect(snapshot.node.target).toBe(`psc-vault@127.0.0.1:${sshd.port}`);
    expect(events.filter((e) => e.event === 'secretPrompt')).toHaveLength(1);
    expect((await service.handlers.listNodes())[0]!.hasSavedSecret).toBe(true);
    await service.handlers.disconnect(status.connectionId);

    // The next connection uses the saved secret without asking.
    const again = await service.handlers.connect('pw1');
    expect(events.filter((e) => e.event === 'secretPrompt')).toHaveLength(1);
    await service.handlers.disconnect(again.connectionId);

    for (const file of readdirSync(configDir)) {
      const text = readFileSync(join(configDir, file));
      expect(text.includes(PASSWORD), `${file} holds the password in plain text`).toBe(false);
      expect(text.includes(Buffer.from(PASSWORD).toString('base64')), `${file} holds the password in base64`).toBe(false);
    }
    expect(readdirSync(configDir).sort()).toEqual(['nodes.json', 'secrets.json']);
    expect(JSON.stringify(events)).not.toContain(PASSWORD);
    expect(JSON.stringify(await service.handlers.listNodes())).not.toContain(PASSWORD);
    for (const call of [...logged.mock.calls, ...errors.mock.calls]) expect(JSON.stringify(call)).not.toContain(PASSWORD);
    service.dispose();
  });

  it('without a keychain, refuses to keep it at all', async () => {
    const configDir = join(dir, 'config2');
    const { noVault } = await import('../electron/app/stores');
    const service = createService({
      configDir,
      vault: noVault,
      transport: 'browser',
      knownHostsFile: join(dir, 'known_hosts'),
      emit: (event, payload) => {
        if (event === 'secretPrompt') {
          expect((payload as { canRemember: boolean }).canRemember).toBe(false);
          void service.handlers.answerSecret((payload as { promptId: string }).promptId, PASSWORD, true);
        }
      },
    });
    await service.handlers.saveNode({ id: 'pw2', name: 'pw', host: '127.0.0.1', port: sshd.port, user: 'psc-vault', auth: 'password' });
    const status = await service.handlers.connect('pw2');
    await service.handlers.disconnect(status.connectionId);
    for (const file of readdirSync(configDir)) expect(readFileSync(join(configDir, file), 'utf8')).not.toContain(PASSWORD);
    expect(readdirSync(configDir)).toEqual(['nodes.json']);
    service.dispose();
  });
});

describe('choosing where secrets are kept', () => {
  const storage = (backend: string, available = true): SafeStorageLike => ({
    isEncryptionAvailable: () => available,
    getSelectedStorageBackend: () => backend,
    encryptString: (plain) => Buffer.from([...Buffer.from(plain)].map((b) => b ^ 0x5a)),
    decryptString: (cipher) => Buffer.from([...cipher].map((b) => b ^ 0x5a)).toString(),
  });

  it.each([
    ['gnome_libsecret', 'linux', true],
    ['kwallet5', 'linux', true],
    ['basic_text', 'linux', false],
    ['unknown', 'linux', false],
    ['basic_text', 'darwin', true],
  ])('Linux backend %s on %s: a vault = %s', (backend, platform, kept) => {
    const vault = vaultFor(storage(backend), makeTempDir('vault-choice'), platform as NodeJS.Platform);
    expect(vault.available).toBe(kept);
    expect(vault.unavailableReason).toEqual(kept ? undefined : expect.stringMatching(/no keyring is running/));
  });

  it('keeps nothing where the OS cannot encrypt at all, and says why', () => {
    const vault = vaultFor(storage('gnome_libsecret', false), makeTempDir('vault-choice'), 'linux');
    expect(vault.available).toBe(false);
    expect(vault.unavailableReason).toMatch(/keychain is not available/);
  });

  it('knows only the nodes it holds, not the names every object has', () => {
    const vault = new FileVault(makeTempDir('vault-own'), testCipher());
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf']) expect(vault.has(name)).toBe(false);
    vault.save('n1', 'pw');
    expect(vault.has('n1')).toBe(true);
    expect(vault.has('toString')).toBe(false);
  });
});
