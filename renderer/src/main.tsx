import { createRoot } from 'react-dom/client';
import { connectApi } from './api';
import { App } from './App';
import { useStore } from './store';
import './styles.css';

void useStore.getState().init(connectApi());
createRoot(document.getElementById('root')!).render(<App />);
