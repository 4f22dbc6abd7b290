// First: no schema may be created before zod is made jitless.
import './zod-jitless';
import type { PropsWithChildren } from 'react';
import './app.scss';

function App({ children }: PropsWithChildren) {
  return children;
}

export default App;
