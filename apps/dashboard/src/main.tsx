import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app/provider';
import { createQueryClient } from './lib/query-client';
import './styles.css';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App queryClient={createQueryClient()} />
  </StrictMode>,
);
