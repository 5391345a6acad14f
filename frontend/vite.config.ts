/// <reference types="vitest/config" />
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// `npm run dev` serves the app on :5173 and forwards the API to a Tollgate running on :8080 (./mvnw spring-boot:run),
// so the session and CSRF cookies stay same-origin as they are in production.
const backend = process.env.TOLLGATE_URL ?? 'http://localhost:8080';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/api': backend,
      '/v1': backend,
    },
  },
  build: {
    // The Maven build passes --outDir ../target/classes/static; a plain `npm run build` writes dist/.
    outDir: 'dist',
    sourcemap: false,
    chunkSizeWarningLimit: 600,
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['src/test/setup.ts'],
    include: ['src/**/*.test.{ts,tsx}'],
    css: false,
  },
});
