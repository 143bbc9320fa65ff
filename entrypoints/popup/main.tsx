import { render } from 'preact';
import { PopupApp } from '../../extension/ui/popup/PopupApp';
import '../../extension/ui/styles.css';

render(<PopupApp />, document.getElementById('app')!);
