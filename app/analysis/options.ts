import { DEFAULT_EMBED_OPTIONS, type EmbedOptions } from '../../workers/protocol.ts';

/** The options `moee eval` embeds with (cli/moee.ts: defaults, batch 32), so page and CLI numbers are the same. */
export const ANALYSIS_EMBED_OPTIONS: EmbedOptions = { ...DEFAULT_EMBED_OPTIONS, batchSize: 32, tokenRouting: false };
