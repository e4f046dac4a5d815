import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { createReadStream, existsSync, statSync, cpSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';
import { LOCALLY_BUILT_FILES } from './models/registry.ts';

/**
 * Folders the app serves at /models/<name>/ (HF layout; Transformers.js' localModelPath): the two
 * embedded MoE models, the yardstick (all-MiniLM-L6-v2) and the exporter-written test fixtures
 * (tests/fixtures/<model>/, as /models/fixtures/<model>/).
 */
const SERVED_MODELS: Record<string, string> = {
  'moee-demo': resolve(import.meta.dirname, 'models', 'moee-demo'),
  'moee-smollm2': resolve(import.meta.dirname, 'models', 'moee-smollm2'),
  'all-minilm-l6-v2': resolve(import.meta.dirname, 'models', 'all-minilm-l6-v2'),
  fixtures: resolve(import.meta.dirname, 'tests', 'fixtures'),
};
/** What a production build ships: the embedded models (the fixtures are served in dev and preview, for tests). */
const BUNDLED_MODELS = ['moee-smollm2', 'moee-demo', 'all-minilm-l6-v2'];


/**
 * Threaded WASM needs SharedArrayBuffer, which needs cross-origin isolation.
 * https://web.dev/articles/coop-coep
 */
const ISOLATION_HEADERS = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/** Serve the embedded model folders in dev/preview and copy them into the build. */
function embeddedModels(): Plugin {
  const serve = (req: { url?: string }, res: import('node:http').ServerResponse, next: () => void) => {
    const url = decodeURIComponent((req.url ?? '').split('?')[0]);
    const match = /^\/models\/([^/]+)\/(.+)$/.exec(url);
    const root = match ? SERVED_MODELS[match[1]] : undefined;
    if (!match || !root || !Object.hasOwn(SERVED_MODELS, match[1])) return next();
    const file = normalize(join(root, match[2]));
    if (!file.startsWith(root + '/') || !existsSync(file) || !statSync(file).isFile()) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    res.setHeader('Content-Length', String(statSync(file).size));
    res.setHeader('Content-Type', file.endsWith('.json') ? 'application/json' : 'application/octet-stream');
    createReadStream(file).pipe(res);
  };
  return {
    name: 'moee-embedded-models',
    configureServer: (server) => void server.middlewares.use(serve),
    configurePreviewServer: (server) => void server.middlewares.use(serve),
    writeBundle: (options) => {
      for (const name of BUNDLED_MODELS) {
        cpSync(SERVED_MODELS[name], join(options.dir ?? 'dist', 'models', name), {
          recursive: true,
          // PyTorch weights and what models/build writes locally are not for the browser.
          filter: (src) => !src.includes('/build') && !src.endsWith('.safetensors') && !LOCALLY_BUILT_FILES.some((file) => src.endsWith(`/${file}`)) && !src.includes('goldens'),
        });
      }
    },
  };
}

export default defineConfig({
  plugins: [react(), embeddedModels()],
  server: { headers: ISOLATION_HEADERS, host: '127.0.0.1', port: 5173 },
  preview: { headers: ISOLATION_HEADERS, host: '127.0.0.1', port: 4173 },
  worker: { format: 'es' },
  optimizeDeps: { exclude: ['onnxruntime-web'] },
  build: {
    target: 'es2022',
    chunkSizeWarningLimit: 4096,
    // harness.html: the engine without UI, for browser tests.
    rollupOptions: { input: { main: resolve(import.meta.dirname, 'index.html'), harness: resolve(import.meta.dirname, 'harness.html') } },
  },
});
