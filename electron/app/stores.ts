/** Saved nodes (a JSON file in the config directory) and saved secrets (only ever encrypted by a SecretVault). */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SavedNode } from '../../shared/api';
import { checkNode } from '../../shared/api-validate';
import { writeFileAtomically } from '../fs/atomic-write';
import { fail } from '../../shared/errors';

export function defaultConfigDir(): string {
  return join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'procscope');
}

export function newId(): string {
  return randomBytes(9).toString('base64url');
}

/** A config file: private to this user, whole or not there. */
export function writeConfigFile(file: string, text: string): void {
  writeFileAtomically(file, text, { mode: 0o600 });
}

export class NodeStore {
  private readonly file: string;
  constructor(private readonly dir: string) {
    this.file = join(dir, 'nodes.json');
  }

  list(): SavedNode[] {
    try {
      const data = JSON.parse(readFileSync(this.file, 'utf8')) as unknown[];
      return Array.isArray(data) ? data.flatMap((n) => { try { return [checkNode(n)]; } catch { return []; } }) : [];
    } catch {
      return [];
    }
  }

  save(nodes: SavedNode[]): SavedNode[] {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    // hasSavedSecret is derived from the vault, never stored with the node
    writeConfigFile(this.file, JSON.stringify(nodes.map(({ hasSavedSecret: _drop, ...n }) => n), null, 2) + '\n');
    return nodes;
  }
}

/** Keeps secrets encrypted (Electron's safeStorage); a vault that is not available keeps nothing. */
export interface SecretVault {
  readonly available: boolean;
  /** why secrets cannot be kept, when they cannot */
  readonly unavailableReason?: string;
  load(nodeId: string): string | null;
  save(nodeId: string, secret: string): void;
  remove(nodeId: string): void;
  has(nodeId: string): boolean;
}

export const noVault: SecretVault = {
  available: false,
  unavailableReason: 'this mode has no system keychain',
  load: () => null,
  save: () => {
    fail({ kind: 'unsupported', message: 'this build cannot keep secrets safely (no OS keychain); the secret was not saved' });
  },
  remove: () => {},
  has: () => false,
};

export interface Cipher {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

/** A vault file of base64 ciphertexts; the cipher is safeStorage in the Electron main process. */
export class FileVault implements SecretVault {
  readonly available = true;
  private readonly file: string;
  constructor(private readonly dir: string, private readonly cipher: Cipher) {
    this.file = join(dir, 'secrets.json');
  }
  private read(): Record<string, string> {
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as Record<string, string>;
    } catch {
      return {};
    }
  }
  private write(data: Record<string, string>): void {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    writeConfigFile(this.file, JSON.stringify(data) + '\n');
  }
  load(nodeId: string): string | null {
    const value = this.read()[nodeId];
    return value === undefined ? null : this.cipher.decrypt(Buffer.from(value, 'base64'));
  }
  save(nodeId: string, secret: string): void {
    this.write({ ...this.read(), [nodeId]: this.cipher.encrypt(secret).toString('base64') });
  }
  remove(nodeId: string): void {
    const { [nodeId]: _gone, ...rest } = this.read();
    this.write(rest);
  }
  has(nodeId: string): boolean {
    return Object.hasOwn(this.read(), nodeId);
  }
}

/** Electron's safeStorage, as far as the vault needs it. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  /** Linux only: which keyring backs it */
  getSelectedStorageBackend?(): string;
  encryptString(plain: string): Buffer;
  decryptString(cipher: Buffer): string;
}

/**
 * A vault only where the OS really encrypts: on Linux without a keyring, safeStorage falls back to
 * 'basic_text', a password compiled into Chromium, which is no protection, so nothing is kept and the user is told.
 */
export function vaultFor(storage: SafeStorageLike, dir: string, platform = process.platform): SecretVault {
  if (!storage.isEncryptionAvailable()) return { ...noVault, unavailableReason: 'the system keychain is not available' };
  const backend = platform === 'linux' ? storage.getSelectedStorageBackend?.() : undefined;
  if (backend === 'basic_text' || backend === 'unknown') {
    return { ...noVault, unavailableReason: 'no keyring is running (GNOME Keyring or KWallet), and Electron would only obfuscate it with a fixed password' };
  }
  return new FileVault(dir, { encrypt: (s) => storage.encryptString(s), decrypt: (b) => storage.decryptString(b) });
}
