import { describe, expect, it } from 'vitest';
import type { FleetNodeStatus, SavedNode } from '../../../shared/api';
import { fleetNodeState, nodesByGroup } from './fleet';

const node = (name: string, groups?: string[]): SavedNode => ({ id: name, name, host: name, auth: 'agent', ...(groups ? { groups } : {}) });

describe('the fleet view model', () => {
  it('groups nodes by their groups, a node in each of its groups, "ungrouped" last', () => {
    const groups = nodesByGroup([node('a', ['web', 'prod']), node('b'), node('c', ['db'])]);
    expect(groups.map(([g, ns]) => [g, ns.map((n) => n.name)])).toEqual([
      ['db', ['c']],
      ['prod', ['a']],
      ['web', ['a']],
      ['ungrouped', ['b']],
    ]);
  });

  it.each<[string, FleetNodeStatus | undefined, string]>([
    ['never asked', undefined, 'not asked'],
    ['asking', { nodeId: 'x', state: 'asking', connected: false }, 'asking'],
    ['answered, connection kept', { nodeId: 'x', state: 'answered', connected: true }, 'connected'],
    ['answered, connection closed since', { nodeId: 'x', state: 'answered', connected: false }, 'stale'],
    ['failed, even with earlier figures', { nodeId: 'x', state: 'failed', connected: false, processes: 3 }, 'failed'],
  ])('%s: %s', (_, status, state) => expect(fleetNodeState(status)).toBe(state));
});
