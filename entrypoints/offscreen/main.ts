// The offscreen document (reason DOM_PARSER) used by page refresh; logic in extension/refresh.
import { listenForExtraction } from '../../extension/refresh/offscreen-document';

listenForExtraction();
