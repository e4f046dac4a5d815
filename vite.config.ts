import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import { createReadStream, existsSync, statSync, cpSync } from 'node:fs';
import { join, normalize, resolve } from 'node:path';

const MODELS_DIR = resolve(import.meta.dirname, 'models');
/** Model folders the app serves at /models/<name>/ (HF layout; Transformers.js' localModelPath). */
const SERVED_MODELS = ['moee-demo', 'fixtures'];
/** What a production build ships: the demo model only (the fixtures are for tests, served from models/). */
const BUNDLED_MODELS = ['moee-demo'];

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
    if (!match || !SERVED_MODELS.includes(match[1])) return next();
    const file = normalize(join(MODELS_DIR, match[1], match[2]));
    if (!file.startsWith(join(MODELS_DIR, match[1])) || !existsSync(file) || !statSync(file).isFile()) {
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
        cpSync(join(MODELS_DIR, name), join(options.dir ?? 'dist', 'models', name), {
          recursive: true,
          filter: (src) => !src.includes('/build') && !src.endsWith('.safetensors') && !src.includes('goldens'),
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
