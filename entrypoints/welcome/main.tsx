import '../../extension/zod-setup';
import { render } from 'preact';
import { WelcomeApp } from '../../extension/ui/welcome/WelcomeApp';
import '../../extension/ui/styles.css';

render(<WelcomeApp />, document.getElementById('app')!);
