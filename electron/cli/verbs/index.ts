/** Every verb of the command line, in the order `procscope --help` lists them. A new verb is a module here and a line below. */
import type { Verb } from '../verb';
import { reniceVerb, signalVerb } from './act';
import { containersVerb } from './containers';
import { diffVerb } from './diff';
import { findVerb } from './find';
import { nodesVerb } from './nodes';
import { psVerb } from './ps';
import { recordVerb } from './record';
import { resolveVerb } from './resolve';
import { serveVerb } from './serve';
import { snapshotVerb } from './snapshot';

export const VERBS: Verb[] = [snapshotVerb, psVerb, containersVerb, recordVerb, diffVerb, nodesVerb, findVerb, signalVerb, reniceVerb, resolveVerb, serveVerb] as unknown as Verb[];
