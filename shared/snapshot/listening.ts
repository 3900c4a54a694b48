import type { SnapshotSocket } from './types';

/** Listening as `ss -l` means it: a TCP (or unix stream) listener, or a bound socket with no peer (UDP, raw, unix datagram). */
export function isListening(s: SnapshotSocket): boolean {
  return s.state === 'LISTEN' || (s.state === 'UNCONN' && !s.proto.startsWith('tcp'));
}
