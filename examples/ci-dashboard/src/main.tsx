// Mounts the dashboard with the settings the server put in the page.
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App';
import { readConfig } from './config';
import './style.css';

const root = document.getElementById('dashboard');
if (root) {
  createRoot(root).render(
    <StrictMode>
      <App config={readConfig()} />
    </StrictMode>,
  );
}
