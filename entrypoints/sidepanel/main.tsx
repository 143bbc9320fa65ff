import { render } from 'preact';
import { SidePanelApp } from '../../extension/ui/sidepanel/SidePanelApp';
import '../../extension/ui/styles.css';

render(<SidePanelApp />, document.getElementById('app')!);
