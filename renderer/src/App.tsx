import { useEffect } from 'react';
import { Dialogs } from './components/Dialogs';
import { NodesPanel } from './components/NodesPanel';
import { StatusBar, TabsBar, Workspace } from './components/Workspace';
import { useStore } from './store';

export function App() {
  const closeDetail = useStore((s) => s.closeDetail);
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape' && !(e.target instanceof HTMLInputElement)) closeDetail();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [closeDetail]);
  return (
    <div className="app">
      <NodesPanel />
      <main className="main">
        <TabsBar />
        <Workspace />
        <StatusBar />
      </main>
      <Dialogs />
    </div>
  );
}
