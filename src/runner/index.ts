// The runner's public surface, for the CLI and the VS Code extension.
export { runProfiled, validateRunOptions, type RunOptions, type RunResult } from './run';
export { packageRoot, preloadPath } from './paths';
