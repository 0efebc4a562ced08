// The viewer chunk: H5Web's App reading the portal's h5grove endpoints of one dataset.
// Loaded on demand by preview.js. No JSX, so the build needs no React plugin.
import '@h5web/app/styles.css';
import { App, H5GroveProvider } from '@h5web/app';
import { createElement, StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

export function mountViewer(container, { url, filepath }) {
  const root = createRoot(container);
  root.render(
    createElement(
      StrictMode,
      null,
      createElement(
        H5GroveProvider,
        { url, filepath },
        // H5Web follows NeXus `default` attributes and plots NXdata (signal/axes) by itself.
        createElement(App, { sidebarOpen: true, disableDarkMode: true }),
      ),
    ),
  );
  return () => root.unmount();
}
