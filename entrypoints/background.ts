import '../extension/zod-setup';
import { main } from '../extension/background/main';

export default defineBackground({ type: 'module', main });
