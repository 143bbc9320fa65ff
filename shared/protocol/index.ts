export * from './envelope';
export * from './limits';
export * from './chunking';
export * from './methods';
export { defineMethod, type MethodSpec } from './define';
