#!/usr/bin/env node
// Entry point of the `soar` command: runs the TypeScript CLI through tsx's CommonJS loader.
require('tsx/cjs');
require('../src/cli.ts');
