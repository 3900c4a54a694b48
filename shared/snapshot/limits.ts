/** The largest snapshot file procscope opens: beyond it, parsing would stall the app for seconds. */
export const MAX_SNAPSHOT_BYTES = 128 * 1024 * 1024;
