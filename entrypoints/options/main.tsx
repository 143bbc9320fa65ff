import '../../extension/zod-setup';
import { render } from 'preact';
import { OptionsApp } from '../../extension/ui/options/OptionsApp';
import '../../extension/ui/styles.css';

render(<OptionsApp />, document.getElementById('app')!);
