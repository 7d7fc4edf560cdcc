export * from './apply/apply-layer.js';
