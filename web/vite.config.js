import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// `npm run dev` proxies the API to a parley server on PARLEY_URL (default :9288),
// so the client talks to relative /api paths in development just as in production.
const target = process.env.PARLEY_URL || 'http://127.0.0.1:9288'

export default defineConfig({
  plugins: [vue()],
  server: {
    proxy: {
      '/api': { target, ws: true },
      '/healthz': target
    }
  },
  build: { outDir: 'dist', emptyOutDir: true },
  test: {
    environment: 'happy-dom',
    include: ['tests/unit/**/*.test.js'],
    restoreMocks: true,
    // Element Plus' per-component style entries import .css files: let Vite handle them.
    server: { deps: { inline: ['element-plus'] } }
  }
})
