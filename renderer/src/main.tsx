import { createRoot } from 'react-dom/client';
import { ProcscopeFailure } from '../../shared/errors';
import { connectApi } from './api';
import { App } from './App';
import { StoreContext, createAppStore } from './store';
import './styles.css';

const root = createRoot(document.getElementById('root')!);
connectApi().then(
  (api) =>
    root.render(
      <StoreContext.Provider value={createAppStore(api)}>
        <App />
      </StoreContext.Provider>,
    ),
  (err: Error) =>
    root.render(
      <div className="welcome" role="alert" data-testid="no-session">
        <h2>procscope cannot start here</h2>
        <p>{err.message}</p>
        {err instanceof ProcscopeFailure && err.error.hint ? <p>{err.error.hint}</p> : null}
      </div>,
    ),
);
