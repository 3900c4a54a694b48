/** Keeps a view that fails to draw (an odd snapshot) from blanking the page: says what went wrong, other tabs stay usable. */
import { Component, type ReactNode } from 'react';
import { visibleText } from '../../../shared/visible';

interface Props {
  /** what is shown, for the message */
  what: string;
  children: ReactNode;
}

export class ErrorBoundary extends Component<Props, { error: Error | null }> {
  override state = { error: null as Error | null };

  static getDerivedStateFromError(error: Error) {
    return { error };
  }

  override render() {
    if (!this.state.error) return this.props.children;
    return (
      <div className="error-box" role="alert" data-testid="view-crashed">
        <strong>{visibleText(`${this.props.what} could not be shown: ${this.state.error.message}`)}</strong>
        <div className="hint">The other tabs and views still work. If this came from an imported file, the file holds a value procscope does not expect there.</div>
        <button type="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}
