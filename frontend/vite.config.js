// Builds the HDF5/NeXus viewer into ../static/build/ (git-ignored; `make frontend`).
// preview.js is the small entry every dataset page loads; React and H5Web are a separate
// chunk, fetched only when someone opens a preview.
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

export default defineConfig({
  // Relative URLs: chunks and styles load next to preview.js, whatever STATIC_URL is.
  base: './',
  publicDir: false,
  logLevel: 'warn',
  build: {
    outDir: fileURLToPath(new URL('../static/build', import.meta.url)),
    emptyOutDir: true,
    target: 'es2020',
    sourcemap: false,
    reportCompressedSize: false,
    chunkSizeWarningLimit: 4096,
    rollupOptions: {
      input: { preview: fileURLToPath(new URL('src/preview.js', import.meta.url)) },
      // React libraries mark themselves "use client" (for server components): meaningless here.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
      output: {
        entryFileNames: '[name].js',
        chunkFileNames: 'chunks/[name]-[hash].js',
        assetFileNames: 'assets/[name]-[hash][extname]',
      },
    },
  },
});
