/** What `procscope serve` and the page it serves agree on for the API's WebSocket. */
import { MAX_SNAPSHOT_BYTES } from './snapshot/limits';

/** The WebSocket subprotocol of the API; the session secret rides as a second one, `session.SECRET`. */
export const API_PROTOCOL = 'procscope.v1';
/** A message may carry a snapshot to check: the import limit, with room for the JSON escaping of its text. */
export const MAX_MESSAGE_BYTES = Math.ceil(MAX_SNAPSHOT_BYTES * 1.25);
